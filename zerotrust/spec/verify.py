"""Intents and rule analysis of a stack, from its desired state before apply (no API calls).

The stack files carry intents (``pod:shop/frontend -> vm:orders-db tcp/5432 allow``); the
evaluator answers them over the *desired* NSX objects and an inventory snapshot (VMs, pods,
Egress IPs) in the emulator's seed format, so the same file drives the demo and the check.
A broken intent fails the preview with its witness flow, the expected and actual verdict and
the decision chain. Rule analysis (shadowed, redundant, duplicate, contradiction,
irrelevant rules, each with its anchors) is reported as warnings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

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


def verify(desired: DesiredState, inventory_file: Path) -> Verification:
    """Every intent of the stack checked, and the rule analysis, over one compiled evaluator."""
    inventory = yaml.safe_load(inventory_file.read_text()) or {}
    evaluator = Evaluator(policy_config(desired, inventory))
    return Verification(
        intents=check_intents(evaluator, [i.text for i in desired.intents]),
        findings=analyse(evaluator),
    )


def broken_report(desired: DesiredState, results: list[IntentResult]) -> str:
    """The preview's failure text: each broken intent with where it was written."""
    lines = []
    for intent, result in zip(desired.intents, results, strict=True):
        if not result.ok:
            lines.append(f"{intent.where} ({intent.owner}): {result.message()}")
    return "\n".join(lines)
