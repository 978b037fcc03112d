"""What went wrong with NSX, in one sentence an operator can act on at 3 a.m.

:func:`diagnose` turns any error of this package (and the config and TLS errors under it)
into a :class:`Fault`: its kind, what failed against which endpoint, and the fix, naming
the settings to change. Settings are named by :class:`~zerotrust.nsx.config.NsxConfig`
field in braces (``{ca_file}``); each front end renders them with its own spelling
(stack config keys in the provider, flags in a CLI), so one table serves all of them.

Why classify from the cause chain: httpx wraps the socket error (DNS, refused, unreachable)
and the certificate error (expired, unknown CA, wrong name) two levels down; those are the
facts the operator needs, and the top-level message hides them.
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import httpx

from zerotrust.nsx.config import NsxConfig
from zerotrust.nsx.errors import (
    AuthError,
    ConfigError,
    Forbidden,
    NsxApiError,
    NsxConnectionError,
    NsxError,
    NsxTlsError,
    RateLimited,
    ServerBusy,
    ServerError,
    StaleRevision,
)

__all__ = ["SETTINGS", "Fault", "config_fault", "diagnose"]

SETTINGS: Mapping[str, str] = {
    "endpoint": "endpoint",
    "username": "username",
    "password": "password",
    "ca_file": "ca_file",
    "insecure": "insecure",
    "connect_timeout": "timeouts.connect",
    "read_timeout": "timeouts.read",
    "retry_seconds": "retry.max_total",
    "retry": "retry",
    "timeouts": "timeouts",
}
"""The settings a fix may name, spelled as NsxConfig fields (the default rendering)."""

# OpenSSL verify codes (X509_V_ERR_*), as ssl.SSLCertVerificationError.verify_code carries them.
_UNKNOWN_ISSUER = {2, 18, 19, 20, 21}
_NOT_YET_VALID, _EXPIRED = 9, 10
_NAME_MISMATCH = {62, 64}


@dataclass(frozen=True)
class Fault:
    """One diagnosed fault. ``kind`` is stable (tests and the doctor key on it)."""

    kind: str
    what: str
    """What failed, against which endpoint, with the cause."""
    fix: str
    """What to change; settings in braces, rendered by :meth:`line`."""

    def line(self, settings: Mapping[str, str] = SETTINGS) -> str:
        return f"{self.what}. Fix: {self.fix.format_map(settings)}."


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _first(error: BaseException, kind: type[BaseException]) -> BaseException | None:
    return next((e for e in _chain(error) if isinstance(e, kind)), None)


def _tries(error: NsxError) -> str:
    if error.attempts <= 1:
        return ""
    return f" ({error.attempts} attempts in {error.elapsed:.1f} s)"


def config_fault(error: ConfigError, endpoint: str) -> Fault:
    """A configuration that cannot work (there may be no NsxConfig to diagnose with)."""
    return Fault("config", f"NSX at {endpoint}: {error}", f"set {{{error.setting}}}")


def diagnose(error: BaseException, config: NsxConfig) -> Fault | None:
    """The fault behind ``error``; None when it is not an operational fault (a bug)."""
    nsx = f"NSX at {config.endpoint}"
    if isinstance(error, ConfigError):
        return config_fault(error, config.endpoint)
    if isinstance(error, NsxTlsError):
        return _tls(error, config, nsx)
    if isinstance(error, NsxConnectionError):
        return _transport(error, config, nsx)
    if isinstance(error, NsxApiError):
        return _api(error, config, nsx)
    return None


def _is_unroutable(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH)


def _transport(error: NsxConnectionError, config: NsxConfig, nsx: str) -> Fault:
    """The first matching cause, most specific first (a timeout wraps no socket error)."""
    host = httpx.URL(config.endpoint).host
    tries = _tries(error)
    chain = list(_chain(error))
    handshake = next((e for e in chain if isinstance(e, ssl.SSLError)), None)
    unreachable = f"{nsx} is unreachable:"
    candidates: list[tuple[bool, str, str, str]] = [
        (
            any(isinstance(e, socket.gaierror) for e in chain),
            "dns",
            f"{unreachable} the name {host!r} does not resolve (DNS){tries}",
            "check {endpoint}",
        ),
        (
            any(isinstance(e, ConnectionRefusedError) for e in chain),
            "refused",
            f"{unreachable} the connection was refused (nothing listens on that port){tries}",
            "check the host and port in {endpoint}",
        ),
        (
            any(isinstance(e, httpx.ReadTimeout | httpx.WriteTimeout) for e in chain),
            "read-timeout",
            f"{nsx} accepted the connection but did not answer {error.method} {error.path} "
            f"within {config.timeouts.read:g} s{tries}",
            "check the NSX Manager's health and load; {read_timeout} sets the wait",
        ),
        (  # after the read timeout: a plain TimeoutError is a socket's (a bare connect)
            any(isinstance(e, httpx.ConnectTimeout | TimeoutError) for e in chain),
            "connect-timeout",
            f"{unreachable} no connection within {config.timeouts.connect:g} s{tries}",
            "check {endpoint} and the network path to it (firewall, VPN); {connect_timeout} sets the wait",
        ),
        (
            any(_is_unroutable(e) for e in chain),
            "unreachable",
            f"{unreachable} no route to it{tries}",
            "check {endpoint} and the network",
        ),
        (
            handshake is not None,
            "tls",
            f"{nsx}: the TLS handshake failed ({getattr(handshake, 'reason', None) or handshake}){tries}",
            "check that {endpoint} is the manager's https:// address and port",
        ),
    ]
    for matches, kind, what, fix in candidates:
        if matches:
            return Fault(kind, what, fix)
    what = f"{nsx}: the connection failed on {error.method} {error.path}: {_root(error)}{tries}"
    return Fault("connection", what, "check {endpoint} and the NSX Manager's health")


def _tls(error: NsxTlsError, config: NsxConfig, nsx: str) -> Fault:
    found = _first(error, ssl.SSLCertVerificationError)
    code = getattr(found, "verify_code", None)
    trusted = f"the CA in {config.ca_file}" if config.ca_file else "the system's trusted CAs"
    if code == _EXPIRED:
        return Fault(
            "tls-expired",
            f"{nsx}: its certificate has expired",
            "renew the NSX Manager's certificate (and check this machine's clock)",
        )
    if code == _NOT_YET_VALID:
        return Fault(
            "tls-not-yet-valid",
            f"{nsx}: its certificate is not valid yet",
            "check this machine's clock, or the certificate's start date",
        )
    if code in _NAME_MISMATCH:
        host = httpx.URL(config.endpoint).host
        return Fault(
            "tls-name",
            f"{nsx}: its certificate does not name {host!r}",
            "use in {endpoint} a name the certificate carries (its subject alternative names)",
        )
    if code in _UNKNOWN_ISSUER or found is not None:
        return Fault(
            "tls-unknown-ca",
            f"{nsx}: its certificate is not signed by {trusted}",
            "set {ca_file} to the PEM of the CA that signs the manager's certificate",
        )
    return Fault("tls", f"{nsx}: the certificate did not verify ({_root(error)})", "check {ca_file} and {endpoint}")


def _api(error: NsxApiError, config: NsxConfig, nsx: str) -> Fault:
    call = f"{error.method} {error.path}"
    said = error.message.rstrip(". ")
    tries = _tries(error)
    if isinstance(error, AuthError):
        return Fault(
            "credentials",
            f"{nsx} refused the credentials of {config.username!r} (wrong user or password, or the account is "
            "locked after repeated failed logins)",
            "check {username} and {password}; a locked account unlocks after NSX's lockout period "
            "(15 minutes by default) or by an NSX admin",
        )
    if isinstance(error, Forbidden):
        return Fault(
            "forbidden",
            f"{nsx}: the account {config.username!r} may not {_verb(error.method)} ({call}: {said})",
            "use an account whose role may change the firewall for `pulumi up` ({username} and {password}); "
            "a read-only account is enough for previews",
        )
    if isinstance(error, RateLimited | ServerBusy):
        status = "429 (too many requests)" if isinstance(error, RateLimited) else "503 (busy)"
        return Fault(
            "throttled",
            f"{nsx} kept answering {status} to {call}{tries}",
            "retry later, or give it more time with {retry_seconds}; NSX allows 100 requests/s per user, "
            "so check for other clients using the same account",
        )
    if isinstance(error, StaleRevision):
        return Fault(
            "conflict",
            f"{nsx}: someone else kept changing the same objects during this run ({call}: {said})",
            "wait until the other change is finished (a person in the NSX UI, another pipeline), then re-run",
        )
    if isinstance(error, ServerError):
        code = f" error_code {error.error_code}" if error.error_code is not None else ""
        return Fault(
            "server",
            f"{nsx} failed with HTTP {error.status}{code} on {call}{tries}: {said}",
            "this is NSX's own fault: check the NSX Manager's health, then re-run",
        )
    return Fault("refused", f"{nsx} refused {call} with HTTP {error.status}: {said}", "see NSX's message")


def _verb(method: str) -> str:
    return "read" if method == "GET" else "change NSX"


def _root(error: BaseException) -> str:
    last = list(_chain(error))[-1]
    return str(last) or type(last).__name__
