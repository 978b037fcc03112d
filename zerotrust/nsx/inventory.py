"""Read the inventory intents are checked against from NSX: read-only, a fixed number of calls.

Ten list reads, all ``GET``, sent together, each paged by :func:`list_all`:

* ``/api/v1/fabric/virtual-machines``: VMs and their tags (ref §1.2);
* ``/api/v1/fabric/vifs``: their network interfaces, for the VM IPs;
* ``/policy/api/v1/infra/sites/default/enforcement-points/default/cluster-control-planes``:
  the registered clusters (ref §6.1);
* ``/api/v1/fabric/container-clusters``, ``container-projects`` (namespaces),
  ``container-application-instances`` (pods), ``container-cluster-nodes``,
  ``container-applications`` (Services), ``container-egresses`` and ``container-ip-pools``:
  the manager's container inventory, labels as tags (ref §1.2, §6.5).

So a read costs :data:`INVENTORY_READS` GETs plus one per further page of ``page_size``
results (1,000 by default, ref §1.4) in any list, and the client's one session login: the
count does not grow with the inventory until a list passes a page. Every call is a read, so
NSX's read-only (auditor) role is enough. The result is the snapshot format
(:mod:`zerotrust.nsx.inventory_format`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from zerotrust.nsx._api import Requester
from zerotrust.nsx.cluster_control_planes import cluster_control_planes
from zerotrust.nsx.inventory_format import seed_format
from zerotrust.nsx.paging import list_all
from zerotrust.nsx.vm_tags import FABRIC_VMS_PATH

__all__ = ["INVENTORY_READS", "MP_LISTS", "read_inventory"]

FABRIC = "/api/v1/fabric"
MP_LISTS: dict[str, str] = {
    "virtual_machines": FABRIC_VMS_PATH,
    "vifs": f"{FABRIC}/vifs",
    "clusters": f"{FABRIC}/container-clusters",
    "namespaces": f"{FABRIC}/container-projects",
    "pods": f"{FABRIC}/container-application-instances",
    "nodes": f"{FABRIC}/container-cluster-nodes",
    "services": f"{FABRIC}/container-applications",
    "egresses": f"{FABRIC}/container-egresses",
    "ip_pools": f"{FABRIC}/container-ip-pools",
}
"""Manager inventory lists by the name :func:`~zerotrust.nsx.inventory_format.seed_format` reads."""
INVENTORY_READS = len(MP_LISTS) + 1
"""GETs of one read when every list fits in one page: the lists above and the cluster-control-planes."""


async def read_inventory(api: Requester) -> dict[str, Any]:
    """The live inventory in the snapshot format (``virtual_machines``, ``clusters``)."""
    names = list(MP_LISTS)
    lists, ccps = await asyncio.gather(
        asyncio.gather(*(list_all(api, MP_LISTS[name]) for name in names)),
        cluster_control_planes(api).list(),
    )
    found: dict[str, list[dict[str, Any]]] = dict(zip(names, lists, strict=True))
    found["cluster_control_planes"] = [{"id": c.id, "display_name": c.display_name} for c in ccps]
    return seed_format(found)
