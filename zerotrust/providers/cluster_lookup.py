"""``zerotrust:nsx:getClusterControlPlane``: find a registered, healthy Antrea cluster by name.

A VKS cluster becomes known to NSX when its Antrea interworking registers a
cluster-control-plane (ref §6.1); policies can then be spanned to it. The lookup waits
(bounded) for the registration and for a usable health (the cluster's ``/status`` neither
FAILED nor UNKNOWN, vcf-nsx AntreaClusterInfo), because a cluster created in the same run
registers, then connects, a little after it comes up. What it still lacks at the deadline is
a clear error naming what to check.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from zerotrust.models import ClusterControlPlane
from zerotrust.models.cluster_control_plane import AntreaClusterInfo
from zerotrust.nsx.client import NsxClient
from zerotrust.nsx.errors import NotFound

TOKEN = "zerotrust:nsx:getClusterControlPlane"
POLL_S = 2.0
INTERWORKING = (
    "check the Antrea interworking pods in the cluster (namespace vmware-system-antrea, label "
    "app=antrea-interworking) and that its nodes reach NSX (TCP 1234 and 1235)"
)


@dataclass(frozen=True)
class Lookup:
    """What the lookup found: the cluster (None: not registered) and its health."""

    cluster: ClusterControlPlane | None
    health: AntreaClusterInfo | None = None

    @property
    def ready(self) -> bool:
        return self.cluster is not None and (self.health is None or self.health.usable)

    def result(self, base: str) -> dict[str, Any]:
        assert self.cluster is not None
        ccp = self.cluster
        return {"path": ccp.path or f"{base}/{ccp.id}", "id": ccp.id, "display_name": ccp.display_name or ccp.id}

    def problem(self, name: str, waited: float) -> str:
        """One line; the caller names the cluster in front of it."""
        after = f" after {waited:g} s" if waited else ""
        if self.cluster is None:
            return (
                f"not registered with NSX (no cluster-control-plane named {name!r}{after}). "
                f"Fix: {INTERWORKING}, or correct the cluster's control_plane in environment.yaml."
            )
        assert self.health is not None
        return f"registered with NSX but not usable: {self.health.summary()}{after}. Fix: {INTERWORKING}."


async def _health(nsx: NsxClient, cluster: ClusterControlPlane) -> AntreaClusterInfo | None:
    try:
        return await nsx.cluster_control_planes().status(str(cluster.id))
    except NotFound:  # a manager without the status sub-resource: registration is all we know
        return None


async def find_cluster_control_plane(nsx: NsxClient, name: str, timeout_s: float) -> Lookup:
    """The cluster-control-plane named (or with id) ``name``, waiting up to ``timeout_s`` for
    it to be registered and usable."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        found = next((c for c in await nsx.cluster_control_planes().list() if name in (c.id, c.display_name)), None)
        lookup = Lookup(found, await _health(nsx, found) if found is not None else None)
        if lookup.ready or loop.time() >= deadline:
            return lookup
        await asyncio.sleep(POLL_S)
