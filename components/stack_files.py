"""The stack files' route into a Firewall: each compiled group and section declared as a member.

Why through ``SecurityGroup`` / ``DfwSection``: one way to put members into a firewall, for a
typed program and for ``stacks/<env>/`` alike (issue 15). The stack files are compiled first
(``zerotrust.spec``: selectors, Egress and node groups, sections split per enforcement point,
ownership checked per persona), so their members arrive as NSX bodies (``nsx=``) with the
owner the spec loader assigned (``admins`` / ``app:<name>``) and, for a section enforced in a
cluster, the path of that cluster's control plane.
"""

from __future__ import annotations

from collections.abc import Mapping

from components.dfw_section import DfwSection, DfwSectionArgs
from components.firewall import Firewall
from components.security_group import SecurityGroup, SecurityGroupArgs
from components.vks_cluster import VksCluster
from zerotrust.spec import DesiredState

__all__ = ["declare_stack_files"]


def declare_stack_files(firewall: Firewall, desired: DesiredState, clusters: Mapping[str, VksCluster]) -> None:
    """Declare every group and section of ``desired`` into ``firewall`` (``clusters`` by name)."""
    for group in desired.groups.values():
        SecurityGroup(
            str(group.group.id), SecurityGroupArgs(firewall=firewall, nsx=group.group.to_wire(), owner=group.owner)
        )
    for section in desired.sections:
        policy = section.policy
        DfwSection(
            str(policy.id),
            DfwSectionArgs(
                firewall=firewall,
                category=str(policy.category or "Application"),
                nsx=policy.to_wire(),
                span=clusters[section.cluster].path if section.cluster is not None else None,
                owner=section.owner,
            ),
        )
