"""Flows derived by hand from verification.md §4 over tests/evaluator/scenario.py.

Each row: (semantic item, source, destination, protocol, ports, expected action, expected
deciding rules). Every port listed is one flow; the expectation was worked out on paper
from the rules in the scenario, walking egress at the source then ingress at the destination.
"""

from __future__ import annotations

import pytest

from tests.evaluator.scenario import P, scenario
from zerotrust.evaluator.evaluate import Evaluator
from zerotrust.evaluator.flows import Flow


def r(policy: str, rule: str) -> str:
    return f"{P}/{policy}/rules/{rule}"


DEFAULT = r("default-layer3-section", "default-layer3-rule")
WEB_OUT, WEB_HTTP, WEB_EXT = r("app-web", "web-out"), r("app-web", "web-http"), r("app-web", "web-ext")
DB_PG, DB_C1, DB_EG = r("app-db", "db-pg"), r("app-db", "db-from-c1"), r("app-db", "db-from-egress")
JUMP_SSH = r("infra", "jump-ssh")
AQ_IN, AQ_OUT = r("ant-quarantine", "aq-in"), r("ant-quarantine", "aq-out")
ANT_FE = r("ant-app", "ant-fe-allow")
ADA = "antrea-default-allow"
NOEP = "no-enforcement-point"
LOW = [0, 1, 21, 23, 1023, 65535]
MANY = [1, 2, 1023, 1024, 5431, 5433, 8443, 30000, 65534, 65535]

ROWS: list[tuple[str, str, str, str, list[int], str, tuple[str, ...]]] = [
    # 4.1.6 JUMP_TO_APPLICATION continues in Application; 4.1.3 first match by port; policy scope (Applied-To db)
    ("4.1.6 jump then app allow", "vm:web-1", "vm:db-1", "TCP", [5432], "ALLOW", (WEB_OUT, DB_PG)),
    ("4.1.6 jump then app allow", "vm:web-2", "vm:db-1", "TCP", [5432], "ALLOW", (WEB_OUT, DB_PG)),
    ("4.1.7 configured default DROP", "vm:web-1", "vm:db-1", "TCP", [5431, 5433, 5434, *LOW], "DROP", (DEFAULT,)),
    ("4.1.7 configured default DROP", "vm:web-2", "vm:db-1", "TCP", [5431, 5433, 80, 443], "DROP", (DEFAULT,)),
    ("4.1.4 service any at egress; udp not in db-pg", "vm:web-1", "vm:db-1", "UDP", [5432, 53], "DROP", (DEFAULT,)),
    # 4.1.3 first match at egress (web-http before web-out) and ingress
    ("4.1.3 first match web-http", "vm:web-1", "vm:web-2", "TCP", [80, 443], "ALLOW", (WEB_HTTP, WEB_HTTP)),
    (
        "4.1.4 direction OUT only: no ingress",
        "vm:web-1",
        "vm:web-2",
        "TCP",
        [81, 442, 444, 8080, 22, *LOW],
        "DROP",
        (DEFAULT,),
    ),
    ("4.1.4 protocol: web-http is TCP", "vm:web-1", "vm:web-2", "UDP", [80, 443], "DROP", (DEFAULT,)),
    (
        "4.1.1 Environment DROP before Application",
        "vm:web-2",
        "vm:web-1",
        "TCP",
        [80, 443, 22, 5432, *MANY],
        "DROP",
        (r("env", "env-deny-dev"),),
    ),
    # 4.1.1 Infrastructure before Application, both sides
    ("4.1.1 infrastructure allow both sides", "vm:jump", "vm:db-1", "TCP", [22], "ALLOW", (JUMP_SSH, JUMP_SSH)),
    ("4.1.1 infrastructure allow to web", "vm:jump", "vm:web-1", "TCP", [22], "ALLOW", (JUMP_SSH, JUMP_SSH)),
    ("4.1.7 default at the source side", "vm:jump", "vm:db-1", "TCP", [21, 23, 5432, 1, 65535], "DROP", (DEFAULT,)),
    # Emergency first, both directions of a quarantine
    (
        "4.1.1 emergency quarantine out",
        "vm:quar-vm",
        "vm:db-1",
        "TCP",
        [5432, 22, 80, *MANY],
        "DROP",
        (r("quarantine", "q-out"),),
    ),
    (
        "4.1.1 emergency quarantine out any proto",
        "vm:quar-vm",
        "vm:web-1",
        "UDP",
        [53, 80],
        "DROP",
        (r("quarantine", "q-out"),),
    ),
    (
        "4.1.5 quarantine-in evaluated at the source (OUT part)",
        "vm:db-1",
        "vm:quar-vm",
        "TCP",
        [80, 443, 22],
        "DROP",
        (r("quarantine", "q-in"),),
    ),
    (
        "4.1.5 quarantine-in at the source",
        "vm:web-1",
        "vm:quar-vm",
        "TCP",
        [80, 443, 5432],
        "DROP",
        (r("quarantine", "q-in"),),
    ),
    (
        "4.1.5 quarantine-in at the destination",
        "ip:198.51.100.200",
        "vm:quar-vm",
        "TCP",
        [80, 443, 22],
        "DROP",
        (r("quarantine", "q-in"),),
    ),
    # ANY sources and destination group
    ("4.1.4 ANY source", "vm:legacy", "vm:web-1", "TCP", [80, 443], "ALLOW", (WEB_HTTP, WEB_HTTP)),
    ("4.1.4 ANY source", "vm:legacy", "vm:web-2", "TCP", [80, 443], "ALLOW", (WEB_HTTP, WEB_HTTP)),
    (
        "4.1.7 default at legacy egress",
        "vm:legacy",
        "vm:web-1",
        "TCP",
        [79, 81, 442, 444, 1, 65535],
        "DROP",
        (DEFAULT,),
    ),
    ("4.1.4 ICMP not in any port rule", "vm:legacy", "vm:web-1", "ICMPv4", [0], "DROP", (DEFAULT,)),
    # 4.1.2 equal sequence numbers are an error when both match
    ("4.1.2 policy tie, both match", "vm:legacy", "vm:jump", "TCP", [9000], "ERROR", ("error",)),
    (
        "4.1.2 policy tie, one matches",
        "vm:legacy",
        "vm:jump",
        "TCP",
        [9001],
        "ALLOW",
        (r("tie-b", "t3"), r("tie-b", "t3")),
    ),
    ("4.1.2 policy tie, none matches", "vm:legacy", "vm:jump", "TCP", [8999, 9002], "DROP", (DEFAULT,)),
    # external endpoints have no enforcement point
    ("4 external source allows its side", "ip:198.51.100.200", "vm:web-1", "TCP", [80, 443], "ALLOW", (NOEP, WEB_HTTP)),
    (
        "4.1.4 OUT-only rule ignored inbound",
        "ip:198.51.100.200",
        "vm:web-1",
        "TCP",
        [8443, 22, 1, 65535],
        "DROP",
        (DEFAULT,),
    ),
    (
        "4 external destination allows its side",
        "vm:web-1",
        "ip:203.0.113.10",
        "TCP",
        [3306, 80, 1, 65535],
        "ALLOW",
        (WEB_OUT, NOEP),
    ),
    ("4.1.4 IP group boundary inside", "vm:db-1", "ip:203.0.113.0", "TCP", [3306], "ALLOW", (WEB_EXT, NOEP)),
    ("4.1.4 IP group boundary inside", "vm:db-1", "ip:203.0.113.15", "TCP", [3306], "ALLOW", (WEB_EXT, NOEP)),
    ("4.1.4 IP group boundary outside", "vm:db-1", "ip:203.0.113.16", "TCP", [3306, 3307], "DROP", (DEFAULT,)),
    ("4.1.4 IP group boundary outside", "vm:db-1", "ip:203.0.112.255", "TCP", [3306], "DROP", (DEFAULT,)),
    ("4.1.4 service port boundary", "vm:db-1", "ip:203.0.113.10", "TCP", [3305, 3307, 1, 65535], "DROP", (DEFAULT,)),
    # 4.1.3 disabled rules are skipped
    ("4.1.3 disabled rule skipped", "ip:198.51.100.200", "vm:db-1", "TCP", [6000, 6005, 6010], "DROP", (DEFAULT,)),
    # 4.2.5 pod -> VM: translated source (node IP) matched by a KubernetesNode group
    ("4.2.5 node SNAT matched at VM", "pod:c1/shop/fe-1", "vm:db-1", "TCP", [5432], "ALLOW", (ADA, DB_C1)),
    ("4.2.5 node SNAT matched at VM", "pod:c1/shop/fe-2", "vm:db-1", "TCP", [5432], "ALLOW", (ADA, DB_C1)),
    (
        "4.2.5 node SNAT, other ports default",
        "pod:c1/shop/fe-1",
        "vm:db-1",
        "TCP",
        [5431, 5433, 1, 65535],
        "DROP",
        (DEFAULT,),
    ),
    ("4.2.5 node SNAT, api pod", "pod:c1/shop/api-1", "vm:db-1", "TCP", [5432], "ALLOW", (ADA, DB_C1)),
    (
        "4.2.5 Egress IP matched by AntreaEgress group",
        "pod:c1/pay/pay-1",
        "vm:db-1",
        "TCP",
        [5433],
        "ALLOW",
        ("k8s:pay/egress-lock/egress[1]", DB_EG),
    ),
    (
        "4.4 K8s egress isolation",
        "pod:c1/pay/pay-1",
        "vm:db-1",
        "TCP",
        [5432, 5434, 22, 1, 65535],
        "DROP",
        ("k8s-isolation:egress:c1/pay/pay-1",),
    ),
    ("4.2.5 batch pod leaves via node IP", "pod:c1/pay/pay-b", "vm:db-1", "TCP", [5432], "ALLOW", (ADA, DB_C1)),
    ("4.2.5 batch pod: no Egress IP", "pod:c1/pay/pay-b", "vm:db-1", "TCP", [5433], "DROP", (DEFAULT,)),
    (
        "4.4 ipBlock cidr",
        "pod:c1/pay/pay-1",
        "ip:203.0.113.10",
        "TCP",
        [5432],
        "ALLOW",
        ("k8s:pay/egress-lock/egress[0]", NOEP),
    ),
    (
        "4.4 ipBlock edge",
        "pod:c1/pay/pay-1",
        "ip:203.0.113.0",
        "TCP",
        [5432],
        "ALLOW",
        ("k8s:pay/egress-lock/egress[0]", NOEP),
    ),
    (
        "4.4 ipBlock edge before except",
        "pod:c1/pay/pay-1",
        "ip:203.0.113.127",
        "TCP",
        [5432],
        "ALLOW",
        ("k8s:pay/egress-lock/egress[0]", NOEP),
    ),
    (
        "4.4 ipBlock except",
        "pod:c1/pay/pay-1",
        "ip:203.0.113.128",
        "TCP",
        [5432, 5433],
        "DROP",
        ("k8s-isolation:egress:c1/pay/pay-1",),
    ),
    (
        "4.4 ipBlock except",
        "pod:c1/pay/pay-1",
        "ip:203.0.113.255",
        "TCP",
        [5432],
        "DROP",
        ("k8s-isolation:egress:c1/pay/pay-1",),
    ),
    (
        "4.4 ipBlock outside",
        "pod:c1/pay/pay-1",
        "ip:203.0.114.0",
        "TCP",
        [5432],
        "DROP",
        ("k8s-isolation:egress:c1/pay/pay-1",),
    ),
    (
        "4.4 port outside",
        "pod:c1/pay/pay-1",
        "ip:203.0.113.10",
        "TCP",
        [5431, 5433, 1, 65535],
        "DROP",
        ("k8s-isolation:egress:c1/pay/pay-1",),
    ),
    (
        "4.4 protocol",
        "pod:c1/pay/pay-1",
        "ip:203.0.113.10",
        "UDP",
        [5432],
        "DROP",
        ("k8s-isolation:egress:c1/pay/pay-1",),
    ),
    # 4.2.1 NSX tiers inside the cluster, Applied-To = policy scope (cluster + ant-shop)
    (
        "4.2.1 NSX application tier allows",
        "pod:c1/shop/fe-1",
        "pod:c1/shop/api-1",
        "TCP",
        [8080],
        "ALLOW",
        (ADA, ANT_FE),
    ),
    (
        "4.2.1 NSX application tier allows",
        "pod:c1/shop/fe-2",
        "pod:c1/shop/api-1",
        "TCP",
        [8080],
        "ALLOW",
        (ADA, ANT_FE),
    ),
    ("4.2.1 NSX allow to fe pods too", "pod:c1/shop/fe-2", "pod:c1/shop/fe-1", "TCP", [8080], "ALLOW", (ADA, ANT_FE)),
    (
        "4.4 K8s NP endPort range",
        "pod:c1/shop/fe-1",
        "pod:c1/shop/api-1",
        "TCP",
        [8081, 8085, 8090],
        "ALLOW",
        (ADA, "k8s:shop/allow-fe/ingress[0]"),
    ),
    (
        "4.4 K8s NP isolation outside range",
        "pod:c1/shop/fe-1",
        "pod:c1/shop/api-1",
        "TCP",
        [8079, 8091, 80, 1, 65535],
        "DROP",
        ("k8s-isolation:ingress:c1/shop/api-1",),
    ),
    (
        "4.4 K8s NP protocol",
        "pod:c1/shop/fe-1",
        "pod:c1/shop/api-1",
        "UDP",
        [8080, 8085],
        "DROP",
        ("k8s-isolation:ingress:c1/shop/api-1",),
    ),
    (
        "4.3.3 Pass then K8s isolation",
        "pod:c1/pay/pay-b",
        "pod:c1/shop/api-1",
        "TCP",
        [8080, 8085, 80],
        "DROP",
        ("k8s-isolation:ingress:c1/shop/api-1",),
    ),
    ("4.3.3 Pass then K8s isolation", "pod:c1/pay/pay-1", "pod:c1/shop/api-1", "TCP", [], "DROP", ()),
    (
        "4.3.5 baseline drop",
        "pod:c1/pay/pay-b",
        "pod:c1/shop/fe-1",
        "TCP",
        [80, 443, 8081, 1, 65535],
        "DROP",
        ("acnp/base/no-pay",),
    ),
    ("4.3.5 baseline drop udp", "pod:c1/pay/pay-b", "pod:c1/shop/fe-2", "UDP", [53, 80], "DROP", ("acnp/base/no-pay",)),
    (
        "4.3.6 default allow",
        "pod:c1/shop/fe-2",
        "pod:c1/shop/fe-1",
        "TCP",
        [80, 443, 8081, 1, 65535],
        "ALLOW",
        (ADA, ADA),
    ),
    (
        "4.3.6 default allow",
        "pod:c1/shop/api-1",
        "pod:c1/shop/fe-1",
        "TCP",
        [80, 8080, 1, 65535],
        "ALLOW",
        (ADA, ANT_FE if False else ADA),
    ),
    # 4.2.1 NSX Emergency tier ahead of Antrea tiers; both directions
    (
        "4.2.1 NSX emergency ingress from quarantined pod",
        "pod:c1/forensics/for-1",
        "pod:c1/shop/api-1",
        "TCP",
        [8080, 8085, 80, *MANY],
        "DROP",
        (AQ_IN,),
    ),
    (
        "4.2.1 NSX emergency ingress from quarantined pod",
        "pod:c1/forensics/for-1",
        "pod:c1/shop/fe-1",
        "TCP",
        [80, 8080],
        "DROP",
        (AQ_IN,),
    ),
    (
        "4.2.1 NSX emergency egress to quarantined pod",
        "pod:c1/shop/fe-1",
        "pod:c1/forensics/for-1",
        "TCP",
        [80, 22, *MANY],
        "DROP",
        (AQ_OUT,),
    ),
    (
        "4.2.1 NSX emergency egress to quarantined pod",
        "pod:c1/pay/pay-b",
        "pod:c1/forensics/for-1",
        "UDP",
        [53],
        "DROP",
        (AQ_OUT,),
    ),
    # VM -> pod: DFW OUT at VM, Antrea ingress at pod
    ("4.5 VM->pod Antrea drop", "vm:jump", "pod:c1/pay/pay-1", "TCP", [22], "DROP", ("acnp/app-drop/no-ssh",)),
    ("4.5 VM->pod Antrea drop", "vm:jump", "pod:c1/pay/pay-b", "TCP", [22], "DROP", ("acnp/app-drop/no-ssh",)),
    ("4.5 VM->pod DFW default at VM", "vm:jump", "pod:c1/pay/pay-1", "TCP", [23, 80, 1, 65535], "DROP", (DEFAULT,)),
    ("4.5 VM->pod allowed", "vm:web-1", "pod:c1/pay/pay-1", "TCP", [8080, 22, 80, 1, 65535], "ALLOW", (WEB_OUT, ADA)),
    ("4.5 VM->pod allowed", "vm:web-2", "pod:c1/shop/fe-1", "TCP", [80, 443], "ALLOW", (WEB_OUT, ADA)),
    (
        "4.5 VM->pod K8s isolation",
        "vm:web-1",
        "pod:c1/shop/api-1",
        "TCP",
        [8080, 8085],
        "DROP",
        ("k8s-isolation:ingress:c1/shop/api-1",),
    ),
    ("4.5 external->pod", "ip:198.51.100.200", "pod:c1/shop/fe-1", "TCP", [80, 443, 1, 65535], "ALLOW", (NOEP, ADA)),
    # 4.2: a cluster not registered to NSX gets no NSX tiers; cross-cluster pods not protected
    (
        "4.2 unregistered cluster to VM: node SNAT not in c1-nodes",
        "pod:c2/default/other-1",
        "vm:db-1",
        "TCP",
        [5432, 5433],
        "DROP",
        (DEFAULT,),
    ),
    (
        "4.2.5 cross-cluster pods not protected",
        "pod:c1/forensics/for-1",
        "pod:c2/default/other-1",
        "TCP",
        [80, 443],
        "ALLOW",
        (ADA, ADA),
    ),
    (
        "4.2.5 cross-cluster into c1 by node IP",
        "pod:c2/default/other-1",
        "pod:c1/shop/fe-1",
        "TCP",
        [80, 443],
        "ALLOW",
        (ADA, ADA),
    ),
    # 4.4 a pod cannot block itself
    ("4.4 loopback", "pod:c1/shop/api-1", "pod:c1/shop/api-1", "TCP", [8080, 9999], "ALLOW", ("loopback",)),
    ("4.4 loopback VM", "vm:db-1", "vm:db-1", "TCP", [22], "ALLOW", ("loopback",)),
]


# The default rule's *configured* action decides (4.1.7): the same flows under ALLOW, and with
# no default section at all (ERROR: the action is never assumed).
DEFAULT_ALLOW_ROWS: list[tuple[str, str, str, str, list[int], str, tuple[str, ...]]] = [
    ("4.1.7 default ALLOW at ingress", "vm:web-1", "vm:db-1", "TCP", MANY, "ALLOW", (WEB_OUT, DEFAULT)),
    ("4.1.7 default ALLOW both sides", "vm:jump", "vm:db-1", "TCP", MANY, "ALLOW", (DEFAULT, DEFAULT)),
    ("4.1.7 default ALLOW ingress", "ip:198.51.100.200", "vm:web-1", "TCP", MANY, "ALLOW", (NOEP, DEFAULT)),
    ("4.1.7 default ALLOW for node SNAT", "pod:c2/default/other-1", "vm:db-1", "TCP", MANY, "ALLOW", (ADA, DEFAULT)),
    (
        "4.1.7 explicit rules still first",
        "vm:web-2",
        "vm:web-1",
        "TCP",
        [80, 5432],
        "DROP",
        (r("env", "env-deny-dev"),),
    ),
    ("4.1.7 explicit rules still first", "vm:quar-vm", "vm:db-1", "TCP", [5432], "DROP", (r("quarantine", "q-out"),)),
]
NO_DEFAULT_ROWS: list[tuple[str, str, str, str, list[int], str, tuple[str, ...]]] = [
    ("4.1.7 no default section: unknown", "vm:jump", "vm:db-1", "TCP", MANY, "ERROR", ()),
    ("4.1.7 no default section: unknown", "ip:198.51.100.200", "vm:web-1", "TCP", MANY, "ERROR", ()),
    ("4.1.7 no default section: unknown", "pod:c2/default/other-1", "vm:db-1", "TCP", MANY, "ERROR", ()),
    ("4.1.7 no default needed when a rule matches", "vm:web-1", "vm:db-1", "TCP", [5432], "ALLOW", (WEB_OUT, DB_PG)),
    ("4.2.4 pods never see the DFW default", "pod:c1/shop/fe-2", "pod:c1/shop/fe-1", "TCP", MANY, "ALLOW", (ADA, ADA)),
]


def _flows() -> list[tuple[str | None, str, str, str, str, int, str, tuple[str, ...]]]:
    tables: list[tuple[str | None, list[tuple[str, str, str, str, list[int], str, tuple[str, ...]]]]] = [
        ("DROP", ROWS),
        ("ALLOW", DEFAULT_ALLOW_ROWS),
        (None, NO_DEFAULT_ROWS),
    ]
    return [
        (default, item, s, d, proto, port, action, deciding)
        for default, rows in tables
        for item, s, d, proto, ports, action, deciding in rows
        for port in ports
    ]


FLOWS = _flows()
_EVALUATORS: dict[str | None, Evaluator] = {}


def evaluator_for(default: str | None) -> Evaluator:
    if default not in _EVALUATORS:
        _EVALUATORS[default] = Evaluator(scenario(default))
    return _EVALUATORS[default]


def test_at_least_300_hand_flows() -> None:
    assert len(FLOWS) >= 300, len(FLOWS)


@pytest.mark.parametrize(("default", "item", "src", "dst", "proto", "port", "action", "deciding"), FLOWS)
def test_hand_flow(default, item, src, dst, proto, port, action, deciding) -> None:  # noqa: PLR0917
    evaluator = evaluator_for(default)
    (source,) = evaluator.endpoints(src)
    (destination,) = evaluator.endpoints(dst)
    verdict = evaluator.evaluate(Flow(source, destination, proto, None if proto.startswith("ICMP") else port))
    assert verdict.action == action, f"{item}: {verdict}"
    if action != "ERROR":
        assert verdict.deciding == deciding, item
