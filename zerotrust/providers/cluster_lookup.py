"""``zerotrust:nsx:getClusterControlPlane``: find a registered Antrea cluster by name.

A VKS cluster becomes known to NSX when its Antrea interworking registers a
cluster-control-plane (ref §6.1); policies can then be spanned to it. The lookup waits
(bounded) for the registration, because a cluster created in the same run registers a little
after it comes up; a missing cluster is a clear error naming what to check.
"""

from __future__ import annotations

import asyncio
from typing import Any

from zerotrust.nsx.client import NsxClient

TOKEN = "zerotrust:nsx:getClusterControlPlane"
POLL_S = 2.0


async def find_cluster_control_plane(nsx: NsxClient, name: str, timeout_s: float) -> dict[str, Any] | None:
    """``{path, id, display_name}`` of the cluster-control-plane named (or with id) ``name``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        for ccp in await nsx.cluster_control_planes().list():
            if name in (ccp.id, ccp.display_name):
                path = ccp.path or f"{nsx.cluster_control_planes().base}/{ccp.id}"
                return {"path": path, "id": ccp.id, "display_name": ccp.display_name or ccp.id}
        if loop.time() >= deadline:
            return None
        await asyncio.sleep(POLL_S)
