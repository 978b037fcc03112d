"""Mandatory: the stack has an Emergency quarantine section, and it is the first Emergency section.

Quarantine by tag (docs/components.md) only works if the isolation rules are evaluated before
anything else could allow a quarantined workload to talk. A quarantine section is recognised by
what it does, not its name: an Emergency section that drops traffic from ANY into a group and
from that group to ANY. "First" means no other Emergency section of the stack has the same or a
lower sequence number (NSX's order among equal numbers is not something to rely on).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policypack.guardrails.stack import (
    DROPPING,
    SECURITY_POLICY,
    Finding,
    Level,
    Resource,
    Stack,
    is_any,
    rules,
    section_name,
    short,
)
from zerotrust.models.policy_set import POLICY_SET

NAME = "emergency-quarantine-first"
DESCRIPTION = "An Emergency section isolating a quarantine group must exist and be the first Emergency section."
LEVEL: Level = "mandatory"


def isolated_groups(policy: Mapping[str, Any]) -> set[str]:
    """Groups this section cuts off in both directions (drop ANY -> G and drop G -> ANY)."""
    inbound: set[str] = set()
    outbound: set[str] = set()
    for rule in rules(policy):
        if rule.get("action") not in DROPPING:
            continue
        sources, destinations = rule.get("source_groups") or [], rule.get("destination_groups") or []
        if is_any(sources, rule.get("sources_excluded")) and not is_any(destinations):
            inbound.update(destinations)
        if is_any(destinations, rule.get("destinations_excluded")) and not is_any(sources):
            outbound.update(sources)
    return inbound & outbound


def _sequence(section: Resource) -> int:
    value = section.props.get("sequence_number")
    return int(value) if isinstance(value, int) else 0


def check(stack: Stack) -> list[Finding]:
    emergency = [s for s in stack.of_type(SECURITY_POLICY) if s.props.get("category") == "Emergency"]
    quarantine = [s for s in emergency if isolated_groups(s.props)]
    if not quarantine:
        rule_base = next(stack.of_type(POLICY_SET), None)
        return [
            Finding(
                "no Emergency quarantine section: add one to environment.yaml that drops traffic from any to "
                "the quarantine group and from it to any (see stacks/dev/environment.yaml, section quarantine)",
                rule_base.urn if rule_base is not None else None,
            )
        ]
    first = min(_sequence(s) for s in quarantine)
    findings = []
    for other in emergency:
        if other not in quarantine and _sequence(other) <= first:
            groups = ", ".join(sorted(short(g) for q in quarantine for g in isolated_groups(q.props)))
            findings.append(
                Finding(
                    f"Emergency section '{section_name(other.props)}' (sequence {_sequence(other)}) comes before or "
                    f"ties with the quarantine of {groups} (sequence {first}); give it a higher sequence_number",
                    other.urn,
                )
            )
    return findings
