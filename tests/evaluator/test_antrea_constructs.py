"""Antrea-native constructs, each modelled or answered UNKNOWN (issue 17), derived by hand.

Facts: antrea.md §2.2 (peers, ports with sourcePort/sourceEndPort, protocols, toServices,
l7Protocols), §2.5 (ClusterGroup/Group: selectors, ipBlocks, serviceReference, childGroups
one level deep). The world is tests/evaluator/antrea_world.py; every flow is TCP/80 unless
the row says otherwise.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.evaluator.antrea_world import acnp, annp, group, ns, verdict, world
from zerotrust.evaluator.evaluate import check_intents
from zerotrust.evaluator.verdict import Verdict


def drop_in(*peers: dict[str, Any], name: str = "r0", **rule: Any) -> dict[str, Any]:
    return {"name": name, "action": "Drop", "from": list(peers), **rule}


def drop_out(*peers: dict[str, Any], name: str = "r0", **rule: Any) -> dict[str, Any]:
    return {"name": name, "action": "Drop", "to": list(peers), **rule}


SOURCE_PORTS = [
    acnp(
        "sport",
        5,
        appliedTo=[ns("x")],
        egress=[drop_out(ns("y"), ports=[{"protocol": "TCP", "port": 80, "sourcePort": 1000, "sourceEndPort": 2000}])],
    )
]
GROUPS = [
    group("ys", namespaceSelector={"matchLabels": {"team": "t2"}}),
    group("prod-a", podSelector={"matchLabels": {"app": "a"}}, namespaceSelector={"matchLabels": {"env": "prod"}}),
    group("docs", ipBlocks=[{"cidr": "203.0.113.0/24", "except": ["203.0.113.128/25"]}]),
    group("parent", childGroups=["ys", "docs"]),
    group("infra-nodes", nodeSelector={"matchLabels": {"role": "infra"}}),
    group("web-backends", serviceReference={"name": "web", "namespace": "y"}),
    group("grandparent", childGroups=["parent"]),
    acnp("by-group", 5, appliedTo=[{"group": "prod-a"}], ingress=[drop_in({"group": "parent"})]),
    acnp("to-nodes", 6, appliedTo=[ns("w")], egress=[drop_out({"group": "infra-nodes"})]),
    acnp("svc-ref", 7, appliedTo=[{"group": "web-backends"}], ingress=[drop_in(ns("w"))]),
]
TOO_DEEP = [*GROUPS, acnp("too-deep", 8, appliedTo=[ns("x")], egress=[drop_out({"group": "grandparent"})])]
NAMESPACED = [
    group("friends", "z", podSelector={"matchLabels": {"app": "b"}}),
    annp(
        "z",
        "local",
        5,
        appliedTo=[{"podSelector": {"matchLabels": {"app": "a"}}}],
        ingress=[drop_in({"group": "friends"})],
    ),
]
ACCOUNTS = [
    acnp(
        "sa-peer", 5, appliedTo=[ns("x")], ingress=[drop_in({"serviceAccount": {"name": "builder", "namespace": "y"}})]
    ),
    acnp(
        "sa-applied",
        6,
        appliedTo=[{"serviceAccount": {"name": "deployer", "namespace": "x"}}],
        egress=[drop_out(ns("z"))],
    ),
]
NODES = [acnp("nodes", 5, appliedTo=[ns("x")], egress=[drop_out({"nodeSelector": {"matchLabels": {"role": "infra"}}})])]
SELF = [
    acnp(
        "self",
        5,
        appliedTo=[ns("x")],
        ingress=[
            {"name": "same", "action": "Allow", "from": [{"namespaces": {"match": "Self"}}]},
            drop_in(name="rest"),
        ],
    )
]
SAME_LABELS = [
    acnp(
        "same-env",
        5,
        appliedTo=[{"namespaceSelector": {"matchExpressions": [{"key": "env", "operator": "Exists"}]}}],
        ingress=[
            {"name": "same", "action": "Allow", "from": [{"namespaces": {"sameLabels": ["env"]}}]},
            drop_in(name="rest"),
        ],
    )
]
ICMP = [
    acnp(
        "echo", 5, appliedTo=[ns("x")], egress=[drop_out(ns("y"), protocols=[{"icmp": {"icmpType": 8, "icmpCode": 0}}])]
    ),
    acnp("all-icmp", 6, appliedTo=[ns("x")], egress=[drop_out(ns("z"), protocols=[{"icmp": {}}])]),
    acnp("igmp", 7, appliedTo=[ns("x")], egress=[drop_out(ns("w"), protocols=[{"igmp": {"igmpType": 0x11}}])]),
]
NAMED_PORT = [acnp("named", 5, appliedTo=[ns("z")], ingress=[drop_in(ports=[{"protocol": "TCP", "port": "http"}])])]
TO_SERVICES = [
    acnp(
        "svc",
        5,
        appliedTo=[ns("x")],
        egress=[{"name": "r0", "action": "Drop", "toServices": [{"name": "web", "namespace": "y"}]}],
    )
]

ROWS: list[tuple[str, list[dict[str, Any]], str, str, dict[str, Any], str, str]] = [
    (
        "sourcePort: ephemeral 49152 is outside 1000-2000",
        SOURCE_PORTS,
        "pod:c1/x/a",
        "pod:c1/y/a",
        {},
        "ALLOW",
        "antrea-default-allow",
    ),
    (
        "sourcePort: 1500 is inside",
        SOURCE_PORTS,
        "pod:c1/x/a",
        "pod:c1/y/a",
        {"src_port": 1500},
        "DROP",
        "acnp/sport/r0",
    ),
    (
        "sourcePort: 2000 is inside (end inclusive)",
        SOURCE_PORTS,
        "pod:c1/x/a",
        "pod:c1/y/a",
        {"src_port": 2000},
        "DROP",
        "acnp/sport/r0",
    ),
    (
        "sourcePort: 2001 is outside",
        SOURCE_PORTS,
        "pod:c1/x/a",
        "pod:c1/y/a",
        {"src_port": 2001},
        "ALLOW",
        "antrea-default-allow",
    ),
    (
        "ClusterGroup appliedTo + nested peer (child ys)",
        GROUPS,
        "pod:c1/y/a",
        "pod:c1/z/a",
        {},
        "DROP",
        "acnp/by-group/r0",
    ),
    (
        "ClusterGroup appliedTo selects only prod pods app=a",
        GROUPS,
        "pod:c1/y/a",
        "pod:c1/z/b",
        {},
        "ALLOW",
        "antrea-default-allow",
    ),
    ("nested peer: x is in neither child", GROUPS, "pod:c1/x/a", "pod:c1/z/a", {}, "ALLOW", "antrea-default-allow"),
    ("nested peer: ipBlocks child", GROUPS, "ip:203.0.113.5", "pod:c1/z/a", {}, "DROP", "acnp/by-group/r0"),
    ("nested peer: ipBlocks except", GROUPS, "ip:203.0.113.200", "pod:c1/z/a", {}, "ALLOW", "antrea-default-allow"),
    (
        "ClusterGroup nodeSelector peer: infra node IP",
        GROUPS,
        "pod:c1/w/a",
        "ip:192.0.2.12",
        {},
        "DROP",
        "acnp/to-nodes/r0",
    ),
    (
        "ClusterGroup nodeSelector peer: worker node IP",
        GROUPS,
        "pod:c1/w/a",
        "ip:192.0.2.11",
        {},
        "ALLOW",
        "antrea-default-allow",
    ),
    ("serviceReference group: backend of y/web", GROUPS, "pod:c1/w/a", "pod:c1/y/a", {}, "DROP", "acnp/svc-ref/r0"),
    ("serviceReference group: not a backend", GROUPS, "pod:c1/w/a", "pod:c1/x/b", {}, "ALLOW", "antrea-default-allow"),
    (
        "namespaced Group: bare podSelector is its own namespace",
        NAMESPACED,
        "pod:c1/z/b",
        "pod:c1/z/a",
        {},
        "DROP",
        "annp/z/local/r0",
    ),
    (
        "namespaced Group: app=b of another namespace",
        NAMESPACED,
        "pod:c1/x/b",
        "pod:c1/z/a",
        {},
        "ALLOW",
        "antrea-default-allow",
    ),
    ("serviceAccount peer", ACCOUNTS, "pod:c1/y/a", "pod:c1/x/b", {}, "DROP", "acnp/sa-peer/r0"),
    ("serviceAccount peer: other account", ACCOUNTS, "pod:c1/z/a", "pod:c1/x/b", {}, "ALLOW", "antrea-default-allow"),
    ("serviceAccount appliedTo", ACCOUNTS, "pod:c1/x/a", "pod:c1/z/b", {}, "DROP", "acnp/sa-applied/r0"),
    (
        "serviceAccount appliedTo: default account",
        ACCOUNTS,
        "pod:c1/x/b",
        "pod:c1/z/b",
        {},
        "ALLOW",
        "antrea-default-allow",
    ),
    ("nodeSelector peer", NODES, "pod:c1/x/a", "ip:192.0.2.12", {}, "DROP", "acnp/nodes/r0"),
    ("nodeSelector peer: other node", NODES, "pod:c1/x/a", "ip:192.0.2.11", {}, "ALLOW", "antrea-default-allow"),
    ("namespaces Self", SELF, "pod:c1/x/b", "pod:c1/x/a", {}, "ALLOW", "acnp/self/same"),
    ("namespaces Self: other namespace", SELF, "pod:c1/y/a", "pod:c1/x/a", {}, "DROP", "acnp/self/rest"),
    ("sameLabels: both env=dev", SAME_LABELS, "pod:c1/x/a", "pod:c1/y/a", {}, "ALLOW", "acnp/same-env/same"),
    ("sameLabels: prod vs dev", SAME_LABELS, "pod:c1/z/a", "pod:c1/y/a", {}, "DROP", "acnp/same-env/rest"),
    (
        "sameLabels: peer namespace without the key",
        SAME_LABELS,
        "pod:c1/w/a",
        "pod:c1/y/a",
        {},
        "DROP",
        "acnp/same-env/rest",
    ),
    (
        "ICMP type 8 code 0",
        ICMP,
        "pod:c1/x/a",
        "pod:c1/y/a",
        {"protocol": "ICMPv4", "port": None, "icmp": (8, 0)},
        "DROP",
        "acnp/echo/r0",
    ),
    (
        "ICMP type 0 is another type",
        ICMP,
        "pod:c1/x/a",
        "pod:c1/y/a",
        {"protocol": "ICMPv4", "port": None, "icmp": (0, 0)},
        "ALLOW",
        "antrea-default-allow",
    ),
    ("ICMP rule does not match TCP", ICMP, "pod:c1/x/a", "pod:c1/y/a", {}, "ALLOW", "antrea-default-allow"),
    (
        "ICMP without type: every ICMP",
        ICMP,
        "pod:c1/x/a",
        "pod:c1/z/a",
        {"protocol": "ICMPv4", "port": None, "icmp": (3, 1)},
        "DROP",
        "acnp/all-icmp/r0",
    ),
    ("IGMP matches no TCP flow", ICMP, "pod:c1/x/a", "pod:c1/w/a", {}, "ALLOW", "antrea-default-allow"),
    (
        "IGMP matches no ICMP flow",
        ICMP,
        "pod:c1/x/a",
        "pod:c1/w/a",
        {"protocol": "ICMPv4", "port": None},
        "ALLOW",
        "antrea-default-allow",
    ),
    (
        "named port resolves on the destination pod",
        NAMED_PORT,
        "pod:c1/x/a",
        "pod:c1/z/a",
        {"port": 8080},
        "DROP",
        "acnp/named/r0",
    ),
    (
        "named port: another number",
        NAMED_PORT,
        "pod:c1/x/a",
        "pod:c1/z/a",
        {"port": 80},
        "ALLOW",
        "antrea-default-allow",
    ),
    (
        "named port: a pod without it",
        NAMED_PORT,
        "pod:c1/x/a",
        "pod:c1/z/b",
        {"port": 8080},
        "ALLOW",
        "antrea-default-allow",
    ),
    ("toServices: ClusterIP and port", TO_SERVICES, "pod:c1/x/a", "ip:10.96.0.5", {}, "DROP", "acnp/svc/r0"),
    (
        "toServices: not a Service port",
        TO_SERVICES,
        "pod:c1/x/a",
        "ip:10.96.0.5",
        {"port": 81},
        "ALLOW",
        "antrea-default-allow",
    ),
    ("toServices: another address", TO_SERVICES, "pod:c1/x/a", "ip:10.96.0.6", {}, "ALLOW", "antrea-default-allow"),
]


def row_verdict(manifests: list[dict[str, Any]], src: str, dst: str, flow: dict[str, Any]) -> Verdict:
    """The verdict of one ROWS entry (the mutation tests replay the same rows)."""
    return verdict(
        world(manifests),
        src,
        dst,
        flow.get("protocol", "TCP"),
        flow.get("port", 80),
        src_port=flow.get("src_port"),
        icmp=flow.get("icmp"),
    )


@pytest.mark.parametrize(
    ("name", "manifests", "src", "dst", "flow", "action", "decided_by"), ROWS, ids=[r[0] for r in ROWS]
)
def test_construct(  # noqa: PLR0917
    name: str, manifests: list[dict[str, Any]], src: str, dst: str, flow: dict[str, Any], action: str, decided_by: str
) -> None:
    found = row_verdict(manifests, src, dst, flow)
    assert found.action == action, f"{name}: {found}"
    if decided_by == "antrea-default-allow":
        assert set(found.deciding) <= {decided_by, "no-enforcement-point"}, name
    elif action == "ALLOW":
        assert decided_by in found.deciding, name
    else:
        assert found.deciding == (decided_by,), name


def test_child_with_children_is_unknown_not_empty() -> None:
    found = verdict(world(TOO_DEEP), "pod:c1/x/a", "pod:c1/y/a")
    assert found.action == "UNKNOWN"
    assert any("ChildGroupsNestingExceeded" in u for u in found.unknowns)


# Fields the evaluator cannot decide offline: the verdict is UNKNOWN, naming the rule and the reason.
UNDECIDABLE: list[tuple[str, dict[str, Any], str]] = [
    ("fqdn", acnp("f", 5, appliedTo=[ns("x")], egress=[drop_out({"fqdn": "*.example.com"})]), "FQDN"),
    (
        "l7",
        acnp(
            "f",
            5,
            appliedTo=[ns("x")],
            egress=[{"name": "r0", "action": "Allow", "l7Protocols": [{"http": {"path": "/api"}}]}],
        ),
        "L7",
    ),
    (
        "unknown rule field",
        acnp("f", 5, appliedTo=[ns("x")], egress=[drop_out(ns("y"), futureField=True)]),
        "futureField",
    ),
    ("unknown spec field", acnp("f", 5, appliedTo=[ns("x")], futureSpec=1, egress=[drop_out(ns("y"))]), "futureSpec"),
    (
        "ClusterSet scope",
        acnp("f", 5, appliedTo=[ns("x")], egress=[drop_out({"podSelector": {}, "scope": "ClusterSet"})]),
        "ClusterSet",
    ),
    (
        "externalEntitySelector peer",
        acnp("f", 5, appliedTo=[ns("x")], egress=[drop_out({"externalEntitySelector": {}})]),
        "ExternalEntities",
    ),
    ("missing ClusterGroup", acnp("f", 5, appliedTo=[ns("x")], egress=[drop_out({"group": "nowhere"})]), "nowhere"),
]


@pytest.mark.parametrize(("name", "manifest", "reason"), UNDECIDABLE, ids=[u[0] for u in UNDECIDABLE])
def test_undecidable_is_unknown_with_rule_and_reason(name: str, manifest: dict[str, Any], reason: str) -> None:
    evaluator = world([manifest])
    found = verdict(evaluator, "pod:c1/x/a", "pod:c1/y/a")
    assert found.action == "UNKNOWN", name
    assert found.deciding[0].startswith("acnp/f/")
    assert any(reason in u for u in found.unknowns), found.unknowns
    if name != "missing ClusterGroup":
        assert any(reason in p or "not modelled" in p for p in evaluator.problems)


def test_unknown_rule_is_not_reached_when_an_earlier_rule_decides() -> None:
    manifests = [
        acnp("first", 1, appliedTo=[ns("x")], egress=[drop_out(ns("y"))]),
        acnp("f", 5, appliedTo=[ns("x")], egress=[drop_out({"fqdn": "db.example.com"})]),
    ]
    assert verdict(world(manifests), "pod:c1/x/a", "pod:c1/y/a").action == "DROP"


def test_unknown_at_egress_defers_to_a_drop_at_ingress() -> None:
    manifests = [
        acnp("f", 5, appliedTo=[ns("x")], egress=[drop_out({"fqdn": "db.example.com"})]),
        acnp("in", 5, appliedTo=[ns("y")], ingress=[drop_in(ns("x"))]),
    ]
    found = verdict(world(manifests), "pod:c1/x/a", "pod:c1/y/a")
    assert (found.action, found.deciding) == ("DROP", ("acnp/in/r0",))


def test_intent_reaching_an_unknown_rule_is_not_checked_and_not_broken() -> None:
    evaluator = world([acnp("f", 5, appliedTo=[ns("x")], egress=[drop_out({"fqdn": "*.example.com"})])])
    (result,) = check_intents(evaluator, ["pod:x/a -> pod:y/a tcp/80 deny"])
    assert not result.ok
    assert not result.broken
    assert result.undecided is not None
    assert "FQDN" in result.message()
    assert "acnp/f/r0" in result.message()


def test_intent_broken_elsewhere_is_broken_even_with_unknowns() -> None:
    manifests = [
        acnp("f", 5, appliedTo=[ns("x")], egress=[drop_out({"fqdn": "*.example.com"}, ports=[{"port": 81}])]),
    ]
    (result,) = check_intents(world(manifests), ["pod:x/a -> pod:y/a tcp/80-81 deny"])
    assert result.broken
    assert result.witness is not None
    assert result.witness.action == "ALLOW"
