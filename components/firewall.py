"""Firewall: one stack's whole NSX rule base -- every persona's groups and sections.

Built from the compiled desired state of ``stacks/<env>/`` (the admins' environment.yaml and
the apps' files). All of it is ONE ``zerotrust:nsx:PolicySet`` resource, so the engine's cost
stays flat however many groups and rules the estate has, and one change set is written with
one hierarchical PATCH, atomic in NSX (docs/scale.md). Who owns each group and section
(``admins`` or ``app:<name>``) travels with it in the set's ``owners``: the preview report and
the guardrails read it there, and the spec loader has already made sure an app file only
holds what its team may own (docs/personas.md).

A section enforced in a registered Antrea cluster also gets a container-cluster span to that
cluster's control plane (ref §6.3), so NSX pushes it to the cluster as Antrea policy.

Example (see __main__.py)::

    Firewall("dev", FirewallArgs(desired=desired, provider=nsx, clusters=clusters))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.vks_cluster import VksCluster
from zerotrust.models import NsxObject
from zerotrust.models.policy_set import member_label
from zerotrust.resources import NsxProvider, PolicySet
from zerotrust.spec import DesiredState

SPAN_ID = "cluster"
"""Id of the one container-cluster span a section enforced in a cluster carries."""


@dataclass(frozen=True)
class FirewallArgs:
    desired: DesiredState
    provider: NsxProvider
    clusters: dict[str, VksCluster]
    """Registered clusters by name (their control-plane paths span cluster sections)."""
    import_id: str | None = None
    """Adopt what NSX already holds (docs/adoption.md): the set's id in the import plan. The
    engine imports it on the next ``up`` and ignores it once the set is in the state."""


def _fields(obj: NsxObject) -> dict[str, Any]:
    """An object's wire fields as a set member (the id is the member's key)."""
    body = obj.to_wire()
    body.pop("id", None)
    body.pop("resource_type", None)
    return body


class Firewall(pulumi.ComponentResource):
    """Outputs: ``groups`` and ``sections`` (NSX ids), ``policy_set`` (the resource)."""

    def __init__(self, name: str, args: FirewallArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("zerotrust:components:Firewall", name, None, opts)
        desired = args.desired
        groups = {str(g.group.id): _fields(g.group) for g in desired.groups.values()}
        policies = {str(s.policy.id): _fields(s.policy) for s in desired.sections}
        spans = {
            f"{s.policy.id}/{SPAN_ID}": {"container_cluster_path": args.clusters[s.cluster].path}
            for s in desired.sections
            if s.cluster is not None
        }
        owners = {member_label("groups", str(g.group.id)): g.owner for g in desired.groups.values()}
        owners |= {member_label("policies", str(s.policy.id)): s.owner for s in desired.sections}
        self.policy_set = PolicySet(
            name,
            domain=desired.domain,
            groups=groups,
            policies=policies,
            spans=spans,
            owners=owners,
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider, import_=args.import_id),
        )
        self.groups = sorted(groups)
        self.sections = sorted(policies)
        self.register_outputs({"groups": self.groups, "sections": self.sections})
