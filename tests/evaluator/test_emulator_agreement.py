"""The evaluator's group members equal the emulator's for the same groups and inventory.

The two implement NSX membership independently (the evaluator must not import the
emulator, issue 7); this test feeds one seed file to both and compares, group by group,
the VMs and pods each finds. The groups are drawn (seeded) from mixed-case scopes and
tags, every operator, both scope operators and the Tag/Name/OSName/ComputerName keys, so
a difference in case folding, ``|tag`` reading or negation shows up here. MATCHES is
drawn with literal values only: the two read its syntax differently (a regular
expression, a wildcard) and NSX documents neither.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.emulator._members import pod_members, vm_members
from tests.emulator._nsx import make_client
from tests.evaluator.scenario import G
from tests.support.emulator_process import RunningEmulator, start_emulator
from zerotrust.evaluator.config import PolicyConfig, load_config
from zerotrust.evaluator.membership import MembershipResolver

SCOPES = ["house", "House", "HOUSE", "tier", "Tier", "school", ""]
TAGS = ["slytherin", "Slytherin", "SLYTHERIN", "hufflepuff", "web", "Web", "WEB", "sly", "RIN", ""]
NAMES = ["snake", "SNAKE", "Badger", "lion", "li", "ER", "Ubuntu Linux (64-bit)", "ubuntu", "snake.CORP.example"]
OPERATORS = ["EQUALS", "NOTEQUALS", "CONTAINS", "STARTSWITH", "ENDSWITH", "IN", "NOTIN", "MATCHES"]
LITERAL = {"sly", "RIN", "li", "ER", "ubuntu", "snake", "SNAKE", "Badger", "lion", "web", "Web", "WEB"}
GROUPS = 80


def _inventory() -> dict[str, Any]:
    vms = [
        ("snake", [("house", "Slytherin"), ("tier", "web")], "Ubuntu Linux (64-bit)", "Snake.Corp.example"),
        ("badger", [("House", "Hufflepuff"), ("Tier", "WEB")], "Red Hat Enterprise Linux 9", "badger.corp.example"),
        ("lion", [("school", "slytherin"), ("", "web")], "ubuntu linux (64-BIT)", "LION"),
        ("bare", [("", "Web")], "Windows Server 2022", "bare"),
        ("plain", [], "Photon OS", "plain.corp.example"),
    ]
    pods = [
        ("fe", "shop", {"App": "FrontEnd", "tier": "Web"}),
        ("be", "shop", {"app": "backend"}),
        ("job", "Batch", {"APP": "frontend"}),
        ("lone", "batch", {}),
    ]
    return {
        "virtual_machines": [
            {
                "display_name": name,
                "external_id": f"id-{name}",
                "ip_addresses": [f"192.0.2.{index}"],
                "tags": [{"scope": s, "tag": t} for s, t in tags],
                "os_name": os_name,
                "computer_name": computer,
            }
            for index, (name, tags, os_name, computer) in enumerate(vms, start=1)
        ],
        "clusters": [
            {
                "name": "c1",
                "nodes": [{"name": "n1", "ip_addresses": ["192.0.2.100"]}],
                "namespaces": [{"name": "shop", "labels": {"Team": "Shop"}}, {"name": "Batch"}, {"name": "batch"}],
                "pods": [
                    {"name": n, "namespace": ns, "labels": labels, "ip_addresses": [f"10.0.0.{i}"], "node": "n1"}
                    for i, (n, ns, labels) in enumerate(pods, start=1)
                ],
            }
        ],
    }


def _value(rng: random.Random, key: str, operator: str) -> str:
    if key != "Tag":
        pool = [n for n in NAMES if n in LITERAL] if operator == "MATCHES" else NAMES
        if operator in {"IN", "NOTIN"}:
            return ",".join(rng.sample(pool, 2))
        return rng.choice(pool)
    tags = [t for t in TAGS if t in LITERAL] if operator == "MATCHES" else TAGS
    tag = ",".join(rng.sample([t for t in tags if t], 2)) if operator in {"IN", "NOTIN"} else rng.choice(tags)
    roll = rng.random()
    if roll < 0.2 and tag:
        return tag  # no bar: a bare tag
    return f"{'' if roll < 0.4 else rng.choice(SCOPES)}|{tag}"


def _vm_condition(rng: random.Random) -> dict[str, Any]:
    key = rng.choice(["Tag", "Tag", "Tag", "Name", "OSName", "ComputerName"])
    operator = rng.choice(OPERATORS)
    cond: dict[str, Any] = {
        "resource_type": "Condition",
        "member_type": "VirtualMachine",
        "key": key,
        "operator": operator,
        "value": _value(rng, key, operator),
    }
    if key == "Tag" and rng.random() < 0.5:
        cond["scope_operator"] = rng.choice(["EQUALS", "NOTEQUALS"])
    return cond


def _vm_group(rng: random.Random) -> dict[str, Any]:
    """One to two criteria: Conditions or a two-Condition NestedExpression, joined by OR, or by
    AND when both are single Conditions (the only AND NSX allows between criteria, §4.4)."""
    criteria: list[dict[str, Any]] = []
    for _ in range(rng.choice([1, 1, 2])):
        if rng.random() < 0.3:
            conj = {"resource_type": "ConjunctionOperator", "conjunction_operator": "AND"}
            criteria.append(
                {"resource_type": "NestedExpression", "expressions": [_vm_condition(rng), conj, _vm_condition(rng)]}
            )
        else:
            criteria.append(_vm_condition(rng))
    expression = criteria[:1]
    if len(criteria) == 2:
        single = all(c["resource_type"] == "Condition" for c in criteria)
        op = rng.choice(["AND", "OR"]) if single else "OR"
        expression += [{"resource_type": "ConjunctionOperator", "conjunction_operator": op}, criteria[1]]
    return {"expression": expression}


def _antrea_groups() -> list[dict[str, Any]]:
    """ANTREA groups take Pod/Namespace Tag with EQUALS/NOTEQUALS and Namespace Name EQUALS (§6.2)."""

    def cond(member: str, key: str, operator: str, value: str) -> dict[str, Any]:
        return {"resource_type": "Condition", "member_type": member, "key": key, "operator": operator, "value": value}

    conditions = [
        cond("Pod", "Tag", "EQUALS", "app|frontend"),
        cond("Pod", "Tag", "EQUALS", "|FRONTEND"),
        cond("Pod", "Tag", "EQUALS", "web"),
        cond("Pod", "Tag", "NOTEQUALS", "APP|FrontEnd"),
        cond("Pod", "Tag", "EQUALS", "app|"),
        cond("Namespace", "Tag", "EQUALS", "team|SHOP"),
        cond("Namespace", "Name", "EQUALS", "BATCH"),
        cond("Pod", "Name", "EQUALS", "FE"),
    ]
    return [{"expression": [c], "group_type": ["ANTREA"]} for c in conditions]


def _seed() -> dict[str, Any]:
    rng = random.Random(20240612)
    bodies = [_vm_group(rng) for _ in range(GROUPS)] + _antrea_groups()
    objects = [{"path": f"{G}/agree-{index}", "body": body} for index, body in enumerate(bodies)]
    return {**_inventory(), "objects": objects}


SEED = _seed()


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    workdir: Path = tmp_path_factory.mktemp("agreement")
    seed = workdir / "seed.json"
    seed.write_text(json.dumps(SEED))
    emu = start_emulator(workdir, tls=False, seed=seed)
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture(scope="module")
def nsx(emulator: RunningEmulator) -> Iterator[httpx.Client]:
    with make_client(emulator) as client:
        yield client


@pytest.fixture(scope="module")
def config() -> PolicyConfig:
    return load_config(SEED)


@pytest.mark.parametrize("path", [o["path"] for o in SEED["objects"]], ids=lambda p: p.rsplit("/", 1)[-1])
def test_members_agree(nsx: httpx.Client, config: PolicyConfig, path: str) -> None:
    resolver = MembershipResolver({config.group_path(g): g for g in config.groups}, config.inventory)
    ours = resolver.members(path)
    assert not resolver.problems
    body = next(o["body"] for o in SEED["objects"] if o["path"] == path)
    assert vm_members(nsx, path, "display_name") == set(ours.vms), json.dumps(body)
    assert pod_members(nsx, path) == {key.rsplit("/", 1)[-1] for key in ours.pods}, json.dumps(body)


def test_the_draw_is_not_trivial(config: PolicyConfig) -> None:
    """Some groups select some VMs and some select none, so agreement means something."""
    resolver = MembershipResolver({config.group_path(g): g for g in config.groups}, config.inventory)
    sizes = [len(resolver.members(o["path"]).vms) for o in SEED["objects"][:GROUPS]]
    assert sum(1 for s in sizes if s) > GROUPS // 3
    assert sum(1 for s in sizes if not s) > GROUPS // 10
    assert sum(1 for s in sizes if 0 < s < len(SEED["virtual_machines"])) > GROUPS // 4
