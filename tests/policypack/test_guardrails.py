"""Each guardrail as a pure function: one stack that violates it, one that passes, edge cases.

The resources are written as the pack sees them once a policy set is expanded (NSX wire
fields as props, the owner recorded per member), so these tests and the engine tests speak
about the same data; some tests build them from a policy set as the engine hands it over.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from policypack.guardrails import (
    ADVISORY,
    ALL,
    MANDATORY,
    drop_rules_logged,
    egress_through_egress_ip,
    groups_have_members,
    no_allow_any_to_any,
    quarantine_first,
    rules_have_notes,
)
from policypack.guardrails import (
    app_sections_in_application as app_sections,
)
from policypack.guardrails.stack import Resource, Stack
from tests.support.pulumi_harness import REPO

P = "/infra/domains/default/groups/"
ADMINS = "admins"
SHOP = "app:shop"
SET_URN = "urn:pulumi:dev::zerotrust-dfw::zerotrust:components:Firewall$zerotrust:nsx:PolicySet::dev"


def rule(rid: str, action: str, src: list[str], dst: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "id": rid,
        "action": action,
        "source_groups": src,
        "destination_groups": dst,
        "logged": True,
        "notes": "why",
    } | extra


def section(nsx_id: str, category: str, seq: int, rules: list[dict[str, Any]], *, owner: str = ADMINS) -> Resource:
    props = {"nsx_id": nsx_id, "category": category, "sequence_number": seq, "rules": rules}
    return Resource("zerotrust:nsx:SecurityPolicy", f"urn:...::{nsx_id}", nsx_id, props, owner=owner)


def group(nsx_id: str, *expression: dict[str, Any], **extra: Any) -> Resource:
    props = {"nsx_id": nsx_id, "domain": "default", "expression": list(expression)} | extra
    return Resource("zerotrust:nsx:Group", f"urn:...::{nsx_id}", nsx_id, props, owner=ADMINS)


def condition(member_type: str, value: str = "x") -> dict[str, Any]:
    return {
        "resource_type": "Condition",
        "member_type": member_type,
        "key": "Name",
        "operator": "EQUALS",
        "value": value,
    }


QUARANTINE = section(
    "quarantine",
    "Emergency",
    10,
    [
        rule("forensics-in", "ALLOW", [P + "jump-host"], [P + "quarantined"]),
        rule("isolate-in", "DROP", ["ANY"], [P + "quarantined"]),
        rule("isolate-out", "DROP", [P + "quarantined"], ["ANY"]),
    ],
)
NODES = group("cluster-nodes", {"resource_type": "NestedExpression", "expressions": [condition("KubernetesNode")]})
EGRESS = group("payments-egress", {"resource_type": "NestedExpression", "expressions": [condition("AntreaEgress")]})
EXTERNAL = group("external-db", {"resource_type": "IPAddressExpression", "ip_addresses": ["203.0.113.10"]})
VMS = group("jump-host", condition("VirtualMachine"))
PODS = group("frontend", condition("Pod"), group_type=["ANTREA"])


def stack(*resources: Resource) -> Stack:
    return Stack([QUARANTINE, NODES, EGRESS, EXTERNAL, VMS, PODS, *resources])


def names(findings: list[Any]) -> list[str]:
    return [f.urn.rsplit("::", 1)[-1] if f.urn else "" for f in findings]


def test_the_baseline_stack_passes_every_guardrail() -> None:
    for guardrail in ALL:
        assert guardrail.check(stack()) == [], guardrail.NAME


def test_allow_any_to_any_is_refused_outside_the_default_section() -> None:
    opened = section("shop-orders", "Application", 1110, [rule("open-door", "ALLOW", ["ANY"], ["ANY"])], owner=SHOP)
    [finding] = no_allow_any_to_any.check(stack(opened))
    assert "open-door" in finding.message
    assert names([finding]) == ["shop-orders"]
    default = section("default-layer3-section", "Default", 9999, [rule("catch-all", "ALLOW", ["ANY"], ["ANY"])])
    disabled = section("s", "Application", 1, [rule("off", "ALLOW", ["ANY"], ["ANY"], disabled=True)])
    dropping = section("d", "Application", 1, [rule("deny", "DROP", ["ANY"], ["ANY"])])
    negated = section("n", "Application", 1, [rule("not-any", "ALLOW", ["ANY"], ["ANY"], sources_excluded=True)])
    assert no_allow_any_to_any.check(stack(default, disabled, dropping, negated)) == []


def test_app_sections_outside_application_are_refused_by_owner_not_by_name() -> None:
    backdoor = section("innocent-name", "Emergency", 50, [], owner=SHOP)
    [finding] = app_sections.check(stack(backdoor))
    assert "app 'shop'" in finding.message
    assert "Emergency" in finding.message
    admins_section = section("shop-lookalike", "Environment", 20, [])
    app_section = section("shop-orders", "Application", 1110, [], owner=SHOP)
    assert app_sections.check(stack(admins_section, app_section)) == []


def as_policy_set(*resources: Resource) -> Resource:
    """The resources as the members of one policy set, the way the program declares them."""
    props: dict[str, Any] = {"domain": "default", "groups": {}, "policies": {}, "spans": {}, "owners": {}}
    for r in resources:
        key = "policies" if r.type == "zerotrust:nsx:SecurityPolicy" else "groups"
        props[key][r.name] = {k: v for k, v in r.props.items() if k not in ("nsx_id", "domain")}
        props["owners"][f"{key}/{r.name}"] = r.owner
    return Resource("zerotrust:nsx:PolicySet", SET_URN, "dev", props)


def test_a_policy_set_is_checked_member_by_member_with_its_owners() -> None:
    backdoor = section("innocent-name", "Emergency", 50, [], owner=SHOP)
    rule_base = Stack.of([as_policy_set(*stack(backdoor).resources)])
    sections = {r.name: r for r in rule_base.of_type("zerotrust:nsx:SecurityPolicy")}
    assert set(sections) == {"quarantine", "innocent-name"}
    assert (sections["innocent-name"].owner, rule_base.owning_app(sections["innocent-name"])) == (SHOP, "shop")
    assert rule_base.owning_app(sections["quarantine"]) is None
    [finding] = app_sections.check(rule_base)
    assert finding.urn == SET_URN
    assert "'innocent-name' belongs to app 'shop'" in finding.message
    assert quarantine_first.check(rule_base) == []


def test_a_missing_quarantine_is_reported_on_the_rule_base() -> None:
    without = Stack.of([as_policy_set(*(r for r in stack().resources if r is not QUARANTINE))])
    [finding] = quarantine_first.check(without)
    assert finding.urn == SET_URN
    half = section("quarantine", "Emergency", 10, [rule("isolate-in", "DROP", ["ANY"], [P + "quarantined"])])
    assert quarantine_first.check(Stack([*without.resources, half]))  # inbound only is not a quarantine


@pytest.mark.parametrize(("sequence", "blocked"), [(5, True), (10, True), (11, False)])
def test_the_quarantine_must_be_the_first_emergency_section(sequence: int, blocked: bool) -> None:
    other = section("break-glass", "Emergency", sequence, [rule("ssh", "ALLOW", [P + "jump-host"], [P + "x"])])
    findings = quarantine_first.check(stack(other))
    assert names(findings) == (["break-glass"] if blocked else [])


def test_cluster_egress_must_go_through_an_egress_ip_group() -> None:
    through_nodes = section(
        "cluster-egress", "Environment", 20, [rule("r", "ALLOW", [P + "cluster-nodes"], [P + "external-db"])]
    )
    [finding] = egress_through_egress_ip.check(stack(through_nodes))
    assert "cluster-nodes" in finding.message
    assert "external-db" in finding.message
    pods_to_any = section("p", "Application", 1, [rule("r", "ALLOW", [P + "frontend"], ["ANY"])])
    assert names(egress_through_egress_ip.check(stack(pods_to_any))) == ["p"]
    ok = [
        rule("egress-ip", "ALLOW", [P + "payments-egress"], [P + "external-db"]),
        rule("vms", "ALLOW", [P + "jump-host"], [P + "external-db"]),
        rule("drop", "DROP", [P + "cluster-nodes"], [P + "external-db"]),
        rule("internal", "ALLOW", [P + "frontend"], [P + "jump-host"]),
    ]
    assert egress_through_egress_ip.check(stack(section("fine", "Environment", 20, ok))) == []


def test_drop_rules_must_log() -> None:
    silent = section("s", "Application", 1, [rule("quiet", "REJECT", ["ANY"], [P + "x"], logged=False)])
    [finding] = drop_rules_logged.check(stack(silent))
    assert "quiet" in finding.message
    allow_silent = section("a", "Application", 1, [rule("allow", "ALLOW", [P + "x"], [P + "y"], logged=False)])
    assert drop_rules_logged.check(stack(allow_silent)) == []


def test_hygiene_rules_without_notes_and_empty_groups() -> None:
    bare = section("bare", "Application", 1, [rule("why", "ALLOW", [P + "x"], [P + "y"], notes=" ")])
    assert names(rules_have_notes.check(Stack([bare]))) == ["bare"]
    noted = section("noted", "Application", 1, [rule("why", "ALLOW", [P + "x"], [P + "y"], notes="ticket 42")])
    assert rules_have_notes.check(Stack([noted])) == []
    empty = group("empty")
    no_ips = group("no-ips", {"resource_type": "IPAddressExpression", "ip_addresses": []})
    assert names(groups_have_members.check(Stack([empty, no_ips, VMS]))) == ["empty", "no-ips"]


def test_environment_configs_name_every_policy_and_prod_is_stricter() -> None:
    order = {"disabled": 0, "advisory": 1, "mandatory": 2}
    configs = {env: json.loads((REPO / "policypack" / "config" / f"{env}.json").read_text()) for env in ("dev", "prod")}
    for config in configs.values():
        assert set(config) == {g.NAME for g in ALL}
    assert all(order[configs["prod"][n]] >= order[configs["dev"][n]] for n in configs["dev"])
    assert any(order[configs["prod"][n]] > order[configs["dev"][n]] for n in configs["dev"])
    assert all(
        configs[env][g.NAME] == "mandatory" for g in MANDATORY if g.NAME != "drop-rules-logged" for env in configs
    )
    assert configs["prod"]["drop-rules-logged"] == "mandatory"
    assert {configs["dev"][g.NAME] for g in ADVISORY} == {"advisory"}
