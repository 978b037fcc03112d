"""What a guardrail sees: the stack's resources as plain data, and helpers over NSX wire fields.

The policy SDK hands policies proxies whose unknown values raise during preview; the adapter
copies only the fields a guardrail reads into these frozen records, so every check is a pure
function that tests can call with hand-written dicts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

SECURITY_POLICY = "zerotrust:nsx:SecurityPolicy"
GROUP = "zerotrust:nsx:Group"
APP_POLICY = "zerotrust:components:AppPolicy"
ENVIRONMENT_GUARDRAILS = "zerotrust:components:EnvironmentGuardrails"

ADMIN_CATEGORIES = ("Emergency", "Infrastructure", "Environment")
"""The categories NSX enforces before Application: the security admins' alone (docs/personas.md)."""

DROPPING = ("DROP", "REJECT")

Level = Literal["advisory", "mandatory", "disabled"]


@dataclass(frozen=True)
class Resource:
    """One resource of the stack: its type token, URN, Pulumi name, parent URN and known props."""

    type: str
    urn: str
    name: str
    props: Mapping[str, Any] = field(default_factory=dict)
    parent: str | None = None


@dataclass(frozen=True)
class Finding:
    """One violation: a message a reviewer can act on, and the resource it is about."""

    message: str
    urn: str | None = None


@dataclass(frozen=True)
class Stack:
    """All resources of one preview, with the parent chain resolvable by URN."""

    resources: Sequence[Resource]

    def of_type(self, type_token: str) -> Iterator[Resource]:
        return (r for r in self.resources if r.type == type_token)

    def by_urn(self, urn: str | None) -> Resource | None:
        return next((r for r in self.resources if r.urn == urn), None) if urn else None

    def ancestors(self, resource: Resource) -> list[Resource]:
        """Parent, grandparent, ... (the persona owning a section is in this chain)."""
        chain: list[Resource] = []
        parent = self.by_urn(resource.parent)
        while parent is not None and parent not in chain:
            chain.append(parent)
            parent = self.by_urn(parent.parent)
        return chain

    def owning_app(self, resource: Resource) -> Resource | None:
        """The AppPolicy component above ``resource``, if an app team owns it."""
        return next((a for a in self.ancestors(resource) if a.type == APP_POLICY), None)

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
