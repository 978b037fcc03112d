"""Groups that fill at run time: rule analysis does not call their rules irrelevant while empty.

A quarantine group is empty until an incident tags someone; its isolation rules match nothing
in that snapshot by design. ``may_be_empty: true`` says so in the stack file; a rule that
could match nothing even once such groups fill (or that names an unmarked empty group) is
still reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from zerotrust.spec import SpecError, compile_stack, load_stack
from zerotrust.spec.verify import verify

ENV = """\
clusters:
  c1: {{}}
groups:
  web: {{vms: [{{tags: {{tier: web}}}}]}}
  ghosts: {{vms: [{{tags: {{tier: ghost}}}}]}}
  quarantined:
    vms: [{{tags: {{quarantine: malicious}}}}]
    pods: [{{cluster: c1, labels: {{quarantine: malicious}}}}]{mark}
sections:
  quarantine:
    category: Emergency
    rules:
      - {{name: isolate-in, from: any, to: [quarantined], action: drop, log: true}}
      - {{name: isolate-out, from: [quarantined], to: any, action: drop, log: true}}
      - {{name: ghosts-in, from: [ghosts], to: [quarantined], action: allow, log: true}}
"""
INVENTORY: dict[str, Any] = {
    "virtual_machines": [
        {
            "display_name": "web-1",
            "external_id": "vm-web-1",
            "ip_addresses": ["192.0.2.10"],
            "tags": [{"scope": "tier", "tag": "web"}],
        },
    ],
    "clusters": [
        {
            "name": "c1",
            "nodes": [{"name": "c1-node-1", "ip_addresses": ["192.0.2.101"], "pod_cidrs": ["10.244.1.0/24"]}],
            "namespaces": [{"name": "shop"}],
            "pods": [
                {
                    "name": "web-0",
                    "namespace": "shop",
                    "labels": {"app": "web"},
                    "ip_addresses": ["10.244.1.10"],
                    "node": "c1-node-1",
                }
            ],
        }
    ],
}


def _irrelevant(tmp_path: Path, mark: str) -> set[str]:
    (tmp_path / "apps").mkdir(exist_ok=True)
    (tmp_path / "environment.yaml").write_text(ENV.format(mark=mark))
    desired = compile_stack(load_stack(tmp_path))
    warnings = verify(desired, INVENTORY).warnings()
    return {w.split(": ")[2].rsplit("/security-policies/", 1)[1] for w in warnings if ": irrelevant: " in w}


def test_without_the_mark_an_empty_quarantine_makes_its_rules_irrelevant(tmp_path: Path) -> None:
    assert _irrelevant(tmp_path, "") == {
        "quarantine/rules/isolate-in",
        "quarantine/rules/isolate-out",
        "quarantine/rules/ghosts-in",
        "quarantine-c1/rules/isolate-in",
        "quarantine-c1/rules/isolate-out",
    }


def test_with_the_mark_only_a_rule_that_cannot_match_even_once_it_fills_is_reported(tmp_path: Path) -> None:
    # ghosts-in names 'ghosts', empty and unmarked (a selector typo looks like this): still reported
    assert _irrelevant(tmp_path, "\n    may_be_empty: true") == {"quarantine/rules/ghosts-in"}


def test_the_mark_is_refused_on_a_group_of_addresses(tmp_path: Path) -> None:
    (tmp_path / "environment.yaml").write_text("groups:\n  db: {ips: [203.0.113.10], may_be_empty: true}\n")
    with pytest.raises(SpecError) as refused:
        load_stack(tmp_path)
    assert f"{tmp_path / 'environment.yaml'}:2" in str(refused.value)
    assert "may_be_empty is for groups whose members arrive at run time" in str(refused.value)


def test_the_dev_stack_previews_without_a_rule_analysis_warning_and_every_intent_holds() -> None:
    """The demo's first preview warned about its own stack: the quarantine copy in vks-dev-01
    'can match no packet' while no pod is quarantined."""
    repo = Path(__file__).resolve().parents[2]
    desired = compile_stack(load_stack(repo / "stacks" / "dev"))
    seed = yaml.safe_load((repo / "nsx_emulator" / "seeds" / "demo.yaml").read_text())
    checked = verify(desired, seed)
    assert checked.warnings() == []
    assert all(result.ok for result in checked.intents), [r.message() for r in checked.intents if not r.ok]
    assert "pod:forensics/forensic -> quarantined tcp/22 allow" in [i.text for i in desired.intents]
