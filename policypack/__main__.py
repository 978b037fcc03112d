"""The zerotrust guardrails pack: a thin adapter from policypack.guardrails to pulumi_policy.

Every guardrail is a stack validation policy, because most need more than one resource (a
rule's groups, a section's owner up the parent chain, the order of Emergency sections). The
engine starts this file with the pack folder on ``sys.path``; the repository root is added so
the guardrails import as ``policypack.guardrails`` here and in the unit tests alike.
Enforcement levels come from each guardrail's ``LEVEL`` unless the policy-pack config file of
the environment (``policypack/config/<stack>.json``) says otherwise.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policypack.guardrails import ALL
from policypack.guardrails.stack import Resource, Stack

PACK_NAME = "zerotrust-guardrails"
UNKNOWN = "[unknown]"
"""Stands in for a value the engine does not know yet (preview): never ANY, never empty."""

LEVELS = {
    "advisory": EnforcementLevel.ADVISORY,
    "mandatory": EnforcementLevel.MANDATORY,
    "disabled": EnforcementLevel.DISABLED,
}


def plain(value: Any) -> Any:
    """A policy proxy as plain dicts and lists, with unknown values replaced by ``UNKNOWN``."""
    if isinstance(value, Mapping):
        out = {}
        for key in list(value.keys()):
            try:
                out[str(key)] = plain(value[key])
            except UnknownValueError:
                out[str(key)] = UNKNOWN
        return out
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        items = []
        for index in range(len(value)):
            try:
                items.append(plain(value[index]))
            except UnknownValueError:
                items.append(UNKNOWN)
        return items
    return value


def to_stack(resources: Sequence[PolicyResource]) -> Stack:
    return Stack.of(
        [
            Resource(
                type=r.resource_type,
                urn=r.urn,
                name=r.name,
                props=plain(r.props),
                parent=r.parent.urn if r.parent is not None else None,
            )
            for r in resources
        ]
    )


def validator(guardrail: ModuleType) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        for finding in guardrail.check(to_stack(args.resources)):
            report_violation(finding.message, finding.urn)

    return validate


def policies() -> list[StackValidationPolicy]:
    return [
        StackValidationPolicy(
            name=g.NAME,
            description=g.DESCRIPTION,
            enforcement_level=LEVELS[g.LEVEL],
            validate=validator(g),
        )
        for g in ALL
    ]


if __name__ == "__main__":
    PolicyPack(name=PACK_NAME, policies=policies())  # type: ignore[arg-type]  # list invariance in the SDK's hint
