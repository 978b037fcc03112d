"""``zerotrust:nsx:ContainerClusterSpan``: applies a policy to a registered Antrea cluster.

The child ``.../security-policies/{p}/container-cluster-span/{id}`` carries one
``container_cluster_path``; NSX does not let it change, so a new path is a replacement
(ref §6.3).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from zerotrust.models import SecurityPolicyContainerCluster
from zerotrust.nsx._collection import Collection
from zerotrust.providers._context import Context
from zerotrust.providers._kind import Location, PolicyObjectKind


class ContainerClusterSpanKind(PolicyObjectKind):
    token: ClassVar[str] = "zerotrust:nsx:ContainerClusterSpan"
    model = SecurityPolicyContainerCluster
    resource_type = "SecurityPolicyContainerCluster"
    location_fields: ClassVar[tuple[str, ...]] = ("domain", "policy_id", "nsx_id")
    extra_replace_on: ClassVar[frozenset[str]] = frozenset({"container_cluster_path"})

    def location(self, inputs: Mapping[str, Any]) -> Location:
        return Location(
            domain=str(inputs.get("domain", "default")),
            nsx_id=str(inputs["nsx_id"]),
            parent_id=str(inputs["policy_id"]),
        )

    def location_of(self, resource_id: str) -> Location:
        parts = resource_id.strip("/").split("/")
        # infra/domains/<d>/security-policies/<p>/container-cluster-span/<id>
        return Location(domain=parts[2], nsx_id=parts[-1], parent_id=parts[4])

    def location_inputs(self, loc: Location) -> dict[str, Any]:
        return {"domain": loc.domain, "policy_id": loc.parent_id, "nsx_id": loc.nsx_id}

    def collection_path(self, loc: Location) -> str:
        policy = f"/infra/domains/{loc.domain}/security-policies/{loc.parent_id}"
        return f"{policy}/container-cluster-span/{loc.nsx_id}"

    def collection(self, ctx: Context, loc: Location) -> Collection[Any]:
        return ctx.nsx.cluster_spans(str(loc.parent_id), loc.domain or "default")
