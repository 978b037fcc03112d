"""API account lockout and its policy, ``GET|PUT /api/v1/node/aaa/auth-policy`` (ref §9).

Facts: the vcf-nsx SDK model ``AuthenticationPolicyProperties`` and its client
``api/v1/node/aaa_client.py`` ("SDK"); the NSX CLI guide (``set auth-policy api ...``)
and admin guide ("five consecutive failed attempts ... locked for 15 minutes";
``lockout-period 0`` turns lockout off); ref §9 for the refusal body.

Every test that fails logins or changes the policy uses a private emulator: an account
is shared by all tests of an emulator, and locking it would break them. Time-based
tests set periods of 1 s through the route and sleep briefly.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.emulator_process import RunningEmulator

from ._nsx import ADMIN_USER, AUDITOR_USER, JSON, P, assert_nsx_error, make_client, ok

pytestmark = pytest.mark.conformance("lockout")

POLICY_URL = "/api/v1/node/aaa/auth-policy"
DOMAIN_URL = f"{P}/infra/domains/default"
LOCKED_TEXT = "The credentials were incorrect or the account specified has been locked."
WRONG = "Not-The-Passw0rd!"

#: Every field the SDK model declares.
DECLARED = {
    "api_max_auth_failures",
    "api_failed_auth_lockout_period",
    "api_failed_auth_reset_period",
    "cli_max_auth_failures",
    "cli_failed_auth_lockout_period",
    "minimum_password_length",
    "maximum_password_length",
    "lower_chars",
    "upper_chars",
    "digits",
    "special_chars",
    "minimum_unique_chars",
    "max_repeats",
    "max_sequence",
    "hash_algorithm",
    "password_remembrance",
    "invalid_password_chars",
    "invalid_password_patterns",
    "_retry_prompt",
    "_self",
    "_links",
    "_schema",
}

#: The SDK's "minimum allowable value must be >= lo" / "maximum ... <= hi" per integer field.
RANGES = {
    "api_max_auth_failures": (0, 50),
    "api_failed_auth_lockout_period": (0, 9000),
    "api_failed_auth_reset_period": (0, 9000),
    "cli_max_auth_failures": (0, 10),
    "cli_failed_auth_lockout_period": (0, 604800),
    "minimum_password_length": (8, 128),
    "maximum_password_length": (8, 128),
    "lower_chars": (-128, 128),
    "upper_chars": (-128, 128),
    "digits": (-128, 128),
    "special_chars": (-128, 128),
    "minimum_unique_chars": (0, 128),
    "max_repeats": (0, 128),
    "max_sequence": (0, 128),
    "password_remembrance": (1, 12),
}


# --------------------------------------------------------------------------- helpers


def _password(emu: RunningEmulator, user: str) -> str:
    password = emu.admin_password if user == ADMIN_USER else emu.auditor_password
    assert password is not None
    return password


def _basic(emu: RunningEmulator, user: str, password: str) -> httpx.Response:
    """One Basic-auth GET (a fresh client, so no cookie carries over)."""
    with make_client(emu, user=user, password=password) as client:
        return client.get(DOMAIN_URL)


def _session_create(emu: RunningEmulator, user: str, password: str) -> httpx.Response:
    """``POST /api/session/create`` with the form fields of ref §9."""
    with make_client(emu, user=None) as anon:
        return anon.post("/api/session/create", data={"j_username": user, "j_password": password})


def _fail(emu: RunningEmulator, user: str, times: int, *, via: str = "basic") -> JSON:
    """``times`` wrong-password logins; each is a 403/403; returns the last body."""
    body: JSON = {}
    for _ in range(times):
        resp = _basic(emu, user, WRONG) if via == "basic" else _session_create(emu, user, WRONG)
        body = assert_nsx_error(resp, 403, error_code=403, message=LOCKED_TEXT)
    return body


def _assert_locked(emu: RunningEmulator, user: str, wrong_body: JSON) -> None:
    """The right password is refused exactly like a wrong one, by Basic and session create."""
    for resp in (_basic(emu, user, _password(emu, user)), _session_create(emu, user, _password(emu, user))):
        assert resp.status_code == 403, resp.text
        assert resp.json() == wrong_body
        assert "JSESSIONID" not in resp.cookies


def _assert_unlocked(emu: RunningEmulator, user: str) -> None:
    ok(_basic(emu, user, _password(emu, user)), 200)


def _set_policy(emu: RunningEmulator, **fields: Any) -> JSON:
    with make_client(emu) as admin:
        body = ok(admin.put(POLICY_URL, json=fields), 200).json()
    assert isinstance(body, dict)
    for name, value in fields.items():
        assert body[name] == value, body
    return body


@pytest.fixture
def policy(own: httpx.Client) -> Iterator[httpx.Client]:
    """The private module emulator's admin client; the policy is reset to defaults afterwards."""
    yield own
    ok(own.post(POLICY_URL, params={"action": "reset-all"}), 200)


# --------------------------------------------------------------------------- the policy resource


def test_defaults_as_documented(nsx: httpx.Client) -> None:
    """SDK / schema defaults: api_max_auth_failures 5, api_failed_auth_lockout_period 900 s,
    api_failed_auth_reset_period 900 s; only fields the model declares."""
    body = ok(nsx.get(POLICY_URL), 200).json()
    assert body["api_max_auth_failures"] == 5
    assert body["api_failed_auth_lockout_period"] == 900
    assert body["api_failed_auth_reset_period"] == 900
    assert set(body) <= DECLARED, set(body) - DECLARED


def test_auditor_reads_but_cannot_write(nsx: httpx.Client, auditor: httpx.Client) -> None:
    """ref §9 roles: the read-only auditor may GET the policy; PUT and the reset actions are
    writes and get the emulator's read-only refusal (403 / error_code 401); nothing changes."""
    before = ok(nsx.get(POLICY_URL), 200).json()
    assert ok(auditor.get(POLICY_URL), 200).json() == before
    assert_nsx_error(auditor.put(POLICY_URL, json={"api_max_auth_failures": 50}), 403, error_code=401)
    assert_nsx_error(auditor.post(POLICY_URL, params={"action": "reset-all"}), 403, error_code=401)
    assert ok(nsx.get(POLICY_URL), 200).json() == before


def test_put_keeps_missing_fields_and_persists(fresh_emulator: RunningEmulator) -> None:
    """SDK: 'If any field is not specified in the request body, the existing configured value
    will be retained'; PUT returns the properties. The policy is node configuration, so it
    survives a restart."""
    _set_policy(fresh_emulator, api_failed_auth_reset_period=120)
    body = _set_policy(fresh_emulator, api_max_auth_failures=7)
    assert body["api_failed_auth_reset_period"] == 120
    assert body["api_failed_auth_lockout_period"] == 900
    fresh_emulator.restart()
    with make_client(fresh_emulator) as admin:
        after = ok(admin.get(POLICY_URL), 200).json()
    assert after == body


@pytest.mark.parametrize("field", sorted(RANGES))
def test_range_limits(policy: httpx.Client, field: str) -> None:
    """SDK: each integer field has 'minimum allowable value >= lo' and 'maximum allowable value
    <= hi'; the bounds are accepted, one past them is a 400 ApiError naming the field."""
    low, high = RANGES[field]
    for bad in (low - 1, high + 1):
        body = assert_nsx_error(policy.put(POLICY_URL, json={field: bad}), 400)
        assert field in body["error_message"], body
    for good in (low, high):
        assert ok(policy.put(POLICY_URL, json={field: good}), 200).json()[field] == good


def test_rejected_put_changes_nothing(policy: httpx.Client) -> None:
    """SDK ranges: one field out of range refuses the whole body (400), valid ones included."""
    resp = policy.put(POLICY_URL, json={"api_max_auth_failures": 3, "api_failed_auth_lockout_period": 9001})
    assert_nsx_error(resp, 400)
    assert ok(policy.get(POLICY_URL), 200).json()["api_max_auth_failures"] == 5


@pytest.mark.parametrize(
    ("body", "error_code"),
    [
        ({"api_lockout_minutes": 5}, 287),  # not declared by the model (ref §3.2 unknown property)
        ({"api_max_auth_failures": "5"}, None),
        ({"api_max_auth_failures": True}, None),
        ({"hash_algorithm": "md5"}, None),  # SDK: sha512 or sha256
    ],
)
def test_undeclared_or_mistyped_fields_are_400(policy: httpx.Client, body: JSON, error_code: int | None) -> None:
    """SDK model: only its fields, integers as integers, hash_algorithm sha512|sha256; anything
    else is a 400 ApiError (287 for an unknown property, ref §3.2)."""
    assert_nsx_error(policy.put(POLICY_URL, json=body), 400, error_code=error_code)


def test_get_echoed_back_is_accepted(policy: httpx.Client) -> None:
    """SDK PUT takes the AuthenticationPolicyProperties GET returns (GET-modify-PUT)."""
    body = ok(policy.get(POLICY_URL), 200).json()
    body["api_failed_auth_reset_period"] = 300
    assert ok(policy.put(POLICY_URL, json=body), 200).json() == body


def test_reset_auth_policies_restores_defaults(policy: httpx.Client) -> None:
    """SDK: POST ?action=reset-auth-policies resets the api_* and cli_* lockout fields only;
    reset-all resets everything."""
    ok(policy.put(POLICY_URL, json={"api_max_auth_failures": 9, "minimum_password_length": 20}), 200)
    body = ok(policy.post(POLICY_URL, params={"action": "reset-auth-policies"}), 200).json()
    assert body["api_max_auth_failures"] == 5
    assert body["minimum_password_length"] == 20
    body = ok(policy.post(POLICY_URL, params={"action": "reset-all"}), 200).json()
    assert body["minimum_password_length"] == 12


# --------------------------------------------------------------------------- lockout


def test_locks_after_default_max_failures(fresh_emulator: RunningEmulator) -> None:
    """Admin guide / SDK default: five failed logins lock the account; four do not. While
    locked the right password gets exactly the wrong-password answer: 403, error_code 403,
    'The credentials were incorrect or the account specified has been locked.' (ref §9)."""
    emu = fresh_emulator
    _fail(emu, ADMIN_USER, 4)
    _assert_unlocked(emu, ADMIN_USER)
    wrong_body = _fail(emu, ADMIN_USER, 5)
    _assert_locked(emu, ADMIN_USER, wrong_body)
    _assert_unlocked(emu, AUDITOR_USER)  # the lockout is per account


def test_unlocks_after_lockout_period(fresh_emulator: RunningEmulator) -> None:
    """SDK: 'Once a lockout occurs, the account remains locked out of the API for this time
    period' (api_failed_auth_lockout_period), and no longer."""
    emu = fresh_emulator
    _set_policy(emu, api_max_auth_failures=2, api_failed_auth_lockout_period=1)
    wrong_body = _fail(emu, AUDITOR_USER, 2)
    _assert_locked(emu, AUDITOR_USER, wrong_body)
    time.sleep(1.5)
    _assert_unlocked(emu, AUDITOR_USER)


def test_failures_older_than_reset_period_do_not_count(fresh_emulator: RunningEmulator) -> None:
    """SDK: 'all authentication failures must occur in this time window'
    (api_failed_auth_reset_period); an older failure no longer counts towards the lockout."""
    emu = fresh_emulator
    _set_policy(emu, api_max_auth_failures=2, api_failed_auth_reset_period=1)
    _fail(emu, AUDITOR_USER, 1)
    time.sleep(1.5)
    _fail(emu, AUDITOR_USER, 1)
    _assert_unlocked(emu, AUDITOR_USER)
    wrong_body = _fail(emu, AUDITOR_USER, 2)
    _assert_locked(emu, AUDITOR_USER, wrong_body)


def test_session_create_failures_count(fresh_emulator: RunningEmulator) -> None:
    """ref §9: a refused POST /api/session/create is a failed authentication: enough of them
    lock the account for session create and Basic alike."""
    emu = fresh_emulator
    _set_policy(emu, api_max_auth_failures=3)
    wrong_body = _fail(emu, ADMIN_USER, 3, via="session")
    _assert_locked(emu, ADMIN_USER, wrong_body)


def test_basic_and_session_failures_add_up(fresh_emulator: RunningEmulator) -> None:
    """ref §9: Basic and session create authenticate the same account; their failures count
    together."""
    emu = fresh_emulator
    _set_policy(emu, api_max_auth_failures=2)
    _fail(emu, AUDITOR_USER, 1, via="basic")
    wrong_body = _fail(emu, AUDITOR_USER, 1, via="session")
    _assert_locked(emu, AUDITOR_USER, wrong_body)


def test_a_successful_login_clears_the_count(fresh_emulator: RunningEmulator) -> None:
    """Admin guide: the account locks after that many *consecutive* failed attempts."""
    emu = fresh_emulator
    _set_policy(emu, api_max_auth_failures=3)
    _fail(emu, AUDITOR_USER, 2)
    _assert_unlocked(emu, AUDITOR_USER)
    _fail(emu, AUDITOR_USER, 2)
    _assert_unlocked(emu, AUDITOR_USER)


@pytest.mark.parametrize("field", ["api_max_auth_failures", "api_failed_auth_lockout_period"])
def test_zero_turns_lockout_off(fresh_emulator: RunningEmulator, field: str) -> None:
    """CLI guide: 'If set to 0, account lockout is disabled' (max-auth-failures); admin
    guide: 'set auth-policy api lockout-period 0' turns off account lockout."""
    emu = fresh_emulator
    _set_policy(emu, **{field: 0})
    _fail(emu, AUDITOR_USER, 8)
    _assert_unlocked(emu, AUDITOR_USER)
