"""Verdicts: the action, the deciding rule(s) and the walk that led there.

Why a chain: issue 7 asks "which rule decides" and "what was passed over", in the
spirit of Traceflow observations (antrea.md §3): one :class:`Step` per layer crossed
(category, tier, K8s NetworkPolicy, default), per side (egress at the source's
enforcement point, ingress at the destination's; verification.md §4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from zerotrust.evaluator.flows import Flow

__all__ = ["Action", "Side", "SideVerdict", "Step", "Verdict", "render_trace"]

Action = Literal["ALLOW", "DROP", "REJECT", "ERROR", "UNKNOWN"]
"""``UNKNOWN``: a rule the evaluator cannot decide offline (FQDN, L7, an unmodelled field) was reached."""
Side = Literal["egress", "ingress"]


@dataclass(frozen=True)
class Step:
    """One observation: a layer, what happened there, and the rule involved if any."""

    layer: str
    outcome: str
    """``no match``, ``ALLOW``, ``DROP``, ``REJECT``, ``JUMP_TO_APPLICATION``, ``PASS``,
    ``skipped (disabled)``, ``ERROR``, ..."""
    rule: str | None = None
    note: str = ""


@dataclass(frozen=True)
class SideVerdict:
    """The verdict of one enforcement point for one direction."""

    side: Side
    point: str
    """``vm:<name>``, ``pod:<cluster/ns/name>``, or ``none`` (no enforcement point)."""
    action: Action
    decided_by: str
    """A rule path, or a named default such as ``k8s-isolation`` / ``antrea-default-allow``."""
    chain: tuple[Step, ...] = ()
    errors: tuple[str, ...] = ()
    unknowns: tuple[str, ...] = ()
    """Why the side is UNKNOWN: the undecidable rule and its reason."""


@dataclass(frozen=True)
class Verdict:
    """Overall verdict: the first non-ALLOW side in path order (egress, ingress), else ALLOW."""

    flow: Flow
    action: Action
    deciding: tuple[str, ...]
    """The deciding rule of the denying side, or of each side for an ALLOW."""
    sides: tuple[SideVerdict, ...]
    caveats: tuple[str, ...] = field(default=())

    @property
    def allowed(self) -> bool:
        """True when the connection is established (replies then pass: stateful, §4.6)."""
        return self.action == "ALLOW"

    @property
    def errors(self) -> tuple[str, ...]:
        """Errors of every side (sequence ties, unsupported constructs reached)."""
        return tuple(e for s in self.sides for e in s.errors)

    @property
    def unknowns(self) -> tuple[str, ...]:
        """Why the verdict could not be decided (empty unless ``action`` is UNKNOWN)."""
        return tuple(u for s in self.sides for u in s.unknowns) if self.action == "UNKNOWN" else ()

    @classmethod
    def combine(cls, flow: Flow, sides: tuple[SideVerdict, ...], caveats: tuple[str, ...] = ()) -> Verdict:
        """Egress first, then ingress; the first side that does not allow decides.

        An UNKNOWN side defers to a later side that denies (the packet is stopped either way).
        """
        unknown = next((s for s in sides if s.action == "UNKNOWN"), None)
        for side in sides:
            if side.action not in {"ALLOW", "UNKNOWN"}:
                return cls(flow, side.action, (side.decided_by,), sides, caveats)
        if unknown is not None:
            return cls(flow, "UNKNOWN", (unknown.decided_by,), sides, caveats)
        return cls(flow, "ALLOW", tuple(s.decided_by for s in sides), sides, caveats)


def render_trace(verdict: Verdict) -> str:
    """The walk of one verdict as indented text."""
    lines = [f"flow    {verdict.flow.describe()}"]
    for side in verdict.sides:
        lines.append(f"  {side.side} at {side.point}: {side.action} by {side.decided_by}")
        for step in side.chain:
            rule = f" {step.rule}" if step.rule else ""
            note = f"  ({step.note})" if step.note else ""
            lines.append(f"    - {step.layer}: {step.outcome}{rule}{note}")
    lines.append(f"verdict {verdict.action} (deciding: {', '.join(verdict.deciding)})")
    lines += [f"unknown {u}" for u in verdict.unknowns]
    lines += [f"caveat  {c}" for c in verdict.caveats]
    lines.append("note    about new connections; replies of allowed connections pass (stateful)")
    return "\n".join(lines)
