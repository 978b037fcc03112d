"""Test-only hooks: rate limit (NSX 429 wording), fault injection, request counters
(ref §3.3 throttling, §3.4 what clients retry). Private emulator: these change global state."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support.emulator_process import RunningEmulator

from . import _admin
from ._nsx import (
    P,
    assert_nsx_error,
    get_json,
    group_body,
    group_path,
    make_client,
    ok,
    patch,
    tag_condition,
    uid,
    wait_for,
)

pytestmark = pytest.mark.conformance("admin_hooks")

DOMAIN_URL = f"{P}/infra/domains/default"


@pytest.fixture
def hooks(own: httpx.Client) -> Iterator[httpx.Client]:
    """The private emulator's admin client, with limits and faults cleared afterwards."""
    yield own
    _admin.set_rate_limit(own, None)
    _admin.set_concurrency_limit(own, None)
    _admin.set_realization(own)
    _admin.clear_faults(own)


def test_rate_limit_429_with_nsx_message(hooks: httpx.Client) -> None:
    """ref §3.3: over the per-client rate -> 429 'Client 'admin' exceeded request rate
    of N per second.'; disabling the limit restores service."""
    _admin.set_rate_limit(hooks, 5)
    statuses = []
    limited = None
    for _ in range(30):
        resp = hooks.get(DOMAIN_URL)
        statuses.append(resp.status_code)
        if resp.status_code == 429:
            limited = resp
            break
    assert limited is not None, statuses
    body = assert_nsx_error(limited, 429)
    assert "Client 'admin' exceeded request rate of 5 per second." in body["error_message"]
    _admin.set_rate_limit(hooks, None)
    assert all(hooks.get(DOMAIN_URL).status_code == 200 for _ in range(30))


def test_rate_limit_is_per_client(hooks: httpx.Client, own_emulator: RunningEmulator) -> None:
    """ref §3.3: a 'client' is the authenticated user: admin's budget does not throttle
    the auditor."""
    _admin.set_rate_limit(hooks, 5)
    for _ in range(30):
        if hooks.get(DOMAIN_URL).status_code == 429:
            break
    else:
        pytest.fail("admin was never throttled")
    with make_client(own_emulator, user="auditor") as auditor:
        assert auditor.get(DOMAIN_URL).status_code == 200


def test_rate_limit_window_recovers(hooks: httpx.Client) -> None:
    """ref §3.3: the limit is per second: after waiting, requests pass again."""
    _admin.set_rate_limit(hooks, 5)
    for _ in range(30):
        if hooks.get(DOMAIN_URL).status_code == 429:
            break
    time.sleep(1.2)
    assert hooks.get(DOMAIN_URL).status_code == 200


def test_fault_injection_configured_statuses(hooks: httpx.Client) -> None:
    """ref §3.4: injected faults (fixed seed) return the configured statuses with
    NSX-shaped bodies; 429 carries Retry-After (what retrying clients honour)."""
    _admin.set_faults(hooks, seed=7, rate=1.0, statuses=[429])
    resp = hooks.get(DOMAIN_URL)
    assert_nsx_error(resp, 429)
    assert resp.headers.get("Retry-After")
    _admin.clear_faults(hooks)
    assert hooks.get(DOMAIN_URL).status_code == 200


def test_fault_injection_is_deterministic_with_seed(hooks: httpx.Client) -> None:
    """Emulator contract: same seed, same request sequence -> same fault pattern
    (reproducible client tests)."""

    def pattern() -> list[int]:
        _admin.set_faults(hooks, seed=42, rate=0.5, statuses=[503, 429])
        out = [hooks.get(DOMAIN_URL).status_code for _ in range(20)]
        _admin.clear_faults(hooks)
        return out

    first, second = pattern(), pattern()
    assert first == second
    assert set(first) <= {200, 503, 429}
    assert {503, 429} & set(first), first
    assert 200 in first


def test_faults_do_not_block_admin_endpoints(hooks: httpx.Client) -> None:
    """Emulator contract: the admin prefix stays reachable while faults are on
    (so tests can turn them off)."""
    _admin.set_faults(hooks, seed=1, rate=1.0, statuses=[503])
    _admin.counters(hooks)
    _admin.clear_faults(hooks)


def test_request_counter_counts(hooks: httpx.Client) -> None:
    """Emulator contract: counters count the API requests served (clients'
    retry/backoff tests rely on them)."""
    _admin.reset_counters(hooks)
    for _ in range(3):
        hooks.get(DOMAIN_URL)
    hooks.patch(f"{P}/infra/domains/default/groups/cnt", json={"resource_type": "Group"})
    counts = _admin.counters(hooks)
    total = counts.get("total", counts.get("requests"))
    assert total is not None, counts
    assert total >= 4, counts


def test_concurrency_limit_429(hooks: httpx.Client, own_emulator: RunningEmulator) -> None:
    """ref §3.3: over the per-client concurrency limit (outstanding requests) -> 429.
    A request slowed by the 'delay' fault is outstanding, so with max_in_flight 1 three
    simultaneous slow GETs cannot all be served."""
    _admin.set_faults(
        hooks,
        seed=3,
        rate=1.0,
        statuses=["delay"],
        delay_ms=600,
        methods=["GET"],
        path_regex="/infra/domains/default$",
    )
    _admin.set_concurrency_limit(hooks, 1)

    def one(_: int) -> int:
        with make_client(own_emulator) as client:
            return client.get(DOMAIN_URL).status_code

    with ThreadPoolExecutor(max_workers=3) as pool:
        codes = list(pool.map(one, range(3)))
    assert 429 in codes, codes
    assert 200 in codes, codes


def test_fault_drop_cuts_connection(hooks: httpx.Client) -> None:
    """ref §3.4: clients retry when no response came back; the 'drop' fault produces that."""
    _admin.set_faults(hooks, seed=5, rate=1.0, statuses=["drop"], methods=["GET"], path_regex="/infra/domains/default$")
    with pytest.raises(httpx.TransportError):
        hooks.get(DOMAIN_URL)
    _admin.clear_faults(hooks)
    assert hooks.get(DOMAIN_URL).status_code == 200


def test_fault_count_and_scope(hooks: httpx.Client) -> None:
    """Emulator contract: Faults can be limited to a method/path and to a number of injections
    (e.g. 'fail twice with 503, then succeed' for retry tests)."""
    _admin.set_faults(
        hooks,
        seed=9,
        rate=1.0,
        statuses=[503],
        count=2,
        methods=["GET"],
        path_regex="/infra/domains/default$",
    )
    assert hooks.get(f"{P}/infra").status_code == 200  # other path untouched
    codes = [hooks.get(DOMAIN_URL).status_code for _ in range(4)]
    assert codes == [503, 503, 200, 200], codes


def test_fault_after_lets_the_first_requests_through(hooks: httpx.Client) -> None:
    """Emulator contract: ``after`` fails an operation halfway (the first writes land, a later
    one fails), as a manager that breaks mid-apply would; 412 stands for a concurrent edit."""
    _admin.set_faults(hooks, seed=3, rate=1.0, statuses=["412"], after=2, methods=["GET"], path_regex="/default$")
    codes = [hooks.get(DOMAIN_URL).status_code for _ in range(4)]
    assert codes == [200, 200, 412, 412], codes
    assert_nsx_error(hooks.get(DOMAIN_URL), 412)


def test_injected_503_is_nsx_shaped(hooks: httpx.Client) -> None:
    """ref §3.3: 503 Service Unavailable with an NSX body (what nsxlib treats as ServerBusy)."""
    _admin.set_faults(hooks, seed=11, rate=1.0, statuses=[503])
    assert_nsx_error(hooks.get(DOMAIN_URL), 503)


def test_admin_hooks_need_admin_role(hooks: httpx.Client, own_emulator: RunningEmulator) -> None:
    """Emulator contract: The test hooks are not reachable by a read-only user."""
    with make_client(own_emulator, user="auditor") as auditor:
        resp = auditor.put("/emulator/admin/rate-limit", json={"requests_per_second": 1})
    assert resp.status_code == 403, resp.text
    assert hooks.get(DOMAIN_URL).status_code == 200


def test_realization_delay_shows_unrealized(hooks: httpx.Client) -> None:
    """ref §8 / §12.4: while not yet realized, an entity is UNREALIZED (never
    IN_PROGRESS) and the consolidated status is not SUCCESS; later it is REALIZED."""
    _admin.set_realization(hooks, delay_ms=3000)
    gid = uid("slow")
    ok(patch(hooks, group_path(gid), group_body(gid, [tag_condition("s|t")])))
    entities = get_json(hooks, "/infra/realized-state/realized-entities", intent_path=group_path(gid))
    states = {e["state"] for e in entities["results"]}
    assert states <= {"UNREALIZED", "UNAVAILABLE"}, states
    status = get_json(hooks, "/infra/realized-state/status", intent_path=group_path(gid))
    assert status["consolidated_status"]["consolidated_status"] != "SUCCESS"

    def realized() -> bool:
        body = get_json(hooks, "/infra/realized-state/realized-entities", intent_path=group_path(gid))
        return bool(body["results"]) and all(e["state"] == "REALIZED" for e in body["results"])

    wait_for(realized, timeout=10, what="realized after delay")


def test_realization_override_error(hooks: httpx.Client) -> None:
    """ref §8: ERROR is a realized-entity state clients stop on; the override produces it."""
    gid = uid("bad")
    _admin.set_realization(hooks, overrides=[{"path_regex": gid, "state": "ERROR"}])
    ok(patch(hooks, group_path(gid), group_body(gid, [tag_condition("s|t")])))
    body = get_json(hooks, "/infra/realized-state/realized-entities", intent_path=group_path(gid))
    assert body["results"]
    assert {e["state"] for e in body["results"]} == {"ERROR"}
    status = get_json(hooks, "/infra/realized-state/status", intent_path=group_path(gid))
    assert status["consolidated_status"]["consolidated_status"] != "SUCCESS"


def test_reset_restores_seeded_state(own_emulator: RunningEmulator) -> None:
    """Emulator contract: POST /emulator/admin/reset wipes user objects but keeps the built-in defaults."""
    with make_client(own_emulator) as client:
        gid = uid("gone")
        ok(patch(client, group_path(gid), group_body(gid, [tag_condition("s|t")])))
        _admin.reset(client)
        assert client.get(f"{P}{group_path(gid)}").status_code == 404
        rule = get_json(
            client,
            "/infra/domains/default/security-policies/default-layer3-section/rules/default-layer3-rule",
        )
        assert rule["rule_id"] == 2
