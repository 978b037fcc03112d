"""Rule analysis (issue 7 deliverable 4): one hand case per kind, near misses, and a brute-force property.

The property is the "no false positives" promise: on generated configurations, a rule reported
as shadowed, redundant, duplicate or irrelevant is never the deciding rule of any flow (every
endpoint pair, boundary ports, TCP/UDP), and deleting it changes no verdict; a contradiction's
anchors are earlier rules of the opposite action that provably decide some of its packets.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.evaluator.generator import PORTS, generate
from tests.evaluator.scenario import CCP1, G, P, default_section, group, policy, rule, tag, tcp
from tests.evaluator.test_differential import _endpoint
from zerotrust.evaluator.analysis import Finding, analyse, findings_report
from zerotrust.evaluator.config import load_config
from zerotrust.evaluator.evaluate import Evaluator
from zerotrust.evaluator.flows import Flow


def r(pid: str, rid: str) -> str:
    return f"{P}/{pid}/rules/{rid}"


def udp(*ports: str) -> list[dict[str, Any]]:
    return [
        {"resource_type": "L4PortSetServiceEntry", "id": "e", "l4_protocol": "UDP", "destination_ports": list(ports)}
    ]


def config(*policies: dict[str, Any], extra_groups: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    """Four VMs: web-1, web-2 (tier web), db-1 (tier db), other; groups web, db, nobody, all-tier."""
    vms = [
        {"display_name": "web-1", "ip_addresses": ["192.0.2.1"], "tags": [{"scope": "tier", "tag": "web"}]},
        {"display_name": "web-2", "ip_addresses": ["192.0.2.2"], "tags": [{"scope": "tier", "tag": "web"}]},
        {"display_name": "db-1", "ip_addresses": ["192.0.2.3"], "tags": [{"scope": "tier", "tag": "db"}]},
        {"display_name": "other", "ip_addresses": ["192.0.2.4"], "tags": []},
    ]
    groups = [
        group("web", tag("VirtualMachine", "tier|web")),
        group("db", tag("VirtualMachine", "tier|db")),
        group("nobody", tag("VirtualMachine", "tier|none")),
        group("web-ips", {"resource_type": "IPAddressExpression", "ip_addresses": ["192.0.2.1-192.0.2.2"]}),
        *extra_groups,
    ]
    return {"virtual_machines": vms, "clusters": [], "objects": [*groups, *policies, default_section()]}


def found(data: dict[str, Any]) -> dict[str, Finding]:
    return {f.rule: f for f in analyse(load_config(data))}


def app(*rules: dict[str, Any], pid: str = "app", category: str = "Application", seq: int = 10) -> dict[str, Any]:
    return policy(pid, category, seq, list(rules))


# one positive case per kind ------------------------------------------------------------------------


def test_duplicate() -> None:
    data = config(app(rule("a", 1, "ALLOW", ["web"], ["db"], services=[], service_entries=tcp("80")),
                      rule("b", 2, "ALLOW", ["web"], ["db"], service_entries=tcp("80"))))  # fmt: skip
    finding = found(data)[r("app", "b")]
    assert (finding.kind, finding.anchors) == ("duplicate", (r("app", "a"),))
    assert r("app", "a") not in found(data)


def test_duplicate_by_members_not_by_spelling() -> None:
    """Group ``web`` (by tag) and ``web-ips`` (by address) hold the same VMs: identical match sets."""
    data = config(app(rule("a", 1, "DROP", ["web"], ["db"], service_entries=tcp("22")),
                      rule("b", 2, "DROP", ["web-ips"], ["db"], service_entries=tcp("22"))))  # fmt: skip
    assert found(data)[r("app", "b")].kind in {"duplicate", "redundant"}


def test_shadowed_by_one_rule() -> None:
    data = config(app(rule("deny", 1, "DROP", ["web"], ["db"]),
                      rule("allow", 2, "ALLOW", ["web"], ["db"], service_entries=tcp("80"))))  # fmt: skip
    finding = found(data)[r("app", "allow")]
    assert (finding.kind, finding.anchors) == ("shadowed", (r("app", "deny"),))


def test_shadowed_by_a_combination_includes_the_largest_different_action() -> None:
    data = config(app(rule("d1", 1, "DROP", ["web"], ["db"], service_entries=tcp("80-81")),
                      rule("a1", 2, "ALLOW", ["web"], ["db"], service_entries=tcp("82-90")),
                      rule("x", 3, "ALLOW", ["web"], ["db"], service_entries=tcp("80-85"))))  # fmt: skip
    finding = found(data)[r("app", "x")]
    assert finding.kind == "shadowed"
    assert set(finding.anchors) == {r("app", "d1"), r("app", "a1")}


def test_shadowed_across_categories() -> None:
    data = config(
        app(rule("q", 1, "DROP", ["ANY"], ["db"]), pid="quarantine", category="Emergency", seq=1),
        app(rule("allow", 1, "ALLOW", ["web"], ["db"], service_entries=tcp("5432"))),
    )
    finding = found(data)[r("app", "allow")]
    assert (finding.kind, finding.anchors) == ("shadowed", (r("quarantine", "q"),))


def test_redundant_earlier_same_action() -> None:
    data = config(app(rule("wide", 1, "ALLOW", ["ANY"], ["db"], service_entries=tcp("80")),
                      rule("narrow", 2, "ALLOW", ["web"], ["db"], service_entries=tcp("80"))))  # fmt: skip
    finding = found(data)[r("app", "narrow")]
    assert (finding.kind, finding.anchors) == ("redundant", (r("app", "wide"),))


def test_redundant_downward() -> None:
    """A narrow allow followed by a wider allow with nothing different in between."""
    data = config(app(rule("narrow", 1, "ALLOW", ["web"], ["db"], service_entries=tcp("80")),
                      rule("wide", 2, "ALLOW", ["ANY"], ["db"], service_entries=tcp("80-90"))))  # fmt: skip
    finding = found(data)[r("app", "narrow")]
    assert (finding.kind, finding.anchors) == ("redundant", (r("app", "wide"),))
    assert r("app", "wide") not in found(data)


def test_contradiction_partial_overlap_opposite_action() -> None:
    data = config(app(rule("allow-web", 1, "ALLOW", ["web"], ["db"]),
                      rule("no-ssh", 2, "DROP", ["ANY"], ["db"], service_entries=tcp("22"))))  # fmt: skip
    finding = found(data)[r("app", "no-ssh")]
    assert (finding.kind, finding.anchors) == ("contradiction", (r("app", "allow-web"),))


@pytest.mark.parametrize(
    ("why", "bad"),
    [
        ("no members", rule("x", 1, "ALLOW", ["nobody"], ["db"])),
        ("disabled", rule("x", 1, "ALLOW", ["web"], ["db"], disabled=True)),
        ("empty applied-to", rule("x", 1, "ALLOW", ["web"], ["db"], scope=[f"{G}/nobody"])),
        ("negated ANY", rule("x", 1, "ALLOW", ["ANY"], ["db"], sources_excluded=True)),
    ],
)
def test_irrelevant(why: str, bad: dict[str, Any]) -> None:
    finding = found(config(app(bad)))[r("app", "x")]
    assert (finding.kind, finding.anchors) == ("irrelevant", ()), why


# near misses: must NOT be reported ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("why", "first"),
    [
        ("partial overlap, not covering", rule("e", 1, "DROP", ["web"], ["db"], service_entries=tcp("80"))),
        ("different service protocol", rule("e", 1, "DROP", ["web"], ["db"], service_entries=udp("80-81"))),
        ("disabled anchor", rule("e", 1, "DROP", ["web"], ["db"], disabled=True)),
        ("other applied-to", rule("e", 1, "DROP", ["web"], ["db"], scope=[f"{G}/db"])),
        ("one direction only", rule("e", 1, "DROP", ["web"], ["db"], direction="IN")),
        ("L7 profile: undecidable", rule("e", 1, "DROP", ["web"], ["db"], profiles=["/infra/context-profiles/x"])),
        ("other destination", rule("e", 1, "DROP", ["web"], ["web"])),
    ],
)
def test_near_misses_not_reported(why: str, first: dict[str, Any]) -> None:
    """The later rule still decides some packets: never shadowed, redundant or duplicate.

    (A broader opposite rule on one side only, e.g. Applied-To db or direction IN, is a genuine
    partial override and may be reported as a contradiction.)
    """
    later = rule("x", 2, "ALLOW", ["web"], ["db"], service_entries=tcp("80-81"))
    finding = found(config(app(first, later))).get(r("app", "x"))
    assert finding is None or finding.kind == "contradiction", why
    if why in {"partial overlap, not covering", "disabled anchor", "L7 profile: undecidable", "other destination"}:
        assert finding is None, why


def test_generalization_is_not_a_contradiction() -> None:
    """Specific allows ahead of a wider drop are exceptions by design (the default-rule pattern)."""
    data = config(app(rule("allow", 1, "ALLOW", ["web"], ["db"], service_entries=tcp("22")),
                      rule("drop", 2, "DROP", ["ANY"], ["db"])))  # fmt: skip
    finding = found(data).get(r("app", "drop"))
    assert finding is None or finding.kind != "contradiction"


def test_same_action_partial_overlap_is_not_a_contradiction() -> None:
    data = config(app(rule("a", 1, "ALLOW", ["web"], ["db"]),
                      rule("b", 2, "ALLOW", ["ANY"], ["db"], service_entries=tcp("22"))))  # fmt: skip
    assert r("app", "b") not in found(data)


def test_later_category_rule_is_not_an_anchor() -> None:
    data = config(
        app(
            rule("allow", 1, "ALLOW", ["web"], ["db"], service_entries=tcp("80")),
            pid="infra",
            category="Infrastructure",
        ),
        app(rule("drop", 1, "DROP", ["web"], ["db"]), category="Application"),
    )
    assert r("infra", "allow") not in found(data)


def test_environment_rule_behind_a_jump_is_uncertain() -> None:
    """A packet the jump matches skips the Environment drop, so the Application rule may decide."""
    env = app(rule("jump", 1, "JUMP_TO_APPLICATION", ["web"], ["db"], service_entries=tcp("80")),
              rule("drop", 2, "DROP", ["web"], ["db"]), pid="env", category="Environment")  # fmt: skip
    data = config(env, app(rule("allow", 1, "ALLOW", ["web"], ["db"], service_entries=tcp("80-81"))))
    assert r("app", "allow") not in found(data)


def test_environment_rule_ahead_of_the_jump_still_shadows() -> None:
    env = app(rule("drop", 1, "DROP", ["web"], ["db"]),
              rule("jump", 2, "JUMP_TO_APPLICATION", ["ANY"], ["ANY"]), pid="env", category="Environment")  # fmt: skip
    data = config(env, app(rule("allow", 1, "ALLOW", ["web"], ["db"], service_entries=tcp("80"))))
    finding = found(data)[r("app", "allow")]
    assert (finding.kind, finding.anchors) == ("shadowed", (r("env", "drop"),))


def test_equal_sequence_numbers_are_not_ordered() -> None:
    data = config(app(rule("a", 1, "DROP", ["web"], ["db"]),
                      rule("b", 1, "ALLOW", ["web"], ["db"]),
                      rule("x", 2, "ALLOW", ["web"], ["db"], service_entries=tcp("80"))))  # fmt: skip
    assert r("app", "x") not in found(data)


def test_unmodelled_groups_are_skipped() -> None:
    segment = group("seg", {"resource_type": "PathExpression", "paths": ["/infra/segments/s1"]})
    data = config(
        app(rule("e", 1, "DROP", ["seg"], ["db"]), rule("x", 2, "ALLOW", ["seg"], ["db"])),
        extra_groups=(segment,),
    )
    assert not {r("app", "e"), r("app", "x")} & set(found(data))


def test_antrea_spanned_rules_are_analysed_at_pods() -> None:
    pods = [
        {"name": f"p{i}", "namespace": "a", "labels": {"app": "x"}, "ip_addresses": [f"10.0.0.{i}"], "node": "n1"}
        for i in (1, 2)
    ]
    data = config(
        app(rule("deny", 1, "DROP", ["ANY"], ["ant-x"]), rule("allow", 2, "ALLOW", ["ANY"], ["ant-x"])),
        extra_groups=(group("ant-x", tag("Pod", "app|x"), group_type=["ANTREA"]),),
    )
    data["clusters"] = [{"name": "c1", "nodes": [{"name": "n1", "ip_addresses": ["192.0.2.101"]}],
                         "namespaces": [{"name": "a"}], "pods": pods}]  # fmt: skip
    data["objects"] = [
        o if o["path"] != f"{P}/app" else {**o, "body": {**o["body"], "scope": [CCP1]}} for o in data["objects"]
    ]
    data["objects"].append(
        {
            "path": "/infra/sites/default/enforcement-points/default/cluster-control-planes/c1",
            "body": {"resource_type": "ClusterControlPlane"},
        }
    )
    finding = found(data).get(r("app", "allow"))
    assert finding is None or finding.kind == "shadowed"


def test_report_lines() -> None:
    data = config(app(rule("deny", 1, "DROP", ["web"], ["db"]), rule("allow", 2, "ALLOW", ["web"], ["db"])))
    lines = findings_report(analyse(Evaluator(load_config(data))))
    assert lines == [
        f"rule analysis: shadowed: {r('app', 'allow')} (anchors: {r('app', 'deny')}): every packet it matches "
        "is decided earlier; some by DROP instead of ALLOW"
    ]


# property: no false positives on generated configurations --------------------------------------------

SEEDS = 120
FLOW_PORTS = [p for p in PORTS if p in {0, 79, 80, 81, 82}]
"""One port per class: generated rules only use ports 79-82 (``generator.PORTS`` minus equivalents)."""
NEVER_DECIDES = {"shadowed", "redundant", "duplicate", "irrelevant"}
WHO = [("vm", f"vm{i}") for i in range(1, 5)] + [("pod", f"p{i}") for i in range(1, 5)]
WHO += [("ip", "203.0.113.5"), ("ip", "198.51.100.9"), ("ip", "192.0.2.101")]


def _verdicts(data: dict[str, Any]) -> dict[tuple[Any, ...], tuple[str, set[str]]]:
    """Every endpoint pair x TCP/UDP x boundary port: (action, deciding rules of both sides)."""
    evaluator = Evaluator(load_config(data))
    out: dict[tuple[Any, ...], tuple[str, set[str]]] = {}
    for src in WHO:
        for dst in WHO:
            if src == dst:
                continue
            for protocol in ("TCP", "UDP"):
                for port in FLOW_PORTS:
                    flow = Flow(_endpoint(evaluator, src), _endpoint(evaluator, dst), protocol, port)
                    verdict = evaluator.evaluate(flow)
                    out[(src, dst, protocol, port)] = (verdict.action, {s.decided_by for s in verdict.sides})
    return out


def _without(data: dict[str, Any], path: str) -> dict[str, Any]:
    trial = copy.deepcopy(data)
    for obj in trial["objects"]:
        rules = obj["body"].get("rules")
        if rules:
            obj["body"]["rules"] = [x for x in rules if f"{obj['path']}/rules/{x['id']}" != path]
    return trial


@pytest.mark.parametrize("chunk", range(6))
def test_no_false_positives_on_generated_configs(chunk: int) -> None:
    per = SEEDS // 6
    kinds: dict[str, int] = {}
    for seed in range(chunk * per, (chunk + 1) * per):
        data, _ = generate(seed)
        findings = analyse(load_config(data))
        if not findings:
            continue
        verdicts = _verdicts(data)
        for number, finding in enumerate(findings):
            kinds[finding.kind] = kinds.get(finding.kind, 0) + 1
            downward = finding.message.startswith("every packet it decides")
            if finding.kind in NEVER_DECIDES and not downward:
                deciding = [k for k, (_, rules) in verdicts.items() if finding.rule in rules]
                assert not deciding, f"seed {seed}: {finding} but it decides {deciding[0]}"
            if finding.kind in NEVER_DECIDES and number < 2:
                after = _verdicts(_without(data, finding.rule))
                changed = [k for k in verdicts if verdicts[k][0] != after[k][0]]
                assert not changed, f"seed {seed}: {finding} but deleting it changes {changed[0]}"
            if finding.kind == "contradiction":
                actions = {x.path: x.action for x in Evaluator(load_config(data)).nsx.rules}
                allow = actions[finding.rule] == "ALLOW"
                assert finding.anchors
                assert all((actions[a] == "ALLOW") != allow for a in finding.anchors), finding
    assert kinds, "the generator should produce some findings"
