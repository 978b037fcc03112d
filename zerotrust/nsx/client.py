"""The async NSX Policy API client: one ``request`` pipeline, per-kind accessors on top.

Pipeline of one call (small single-purpose steps, httpx habit, style anchors §1):
``request`` -> concurrency limit -> :func:`send_with_retry` (the one retry loop) ->
httpx with the auth flow (``session.py``) -> status check -> :func:`error_for_status`.

Every request that goes on the wire (retries and logins included) is counted in
:attr:`NsxClient.calls`, which benchmarks read. Logging says method, path, status and
timing only -- never headers or bodies, so credentials cannot leak through it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import httpx

from zerotrust.models import Group, SecurityPolicyContainerCluster, Service
from zerotrust.nsx import cluster_control_planes, cluster_spans, groups, security_policies, services
from zerotrust.nsx._collection import Collection
from zerotrust.nsx.config import NsxConfig
from zerotrust.nsx.errors import error_for_status
from zerotrust.nsx.hierarchy import Hierarchy
from zerotrust.nsx.retry import RetryTally, parse_retry_after, send_with_retry
from zerotrust.nsx.security_policies import SecurityPolicies
from zerotrust.nsx.session import LoginInfo, SessionAuth, auth_for
from zerotrust.nsx.vm_tags import VirtualMachines

__all__ = ["ApiCallCounter", "NsxClient", "recording_writes"]

log = logging.getLogger(__name__)

_WRITES: ContextVar[list[str] | None] = ContextVar("zerotrust_nsx_writes", default=None)
_READ_ONLY = frozenset({"GET", "HEAD", "OPTIONS"})


@contextmanager
def recording_writes() -> Iterator[list[str]]:
    """Collect ``METHOD path`` of every write NSX accepted in this task (and tasks it starts).

    Why: when an operation fails halfway, the operator must learn exactly what already
    changed in NSX ("nothing" being the common, reassuring answer).
    """
    writes: list[str] = []
    token = _WRITES.set(writes)
    try:
        yield writes
    finally:
        _WRITES.reset(token)


@dataclass
class ApiCallCounter:
    """HTTP requests sent, counted as they leave (retries and session logins included)."""

    total: int = 0
    by_method: Counter[str] = field(default_factory=Counter)

    async def on_request(self, request: httpx.Request) -> None:
        self.total += 1
        self.by_method[request.method] += 1

    def reset(self) -> None:
        self.total = 0
        self.by_method.clear()


class NsxClient:
    """Async client of one NSX Manager. Use ``async with NsxClient(config) as nsx: ...``.

    ``transport`` replaces the network (``httpx.MockTransport`` in unit tests);
    ``sleep`` replaces ``asyncio.sleep`` in the retry loop.
    """

    def __init__(
        self,
        config: NsxConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.config = config
        self.calls = ApiCallCounter()
        self._sleep = sleep
        self._limit = asyncio.Semaphore(config.max_concurrency)
        self._auth = auth_for(config)
        self._http = httpx.AsyncClient(
            base_url=config.endpoint,
            auth=self._auth,
            verify=config.tls_verify(),
            timeout=config.timeouts.as_httpx(),
            transport=transport,
            headers={"Accept": "application/json"},
            event_hooks={"request": [self.calls.on_request]},
            follow_redirects=False,
        )
        self.hierarchy = Hierarchy(self)
        self.virtual_machines = VirtualMachines(self)

    def __repr__(self) -> str:
        return f"NsxClient({self.config.endpoint}, user={self.config.username!r}, auth={self.config.auth})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def page_size(self) -> int:
        return self.config.page_size

    @property
    def login(self) -> LoginInfo | None:
        """What NSX said at the latest session login (roles, its clock); None with Basic auth."""
        return self._auth.login if isinstance(self._auth, SessionAuth) else None

    # --- per-kind accessors ------------------------------------------------------------

    def groups(self, domain: str = "default") -> Collection[Group]:
        return groups.groups(self, domain)

    def security_policies(self, domain: str = "default") -> SecurityPolicies:
        return security_policies.security_policies(self, domain)

    def services(self) -> Collection[Service]:
        return services.services(self)

    def cluster_spans(self, policy_id: str, domain: str = "default") -> Collection[SecurityPolicyContainerCluster]:
        return cluster_spans.cluster_spans(self, policy_id, domain)

    def cluster_control_planes(
        self, site: str = "default", enforcement_point: str = "default"
    ) -> cluster_control_planes.ClusterControlPlanes:
        return cluster_control_planes.cluster_control_planes(self, site, enforcement_point)

    # --- the pipeline ------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Send one API call; return its JSON (``None`` for an empty body) or raise.

        ``path`` is the request path (``/policy/api/v1/...`` or ``/api/v1/...``).
        Raises an :class:`~zerotrust.nsx.errors.NsxError` subclass, never an httpx error.
        """
        started = time.monotonic()
        tally = RetryTally()
        async with self._limit:
            response = await send_with_retry(
                lambda: self._send(method, path, params, json),
                self.config.retry,
                method=method,
                path=path,
                sleep=self._sleep,
                tally=tally,
            )
        log.debug("%s %s -> %d in %.3fs", method, path, response.status_code, time.monotonic() - started)
        if response.is_error:
            error = error_for_status(
                response.status_code,
                response.content,
                method=method,
                path=path,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
            error.attempts, error.elapsed = tally.attempts, tally.elapsed
            raise error
        writes = _WRITES.get()
        if writes is not None and method not in _READ_ONLY and not path.startswith("/api/session/"):
            writes.append(f"{method} {path}")
        if not response.content:
            return None
        return response.json()

    async def _send(self, method: str, path: str, params: Mapping[str, Any] | None, body: Any) -> httpx.Response:
        response = await self._http.request(method, path, params=params, json=body)
        await response.aread()
        return response
