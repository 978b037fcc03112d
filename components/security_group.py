"""SecurityGroup: workloads chosen by identity, as one or two NSX groups.

One model for VMs and pods (``stacks/*/environment.yaml`` ``groups:``): the VM side (VM tags,
IPs outside the inventory, nested groups) is a generic NSX group; the pod side (pod and
namespace labels) is an Antrea group (``group_type: [ANTREA]``), because NSX does not let one
group hold both (ref §6.2, §6.5). The component owns both and exposes their paths; rules name
whichever side their enforcement point can see (zerotrust.spec.compile).

Example::

    web = SecurityGroup("web", SecurityGroupArgs(groups=[desired.groups["web"].group], provider=nsx))
    pulumi.export("web", web.paths)
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from zerotrust.models import Group as GroupModel
from zerotrust.resources import Group, NsxProvider


@dataclass(frozen=True)
class SecurityGroupArgs:
    groups: list[GroupModel]
    """The NSX groups of this security group (validated models: VM side and/or pod side)."""
    provider: NsxProvider
    domain: str = "default"


class SecurityGroup(pulumi.ComponentResource):
    """Outputs: ``paths`` (NSX policy paths of its groups), ``members`` (resource per NSX id)."""

    paths: pulumi.Output[list[str]]

    def __init__(self, name: str, args: SecurityGroupArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("zerotrust:components:SecurityGroup", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        self.members: dict[str, Group] = {}
        for model in args.groups:
            body = model.to_wire()
            nsx_id = str(body.pop("id"))
            body.pop("resource_type", None)
            self.members[nsx_id] = Group(nsx_id, nsx_id=nsx_id, domain=args.domain, opts=child, **body)
        self.paths = pulumi.Output.all(*[g.path for g in self.members.values()])
        self.register_outputs({"paths": self.paths})
