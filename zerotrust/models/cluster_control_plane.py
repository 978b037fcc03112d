"""ClusterControlPlane: an Antrea cluster registered to NSX; read-only here (ref §6.1).

Registration belongs to the cluster's own principal identity, so this project only
reads CCPs (to resolve spans and scopes); hence no write checks.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from zerotrust.models._base import NsxObject

__all__ = ["ClusterControlPlane"]


class ClusterControlPlane(NsxObject):
    """``/infra/sites/{site}/enforcement-points/{ep}/cluster-control-planes/{id}``."""

    KIND: ClassVar[str] = "ClusterControlPlane"

    resource_type: Literal["ClusterControlPlane"] = "ClusterControlPlane"
    node_id: str | None = None
    """Per-cluster unique name given at registration [UNV field list, ref §6.1]."""
