"""A brownfield NSX nobody here shaped: made through the raw API, the way scripts and GUIs do.

Every expression kind the emulator accepts (tag, name, OS and segment conditions, AND-ed
nested criteria, IP sets v4 and v6, MAC sets, external ids, nested groups by path, Antrea
and IP-only group types, user tags), policies in all four categories with scopes, rules with
scopes, disabled rules, REJECT and JUMP_TO_APPLICATION, directions, log labels, notes,
custom services and predefined ones, inline entries (single ports, port lists, ICMP), IP
literals in rules, ids in every spelling, display names that collide, and a second domain.
Seeded, so a failing case can be replayed. Written with H-API PATCHes of at most 5,000
objects, as an automation would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import httpx

PREDEFINED = ("/infra/services/HTTPS", "/infra/services/SSH", "/infra/services/HTTP")
CATEGORIES = ("Emergency", "Infrastructure", "Environment", "Application", "Application", "Application")
APPS = ("shop", "billing", "crm", "search")
HAPI_LIMIT = 5000


@dataclass(frozen=True)
class Brownfield:
    """What was made, by NSX id."""

    domain: str
    groups: list[str]
    policies: list[str]
    services: list[str]
    rules: int


def _cond(member_type: str, key: str, value: str, operator: str = "EQUALS") -> dict[str, Any]:
    return {"resource_type": "Condition", "member_type": member_type, "key": key, "operator": operator, "value": value}


def _or() -> dict[str, Any]:
    return {"resource_type": "ConjunctionOperator", "conjunction_operator": "OR"}


def _and() -> dict[str, Any]:
    return {"resource_type": "ConjunctionOperator", "conjunction_operator": "AND"}


def _group(i: int, ids: list[str], rng: random.Random, domain: str) -> dict[str, Any]:  # noqa: PLR0911, PLR0912
    """Group ``i``: its shape cycles through every kind (ids[:i] exist for nesting)."""
    shape = i % 14
    if shape == 0:
        return {"expression": [_cond("VirtualMachine", "Tag", f"tier|web-{i}")]}
    if shape == 1:
        nested = [
            _cond("VirtualMachine", "Tag", f"app|{rng.choice(APPS)}"),
            _and(),
            _cond("VirtualMachine", "Tag", "env|prod"),
        ]
        return {"expression": [{"resource_type": "NestedExpression", "expressions": nested}]}
    if shape == 2:
        return {"expression": [_cond("VirtualMachine", "Name", f"web{i}", "CONTAINS")]}
    if shape == 3:
        return {
            "expression": [
                {"resource_type": "IPAddressExpression", "ip_addresses": [f"10.{i % 250}.0.0/24", f"10.{i % 250}.1.5"]}
            ]
        }
    if shape == 4:
        v4 = {"resource_type": "IPAddressExpression", "ip_addresses": [f"192.0.2.{i % 250}"]}
        v6 = {"resource_type": "IPAddressExpression", "ip_addresses": [f"2001:db8::{i:x}"]}
        return {"expression": [v4, _or(), v6]}
    if shape == 5:
        return {
            "expression": [
                {"resource_type": "MACAddressExpression", "mac_addresses": [f"00:50:56:00:{i % 256:02x}:01"]}
            ]
        }
    if shape == 6 and len(ids) >= 2:
        paths = [f"/infra/domains/{domain}/groups/{g}" for g in rng.sample(ids, 2)]
        return {"expression": [{"resource_type": "PathExpression", "paths": paths}]}
    if shape == 7:
        externals = {
            "resource_type": "ExternalIDExpression",
            "member_type": "VirtualMachine",
            "external_ids": [f"vm-{i}"],
        }
        return {"expression": [externals]}
    if shape == 8:
        ips = {"resource_type": "IPAddressExpression", "ip_addresses": [f"198.51.100.{i % 250}"]}
        return {"expression": [_cond("VirtualMachine", "Tag", f"role|db-{i}"), _or(), ips]}
    if shape == 9:
        return {"expression": [_cond("Segment", "Tag", "zone|dmz")]}
    if shape == 10:
        return {"group_type": ["ANTREA"], "expression": [_cond("Pod", "Tag", f"app|svc-{i}")]}
    if shape == 11:
        ips = {"resource_type": "IPAddressExpression", "ip_addresses": [f"203.0.113.{i % 250}"]}
        return {"group_type": ["IPAddress"], "expression": [ips]}
    if shape == 12:
        return {"expression": [_cond("VirtualMachine", "OSName", "Windows", "STARTSWITH")]}
    return {
        "expression": [_cond("VirtualMachine", "Tag", f"team|t{i}")],
        "tags": [{"scope": "owner", "tag": "netops"}],
    }


def _entry(rng: random.Random, r: int) -> list[dict[str, Any]]:
    kind = r % 4
    if kind == 0:
        return [
            {
                "resource_type": "L4PortSetServiceEntry",
                "id": f"e{r}",
                "l4_protocol": "TCP",
                "destination_ports": [str(rng.randint(1024, 9999))],
            }
        ]
    if kind == 1:
        ports = sorted({str(rng.randint(1024, 9999)) for _ in range(3)})
        return [
            {"resource_type": "L4PortSetServiceEntry", "id": f"e{r}", "l4_protocol": "UDP", "destination_ports": ports}
        ]
    if kind == 2:
        return [{"resource_type": "ICMPTypeServiceEntry", "id": f"e{r}", "protocol": "ICMPv4"}]
    return [
        {
            "resource_type": "L4PortSetServiceEntry",
            "id": f"e{r}",
            "l4_protocol": "TCP",
            "destination_ports": ["8000-8080"],
        }
    ]


@dataclass(frozen=True)
class _Made:
    """What rules may name: the groups and custom services made so far."""

    groups: list[str]
    services: list[str]
    rng: random.Random
    domain: str


def _rule(p: int, r: int, category: str, made: _Made, *, clean: bool) -> dict[str, Any]:
    """Rule ``r`` of policy ``p``; a ``clean`` policy's rules use only what the rule schema can say."""
    rng, groups, services = made.rng, made.groups, made.services
    path = f"/infra/domains/{made.domain}/groups/"
    rule: dict[str, Any] = {
        "id": rng.choice((f"rule-{r}", f"Rule_{p}_{r}", f"r{r}.allow")),
        "display_name": rng.choice((None, f"Rule {r} of policy {p}", f"rule-{r}")),
        "sequence_number": rng.choice(((r + 1) * 10, r + 1, 1000 + r * 7)),
        "action": rng.choice(("ALLOW", "ALLOW", "DROP", "REJECT")),
        "source_groups": [path + g for g in rng.sample(groups, rng.randint(1, 3))],
        "destination_groups": rng.choice((["ANY"], [path + g for g in rng.sample(groups, rng.randint(1, 2))])),
    }
    if category == "Environment" and r == 0:
        rule["action"] = "JUMP_TO_APPLICATION"
    style = r % 4 if clean else r % 7
    if clean and style == 2:
        rule["service_entries"] = [
            {
                "resource_type": "L4PortSetServiceEntry",
                "id": f"e{r}",
                "l4_protocol": "TCP",
                "destination_ports": [str(9000 + r)],
            }
        ]
    elif style == 0:
        rule["services"] = [rng.choice(PREDEFINED)]
    elif style == 1:
        rule["services"] = [f"/infra/services/{rng.choice(services)}"]
    elif style in (2, 3):
        rule["services"] = ["ANY"]
        rule["service_entries"] = _entry(rng, r)
    elif style == 4:
        rule["source_groups"] = ["10.9.8.0/24"]  # an IP literal, no group
    elif style == 5:
        rule["scope"] = [path + rng.choice(groups)]
    rule["direction"] = rng.choice(("IN_OUT", "IN_OUT", "IN", "OUT"))
    rule["logged"] = rng.random() < 0.5
    if rng.random() < 0.1:
        rule["disabled"] = True
    if rng.random() < 0.2:
        rule["notes"] = f"ticket CHG-{rng.randint(1000, 9999)}"
    if rng.random() < 0.05:
        rule["tag"] = f"log-{p}"
    return {k: v for k, v in rule.items() if v is not None}


def _patch(nsx: httpx.Client, wrappers: list[dict[str, Any]], domain: str) -> None:
    """H-API PATCHes of at most HAPI_LIMIT objects (a policy counts with its rules)."""
    batch: list[dict[str, Any]] = []
    size = 0
    for wrapper in wrappers:
        inner = wrapper.get("SecurityPolicy") or {}
        cost = 1 + len(inner.get("rules") or [])
        if batch and size + cost > HAPI_LIMIT:
            _send(nsx, batch, domain)
            batch, size = [], 0
        batch.append(wrapper)
        size += cost
    if batch:
        _send(nsx, batch, domain)


def _send(nsx: httpx.Client, children: list[dict[str, Any]], domain: str) -> None:
    body = {
        "resource_type": "Infra",
        "children": [
            {"resource_type": "ChildResourceReference", "id": domain, "target_type": "Domain", "children": children}
        ],
    }
    nsx.patch("/policy/api/v1/infra", json=body, timeout=600).raise_for_status()


def make_brownfield(
    nsx: httpx.Client,
    *,
    groups: int = 300,
    policies: int = 150,
    rules: int = 1500,
    seed: int = 3,
    domain: str = "default",
) -> Brownfield:
    """Create the estate in ``domain`` (plus a second domain, ``partner``)."""
    rng = random.Random(seed)
    services: list[str] = []
    for s in range(max(3, groups // 50)):
        entry = {
            "resource_type": "L4PortSetServiceEntry",
            "id": "ports",
            "l4_protocol": "TCP",
            "destination_ports": [str(7000 + s)],
        }
        nsx.patch(
            f"/policy/api/v1/infra/services/custom-{s}",
            json={"display_name": f"Custom {s}", "service_entries": [entry]},
        ).raise_for_status()
        services.append(f"custom-{s}")
    ids: list[str] = []
    wrappers: list[dict[str, Any]] = []
    for i in range(groups):
        gid = rng.choice((f"grp-{i}", f"Group_{i}", f"g{i}.net"))
        body = _group(i, ids, rng, domain)
        body["display_name"] = rng.choice((gid, f"Servers {i % 40}", f"Web Servers {i}"))
        if rng.random() < 0.3:
            body["description"] = f"made by hand, batch {i // 30}"
        ids.append(gid)
        wrappers.append({"resource_type": "ChildGroup", "Group": {"id": gid, "resource_type": "Group", **body}})
    per_policy, extra = divmod(rules, policies)
    policy_ids: list[str] = []
    for p in range(policies):
        category = rng.choice(CATEGORIES)
        pid = rng.choice((f"pol-{p:03d}", f"{rng.choice(APPS)}-policy-{p}", f"Section_{p}"))
        count = per_policy + (1 if p < extra else 0)
        rule_ids: set[str] = set()
        body_rules = []
        for r in range(count):
            rule = _rule(p, r, category, _Made(ids, services, rng, domain), clean=p % 3 == 0)
            while rule["id"] in rule_ids:
                rule["id"] += "-b"
            rule_ids.add(rule["id"])
            body_rules.append(rule)
        numbers = [r["sequence_number"] for r in body_rules]
        if len(set(numbers)) != len(numbers):  # NSX orders equal numbers arbitrarily: keep them distinct
            for r_index, rule in enumerate(body_rules):
                rule["sequence_number"] = (r_index + 1) * 10
        policy: dict[str, Any] = {
            "id": pid,
            "resource_type": "SecurityPolicy",
            "display_name": rng.choice((pid, f"{category} section {p % 20}")),
            "category": category,
            "sequence_number": p + 1,
            "rules": body_rules,
        }
        if rng.random() < 0.4:
            policy["tags"] = [{"scope": "app", "tag": rng.choice(APPS)}]
        if rng.random() < 0.2:
            policy["scope"] = [f"/infra/domains/{domain}/groups/{rng.choice(ids)}"]
        if rng.random() < 0.3:
            policy["description"] = f"section {p}"
        policy_ids.append(pid)
        wrappers.append({"resource_type": "ChildSecurityPolicy", "SecurityPolicy": policy})
    _patch(nsx, wrappers, domain)
    partner = {"display_name": "partner domain"}
    nsx.patch("/policy/api/v1/infra/domains/partner", json=partner).raise_for_status()
    nsx.patch(
        "/policy/api/v1/infra/domains/partner/groups/partner-web",
        json={"expression": [_cond("VirtualMachine", "Tag", "tier|web")]},
    ).raise_for_status()
    return Brownfield(
        domain,
        ids,
        policy_ids,
        services,
        sum(len(w["SecurityPolicy"]["rules"]) for w in wrappers if "SecurityPolicy" in w),
    )
