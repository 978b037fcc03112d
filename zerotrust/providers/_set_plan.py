"""How a policy set's change becomes hierarchical PATCHes (H-API, ref §7).

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

from zerotrust.nsx.hierarchy import HAPI_MAX_OBJECTS, child_reference, domain_children

__all__ = ["FIRST", "LAST", "REPLACE", "PolicyNode", "Write", "patches"]

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
