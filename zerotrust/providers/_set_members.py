"""The member types of a policy set: which NSX types it holds and how each is addressed.

A member is named by its input map and its NSX id (``("policies", "shop-orders")``, or
``"policies/shop-orders"`` in ``owners`` and ``adopted``); a span's id is
``<policy id>/<span id>``. Each type reuses the per-object kind that knows its shape,
validation, normal form and H-API wrapper, so a set member and a single-object resource
are written and compared the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zerotrust.models import Group, NsxObject, SecurityPolicy, SecurityPolicyContainerCluster
from zerotrust.models.policy_set import member_label
from zerotrust.providers._kind import Location, PolicyObjectKind
from zerotrust.providers.cluster_span import ContainerClusterSpanKind
from zerotrust.providers.group import GroupKind
from zerotrust.providers.security_policy import SecurityPolicyKind

__all__ = [
    "APPLIED_KEYS",
    "BY_KEY",
    "BY_MODEL",
    "GROUPS",
    "MEMBER_TYPES",
    "POLICIES",
    "POLICIES_KIND",
    "SPANS",
    "Key",
    "MemberType",
    "label",
    "parse_label",
]


@dataclass(frozen=True)
class MemberType:
    """One NSX type inside a set: its input map and the per-object kind that knows its shape."""

    key: str
    kind: PolicyObjectKind

    def location(self, domain: str, member_id: str) -> Location:
        if isinstance(self.kind, ContainerClusterSpanKind):
            policy_id, _, span_id = member_id.partition("/")
            return Location(domain=domain, nsx_id=span_id, parent_id=policy_id)
        return Location(domain=domain, nsx_id=member_id)

    def member_id(self, loc: Location) -> str:
        return f"{loc.parent_id}/{loc.nsx_id}" if loc.parent_id else loc.nsx_id

    def inputs(self, domain: str, member_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """The per-object kind's inputs for this member (its fields plus its location)."""
        return {**fields, **self.kind.location_inputs(self.location(domain, member_id))}

    def path(self, domain: str, member_id: str) -> str:
        return self.kind.collection_path(self.location(domain, member_id))


POLICIES_KIND = SecurityPolicyKind()
GROUPS = MemberType("groups", GroupKind())
POLICIES = MemberType("policies", POLICIES_KIND)
SPANS = MemberType("spans", ContainerClusterSpanKind())
MEMBER_TYPES: tuple[MemberType, ...] = (GROUPS, POLICIES, SPANS)
"""In write order: groups before the policies whose rules name them, spans inside policies."""
APPLIED_KEYS = (*(t.key for t in MEMBER_TYPES), "owners")
"""What a set's ``applied`` output repeats of its inputs."""
BY_KEY = {t.key: t for t in MEMBER_TYPES}
BY_MODEL: Mapping[type[NsxObject], MemberType] = {
    Group: GROUPS,
    SecurityPolicy: POLICIES,
    SecurityPolicyContainerCluster: SPANS,
}

Key = tuple[str, str]
"""(member type key, member id), e.g. ``("policies", "shop-orders")``."""


def label(key: Key) -> str:
    """``policies/shop-orders``: how ``owners`` and ``adopted`` name a member."""
    return member_label(*key)


def parse_label(text: str) -> Key | None:
    kind, _, member_id = text.partition("/")
    return (kind, member_id) if kind in BY_KEY and member_id else None
