"""What every provider operation works with: the NSX client, the shared reads, the owner.

Refresh at scale: a refresh reads every resource of the stack. Instead of one GET per
object, the first read of a domain fetches the whole domain in ONE hierarchical GET
(``Snapshots.domain``) and later reads in the same provider process are served from it.
Concurrent first reads wait for the same fetch. Any write made by this process drops the
snapshots, so a read after our own write is never stale. A snapshot expires when it has not
been used for ``ttl`` seconds, or ``max_age`` seconds after it was taken, so a long-lived
process does not serve old data.

Why idle time and not age alone: the engine's reads of one refresh come in one burst, and at
scale (3,000 resources) that burst lasted longer than 30 s; with a fixed 30 s age the domain
was fetched (and parsed: 13,000 objects) again mid-refresh, and the reads of one refresh were
served from two different points in time. The burst now shares one snapshot, bounded by
``max_age``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from zerotrust.models import VirtualMachine
from zerotrust.nsx.client import NsxClient
from zerotrust.nsx.hierarchy import PolicyIndex

T = TypeVar("T")

SNAPSHOT_TTL_S = 30.0
"""A snapshot unused for this long is fetched again."""
SNAPSHOT_MAX_AGE_S = 600.0
"""No snapshot is served once it is this old, however busy the refresh."""


@dataclass
class _Cached(Generic[T]):
    value: T
    taken: float
    used: float


@dataclass
class Snapshots:
    """Whole-domain (and whole-inventory) reads shared by all reads of one refresh."""

    nsx: NsxClient
    ttl: float = SNAPSHOT_TTL_S
    max_age: float = SNAPSHOT_MAX_AGE_S
    _cache: dict[str, _Cached[object]] = field(default_factory=dict)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    generation: int = 0

    async def _get(self, key: str, fetch: Callable[[], Awaitable[T]]) -> T:
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            hit = self._cache.get(key)
            now = time.monotonic()
            if hit is not None and now - hit.used < self.ttl and now - hit.taken < self.max_age:
                hit.used = now
                return hit.value  # type: ignore[return-value]
            generation = self.generation
            value = await fetch()
            if generation == self.generation:  # no write raced with the fetch
                self._cache[key] = _Cached(value, taken=now, used=time.monotonic())
            return value

    async def domain(self, domain: str) -> PolicyIndex:
        return await self._get(f"domain:{domain}", lambda: self.nsx.hierarchy.read_domain(domain))

    async def services(self) -> PolicyIndex:
        return await self._get("services", lambda: self.nsx.hierarchy.read("/infra", ("Service",)))

    async def virtual_machines(self) -> dict[str, VirtualMachine]:
        async def fetch() -> dict[str, VirtualMachine]:
            return {vm.external_id: vm for vm in await self.nsx.virtual_machines.list()}

        return await self._get("vms", fetch)

    def invalidate(self) -> None:
        """Called after every write of this process."""
        self.generation += 1
        self._cache.clear()


@dataclass
class Context:
    """One operation's view: the client, the shared snapshots and who is asking."""

    nsx: NsxClient
    snapshots: Snapshots
    owner: str
    """``<project>/<stack>`` of the resource being operated on."""
    preview: bool = False
