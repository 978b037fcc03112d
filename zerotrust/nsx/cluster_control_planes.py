"""Cluster control planes (registered Antrea clusters), read-only (ref §6.1).

NSX offers no PATCH for them and registration belongs to each cluster's principal
identity, so this client only reads them.
"""

from __future__ import annotations

from zerotrust.models import ClusterControlPlane
from zerotrust.nsx._api import Requester
from zerotrust.nsx._collection import ReadOnlyCollection

__all__ = ["cluster_control_planes"]


def cluster_control_planes(
    api: Requester, site: str = "default", enforcement_point: str = "default"
) -> ReadOnlyCollection[ClusterControlPlane]:
    """``/infra/sites/{site}/enforcement-points/{ep}/cluster-control-planes``."""
    base = f"/infra/sites/{site}/enforcement-points/{enforcement_point}/cluster-control-planes"
    return ReadOnlyCollection(api, ClusterControlPlane, base)
