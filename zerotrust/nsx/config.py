"""Connection settings for one NSX Manager.

TLS is verified by default; the only way to turn it off is the explicit, loudly named
``insecure=True``. The password is a :class:`Secret`, whose ``repr``/``str`` never show
the value, so a config can be logged or put in an exception safely.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx

from zerotrust.nsx.errors import ConfigError

__all__ = ["AuthMode", "NsxConfig", "RetrySettings", "Secret", "Timeouts"]

AuthMode = Literal["session", "basic"]


class Secret:
    """A string that does not print itself; call :meth:`reveal` at the point of use."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret value; only the auth code calls this."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("Secret values are not pickled")


@dataclass(frozen=True)
class Timeouts:
    """Seconds per phase of one HTTP request (not the whole retried call).

    ``connect`` covers TCP and the TLS handshake; with the retry budget it bounds how long an
    unreachable NSX takes to fail (docs/operations.md). ``read`` waits for an answer: a big
    domain's hierarchical GET takes seconds on a loaded manager, so it stays generous.
    """

    connect: float = 5.0
    read: float = 60.0
    write: float = 60.0
    pool: float = 30.0

    def as_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


@dataclass(frozen=True)
class RetrySettings:
    """Bounds of the one retry loop (ref §3.4: NSX clients retry 429/503/connection errors).

    Delay before retry *n* (1-based) is ``min(max_delay, initial_delay * 2**(n-1))``
    scaled by a random factor in ``[1 - jitter, 1]``, unless the server sent
    ``Retry-After``, which wins (capped at ``max_retry_after``). No retry starts once
    ``max_total`` seconds have passed since the first attempt: with the default connect
    timeout an unreachable NSX fails in about 22 s (docs/operations.md).
    """

    max_attempts: int = 5
    initial_delay: float = 0.25
    max_delay: float = 5.0
    jitter: float = 0.5
    max_retry_after: float = 10.0
    max_total: float = 20.0


@dataclass(frozen=True)
class NsxConfig:
    """Where and how to reach NSX. ``endpoint`` is ``https://host[:port]`` without a path."""

    endpoint: str
    username: str
    password: Secret
    ca_file: Path | None = None
    """PEM bundle that signs the manager's certificate; default: the system trust store."""
    insecure: bool = False
    """Skip certificate verification. Labs only; never the default."""
    auth: AuthMode = "session"
    """``session`` (JSESSIONID + XSRF, one login) or ``basic`` (credentials on every call)."""
    timeouts: Timeouts = field(default_factory=Timeouts)
    retry: RetrySettings = field(default_factory=RetrySettings)
    max_concurrency: int = 20
    """Requests in flight at once; NSX answers 429 above 40 per client (ref §3.3)."""
    page_size: int = 1000
    """``page_size`` sent on list calls (NSX default 1000, ref §1.4)."""

    def __post_init__(self) -> None:
        if not isinstance(self.password, Secret):
            object.__setattr__(self, "password", Secret(str(self.password)))
        if self.ca_file is not None and not isinstance(self.ca_file, Path):
            object.__setattr__(self, "ca_file", Path(self.ca_file))
        if not self.endpoint.startswith(("https://", "http://")) or not httpx.URL(self.endpoint).host:
            raise ConfigError("endpoint", f"the NSX endpoint {self.endpoint!r} is not https://<host>[:port]")
        if self.insecure and self.ca_file is not None:
            raise ConfigError("insecure", "a CA file and insecure (no TLS check) are both set; give one, not both")
        if self.ca_file is not None and not self.ca_file.is_file():
            what = "is a folder, not a PEM file" if self.ca_file.is_dir() else "does not exist"
            raise ConfigError("ca_file", f"the CA file {self.ca_file} {what}")
        if self.max_concurrency < 1 or self.retry.max_attempts < 1:
            raise ConfigError("retry", "max_concurrency and retry.max_attempts must be >= 1")
        if min(self.timeouts.connect, self.timeouts.read, self.retry.max_total) <= 0:
            raise ConfigError("timeouts", "timeouts and the retry budget must be positive seconds")

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], *, base: Path | None = None) -> NsxConfig:
        """The config from the project's settings vocabulary: the provider's config and the
        stack config's ``nsx`` object share it (``host``, ``username``, ``password``,
        ``caFile``, ``insecure``, ``auth``, ``connectTimeout``, ``readTimeout``,
        ``retryAttempts``, ``retrySeconds``). A relative ``caFile`` is taken from ``base``."""
        missing = [k for k in ("host", "username", "password") if not settings.get(k)]
        if missing:
            field = {"host": "endpoint"}.get(missing[0], missing[0])
            raise ConfigError(field, f"the NSX settings lack {', '.join(missing)}")
        ca_file = settings.get("caFile")
        ca_path = Path(str(ca_file)) if ca_file else None
        if ca_path is not None and base is not None and not ca_path.is_absolute():
            ca_path = base / ca_path
        timeouts, retry = Timeouts(), RetrySettings()
        return cls(
            endpoint=str(settings["host"]).rstrip("/"),
            username=str(settings["username"]),
            password=Secret(str(settings["password"])),
            ca_file=ca_path,
            insecure=bool(settings.get("insecure", False)),
            auth=settings.get("auth") or "session",
            timeouts=Timeouts(
                connect=_seconds(settings, "connectTimeout", timeouts.connect),
                read=_seconds(settings, "readTimeout", timeouts.read),
            ),
            retry=RetrySettings(
                max_attempts=int(_seconds(settings, "retryAttempts", retry.max_attempts)),
                max_total=_seconds(settings, "retrySeconds", retry.max_total),
            ),
        )

    def tls_verify(self) -> ssl.SSLContext | bool:
        """What httpx should verify with: the CA file, the system store, or nothing."""
        if self.insecure:
            return False
        if self.ca_file is not None:
            try:
                return ssl.create_default_context(cafile=str(self.ca_file))
            except OSError as error:  # ssl.SSLError is one: a file without a PEM certificate
                reason = "no PEM certificate in it" if isinstance(error, ssl.SSLError) else error.strerror
                raise ConfigError("ca_file", f"the CA file {self.ca_file} cannot be used: {reason}") from error
        return True


_SETTING_FIELDS = {
    "connectTimeout": "connect_timeout",
    "readTimeout": "read_timeout",
    "retrySeconds": "retry_seconds",
    "retryAttempts": "retry",
}


def _seconds(settings: Mapping[str, Any], key: str, default: float) -> float:
    value = settings.get(key)
    if value in (None, ""):
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ConfigError(_SETTING_FIELDS[key], f"{key} {value!r} is not a number") from None
