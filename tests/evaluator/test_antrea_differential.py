"""Differential test of the Antrea stage: the evaluator against tests/evaluator/naive_antrea.py.

Random ClusterNetworkPolicies and ClusterGroups over the world of antrea_world.py, with
priorities drawn from a small set so that ties between policies are common, and every
construct of issue 17 in the mix (rule index order, source ports, ClusterGroups with
children and ipBlocks, serviceAccount, nodeSelector, namespaces Self / sameLabels, ICMP,
named ports, toServices). Seeded, so a failure reproduces; the seed is in the test id.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from tests.evaluator.antrea_world import acnp, group, inventory, verdict, world
from tests.evaluator.naive_antrea import NaiveAntrea

NAMESPACES = ["x", "y", "z", "w"]
GROUPS = [
    group("g-dev", namespaceSelector={"matchLabels": {"env": "dev"}}),
    group("g-app-a", podSelector={"matchLabels": {"app": "a"}}),
    group("g-docs", ipBlocks=[{"cidr": "203.0.113.0/24", "except": ["203.0.113.128/25"]}]),
    group("g-parent", childGroups=["g-app-a", "g-docs"]),
]
TARGETS = [
    "ip:203.0.113.5",
    "ip:203.0.113.200",
    "ip:192.0.2.11",
    "ip:192.0.2.12",
    "ip:10.96.0.5",
    "ip:198.51.100.7",
]
SEEDS = range(40)
FLOWS_PER_SEED = 60


def _peer(rng: random.Random) -> dict[str, Any]:
    choices: list[dict[str, Any]] = [
        {"podSelector": {"matchLabels": {"app": rng.choice("ab")}}},
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": rng.choice(NAMESPACES)}}},
        {
            "namespaceSelector": {"matchLabels": {"env": rng.choice(["dev", "prod"])}},
            "podSelector": {"matchLabels": {"app": "a"}},
        },
        {"namespaces": {"match": "Self"}},
        {"namespaces": {"sameLabels": ["env"]}},
        {"ipBlock": {"cidr": "203.0.113.0/25"}},
        {"group": rng.choice(["g-dev", "g-app-a", "g-docs", "g-parent"])},
        {"serviceAccount": {"name": rng.choice(["builder", "deployer"]), "namespace": rng.choice(["x", "y"])}},
        {"nodeSelector": {"matchLabels": {"role": rng.choice(["worker", "infra"])}}},
    ]
    return rng.choice(choices)


def _ports(rng: random.Random) -> dict[str, Any]:
    kind = rng.randrange(6)
    if kind == 0:
        return {}
    if kind == 1:
        return {"ports": [{"protocol": "TCP", "port": rng.choice([80, 8080]), "endPort": rng.choice([80, 8090])}]}
    if kind == 2:
        return {"ports": [{"protocol": "TCP", "sourcePort": 1000, "sourceEndPort": 2000}]}
    if kind == 3:
        return {"ports": [{"protocol": "TCP", "port": "http"}]}
    if kind == 4:
        return {"protocols": [{"icmp": {"icmpType": 8}}]}
    return {"ports": [{"protocol": rng.choice(["TCP", "UDP"]), "port": 80}]}


def _rule(rng: random.Random, direction: str, index: int, tier: str) -> dict[str, Any]:
    actions = ["Allow", "Drop", "Reject"] + ([] if tier == "baseline" else ["Pass"])
    rule: dict[str, Any] = {"name": f"r{index}", "action": rng.choice(actions), **_ports(rng)}
    if direction == "egress" and rng.random() < 0.1:
        rule.pop("ports", None)
        rule.pop("protocols", None)
        rule["toServices"] = [{"name": "web", "namespace": "y"}]
    elif rng.random() < 0.85:
        rule["from" if direction == "ingress" else "to"] = [_peer(rng) for _ in range(rng.randint(1, 2))]
    return rule


def manifests(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = list(GROUPS)
    for number in range(rng.randint(2, 5)):
        tier = rng.choice(["application", "application", "securityops", "baseline"])
        applied = rng.choice(
            [
                {"podSelector": {}},
                {"namespaceSelector": {"matchLabels": {"env": "dev"}}},
                {"podSelector": {"matchLabels": {"app": "a"}}},
                {"group": "g-parent"},
            ]
        )
        spec = {
            direction: [_rule(rng, direction, i, tier) for i in range(rng.randint(0, 3))]
            for direction in ("ingress", "egress")
        }
        out.append(acnp(f"p{number}", rng.choice([1, 2]), tier=tier, appliedTo=[applied], **spec))
    return out


def _flows(seed: int) -> list[tuple[str, str, str, int | None, int, tuple[int, int] | None]]:
    rng = random.Random(seed * 7919)
    pods = [f"pod:c1/{p['namespace']}/{p['name']}" for p in inventory()["clusters"][0]["pods"]]
    out = []
    for _ in range(FLOWS_PER_SEED):
        src = rng.choice(pods)
        dst = rng.choice([p for p in pods if p != src] + TARGETS)
        protocol = rng.choice(["TCP", "TCP", "UDP", "ICMPv4"])
        port = None if protocol == "ICMPv4" else rng.choice([80, 8080, 8095])
        icmp = (rng.choice([8, 0]), 0) if protocol == "ICMPv4" else None
        out.append((src, dst, protocol, port, rng.choice([1500, 49152]), icmp))
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_evaluator_agrees_with_naive_antrea(seed: int) -> None:
    policies = manifests(seed)
    evaluator = world(policies)
    cluster = inventory()["clusters"][0]
    naive = NaiveAntrea(cluster, policies)
    by_key = {f"pod:c1/{p['namespace']}/{p['name']}": p for p in cluster["pods"]}
    for src, dst, protocol, port, src_port, icmp in _flows(seed):
        found = verdict(evaluator, src, dst, protocol, port, src_port=src_port, icmp=icmp)
        flow = {
            "protocol": protocol,
            "port": port,
            "src_port": src_port,
            "icmp_type": icmp and icmp[0],
            "icmp_code": icmp and icmp[1],
        }
        dst_ip = by_key[dst]["ip_addresses"][0] if dst in by_key else dst.removeprefix("ip:")
        action, rule = naive.verdict(by_key[src], dst_ip, flow)
        where = f"seed {seed}: {src} -> {dst} {protocol}/{port} sport {src_port} icmp {icmp}"
        assert found.action == action, f"{where}: evaluator {found.action} {found.deciding}, naive {action} {rule}"
        if action in {"DROP", "REJECT"}:
            assert found.deciding == (rule,), where
