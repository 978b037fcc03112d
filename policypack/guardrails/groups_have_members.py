"""Advisory: a group selects something (it has at least one membership criterion).

A group with no criteria matches nothing, so every rule naming it is dead: usually a
half-finished edit. Membership that is empty *today* (nobody is quarantined) is fine and is
not what this checks: only the definition is looked at, never NSX's live inventory.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policypack.guardrails.stack import GROUP, Finding, Level, Stack

NAME = "groups-have-members"
DESCRIPTION = "Every group should have at least one membership criterion."
LEVEL: Level = "advisory"


def has_criteria(group: Mapping[str, Any]) -> bool:
    for expression in group.get("expression") or []:
        if not isinstance(expression, Mapping):
            continue
        kind = expression.get("resource_type")
        if kind == "ConjunctionOperator":
            continue
        if kind == "IPAddressExpression" and not expression.get("ip_addresses"):
            continue
        if kind == "PathExpression" and not expression.get("paths"):
            continue
        if kind == "NestedExpression" and not has_criteria({"expression": expression.get("expressions")}):
            continue
        return True
    return False


def check(stack: Stack) -> list[Finding]:
    return [
        Finding(f"group '{g.props.get('nsx_id') or g.name}' has no membership criteria, so it matches nothing", g.urn)
        for g in stack.of_type(GROUP)
        if not has_criteria(g.props)
    ]
