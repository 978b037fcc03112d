"""The report without the engine: recorded real previews -> the checked-in Markdown, plus the
input shapes, intents, ordering and the CLI's exit code."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.report.recorded import CASES, EXPECTED, RECORDED
from zerotrust.report import parse, parse_intents, render
from zerotrust.report.__main__ import main

URN = "urn:pulumi:dev::zerotrust-dfw::"
RULE_BASE = f"{URN}zerotrust:components:Firewall$zerotrust:nsx:PolicySet::dev"
"""The stack's one policy set: the report shows its groups and sections one by one."""
OLD_RULE = {
    "id": "frontend-to-orders-db",
    "action": "ALLOW",
    "sequence_number": 10,
    "source_groups": ["/infra/domains/default/groups/shop-frontend-egress"],
    "destination_groups": ["/infra/domains/default/groups/shop-orders-db"],
    "services": ["ANY"],
    "service_entries": [{"l4_protocol": "TCP", "destination_ports": ["5432"]}],
    "logged": True,
}


def event_stream(*events: Mapping[str, object]) -> str:
    return "\n".join(json.dumps(e) for e in events) + "\n"


def rule_base(rules: list[dict[str, object]]) -> dict[str, object]:
    """The policy set's inputs with one app-owned section holding ``rules``."""
    return {
        "domain": "default",
        "groups": {"shop-orders-db": {"expression": []}},
        "policies": {"shop-orders": {"category": "Application", "sequence_number": 1010, "rules": rules}},
        "spans": {},
        "owners": {"policies/shop-orders": "app:shop", "groups/shop-orders-db": "app:shop"},
    }


def update(old_rules: list[dict[str, object]], new_rules: list[dict[str, object]]) -> dict[str, object]:
    state = {"type": "zerotrust:nsx:PolicySet", "custom": True, "parent": None}
    return {
        "resourcePreEvent": {
            "metadata": {
                "op": "update",
                "urn": RULE_BASE,
                "type": "zerotrust:nsx:PolicySet",
                "old": state | {"inputs": rule_base(old_rules)},
                "new": state | {"inputs": rule_base(new_rules)},
                "detailedDiff": {'policies["shop-orders"].rules[0]': {"kind": "update", "inputDiff": True}},
            }
        }
    }


@pytest.mark.parametrize("case", CASES)
def test_recorded_real_previews_render_as_the_checked_in_reports(case: str) -> None:
    events = (RECORDED / f"{case}.jsonl").read_text()
    assert render(parse(events), stack="dev") == (EXPECTED / f"{case}.md").read_text()


def test_the_first_preview_lists_every_section_rule_by_rule() -> None:
    report = (EXPECTED / "dev_first_preview.md").read_text()
    for section in ("quarantine", "cluster-egress", "shop-orders"):
        assert f"#### `{section}` created" in report
    assert "| 30 | `isolate-in` | DROP | any | quarantined | any | yes |" in report


def test_field_by_field_changes_added_removed_and_reordered_rules() -> None:
    reordered = OLD_RULE | {"sequence_number": 20, "action": "DROP"}
    added = OLD_RULE | {"id": "new-rule", "logged": False}
    preview = parse(event_stream(update([OLD_RULE, OLD_RULE | {"id": "gone"}], [reordered, added])))
    report = render(preview, stack="dev")
    assert "| `frontend-to-orders-db` | position | 10 | 20 |" in report
    assert "| `frontend-to-orders-db` | action | ALLOW | DROP |" in report
    assert "| `new-rule` | (added) |   | ALLOW shop-frontend-egress -> shop-orders-db tcp/5432, no log |" in report
    assert "| `gone` | (removed) |" in report


def test_violations_and_broken_intents_come_before_the_changes_and_block() -> None:
    violation = {
        "policyEvent": {
            "resourceUrn": RULE_BASE,
            "message": "description\nrule 'open-door' of section 'shop-orders' allows ANY to ANY",
            "policyName": "no-allow-any-to-any",
            "policyPackName": "zerotrust-guardrails",
            "enforcementLevel": "mandatory",
        }
    }
    intents = parse_intents(
        json.dumps(
            [
                {
                    "intent": "a -> b deny",
                    "owner": "app:shop",
                    "expected": "DENY",
                    "actual": "ALLOW",
                    "ok": False,
                    "witness": "pod a -> vm b TCP/5432",
                    "chain": ["DFW Application: ALLOW open-door"],
                },
                {"intent": "c -> d allow", "ok": True},
            ]
        )
    )
    report = render(
        parse(event_stream(update([OLD_RULE], [OLD_RULE | {"notes": "n"}]), violation)), stack="dev", intents=intents
    )
    assert "blocked: 1 mandatory policy violation(s), 1 broken intent(s)" in report
    assert report.index("**no-allow-any-to-any** on SecurityPolicy `shop-orders` (app shop)") < report.index(
        "### DFW sections"
    )
    assert report.index("### ❌ Broken intents") < report.index("### DFW sections")
    assert "DFW Application: ALLOW open-door" in report
    assert "1 intent(s) hold" in report


def test_the_digest_shape_is_read_too_and_says_policy_results_are_missing() -> None:
    state = {"type": "zerotrust:nsx:PolicySet", "custom": True}
    digest = {
        "steps": [
            {
                "op": "update",
                "urn": RULE_BASE,
                "oldState": state | {"inputs": rule_base([OLD_RULE])},
                "newState": state | {"inputs": rule_base([])},
                "detailedDiff": {'policies["shop-orders"].rules[0]': {"kind": "delete", "inputDiff": True}},
            }
        ],
        "diagnostics": [{"message": "error: boom\n", "severity": "error"}],
        "changeSummary": {"update": 1},
    }
    report = render(parse(json.dumps(digest)), stack="prod")
    assert "Policy results are not in this input" in report
    assert "#### `shop-orders` updated, app shop" in report
    assert "| 0 | 1 | 0 | 0 |" in report, "one section changed; the unchanged group is not counted"
    assert "### Other resources" not in report, "the unchanged group is not listed"
    assert "blocked: the preview failed" in report
    assert "boom" in report


def test_cli_prints_the_report_and_check_fails_only_when_blocking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = tmp_path / "clean.jsonl"
    clean.write_text((RECORDED / "one_rule_change.jsonl").read_text())
    assert main(["--preview", str(clean), "--stack", "dev", "--check"]) == 0
    assert "`shop-orders` updated" in capsys.readouterr().out
    intents = tmp_path / "intents.json"
    intents.write_text(json.dumps([{"intent": "x -> y deny", "ok": False}]))
    out = tmp_path / "report.md"
    assert (
        main(["--preview", str(clean), "--stack", "dev", "--intents", str(intents), "--output", str(out), "--check"])
        == 1
    )
    assert "Broken intents" in out.read_text()
