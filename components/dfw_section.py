"""DfwSection: an ordered list of typed rules in one DFW category, declared into a Firewall.

Rules name groups as ``SecurityGroup`` objects, as group paths (``Input[str]``: a
``StackReference`` output of the admins' stack, for a team's own app stack), or ``"any"``;
services as ``tcp/5432``, ``udp/53``, ``tcp/8000-8080``, ``icmp`` or an NSX service path.
Every argument is checked when the section is constructed, before anything is registered:
a typo fails with the argument, the value and the fix. The wire body comes from the same
builders as the stack files' sections (``zerotrust/spec/wire.py``).

A section is enforced at one point: at VMs, or -- when its rules name pod groups -- in their
cluster, as an Antrea policy spanned to it (ref §6.3); the stack files can split one section
across both, here two sections say it.

Example::

    DfwSection("web-db", DfwSectionArgs(firewall=fw, category="Application", rules=[
        Rule("web-to-db", sources=[web], destinations=[db], services=["tcp/5432"]),
        Rule("rest", destinations=[db], action="drop", log=True),
    ]))
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from components.errors import ArgumentError
from components.firewall import Firewall, Member
from components.security_group import SecurityGroup, member_path
from zerotrust.spec import wire

Target = SecurityGroup | pulumi.Input[str]
"""A rule side's value: a SecurityGroup, a group path (may be an Output), or ``"any"``."""

SERVICE_FIX = "write 'tcp/<port>', 'udp/<port>', 'tcp/<a>-<b>', 'icmp' or an NSX service path"


@dataclass(frozen=True)
class Rule:
    """One rule. Sides default to ``any``; ``applied_to`` narrows where it is enforced."""

    name: str
    sources: Sequence[Target] | str = "any"
    destinations: Sequence[Target] | str = "any"
    services: Sequence[str] | str = "any"
    action: str = "allow"
    """allow, drop, reject or jump_to_application."""
    direction: str = "in_out"
    """in, out or in_out."""
    applied_to: Sequence[Target] = ()
    log: bool = False
    disabled: bool = False
    sequence: int | None = None
    """Default: tens in list order."""
    notes: str | None = None
    display_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class DfwSectionArgs:
    firewall: Firewall
    category: str
    """Emergency, Infrastructure, Environment or Application."""
    rules: Sequence[Rule] = ()
    applied_to: Sequence[Target] = ()
    sequence: int | None = None
    """Default: tens in the order sections are declared into the firewall."""
    nsx_id: str | None = None
    """NSX id (default: the name)."""
    display_name: str | None = None
    description: str | None = None
    nsx: Mapping[str, Any] | None = None
    """An NSX SecurityPolicy body (rules inline) kept as it is, instead of ``rules``: the stack
    files' compiled sections come this way (``components/stack_files.py``)."""
    span: pulumi.Input[str] | None = None
    """With ``nsx``: the cluster-control-plane path the section is enforced in."""
    owner: str | None = None
    """Who owns it in the set's ``owners`` (default: the firewall's owner)."""


def _one_of(at: str, argument: str, value: Any, choices: Sequence[str]) -> str:
    if isinstance(value, str) and value in choices:
        return value
    close = difflib.get_close_matches(str(value), choices, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ArgumentError(at, argument, value, "is not allowed", f"{hint}write one of {', '.join(map(repr, choices))}")


def _is_any(value: Any) -> bool:
    return isinstance(value, str) and value.lower() == "any"


@dataclass
class _Section:
    """What a section's arguments resolve to, checked; built before anything is registered."""

    at: str
    firewall: Firewall
    cluster_key: object = None
    cluster_path: pulumi.Input[str] | None = None
    cluster_named_by: str = ""
    vm_named_by: str = ""

    def side(self, argument: str, value: Any, *, any_allowed: bool = True) -> list[pulumi.Input[str]] | None:
        """Group paths of one side; None means any."""
        if any_allowed and _is_any(value):
            return None
        if isinstance(value, SecurityGroup | pulumi.Output) or (isinstance(value, str) and not _is_any(value)):
            value = [value]
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise ArgumentError(self.at, argument, value, "is not a list of groups", "write [group, ...] or 'any'")
        if any(_is_any(v) for v in value):
            raise ArgumentError(
                self.at, argument, list(value), "mixes 'any' with groups", "write 'any' alone, or only groups"
            )
        paths = []
        for i, item in enumerate(value):
            where = f"{argument}[{i}]"
            paths.append(member_path(self.at, where, item, self.firewall))
            if isinstance(item, SecurityGroup):
                self._enforced_at(where, item)
        return paths

    def _enforced_at(self, where: str, group: SecurityGroup) -> None:
        """One enforcement point per section: VMs, or the one cluster whose pods it names."""
        if group.side == "vms":
            self.vm_named_by = self.vm_named_by or f"{where} ({group.id})"
        elif self.cluster_key is None:
            self.cluster_key = group.cluster
            self.cluster_path = group.cluster_path
            self.cluster_named_by = f"{where} ({group.id})"
        elif group.cluster is not self.cluster_key and group.cluster_path != self.cluster_path:
            raise ArgumentError(
                self.at,
                where,
                group.id,
                f"holds pods of another cluster than {self.cluster_named_by}",
                "one section per cluster",
            )
        if self.vm_named_by and self.cluster_named_by:
            raise ArgumentError(
                self.at,
                where,
                group.id,
                f"mixes VM groups ({self.vm_named_by}) with pod groups ({self.cluster_named_by}), "
                "which are enforced at different points",
                "split it into a section for the VMs and one for the cluster's pods",
            )

    def services(self, argument: str, value: Any) -> list[str]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, Sequence):
            raise ArgumentError(self.at, argument, value, "is not a list of services", SERVICE_FIX)
        for i, item in enumerate(items):
            if not isinstance(item, str) or not wire.is_service(item):
                raise ArgumentError(self.at, f"{argument}[{i}]", item, "is not a service", SERVICE_FIX)
        if len(items) > 1 and any(_is_any(s) for s in items):
            raise ArgumentError(self.at, argument, list(items), "mixes 'any' with services", "write 'any' alone")
        return list(items)

    def flag(self, argument: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ArgumentError(self.at, argument, value, "is not True or False", "write True or False")
        return value

    def number(self, argument: str, value: Any) -> int | None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ArgumentError(self.at, argument, value, "is not a sequence number", "write a whole number >= 0")
        return value

    def rule(self, index: int, rule: Any, seen: set[str]) -> dict[str, Any]:
        at = f"rules[{index}]"
        if not isinstance(rule, Rule):
            raise ArgumentError(self.at, at, rule, "is not a Rule", "write Rule('name', sources=..., ...)")
        if not isinstance(rule.name, str) or not wire.NSX_ID.match(rule.name):
            raise ArgumentError(self.at, f"{at}.name", rule.name, "is not a rule id", "use letters, digits, '-' or '_'")
        if rule.name in seen:
            raise ArgumentError(self.at, f"{at}.name", rule.name, "is used twice in this section", "rename one")
        seen.add(rule.name)
        sequence = self.number(f"{at}.sequence", rule.sequence)
        scope = self.side(f"{at}.applied_to", list(rule.applied_to), any_allowed=False) if rule.applied_to else None
        return wire.rule_body(
            rule.name,
            display_name=rule.display_name,
            sequence=(index + 1) * 10 if sequence is None else sequence,
            action=_one_of(self.at, f"{at}.action", rule.action, list(wire.ACTIONS)),
            direction=_one_of(self.at, f"{at}.direction", rule.direction, list(wire.DIRECTIONS)),
            sources=self.side(f"{at}.sources", rule.sources),
            destinations=self.side(f"{at}.destinations", rule.destinations),
            services=self.services(f"{at}.services", rule.services),
            log=self.flag(f"{at}.log", rule.log),
            disabled=self.flag(f"{at}.disabled", rule.disabled),
            notes=rule.notes,
            scope=scope,
        )


def _build(at: str, nsx_id: str, args: DfwSectionArgs) -> tuple[Member, pulumi.Input[str] | None]:
    """The section's wire body and the cluster it is spanned to; raises ArgumentError."""
    if not isinstance(args.firewall, Firewall):
        raise ArgumentError(at, "firewall", args.firewall, "is not a Firewall", "pass the Firewall(...) it belongs to")
    if not wire.NSX_ID.match(nsx_id):
        raise ArgumentError(at, "nsx_id", nsx_id, "is not an NSX id", "use letters, digits, '_', '-' and '.'")
    section = _Section(at, args.firewall)
    category = _one_of(at, "category", args.category, wire.CATEGORIES)
    if args.nsx is not None:
        if args.rules:
            raise ArgumentError(at, "rules", "...", "comes with an NSX body", "give the NSX body alone, or rules")
        body = {**args.nsx, "resource_type": "SecurityPolicy", "id": nsx_id, "category": category}
        return Member("policies", nsx_id, body, at, span=args.span, owner=args.owner), args.span
    if isinstance(args.rules, str) or not isinstance(args.rules, Sequence) or not args.rules:
        raise ArgumentError(at, "rules", args.rules, "is not a list of rules", "write [Rule('name', ...), ...]")
    seen: set[str] = set()
    rules = [section.rule(i, rule, seen) for i, rule in enumerate(args.rules)]
    scope = section.side("applied_to", list(args.applied_to), any_allowed=False) if args.applied_to else None
    sequence = section.number("sequence", args.sequence)
    body = wire.policy_body(
        nsx_id,
        category=category,
        sequence=(args.firewall.section_count() + 1) * 10 if sequence is None else sequence,
        rules=rules,
        display_name=args.display_name,
        description=args.description,
        scope=scope,
    )
    member = Member("policies", nsx_id, body, at, span=section.cluster_path, owner=args.owner)
    return member, section.cluster_path


class DfwSection:
    """A section of the firewall's set; ``path`` and ``id`` are plain strings, known at once.

    Not an engine resource of its own: the NSX object is a member of the firewall's one
    ``PolicySet`` (docs/scale.md).
    """

    def __init__(self, name: str, args: DfwSectionArgs) -> None:
        at = f"DfwSection {name!r}"
        nsx_id = args.nsx_id or name
        member, cluster_path = _build(at, nsx_id, args)
        args.firewall._admit(member)
        self.id = nsx_id
        self.path = f"/infra/domains/{args.firewall.domain}/security-policies/{nsx_id}"
        self.cluster_path = cluster_path
        """The cluster-control-plane it is spanned to, for a section naming pods."""
