"""ClusterControlPlane: an Antrea cluster registered to NSX; read-only here (ref §6.1).

Registration belongs to the cluster's own principal identity, so this project only
reads CCPs (to resolve spans and scopes); hence no write checks.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from zerotrust.models._base import NsxModel, NsxObject

__all__ = ["AntreaClusterInfo", "AntreaComponentStatus", "ClusterControlPlane"]

HEALTHY, DEGRADED, FAILED, UNKNOWN = "HEALTHY", "DEGRADED", "FAILED", "UNKNOWN"
"""Antrea component status values; UNKNOWN when NSX lost the connection (vcf-nsx AntreaClusterInfo)."""


class ClusterControlPlane(NsxObject):
    """``/infra/sites/{site}/enforcement-points/{ep}/cluster-control-planes/{id}``."""

    KIND: ClassVar[str] = "ClusterControlPlane"

    resource_type: Literal["ClusterControlPlane"] = "ClusterControlPlane"
    node_id: str | None = None
    """Per-cluster unique name given at registration [UNV field list, ref §6.1]."""


class AntreaComponentStatus(NsxModel):
    """One component of a registered cluster as NSX sees it (controller, MP or CCP adapter)."""

    status: str | None = None
    connected_agent_num: int | None = None
    """Controller only; meaningless when the status is UNKNOWN."""


class AntreaAgentsInfo(NsxModel):
    healthy_agent_num: int | None = None
    degraded_agent_num: int | None = None
    failed_agent_num: int | None = None


class AntreaClusterInfo(NsxModel):
    """``.../cluster-control-planes/{id}/status``: the health NSX reports for the cluster."""

    status: str | None = None
    """Roll-up of the components: HEALTHY, DEGRADED, FAILED or UNKNOWN."""
    controller_status: AntreaComponentStatus | None = None
    mp_adapter_status: AntreaComponentStatus | None = None
    ccp_adapter_status: AntreaComponentStatus | None = None
    agent_info: AntreaAgentsInfo | None = None

    @property
    def usable(self) -> bool:
        """Policies spanned to the cluster reach it: not FAILED, and NSX still talks to it."""
        return self.status not in (FAILED, UNKNOWN)

    def summary(self) -> str:
        """``FAILED (controller FAILED, MP adapter HEALTHY, CCP adapter HEALTHY; 2 healthy agents)``."""
        parts = [
            f"{label} {component.status}"
            for label, component in (
                ("controller", self.controller_status),
                ("MP adapter", self.mp_adapter_status),
                ("CCP adapter", self.ccp_adapter_status),
            )
            if component is not None and component.status
        ]
        agents = self.agent_info
        if agents is not None and agents.healthy_agent_num is not None:
            parts.append(f"{agents.healthy_agent_num} healthy agents")
        return f"{self.status or UNKNOWN} ({', '.join(parts)})" if parts else str(self.status or UNKNOWN)
