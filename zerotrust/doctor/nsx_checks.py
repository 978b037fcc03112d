"""The NSX half of the doctor: each step of reaching and using NSX, checked on its own.

Why step by step rather than one API call: an operator needs to know *which* layer is wrong
(the network, TLS trust, the account, its role, the manager, a cluster's registration), and
each step's failure is diagnosed by the same :func:`~zerotrust.nsx.faults.diagnose` the
provider uses, so the doctor and ``pulumi preview`` say the same thing. Everything here only
reads, with one login attempt (a wrong password must not lock the account).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email.utils
import ssl
import time
from collections.abc import Mapping
from dataclasses import replace

import httpx

from zerotrust.doctor.report import Row
from zerotrust.nsx.client import NsxClient
from zerotrust.nsx.config import NsxConfig, RetrySettings
from zerotrust.nsx.errors import NsxConnectionError, NsxError, NsxTlsError
from zerotrust.nsx.faults import SETTINGS, diagnose
from zerotrust.providers.cluster_lookup import find_cluster_control_plane

__all__ = ["MIN_NSX_VERSION", "nsx_rows"]

MIN_NSX_VERSION = (4, 1)
"""Oldest NSX the project is checked against: the emulator speaks 4.2's API, and the Antrea
Egress and IP-pool inventory this project reads arrived with NSX 4.1 (antrea reference §4)."""
CERT_WARN_DAYS = 30
SKEW_WARN_S = 60.0


class _Step:
    """The rows so far, with the fix texts spelled as the caller's settings."""

    def __init__(self, config: NsxConfig, settings: Mapping[str, str]) -> None:
        self.config = config
        self.settings = settings
        self.rows: list[Row] = []

    def add(self, check: str, status: str, detail: str) -> None:
        self.rows.append(Row(check, status, detail))  # type: ignore[arg-type]

    def failed(self, check: str, error: NsxError) -> None:
        fault = diagnose(error, self.config)
        self.add(check, "fail", fault.line(self.settings) if fault else str(error))

    def skipped(self, *checks: str) -> None:
        for check in checks:
            self.add(check, "skip", "needs the checks above")


async def _connect(config: NsxConfig, *, tls: ssl.SSLContext | None) -> tuple[float, dict[str, object] | None]:
    """Seconds to connect (and handshake), and the verified peer certificate."""
    url = httpx.URL(config.endpoint)
    port = url.port or (443 if url.scheme == "https" else 80)
    started = time.monotonic()
    opened = asyncio.open_connection(url.host, port, ssl=tls, server_hostname=url.host if tls else None)
    _, writer = await asyncio.wait_for(opened, config.timeouts.connect)
    cert = writer.get_extra_info("peercert") if tls else None
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return time.monotonic() - started, cert


def _as_nsx_error(error: BaseException, config: NsxConfig) -> NsxError:
    where = httpx.URL(config.endpoint)
    if isinstance(error, ssl.SSLCertVerificationError):
        wrapped: NsxError = NsxTlsError(str(error), method="CONNECT", path=str(where.host))
    else:
        wrapped = NsxConnectionError(str(error), method="CONNECT", path=str(where.host))
    wrapped.__cause__ = error
    return wrapped


def _expiry(cert: Mapping[str, object] | None) -> dt.datetime | None:
    not_after = cert.get("notAfter") if cert else None
    if not isinstance(not_after, str):
        return None
    return dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(not_after), dt.UTC)


def _version(text: str) -> tuple[int, ...] | None:
    try:
        return tuple(int(part) for part in text.split(".")[:2])
    except ValueError:
        return None


LATER = ("TLS verified", "credentials", "account role", "NSX version", "clock", "clusters")


async def nsx_rows(
    config: NsxConfig,
    clusters: Mapping[str, str],
    *,
    for_up: bool,
    settings: Mapping[str, str] = SETTINGS,
) -> list[Row]:
    """Rows for: reachable, TLS, credentials, role, version, clock, and each cluster; a step
    that fails marks the ones that need it skipped."""
    step = _Step(config, settings)
    if not await _reachable(step):
        step.skipped(*LATER)
    elif not await _tls(step):
        step.skipped(*LATER[1:])
    else:
        await _signed_in(step, clusters, for_up=for_up)
    return step.rows


async def _reachable(step: _Step) -> bool:
    try:
        seconds, _ = await _connect(step.config, tls=None)
    except (OSError, TimeoutError) as error:
        step.failed("NSX reachable", _as_nsx_error(error, step.config))
        return False
    url = httpx.URL(step.config.endpoint)
    step.add("NSX reachable", "ok", f"{url.host}:{url.port or 443} accepts connections ({seconds * 1000:.0f} ms)")
    return True


async def _tls(step: _Step) -> bool:
    config = step.config
    if httpx.URL(config.endpoint).scheme != "https" or config.insecure:
        step.add("TLS verified", "warn", "not verified (plain HTTP or insecure): anyone on the path can act as NSX")
        return True
    try:
        context = config.tls_verify()
        assert isinstance(context, ssl.SSLContext)
        _, cert = await _connect(config, tls=context)
    except NsxError as error:  # the CA file itself (ConfigError)
        step.failed("TLS verified", error)
        return False
    except (OSError, TimeoutError) as error:
        step.failed("TLS verified", _as_nsx_error(error, config))
        return False
    expires = _expiry(cert)
    trusted = f"by {config.ca_file}" if config.ca_file else "by the system's CAs"
    if expires is None:
        step.add("TLS verified", "ok", f"verified {trusted}")
        return True
    days = (expires - dt.datetime.now(dt.UTC)).days
    if days < CERT_WARN_DAYS:
        step.add("TLS verified", "warn", f"verified {trusted}, but the certificate expires in {days} days")
    else:
        step.add("TLS verified", "ok", f"verified {trusted}; valid until {expires:%Y-%m-%d}")
    return True


async def _signed_in(step: _Step, clusters: Mapping[str, str], *, for_up: bool) -> None:
    """One login (session auth, no retry: a wrong password must not count twice)."""
    once = replace(step.config, auth="session", retry=RetrySettings(max_attempts=1))
    async with NsxClient(once) as nsx:
        try:
            version = await nsx.request("GET", "/api/v1/node/version") or {}
        except NsxError as error:
            step.failed("credentials", error)
            step.skipped(*LATER[2:])
            return
        login = nsx.login
        step.add("credentials", "ok", f"NSX accepted {step.config.username!r}")
        _role(step, login.can_write if login else None, login.roles if login else (), for_up=for_up)
        _nsx_version(step, str(version.get("product_version") or version.get("node_version") or ""))
        _clock(step, login.server_date if login else None, login.local_time if login else 0.0)
        for name, control_plane in sorted(clusters.items()):
            await _cluster(step, nsx, name, control_plane)


async def _cluster(step: _Step, nsx: NsxClient, name: str, control_plane: str) -> None:
    check = f"cluster {name}"
    try:
        found = await find_cluster_control_plane(nsx, control_plane, 0)
    except NsxError as error:
        step.failed(check, error)
        return
    if not found.ready:
        step.add(check, "fail", found.problem(control_plane, 0))
    elif found.health is not None and found.health.status != "HEALTHY":
        step.add(check, "warn", f"registered; {found.health.summary()}")
    else:
        health = found.health.summary() if found.health else "no health reported"
        step.add(check, "ok", f"registered as {control_plane!r}; {health}")


def _role(step: _Step, can_write: bool | None, roles: tuple[str, ...], *, for_up: bool) -> None:
    named = ", ".join(roles) or "no role named"
    if can_write is None:
        step.add("account role", "warn", "NSX did not say (no session roles)")
    elif can_write:
        step.add("account role", "ok", f"read-write ({named})")
    elif for_up:
        step.add(
            "account role",
            "fail",
            f"read-only ({named}): `pulumi up` will be refused at its first write; previews and drift checks work",
        )
    else:
        step.add("account role", "ok", f"read-only ({named}): enough for previews and drift checks")


def _nsx_version(step: _Step, text: str) -> None:
    found = _version(text)
    oldest = ".".join(map(str, MIN_NSX_VERSION))
    if found is None:
        step.add("NSX version", "warn", f"not understood: {text!r}")
    elif found < MIN_NSX_VERSION:
        step.add("NSX version", "fail", f"{text} is older than {oldest}, the oldest this project supports")
    else:
        step.add("NSX version", "ok", f"{text} (supported: {oldest} and later)")


def _clock(step: _Step, server_date: str | None, local_time: float) -> None:
    if not server_date:
        step.add("clock", "warn", "NSX sent no Date header")
        return
    with contextlib.suppress(TypeError, ValueError):
        theirs = email.utils.parsedate_to_datetime(server_date)
        skew = local_time - theirs.timestamp()  # the Date header has whole seconds: +-1 s is noise
        detail = f"this machine is {abs(skew):.0f} s {'ahead of' if skew > 0 else 'behind'} NSX"
        if abs(skew) > SKEW_WARN_S:
            step.add("clock", "warn", f"{detail}: certificate validity and session expiry are judged by NSX's clock")
        else:
            step.add("clock", "ok", detail)
        return
    step.add("clock", "warn", f"NSX's Date header is not understood: {server_date!r}")
