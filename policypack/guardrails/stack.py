"""What a guardrail sees: the stack's resources as plain data, and helpers over NSX wire fields.

The policy SDK hands policies proxies whose unknown values raise during preview; the adapter
copies only the fields a guardrail reads into these frozen records, so every check is a pure
function that tests can call with hand-written dicts. A policy set (one resource holding a
whole rule base, docs/scale.md) is seen as its members: one record per group and section,
carrying the set's URN (where a finding is reported) and the member's owner.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from zerotrust.models.policy_set import POLICY_SET, members

SECURITY_POLICY = "zerotrust:nsx:SecurityPolicy"
GROUP = "zerotrust:nsx:Group"
APP_OWNER_PREFIX = "app:"
"""Owner labels: ``admins`` for the security admins, ``app:<name>`` for an app team."""
MEMBER_RESOURCES = {"Group": GROUP, "SecurityPolicy": SECURITY_POLICY}
"""Which members of a set the guardrails read, as the per-object type they would have."""

ADMIN_CATEGORIES = ("Emergency", "Infrastructure", "Environment")
"""The categories NSX enforces before Application: the security admins' alone (docs/personas.md)."""

DROPPING = ("DROP", "REJECT")

Level = Literal["advisory", "mandatory", "disabled"]


@dataclass(frozen=True)
class Resource:
    """One NSX object of the stack: type token, URN, name (NSX id), known props and owner."""

    type: str
    urn: str
    name: str
    props: Mapping[str, Any] = field(default_factory=dict)
    parent: str | None = None
    owner: str | None = None
    """``admins`` or ``app:<name>``, as the stack's files decide it (None: not recorded)."""


@dataclass(frozen=True)
class Finding:
    """One violation: a message a reviewer can act on, and the resource it is about."""

    message: str
    urn: str | None = None


def expand(resources: Iterable[Resource]) -> list[Resource]:
    """The resources with every policy set seen as its groups and sections (set kept too)."""
    out: list[Resource] = []
    for resource in resources:
        out.append(resource)
        if resource.type != POLICY_SET:
            continue
        domain = resource.props.get("domain") or "default"
        for member in members(resource.props):
            type_token = MEMBER_RESOURCES.get(member.resource_type)
            if type_token is not None:
                props = {**member.fields, "nsx_id": member.member_id, "domain": domain}
                out.append(Resource(type_token, resource.urn, member.member_id, props, resource.parent, member.owner))
    return out


@dataclass(frozen=True)
class Stack:
    """All NSX objects of one preview (policy sets already expanded, see :func:`expand`)."""

    resources: Sequence[Resource]

    @classmethod
    def of(cls, resources: Iterable[Resource]) -> Stack:
        return cls(expand(resources))

    def of_type(self, type_token: str) -> Iterator[Resource]:
        return (r for r in self.resources if r.type == type_token)

    @staticmethod
    def owning_app(resource: Resource) -> str | None:
        """The app team that owns ``resource`` (None: the security admins, or unrecorded)."""
        owner = resource.owner or ""
        return owner.removeprefix(APP_OWNER_PREFIX) if owner.startswith(APP_OWNER_PREFIX) else None

    def groups_by_path(self) -> dict[str, Resource]:
        """Group resources by the NSX path rules use to name them (known before the group exists)."""
        return {group_path(g.props): g for g in self.of_type(GROUP) if g.props.get("nsx_id")}


def group_path(props: Mapping[str, Any]) -> str:
    return f"/infra/domains/{props.get('domain') or 'default'}/groups/{props['nsx_id']}"


def short(path: str) -> str:
    """``/infra/domains/default/groups/web`` -> ``web`` (what the stack files call it)."""
    return path.rsplit("/", 1)[-1]


def rules(policy: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The section's active rules (a disabled rule enforces nothing, so no guardrail cares)."""
    return [r for r in policy.get("rules") or [] if isinstance(r, Mapping) and not r.get("disabled")]


def is_any(groups: Any, excluded: Any = False) -> bool:
    """NSX means "any" by ``["ANY"]`` (or an empty list); a negated ANY matches nothing."""
    return not excluded and (not groups or "ANY" in groups)


def section_name(policy: Mapping[str, Any]) -> str:
    return str(policy.get("nsx_id") or policy.get("display_name") or "?")


def rule_name(rule: Mapping[str, Any]) -> str:
    return str(rule.get("id") or rule.get("display_name") or "?")


def is_default_section(policy: Mapping[str, Any]) -> bool:
    """NSX's own default section (category Default) is where a catch-all belongs."""
    return bool(policy.get("is_default")) or policy.get("category") == "Default"
