"""Authentication, roles and API account lockout like NSX (ref §9, §3.2).

- HTTP Basic on any request (``Authorization: Remote`` is accepted the same way,
  as Terraform's remote_auth sends it, ref §9);
- session: ``POST /api/session/create`` with form fields ``j_username``/``j_password``
  returns 200, a ``JSESSIONID`` cookie and an ``X-XSRF-TOKEN`` header; later
  requests must send both, a missing/bad token is 403/98 (ref §12.10);
- bad or missing credentials are 403/403 with NSX's message. Whether NSX answers
  401 in some of these cases is [UNV]; 403 is what clients are documented to
  handle (they re-login on 401 or 403).
- roles: ``admin`` is read-write; ``auditor`` (only if a password was given) is
  read-only and gets 403 on writes.
Sessions live in memory: like a real manager node's, they do not survive a restart.
On plain HTTP the cookie is sent without ``Secure`` so clients send it back.

Account lockout (``GET|PUT /api/v1/node/aaa/auth-policy``, model
``AuthenticationPolicyProperties`` of the vcf-nsx SDK, ``api/v1/node/aaa_client.py``):

- ``api_max_auth_failures`` (default 5, 0..50) wrong passwords for one account within
  ``api_failed_auth_reset_period`` seconds (default 900, 0..9000) lock it for
  ``api_failed_auth_lockout_period`` seconds (default 900, 0..9000). Failures older than
  the reset period do not count (a sliding window). Basic/Remote logins and
  ``POST /api/session/create`` count alike.
- While locked, every login of that account -- the right password too -- gets exactly
  the wrong-password answer: 403 / 403 "The credentials were incorrect or the account
  specified has been locked." (ref §9). Attempts during the lockout neither count nor
  extend it (only the CLI lockout is documented to restart on new attempts).
- ``api_max_auth_failures`` 0 (NSX CLI guide) or ``api_failed_auth_lockout_period`` 0
  (NSX admin guide) turn the lockout off.
- A successful login clears the account's failure count: the NSX admin guide speaks of
  "five consecutive failed attempts".
- Only known accounts are tracked; unknown names are refused as before and never lock.
- Sessions that exist when their account locks keep working [UNV]; lockout only gates
  logins.
- PUT keeps fields missing from the body (SDK: "the existing configured value will be
  retained"); values outside the SDK's documented ranges are 400. Changing any of the
  three ``api_*`` fields restarts NSX's http service (SDK); the emulator models that by
  forgetting all failure counts and lockouts, and keeps sessions.

The policy is persisted in the store (``@meta/auth-policy``, only the fields that were
set; a store reset restores the defaults). Failure counts and lockouts live in memory
only, like sessions: a restart clears them, the admin reset hook only when it changes an
``api_*`` value (a locked admin cannot call it anyway). Time comes from an injectable ``clock``
(monotonic seconds) so in-process tests need not sleep.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import (
    bad_credentials,
    bad_xsrf,
    deserialization,
    node_bad_request,
    out_of_range,
    unrecognized_property,
)

if TYPE_CHECKING:
    from .store import Store

ADMIN_ROLE = "enterprise_admin"
AUDITOR_ROLE = "auditor"
SESSION_COOKIE = "JSESSIONID"
XSRF_HEADER = "x-xsrf-token"

AUTH_POLICY_KEY = "@meta/auth-policy"

#: Integer fields of AuthenticationPolicyProperties with the SDK's documented
#: ``minimum allowable value >= lo`` / ``maximum allowable value <= hi``.
POLICY_RANGES: dict[str, tuple[int, int]] = {
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
HASH_ALGORITHMS = ("sha512", "sha256")
#: Read-only in the model: accepted on PUT (clients echo a GET back) and ignored.
POLICY_READ_ONLY = frozenset(
    {"invalid_password_chars", "invalid_password_patterns", "_retry_prompt", "_self", "_links", "_schema"}
)
#: What ``?action=reset-auth-policies`` resets (SDK); ``reset-pwd-complexity`` resets the rest.
AUTH_POLICY_FIELDS = (
    "api_failed_auth_lockout_period",
    "api_failed_auth_reset_period",
    "api_max_auth_failures",
    "cli_failed_auth_lockout_period",
    "cli_max_auth_failures",
)
#: Documented defaults (schema 3.2 ``default``; CLI 5/900 per the VCF and KB 316650
#: lockout tables; password lengths and the -1 "at least one" character classes per the
#: SDK field text). Fields whose default is not documented are absent until set.
POLICY_DEFAULTS: dict[str, Any] = {
    "api_max_auth_failures": 5,
    "api_failed_auth_lockout_period": 900,
    "api_failed_auth_reset_period": 900,
    "cli_max_auth_failures": 5,
    "cli_failed_auth_lockout_period": 900,
    "minimum_password_length": 12,
    "maximum_password_length": 128,
    "lower_chars": -1,
    "upper_chars": -1,
    "digits": -1,
    "special_chars": -1,
}
_FIELD_ORDER = (*POLICY_RANGES, "hash_algorithm")


@dataclass(frozen=True)
class User:
    name: str
    password: str
    role: str

    @property
    def read_only(self) -> bool:
        return self.role == AUDITOR_ROLE

    def roles_body(self) -> dict[str, Any]:
        if self.read_only:
            return {"roles": [{"role": "auditor", "permissions": ["read-api", "read-cli"]}]}
        return {
            "roles": [
                {
                    "role": "superusers",
                    "permissions": ["read-api", "read-write-api", "read-cli", "read-write-cli"],
                }
            ]
        }


@dataclass(frozen=True)
class Session:
    user: User
    xsrf: str


@dataclass(frozen=True)
class LockoutPolicy:
    """The three ``api_*`` fields that drive the API lockout."""

    max_failures: int = 5
    lockout_period: float = 900
    reset_period: float = 900

    @property
    def enabled(self) -> bool:
        return self.max_failures > 0 and self.lockout_period > 0


# --- the stored AuthenticationPolicyProperties -----------------------------------


def read_auth_policy(store: Store | None) -> dict[str, Any]:
    """The policy as GET returns it: documented defaults overlaid with what was set."""
    stored = (store.get(AUTH_POLICY_KEY) if store is not None else None) or {}
    merged = {**POLICY_DEFAULTS, **stored}
    return {k: merged[k] for k in _FIELD_ORDER if k in merged}


def _checked_policy_fields(body: Any) -> dict[str, Any]:
    """Validate a PUT body; return the settable fields it gives (None = keep)."""
    if not isinstance(body, dict):
        raise deserialization("expected an AuthenticationPolicyProperties object.")
    out: dict[str, Any] = {}
    for name, value in body.items():
        if name in POLICY_READ_ONLY:
            continue
        if name == "hash_algorithm":
            if value is None:
                continue
            if not isinstance(value, str):
                raise deserialization("property hash_algorithm expects a string.")
            if value not in HASH_ALGORITHMS:
                raise node_bad_request(
                    f"Invalid value {value!r} for property hash_algorithm; allowed values are "
                    f"{', '.join(HASH_ALGORITHMS)}."
                )
            out[name] = value
            continue
        if name not in POLICY_RANGES:
            raise unrecognized_property(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise deserialization(f"property {name} expects an integer.")
        low, high = POLICY_RANGES[name]
        if not low <= value <= high:
            raise out_of_range(name, value, low, high)
        out[name] = value
    return out


def update_auth_policy(store: Store, body: Any) -> dict[str, Any]:
    """PUT: validate everything first, then merge into the stored policy (all or nothing)."""
    fields = _checked_policy_fields(body)
    stored = dict(store.get(AUTH_POLICY_KEY) or {})
    stored.update(fields)
    store.commit({AUTH_POLICY_KEY: stored})
    return read_auth_policy(store)


def reset_auth_policy(store: Store, action: str) -> dict[str, Any]:
    """``POST ?action=reset-all|reset-auth-policies|reset-pwd-complexity`` (SDK)."""
    stored = dict(store.get(AUTH_POLICY_KEY) or {})
    if action == "reset-all":
        stored = {}
    elif action == "reset-auth-policies":
        stored = {k: v for k, v in stored.items() if k not in AUTH_POLICY_FIELDS}
    elif action == "reset-pwd-complexity":
        stored = {k: v for k, v in stored.items() if k in AUTH_POLICY_FIELDS}
    else:
        raise node_bad_request(
            f"Invalid action {action!r}; allowed values are reset-all, reset-auth-policies, reset-pwd-complexity."
        )
    store.commit({AUTH_POLICY_KEY: stored or None})
    return read_auth_policy(store)


# --- authentication --------------------------------------------------------------


class Authenticator:
    """Checks credentials and sessions; locks accounts after repeated failures.

    Failure times and lockouts are kept in memory only (``_failures``, ``_locked_until``),
    the policy is read from the attached store on each login. ``clock`` gives monotonic
    seconds and may be replaced (in-process tests).
    """

    def __init__(
        self,
        admin_password: str,
        auditor_password: str | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        store: Store | None = None,
    ) -> None:
        self.users: dict[str, User] = {"admin": User("admin", admin_password, ADMIN_ROLE)}
        if auditor_password:
            self.users["auditor"] = User("auditor", auditor_password, AUDITOR_ROLE)
        self.sessions: dict[str, Session] = {}
        self.clock = clock
        self.store = store
        self._failures: dict[str, deque[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._seen_policy: LockoutPolicy | None = None

    def attach_store(self, store: Store) -> None:
        """Read the lockout policy from ``store`` (the emulator's persistent state)."""
        self.store = store

    # --- lockout -------------------------------------------------------------

    def lockout_policy(self) -> LockoutPolicy:
        """The current policy; a change of it forgets all failures (http service restart)."""
        body = read_auth_policy(self.store)
        policy = LockoutPolicy(
            max_failures=int(body["api_max_auth_failures"]),
            lockout_period=float(body["api_failed_auth_lockout_period"]),
            reset_period=float(body["api_failed_auth_reset_period"]),
        )
        if self._seen_policy is not None and policy != self._seen_policy:
            self.clear_lockouts()
        self._seen_policy = policy
        return policy

    def clear_lockouts(self) -> None:
        self._failures.clear()
        self._locked_until.clear()

    def is_locked(self, name: str) -> bool:
        policy = self.lockout_policy()
        until = self._locked_until.get(name)
        if until is None:
            return False
        if policy.enabled and self.clock() < until:
            return True
        del self._locked_until[name]
        return False

    def _record_failure(self, name: str) -> None:
        policy = self.lockout_policy()
        if not policy.enabled:
            self._failures.pop(name, None)
            return
        now = self.clock()
        times = self._failures.setdefault(name, deque())
        while times and now - times[0] >= policy.reset_period:
            times.popleft()
        times.append(now)
        if len(times) >= policy.max_failures:
            self._locked_until[name] = now + policy.lockout_period
            del self._failures[name]

    # --- credentials -----------------------------------------------------------

    def check_password(self, name: str, password: str) -> User:
        user = self.users.get(name)
        if user is not None and self.is_locked(name):
            raise bad_credentials()  # the same answer as a wrong password (ref §9)
        # compare even for unknown users so timing does not reveal names
        expected = user.password if user else secrets.token_hex(16)
        if not hmac.compare_digest(expected.encode(), password.encode()) or user is None:
            if user is not None:
                self._record_failure(name)
            raise bad_credentials()
        self._failures.pop(name, None)
        return user

    def authenticate(self, headers: Any, cookies: dict[str, str]) -> User:
        header = headers.get("authorization")
        if header:
            scheme, _, payload = header.partition(" ")
            if scheme.lower() not in ("basic", "remote"):
                raise bad_credentials()
            try:
                decoded = base64.b64decode(payload.strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                raise bad_credentials() from None
            name, sep, password = decoded.partition(":")
            if not sep:
                raise bad_credentials()
            return self.check_password(name, password)
        sid = cookies.get(SESSION_COOKIE)
        if sid:
            session = self.sessions.get(sid)
            if session is None:
                raise bad_credentials()
            token = headers.get(XSRF_HEADER)
            if not token or not hmac.compare_digest(token.encode(), session.xsrf.encode()):
                raise bad_xsrf()
            return session.user
        raise bad_credentials()

    def create_session(self, form: dict[str, str]) -> tuple[str, Session]:
        user = self.check_password(form.get("j_username", ""), form.get("j_password", ""))
        sid = secrets.token_hex(16).upper()
        session = Session(user, str(uuid.uuid4()))
        self.sessions[sid] = session
        return sid, session

    def destroy_session(self, cookies: dict[str, str]) -> None:
        sid = cookies.get(SESSION_COOKIE)
        if sid:
            self.sessions.pop(sid, None)
