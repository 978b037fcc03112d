"""What an existing NSX holds, read once and read-only: the adoption's input.

Four reads (plus the session login): one hierarchical GET of the domain (groups, policies
with their rules, cluster spans), one of ``/infra`` for the services (to tell a predefined
service from a custom one), the cluster control planes (to name the clusters policies are
spanned to), and the list of domains (what is left out, and why). Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zerotrust.models import ClusterControlPlane, Group, SecurityPolicy, SecurityPolicyContainerCluster, Service
from zerotrust.nsx import NsxClient
from zerotrust.nsx.paging import list_all

__all__ = ["LiveEstate", "read_estate"]


@dataclass
class LiveEstate:
    """One domain of a live NSX, by NSX id (services and clusters by path)."""

    endpoint: str
    domain: str
    groups: dict[str, Group] = field(default_factory=dict)
    policies: dict[str, SecurityPolicy] = field(default_factory=dict)
    spans: dict[str, list[SecurityPolicyContainerCluster]] = field(default_factory=dict)
    """Policy id -> the clusters it is spanned to."""
    services: dict[str, Service] = field(default_factory=dict)
    clusters: dict[str, ClusterControlPlane] = field(default_factory=dict)
    other_domains: list[str] = field(default_factory=list)
    calls: int = 0
    """API calls the read took (login included)."""

    def group_path(self, group_id: str) -> str:
        return f"/infra/domains/{self.domain}/groups/{group_id}"


async def read_estate(nsx: NsxClient, domain: str) -> LiveEstate:
    """Read ``domain`` (and what it refers to) from ``nsx``; no write of any kind."""
    before = nsx.calls.total
    estate = LiveEstate(endpoint=nsx.config.endpoint, domain=domain)
    index = await nsx.hierarchy.read_domain(domain)
    for path, obj in index.items():
        if isinstance(obj, Group) and obj.id:
            estate.groups[obj.id] = obj
        elif isinstance(obj, SecurityPolicy) and obj.id:
            estate.policies[obj.id] = obj
        elif isinstance(obj, SecurityPolicyContainerCluster):
            policy_id = path.split("/security-policies/", 1)[1].split("/", 1)[0]
            estate.spans.setdefault(policy_id, []).append(obj)
    services = await nsx.hierarchy.read("/infra", ("Service",))
    estate.services = {path: obj for path, obj in services.items() if isinstance(obj, Service)}
    estate.clusters = {str(c.path): c for c in await nsx.cluster_control_planes().list() if c.path}
    domains = await list_all(nsx, "/policy/api/v1/infra/domains", {})
    estate.other_domains = sorted(str(d.get("id")) for d in domains if d.get("id") != domain)
    estate.calls = nsx.calls.total - before
    return estate
