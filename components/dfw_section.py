"""DfwSection: one NSX security policy (a DFW section) with its ordered rules.

The rules and their order come from the desired state (zerotrust.spec.compile): category,
section sequence number, rule sequence numbers, sources/destinations as group paths. A
section enforced in a registered Antrea cluster also gets a container-cluster span to that
cluster's control plane (ref §6.3), so NSX pushes it to the cluster as Antrea policy.

The section depends on the groups its rules name, so the engine creates groups first and
deletes the section before the groups (NSX refuses to delete a group a rule still uses).

Example::

    DfwSection("quarantine", DfwSectionArgs(policy=section.policy, provider=nsx, depends_on=groups))
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from zerotrust.models import SecurityPolicy as PolicyModel
from zerotrust.resources import ContainerClusterSpan, NsxProvider, SecurityPolicy


@dataclass(frozen=True)
class DfwSectionArgs:
    policy: PolicyModel
    provider: NsxProvider
    domain: str = "default"
    cluster_path: pulumi.Input[str] | None = None
    """Cluster-control-plane path when the section is enforced in an Antrea cluster."""
    depends_on: list[pulumi.Resource] = field(default_factory=list)


class DfwSection(pulumi.ComponentResource):
    """Outputs: ``path`` of the security policy."""

    path: pulumi.Output[str]

    def __init__(self, name: str, args: DfwSectionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("zerotrust:components:DfwSection", name, None, opts)
        body = args.policy.to_wire()
        nsx_id = str(body.pop("id"))
        body.pop("resource_type", None)
        child = pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=args.depends_on)
        self.policy = SecurityPolicy(nsx_id, nsx_id=nsx_id, domain=args.domain, opts=child, **body)
        if args.cluster_path is not None:
            ContainerClusterSpan(
                f"{nsx_id}-span",
                nsx_id="cluster",
                domain=args.domain,
                policy_id=nsx_id,
                container_cluster_path=args.cluster_path,
                opts=pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=[self.policy]),
            )
        self.path = self.policy.path
        self.register_outputs({"path": self.path})
