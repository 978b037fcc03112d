"""Write-side validation: what NSX would reject is refused before any API call.

Each bad case checks that the message names the object, the field and the fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from tests.models._build import CCP, GROUP, SERVICE, cond, conj, group, ips, nested, policy, rule, service
from zerotrust.models import (
    Group,
    SecurityPolicyContainerCluster,
    Tag,
    VirtualMachineTagsUpdate,
)

BAD: list[tuple[str, Callable[[], Any], list[str]]] = [
    # ids and common fields
    ("id with space", lambda: group(id="web tier"), ["Group 'web tier'", "field id", "Fix:"]),
    ("id with slash", lambda: rule("a/b"), ["Rule 'a/b'", "field id"]),
    ("id too long", lambda: group(id="x" * 256), ["field id", "max 255"]),
    ("display_name too long", lambda: group(display_name="n" * 256), ["field display_name"]),
    ("description too long", lambda: group(description="d" * 1025), ["field description"]),
    ("tag scope too long", lambda: Tag(scope="s" * 129, tag="t"), ["field scope", "max 128"]),
    ("tag value too long", lambda: Tag(scope="s", tag="t" * 257), ["field tag", "max 256"]),
    # group expressions (ref §4.1)
    ("even length", lambda: group(cond(), conj()), ["field expression", "even length", "Fix:"]),
    ("two criteria, no conjunction", lambda: group(cond(), cond()), ["expression[1]", "ConjunctionOperator"]),
    ("conjunction first", lambda: group(conj(), cond(), conj()), ["expression[0]", "even position"]),
    (
        "six criteria",
        lambda: group(*[x for i in range(6) for x in ([conj()] if i else []) + [cond(value=f"a|{i}")]]),
        ["6 Condition/NestedExpression entries (max 5)"],
    ),
    (
        "OR inside nested",
        lambda: group({"resource_type": "NestedExpression", "expressions": [cond(), conj("OR"), cond(value="b|c")]}),
        ["expression[0].expressions[1]", "use AND"],
    ),
    (
        "six same-type conditions in one criterion",
        lambda: group(nested(*[cond(value=f"a|{i}") for i in range(6)])),
        ["6 VirtualMachine conditions in one criterion (max 5)"],
    ),
    ("unknown member type", lambda: group(cond(member_type="Pods")), ["expression[0].member_type", "'Pods'"]),
    ("empty value", lambda: group(cond(value="")), ["expression[0].value", "is empty"]),
    ("missing operator", lambda: group(cond(operator=None)), ["expression[0].operator", "is missing"]),
    (
        "AND across member types",
        lambda: group(cond(), conj("AND"), cond(member_type="Segment")),
        ["expression[1]", "different kinds or member types", "use OR"],
    ),
    # IP addresses (ref §4.2)
    ("mixed IPv4/IPv6", lambda: group(ips("10.0.0.1", "2001:db8::1")), ["mixes IPv4 and IPv6", "Fix: split"]),
    ("bad CIDR host bits", lambda: group(ips("10.0.0.1/24")), ["'10.0.0.1/24'", "host bits"]),
    ("bad IP", lambda: group(ips("10.0.0.300")), ["'10.0.0.300'"]),
    ("reversed range", lambda: group(ips("10.0.0.9-10.0.0.1")), ["starts after it ends"]),
    ("mixed-family range", lambda: group(ips("10.0.0.1-::1")), ["mixes IPv4 and IPv6"]),
    (
        "bad MAC",
        lambda: group({"resource_type": "MACAddressExpression", "mac_addresses": ["zz"]}),
        ["invalid MAC"],
    ),
    (
        "path to a service",
        lambda: group({"resource_type": "PathExpression", "paths": [SERVICE]}),
        ["only group, segment and segment-port paths"],
    ),
    (
        "unmanaged expression kind",
        lambda: group({"resource_type": "GeoLocationExpression"}),
        ["'GeoLocationExpression'"],
    ),
    ("group_type as unknown value", lambda: group(group_type=["Antrea"]), ["field group_type", "'Antrea'"]),
    (
        "IPAddress group with condition",
        lambda: group(cond(), group_type=["IPAddress"]),
        ["group_type ['IPAddress']"],
    ),
    # Kubernetes member types (ref §4.4, §6.5)
    ("cluster alone", lambda: group(cond("KubernetesCluster", "Name", "vks-1")), ["standing alone"]),
    (
        "two clusters",
        lambda: group(
            nested(
                cond("KubernetesCluster", "Name", "a"),
                cond("KubernetesCluster", "Name", "b"),
                cond("AntreaEgress", "Name", "e"),
            )
        ),
        ["more than one KubernetesCluster"],
    ),
    (
        "namespace alone",
        lambda: group(cond("KubernetesNamespace", "Name", "prod")),
        ["KubernetesNamespace", "alone"],
    ),
    (
        "namespace with cluster-scoped",
        lambda: group(nested(cond("KubernetesNamespace", "Name", "prod"), cond("AntreaEgress", "Name", "e"))),
        ["mixes KubernetesNamespace with cluster-scoped"],
    ),
    (
        "two resource types",
        lambda: group(
            nested(
                cond("KubernetesCluster", "Name", "c"),
                cond("AntreaEgress", "Name", "e"),
                cond("AntreaIPPool", "Name", "p"),
            )
        ),
        ["mixes resource member types"],
    ),
    (
        "node not MATCHES *",
        lambda: group(nested(cond("KubernetesCluster", "Name", "c"), cond("KubernetesNode", "IPAddress", "10.0.0.1"))),
        ["MATCHES, value '*'"],
    ),
    (
        "cluster IN six names",
        lambda: group(
            nested(
                cond("KubernetesCluster", "Name", "a,b,c,d,e,f", operator="IN"),
                cond("AntreaEgress", "Name", "e"),
            )
        ),
        ["at most 5 comma-separated"],
    ),
    (
        "k8s AND with multi-condition criterion",
        lambda: group(
            nested(cond("KubernetesCluster", "Name", "c"), cond("AntreaEgress", "Name", "e")),
            conj("AND"),
            nested(cond("KubernetesCluster", "Name", "d"), cond("AntreaEgress", "Name", "f")),
        ),
        ["single-condition criteria"],
    ),
    # Antrea groups (ref §6.2)
    (
        "antrea VM member",
        lambda: group(cond(), group_type=["ANTREA"]),
        ["'VirtualMachine' in an Antrea group"],
    ),
    (
        "antrea pod CONTAINS",
        lambda: group(cond("Pod", operator="CONTAINS"), group_type=["ANTREA"]),
        ["operator CONTAINS on Pod"],
    ),
    (
        "antrea service without namespace",
        lambda: group(cond("Service", "Name", "web"), group_type=["ANTREA"]),
        ["Service condition without a Namespace Name"],
    ),
    # rules (ref §5.2)
    (
        "ANY mixed",
        lambda: rule(source_groups=["any", GROUP]),
        ["Rule 'allow-web'", "field source_groups", "'ANY' must be the only element", "Fix:"],
    ),
    ("ANY mixed in services", lambda: rule(services=["ANY", SERVICE]), ["field services"]),
    ("ANY mixed in scope", lambda: rule(scope=[GROUP, "Any"]), ["field scope"]),
    (
        "129 sources",
        lambda: rule(source_groups=[f"10.0.{i // 256}.{i % 256}" for i in range(129)]),
        ["129 items (max 128)", "Fix: put the members into a group"],
    ),
    (
        "bad destination CIDR",
        lambda: rule(destination_groups=["10.1.0.0/8"]),
        ["field destination_groups", "'10.1.0.0/8'"],
    ),
    ("service not a path", lambda: rule(services=["HTTPS"]), ["field services", "not a policy path"]),
    ("empty list", lambda: rule(destination_groups=[]), ["field destination_groups", "is empty", "['ANY']"]),
    ("negative sequence", lambda: rule(seq=-1), ["field sequence_number"]),
    # policies (ref §5.1, §5.4)
    (
        "JUMP outside Environment",
        lambda: policy(rule(action="JUMP_TO_APPLICATION")),
        ["SecurityPolicy 'app'", "rules[allow-web].action", "only valid in Environment"],
    ),
    (
        "ip_protocol on Ethernet",
        lambda: policy(rule(ip_protocol="IPV4"), category="Ethernet"),
        ["rules[allow-web].ip_protocol", "must be null"],
    ),
    ("REJECT on Ethernet", lambda: policy(rule(action="REJECT"), category="Ethernet"), ["is REJECT"]),
    ("stateful Ethernet", lambda: policy(category="Ethernet", stateful=True), ["field stateful"]),
    (
        "duplicate sequence",
        lambda: policy(rule("a", 10), rule("b", 10)),
        ["rules[b].sequence_number", "also used by rule 'a'", "distinct"],
    ),
    ("duplicate rule id", lambda: policy(rule("a", 10), rule("a", 20)), ["repeats a rule id"]),
    (
        "rule without sequence",
        lambda: policy(rule(seq=None)),
        ["rules[allow-web].sequence_number", "is missing"],
    ),
    ("policy without category", lambda: policy(category=None), ["field category", "is missing"]),
    ("policy without sequence", lambda: policy(sequence_number=None), ["field sequence_number"]),
    ("policy scope ANY mixed", lambda: policy(scope=["ANY", CCP]), ["field scope"]),
    # services (ref §5.5)
    (
        "service without entries",
        lambda: service(service_entries=[]),
        ["Service 'web-svc'", "field service_entries"],
    ),
    (
        "port out of range",
        lambda: service(
            service_entries=[
                {
                    "resource_type": "L4PortSetServiceEntry",
                    "id": "e",
                    "l4_protocol": "TCP",
                    "destination_ports": ["70000"],
                }
            ]
        ),
        ["'70000'", "0-65535"],
    ),
    (
        "16 ports",
        lambda: service(
            service_entries=[
                {
                    "resource_type": "L4PortSetServiceEntry",
                    "id": "e",
                    "l4_protocol": "TCP",
                    "destination_ports": [str(p) for p in range(16)],
                }
            ]
        ),
        ["16 entries (max 15)"],
    ),
    (
        "icmp code without type",
        lambda: service(
            service_entries=[{"resource_type": "ICMPTypeServiceEntry", "id": "e", "protocol": "ICMPv4", "icmp_code": 0}]
        ),
        ["icmp_code", "without icmp_type"],
    ),
    (
        "entry id bad",
        lambda: service(
            service_entries=[{"resource_type": "IPProtocolServiceEntry", "id": "e 1", "protocol_number": 50}]
        ),
        ["service_entries[0].id"],
    ),
    (
        "unmanaged entry kind",
        lambda: service(service_entries=[{"resource_type": "IGMPTypeServiceEntry", "id": "e"}]),
        ["'IGMPTypeServiceEntry'"],
    ),
    # spans, VM tags
    (
        "span not a CCP path",
        lambda: SecurityPolicyContainerCluster(id="s", container_cluster_path=GROUP),
        ["field container_cluster_path", "cluster-control-planes"],
    ),
    (
        "duplicate VM tags",
        lambda: VirtualMachineTagsUpdate(
            virtual_machine_id="vm-1", tags=[Tag(scope="a", tag="b"), Tag(scope="a", tag="b")]
        ),
        ["repeats a scope/tag pair"],
    ),
    (
        "too many VM tags",
        lambda: VirtualMachineTagsUpdate(
            virtual_machine_id="vm-1", tags=[Tag(scope="s", tag=str(i)) for i in range(31)]
        ),
        ["31 tags (max 30)"],
    ),
]


@pytest.mark.parametrize(("build", "fragments"), [(b, f) for _, b, f in BAD], ids=[n for n, _, _ in BAD])
def test_rejected_with_message_naming_field_and_fix(build: Callable[[], Any], fragments: list[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        build()
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in:\n{message}"


GOOD: list[tuple[str, Callable[[], Any]]] = [
    ("vm tag group", lambda: group(cond())),
    ("criteria joined by OR", lambda: group(cond(), conj(), ips("10.0.0.0/24", "10.1.0.1-10.1.0.9"))),
    ("ipv6 only", lambda: group(ips("2001:db8::/64", "2001:db8:1::1"))),
    ("nested AND", lambda: group(nested(cond(), cond(key="Name", value="web-01", operator="STARTSWITH")))),
    ("AND same member type", lambda: group(cond(), conj("AND"), cond(value="env|prod"))),
    (
        "five criteria",
        lambda: group(*[x for i in range(5) for x in ([conj()] if i else []) + [cond(value=f"a|{i}")]]),
    ),
    (
        "k8s cluster + egress",
        lambda: group(
            nested(
                cond("KubernetesCluster", "Name", "a,b", operator="IN"),
                cond("AntreaEgress", "Name", "egress-1"),
            )
        ),
    ),
    (
        "k8s namespace + service",
        lambda: group(nested(cond("KubernetesNamespace", "Name", "prod"), cond("KubernetesService", "Name", "web"))),
    ),
    (
        "k8s node",
        lambda: group(
            nested(
                cond("KubernetesCluster", "Name", "c"),
                cond("KubernetesNode", "IPAddress", "*", operator="MATCHES"),
            )
        ),
    ),
    ("antrea pod tag", lambda: group(cond("Pod", value="app|web"), group_type=["ANTREA"])),
    (
        "antrea service + namespace",
        lambda: group(nested(cond("Namespace", "Name", "prod"), cond("Service", "Name", "web")), group_type=["ANTREA"]),
    ),
    (
        "path + external id",
        lambda: group(
            {"resource_type": "PathExpression", "paths": [GROUP]},
            conj(),
            {
                "resource_type": "ExternalIDExpression",
                "member_type": "VirtualMachine",
                "external_ids": ["5012-ab"],
            },
        ),
    ),
    ("empty group", lambda: Group(id="empty")),
    (
        "rule with IPs and paths",
        lambda: rule(source_groups=["10.0.0.0/8", GROUP], destination_groups=["::1"]),
    ),
    ("rule any lowercase", lambda: rule(services=["any"])),
    ("128 sources", lambda: rule(source_groups=[f"10.0.0.{i}" for i in range(128)])),
    ("jump in Environment", lambda: policy(rule(action="JUMP_TO_APPLICATION"), category="Environment")),
    ("Ethernet policy", lambda: policy(rule(action="DROP"), category="Ethernet", stateful=False)),
    ("scoped to a cluster", lambda: policy(rule(), scope=[CCP])),
    (
        "service icmp zero",
        lambda: service(
            service_entries=[
                {
                    "resource_type": "ICMPTypeServiceEntry",
                    "id": "ping",
                    "protocol": "ICMPv4",
                    "icmp_type": 0,
                    "icmp_code": 0,
                }
            ]
        ),
    ),
    ("span", lambda: SecurityPolicyContainerCluster(id="vks-1", container_cluster_path=CCP)),
    ("vm tags clear", lambda: VirtualMachineTagsUpdate(virtual_machine_id="vm-1", tags=[])),
]


@pytest.mark.parametrize("build", [b for _, b in GOOD], ids=[n for n, _ in GOOD])
def test_accepted(build: Callable[[], Any]) -> None:
    build()


def test_all_problems_reported_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        group(ips("10.0.0.1", "::1"), conj(), cond(member_type="Nope"), id="bad id")
    message = str(caught.value)
    assert "field id" in message
    assert "mixes IPv4 and IPv6" in message
    assert "'Nope'" in message
