"""How a policy set's change becomes hierarchical PATCHes (H-API, ref §7).

:class:`Plan` turns each member's live object and desired object into H-API wrappers (or
nothing, when they already agree in normal form and ownership): a group is one wrapper; a
policy's own change, its changed and removed rules and its spans are gathered into ONE
wrapper, so a changed port is one ``ChildRule`` and the other rules keep their revisions.

One change set is a list of :class:`Write` s, each one wrapper under the domain (a group,
or a security policy with its rule and span changes) and the number of intent objects it
carries. :func:`patches` packs them, in order, into PATCH bodies of at most
``HAPI_MAX_OBJECTS`` objects (NSX takes 5,000 per call on a Local Manager, ref §7).

Order, so that every reference resolves whatever NSX's processing order inside one call:

1. upserts of groups, then of policies (their rules name the groups), with removed rules
   and spans, and deletions of whole policies (nothing but their own children names them);
2. deletions of groups, in a later PATCH: a group is deleted only after the rules that
   named it were changed or deleted (nsx-operator split group deletes out for the same
   reason, ref §7).

A change that fits in one PATCH is atomic in NSX; a bigger one is applied in order, and a
re-run after a failure halfway converges because every wrapper is planned against live.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from zerotrust.models import NsxObject, normalise
from zerotrust.nsx.hierarchy import HAPI_MAX_OBJECTS, child, child_delete, child_reference, domain_children
from zerotrust.providers._set_members import BY_KEY, POLICIES, POLICIES_KIND, SPANS, Key, MemberType

__all__ = ["FIRST", "LAST", "REPLACE", "Plan", "PolicyNode", "Write", "patches", "replaces"]

REPLACE, FIRST, LAST = 0, 1, 2
"""Phases, one PATCH or more each: deletions of members NSX cannot change in place (they
are created anew in the next phase), then upserts and policy deletions, then group deletions."""


@dataclass
class Write:
    """One wrapper under the domain and the intent objects it holds."""

    wrapper: dict[str, Any]
    objects: int
    phase: int = FIRST


@dataclass
class PolicyNode:
    """A policy's wrapper while its children (rules, spans) are being collected."""

    policy_id: str
    wrapper: dict[str, Any] | None = None
    """``ChildSecurityPolicy`` (the policy itself changes) or None (only children do)."""
    children: list[dict[str, Any]] = field(default_factory=list)
    objects: int = 0

    def add(self, wrapper: dict[str, Any]) -> None:
        """A rule or span wrapper under this policy."""
        self.children.append(wrapper)
        self.objects += 1

    def write(self) -> Write | None:
        if self.wrapper is None and not self.children:
            return None
        if self.wrapper is None:
            return Write(child_reference("SecurityPolicy", self.policy_id, self.children), self.objects)
        if self.children:
            inner = self.wrapper["SecurityPolicy"]
            inner["children"] = [*inner.get("children", []), *self.children]
        return Write(self.wrapper, self.objects)


def patches(writes: Iterable[Write], domain: str, limit: int = HAPI_MAX_OBJECTS) -> list[list[dict[str, Any]]]:
    """``children`` lists for ``PATCH /infra``, phase by phase, each of at most ``limit`` objects."""
    ordered = sorted(writes, key=lambda w: w.phase)  # stable: keeps groups before policies
    bodies: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size, phase = 0, FIRST
    for write in ordered:
        if current and (size + write.objects > limit or write.phase != phase):
            bodies.append(domain_children(domain, current))
            current, size = [], 0
        current.append(write.wrapper)
        size += write.objects
        phase = write.phase
    if current:
        bodies.append(domain_children(domain, current))
    return bodies


def replaces(member_type: MemberType, live: NsxObject, desired: NsxObject) -> bool:
    """A field NSX cannot change in place differs (group type, policy category, span cluster)."""
    old, new = normalise(live), normalise(desired)
    return any(old.get(f) != new.get(f) for f in member_type.kind.extra_replace_on)


class Plan:
    """Collects the writes of one change set: groups as they come, policies with their
    rule and span changes gathered into one wrapper each."""

    def __init__(self) -> None:
        self.writes: list[Write] = []
        self.nodes: dict[str, PolicyNode] = {}
        self.written: set[Key] = set()

    def node(self, policy_id: str) -> PolicyNode:
        return self.nodes.setdefault(policy_id, PolicyNode(policy_id))

    def delete(self, key: Key, *, phase: int | None = None) -> None:
        kind, member_id = key
        self.written.add(key)
        if kind == SPANS.key:
            policy_id, _, span_id = member_id.partition("/")
            self.node(policy_id).add(child_delete("SecurityPolicyContainerCluster", span_id))
        elif kind == POLICIES.key:
            self.writes.append(Write(child_delete("SecurityPolicy", member_id), 1, FIRST if phase is None else phase))
        else:
            self.writes.append(Write(child_delete("Group", member_id), 1, LAST if phase is None else phase))

    def upsert(self, key: Key, live: NsxObject | None, desired: NsxObject) -> None:
        """Add the write that makes ``live`` equal ``desired``; nothing when already in sync."""
        member_type, member_id = BY_KEY[key[0]], key[1]
        kind = member_type.kind
        if live is not None:
            in_sync = normalise(kind.comparable_live(desired)) == normalise(kind.comparable_live(live))
            if in_sync and kind.live_owner(live) == kind.live_owner(desired):
                return
        self.written.add(key)
        if member_type is POLICIES:
            self._policy(member_id, live, desired)
            return
        obj = desired if live is None else kind.merged(live, desired).model_copy(update={"revision": live.revision})
        if member_type is SPANS:
            self.node(member_id.partition("/")[0]).add(child(obj))
        else:
            self.writes.append(Write(child(obj), 1, FIRST))

    def _policy(self, policy_id: str, live: NsxObject | None, desired: NsxObject) -> None:
        node = self.node(policy_id)
        if live is None:
            node.wrapper = child(desired)
            node.objects += 1 + len(getattr(desired, "rules", None) or [])
            return
        change = POLICIES_KIND.change_set(live, desired)  # type: ignore[arg-type]
        if change is None:
            self.written.discard((POLICIES.key, policy_id))
        elif change["resource_type"] == "ChildResourceReference":
            for item in change["children"]:
                node.add(item)
        else:
            node.wrapper = change
            node.objects += 1 + len(change["SecurityPolicy"].get("children", []))

    def finish(self) -> list[Write]:
        self.writes.extend(w for w in (n.write() for n in self.nodes.values()) if w is not None)
        return sorted(self.writes, key=lambda w: w.phase)
