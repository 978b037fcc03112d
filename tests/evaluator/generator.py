"""Seeded random configurations with boundary-biased flows, for the differential test."""

from __future__ import annotations

import random
from typing import Any

from tests.evaluator.scenario import CCP1, G, P
from zerotrust.evaluator.config import default_section

CATEGORIES = ["Emergency", "Infrastructure", "Environment", "Application"]
VM_GROUPS = ["tier-web", "tier-db", "env-prod", "ips"]
POD_GROUPS = ["ant-x", "ant-y"]
PORTS = [0, 1, 79, 80, 81, 82, 443, 65535]
LITERALS = ["192.0.2.2", "192.0.2.0/31", "192.0.2.101", "198.51.100.1", "203.0.113.5"]


def _cond(member: str, value: str, operator: str = "EQUALS", **extra: str) -> dict[str, Any]:
    return {
        "resource_type": "Condition",
        "member_type": member,
        "key": "Tag",
        "operator": operator,
        "value": value,
        **extra,
    }


def _spelled(rng: random.Random, word: str) -> str:
    return rng.choice([word, word.upper(), word.capitalize()])


def _vm_tag_cond(rng: random.Random, scope: str, tag: str) -> dict[str, Any]:
    """A VM Tag Condition around ``scope|tag``: mixed case, ``|tag`` or bare ``tag`` (any scope),
    the string operators, NOTEQUALS/NOTIN, or scope_operator NOTEQUALS."""
    roll = rng.random()
    if roll < 0.35:
        return _cond("VirtualMachine", f"{_spelled(rng, scope)}|{_spelled(rng, tag)}")
    if roll < 0.5:
        return _cond("VirtualMachine", rng.choice([f"|{_spelled(rng, tag)}", _spelled(rng, tag)]))
    if roll < 0.85:
        operator, part = rng.choice(
            [
                ("CONTAINS", tag[1:-1].upper()),
                ("STARTSWITH", tag[:2].capitalize()),
                ("ENDSWITH", tag[-2:].upper()),
                ("IN", f"{_spelled(rng, tag)}, other"),
                ("NOTEQUALS", _spelled(rng, tag)),
                ("NOTIN", f"other,{_spelled(rng, tag)}"),
            ]
        )
        return _cond("VirtualMachine", f"{rng.choice(['', _spelled(rng, scope)])}|{part}", operator)
    return _cond("VirtualMachine", f"{_spelled(rng, scope)}|{_spelled(rng, tag)}", scope_operator="NOTEQUALS")


def _pod_tag_cond(rng: random.Random, app: str, other: str) -> dict[str, Any]:
    """An Antrea Pod Tag Condition for label app=``app`` (EQUALS/NOTEQUALS only, §6.2)."""
    roll = rng.random()
    if roll < 0.6:
        return _cond("Pod", rng.choice([f"{_spelled(rng, 'app')}|{_spelled(rng, app)}", f"|{app.upper()}", app]))
    return _cond("Pod", f"{_spelled(rng, 'app')}|{_spelled(rng, other)}", "NOTEQUALS")


def _side(rng: random.Random, pool: list[str]) -> list[str]:
    roll = rng.random()
    if roll < 0.35:
        return ["ANY"]
    if roll < 0.5:
        return [rng.choice(LITERALS)]
    return [f"{G}/{g}" for g in rng.sample(pool, rng.randint(1, 2))]


def _service(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.4:
        return {}
    low = rng.choice([79, 80, 81])
    high = rng.choice([low, low + 1])
    ports = [str(low)] if low == high else [f"{low}-{high}"]
    proto = rng.choice(["TCP", "TCP", "UDP"])
    return {
        "service_entries": [
            {"resource_type": "L4PortSetServiceEntry", "id": "e", "l4_protocol": proto, "destination_ports": ports}
        ]
    }


def generate(seed: int) -> tuple[dict[str, Any], list[tuple[tuple[str, str], tuple[str, str], str, int]]]:  # noqa: PLR0912
    """One configuration and its flows."""
    rng = random.Random(seed)
    tags = [("tier", "web"), ("Tier", "WEB"), ("tier", "db"), ("env", "prod"), ("ENV", "Prod"), ("env", "dev")]
    tags += [("role", "web"), ("", "db")]
    vms = [
        {
            "display_name": f"vm{i}",
            "ip_addresses": [f"192.0.2.{i}"],
            "tags": [{"scope": s, "tag": t} for s, t in rng.sample(tags, rng.randint(0, 2))],
        }
        for i in range(1, 5)
    ]
    pods = [
        {
            "name": f"p{i}",
            "namespace": rng.choice(["a", "b"]),
            "labels": {rng.choice(["app", "App"]): rng.choice(["x", "y", "X"])},
            "ip_addresses": [f"10.0.0.{i}"],
            "node": rng.choice(["n1", "n2"]),
        }
        for i in range(1, 5)
    ]
    cluster: dict[str, Any] = {
        "name": "c1",
        "nodes": [{"name": "n1", "ip_addresses": ["192.0.2.101"]}, {"name": "n2", "ip_addresses": ["192.0.2.102"]}],
        "namespaces": [{"name": "a"}, {"name": "b"}],
        "pods": pods,
    }
    if rng.random() < 0.5:
        cluster["egresses"] = [
            {"name": "eg", "egress_ip": "198.51.100.1", "applied_to": {"namespace": "a", "pod_selector": {"app": "x"}}}
        ]
    objects: list[dict[str, Any]] = [
        {"path": f"{G}/tier-web", "body": {"expression": [_vm_tag_cond(rng, "tier", "web")]}},
        {"path": f"{G}/tier-db", "body": {"expression": [_vm_tag_cond(rng, "tier", "db")]}},
        {"path": f"{G}/env-prod", "body": {"expression": [_vm_tag_cond(rng, "env", "prod")]}},
        {
            "path": f"{G}/ips",
            "body": {
                "expression": [
                    {"resource_type": "IPAddressExpression", "ip_addresses": [rng.choice(LITERALS), "192.0.2.101"]}
                ]
            },
        },
        {"path": f"{G}/ant-x", "body": {"expression": [_pod_tag_cond(rng, "x", "y")], "group_type": ["ANTREA"]}},
        {"path": f"{G}/ant-y", "body": {"expression": [_pod_tag_cond(rng, "y", "x")], "group_type": ["ANTREA"]}},
    ]
    sequences = rng.sample(range(1, 100), 6)
    for index in range(rng.randint(1, 5)):
        category = rng.choice(CATEGORIES)
        spanned = rng.random() < 0.3
        rules = []
        for number, rule_seq in enumerate(sorted(rng.sample(range(1, 50), rng.randint(1, 4)))):
            actions = ["ALLOW", "DROP", "REJECT"] + (["JUMP_TO_APPLICATION"] if category == "Environment" else [])
            if spanned:
                src, dst = (
                    (_side(rng, POD_GROUPS), ["ANY"]) if rng.random() < 0.5 else (["ANY"], _side(rng, POD_GROUPS))
                )
                extra: dict[str, Any] = {}
            else:
                src, dst = _side(rng, VM_GROUPS), _side(rng, VM_GROUPS)
                extra = {"direction": rng.choice(["IN_OUT", "IN_OUT", "IN", "OUT"])}
                if rng.random() < 0.1:
                    extra["sources_excluded"] = True
                if rng.random() < 0.2:
                    extra["scope"] = [f"{G}/{rng.choice(VM_GROUPS)}"]
            rules.append(
                {
                    "id": f"r{number}",
                    "sequence_number": rule_seq,
                    "action": rng.choice(actions),
                    "source_groups": src,
                    "destination_groups": dst,
                    "disabled": rng.random() < 0.1,
                    **extra,
                    **_service(rng),
                }
            )
        body: dict[str, Any] = {"category": category, "sequence_number": sequences[index], "rules": rules}
        if spanned:
            body["scope"] = [CCP1]
        elif rng.random() < 0.2:
            body["scope"] = [f"{G}/{rng.choice(VM_GROUPS)}"]
        objects.append({"path": f"{P}/pol{index}", "body": body})
    if rng.random() < 0.9:
        objects.append(default_section(rng.choice(["ALLOW", "DROP"])))
    netpols = []
    for index in range(rng.randint(0, 2)):
        kind = rng.choice(["Ingress", "Egress"])
        peer: dict[str, Any] = (
            {"podSelector": {"matchLabels": {"app": rng.choice(["x", "y"])}}}
            if rng.random() < 0.5
            else {"ipBlock": {"cidr": "192.0.2.0/30", "except": ["192.0.2.2/32"] if rng.random() < 0.5 else []}}
        )
        rule: dict[str, Any] = {"from" if kind == "Ingress" else "to": [peer]}
        if rng.random() < 0.6:
            rule["ports"] = [{"protocol": "TCP", "port": 80, **({"endPort": 81} if rng.random() < 0.5 else {})}]
        netpols.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": f"np{index}", "namespace": rng.choice(["a", "b"])},
                "spec": {
                    "podSelector": {"matchLabels": {"app": rng.choice(["x", "y"])}},
                    "policyTypes": [kind],
                    kind.lower(): [rule] if rng.random() < 0.8 else [],
                },
            }
        )
    data = {"virtual_machines": vms, "clusters": [cluster], "objects": objects, "kubernetes": {"c1": netpols}}
    endpoints: list[tuple[str, str]] = (
        [("vm", f"vm{i}") for i in range(1, 5)]
        + [("pod", f"p{i}") for i in range(1, 5)]
        + [("ip", "203.0.113.5"), ("ip", "198.51.100.9")]
    )
    flows: list[tuple[tuple[str, str], tuple[str, str], str, int]] = []
    for _ in range(30):
        origin, target = rng.choice(endpoints), rng.choice(endpoints)
        flows.append((origin, target, rng.choice(["TCP", "TCP", "UDP"]), rng.choice(PORTS)))
    return data, flows
