"""What the two persona components share: groups first, sections once every group exists.

Admins' rules may name an app's groups (``payments/payments-egress``) and apps' rules may name
the admins' shared groups, so no persona can finish before the others have created their
groups. The program therefore builds every persona's groups, then calls ``add_sections`` with
all of them, then ``finish``. Sections depend on the group resources they name.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.dfw_section import DfwSection, DfwSectionArgs
from components.security_group import SecurityGroup, SecurityGroupArgs
from components.vks_cluster import VksCluster
from zerotrust.resources import Group, NsxProvider
from zerotrust.spec import DesiredState


@dataclass(frozen=True)
class PersonaArgs:
    desired: DesiredState
    provider: NsxProvider
    clusters: dict[str, VksCluster]


class Persona(pulumi.ComponentResource):
    """A set of groups and sections with one owner (``admins`` or ``app:<name>``)."""

    owner: str

    def __init__(self, type_: str, name: str, args: PersonaArgs, opts: pulumi.ResourceOptions | None) -> None:
        super().__init__(type_, name, None, opts)
        self.args = args
        groups, self._sections = args.desired.owned_by(self.owner)
        by_name: dict[str, list[str]] = {}
        for group in groups:
            by_name.setdefault(group.name, []).append(group.key)
        self.groups: dict[str, SecurityGroup] = {}
        for name_, keys in sorted(by_name.items()):
            models = [args.desired.groups[k].group for k in keys]
            self.groups[name_] = SecurityGroup(
                name_,
                SecurityGroupArgs(groups=models, provider=args.provider, domain=args.desired.domain),
                pulumi.ResourceOptions(parent=self),
            )
        self.sections: dict[str, DfwSection] = {}

    def group_resources(self) -> dict[str, Group]:
        """NSX id -> Group resource, for every group this persona owns."""
        return {nsx_id: g for sg in self.groups.values() for nsx_id, g in sg.members.items()}

    def add_sections(self, all_groups: dict[str, Group]) -> None:
        for section in self._sections:
            cluster = self.args.clusters.get(section.cluster) if section.cluster else None
            policy_id = str(section.policy.id)
            self.sections[policy_id] = DfwSection(
                policy_id,
                DfwSectionArgs(
                    policy=section.policy,
                    provider=self.args.provider,
                    domain=self.args.desired.domain,
                    cluster_path=cluster.path if cluster is not None else None,
                    depends_on=[all_groups[r] for r in section.references if r in all_groups],
                ),
                pulumi.ResourceOptions(parent=self),
            )

    def finish(self) -> None:
        self.register_outputs(
            {
                "groups": sorted(self.group_resources()),
                "sections": sorted(self.sections),
            }
        )
