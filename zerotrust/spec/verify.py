"""Intents and rule analysis of a stack, from its desired state before apply (no API calls).

The stack files carry intents (``pod:shop/frontend -> vm:orders-db tcp/5432 allow``); the
evaluator answers them over the *desired* NSX objects and an inventory (VMs, pods, Egress IPs)
in the emulator's seed format: read live from NSX, or a snapshot file, so the same file can
drive the demo and the check.
A broken intent fails the preview with its witness flow, the expected and actual verdict and
the decision chain. Rule analysis (shadowed, redundant, duplicate, contradiction,
irrelevant rules, each with its anchors) is reported as warnings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zerotrust.evaluator.analysis import Finding, analyse, findings_report
from zerotrust.evaluator.config import PolicyConfig
from zerotrust.evaluator.evaluate import Evaluator, IntentResult, check_intents
from zerotrust.evaluator.inventory import load_inventory
from zerotrust.spec.compile import DesiredState

CCP_PARENT = "/infra/sites/default/enforcement-points/default/cluster-control-planes"


def policy_config(desired: DesiredState, inventory: Mapping[str, Any]) -> PolicyConfig:
    """The evaluator's view of a stack: its groups, sections, spans, and the inventory."""
    policies = [
        s.policy.model_copy(update={"path": f"/infra/domains/{desired.domain}/security-policies/{s.policy.id}"})
        for s in desired.sections
    ]
    spans = {
        f"/infra/domains/{desired.domain}/security-policies/{s.policy.id}": [
            f"{CCP_PARENT}/{desired.clusters.get(s.cluster, s.cluster)}"
        ]
        for s in desired.sections
        if s.cluster
    }
    return PolicyConfig(
        inventory=load_inventory(inventory),
        groups=[g.group for g in desired.groups.values()],
        policies=policies,
        spans=spans,
        domain=desired.domain,
    )


@dataclass(frozen=True)
class Verification:
    """What a preview reports before any API call: intents (errors) and rule analysis (warnings)."""

    intents: list[IntentResult]
    findings: list[Finding]

    def warnings(self) -> list[str]:
        """One line per rule-analysis finding, for the preview's warnings."""
        return findings_report(self.findings)


def verify(desired: DesiredState, inventory: Mapping[str, Any]) -> Verification:
    """Every intent of the stack checked, and the rule analysis, over one compiled evaluator.

    ``inventory`` is in the seed format: a snapshot file's, or NSX's read live
    (:mod:`zerotrust.spec.live_inventory`).
    """
    evaluator = Evaluator(policy_config(desired, inventory))
    return Verification(
        intents=check_intents(evaluator, [i.text for i in desired.intents]),
        findings=analyse(evaluator, may_be_empty=may_be_empty(desired)),
    )


def may_be_empty(desired: DesiredState) -> dict[str, str | None]:
    """Groups marked ``may_be_empty`` (members arrive at run time): path -> their pods' cluster, or None."""
    return {
        desired.group_path(g.key): f"{CCP_PARENT}/{desired.clusters.get(g.cluster, g.cluster)}" if g.cluster else None
        for g in desired.groups.values()
        if g.may_be_empty
    }


def broken_report(desired: DesiredState, results: list[IntentResult]) -> str:
    """The preview's failure text: each broken intent with where it was written."""
    lines = []
    for intent, result in zip(desired.intents, results, strict=True):
        if result.broken:
            lines.append(f"{intent.where} ({intent.owner}): {result.message()}")
    return "\n".join(lines)


def unchecked_report(desired: DesiredState, results: list[IntentResult]) -> list[str]:
    """One warning per intent the evaluator could not decide offline, with the rule and reason."""
    return [
        f"{intent.where} ({intent.owner}): {result.message()}"
        for intent, result in zip(desired.intents, results, strict=True)
        if result.undecided is not None
    ]
