"""Cluster control planes (registered Antrea clusters), read-only (ref §6.1).

NSX offers no PATCH for them and registration belongs to each cluster's principal
identity, so this client only reads them.
"""

from __future__ import annotations

from zerotrust.models import ClusterControlPlane
from zerotrust.models.cluster_control_plane import AntreaClusterInfo
from zerotrust.nsx._api import Requester, policy_url
from zerotrust.nsx._collection import ReadOnlyCollection

__all__ = ["ClusterControlPlanes", "cluster_control_planes"]


class ClusterControlPlanes(ReadOnlyCollection[ClusterControlPlane]):
    """The registered clusters, and the health NSX reports for each."""

    async def status(self, object_id: str) -> AntreaClusterInfo:
        """``.../{id}/status``; :class:`NotFound` when no such cluster is registered."""
        data = await self._api.request("GET", policy_url(f"{self.path_of(object_id)}/status"))
        return AntreaClusterInfo.from_live(data or {})


def cluster_control_planes(
    api: Requester, site: str = "default", enforcement_point: str = "default"
) -> ClusterControlPlanes:
    """``/infra/sites/{site}/enforcement-points/{ep}/cluster-control-planes``."""
    base = f"/infra/sites/{site}/enforcement-points/{enforcement_point}/cluster-control-planes"
    return ClusterControlPlanes(api, ClusterControlPlane, base)
