"""Benchmark program of the zerotrust provider: groups, policies and rules at scale.

Sized by stack config: ``groups`` (N tag-based groups), ``policies`` (M security policies)
and ``rulesPerPolicy`` (R rules each). Full scale is 2,000 / 1,000 / 10 (10,000 rules).
``nsx`` (host, username, caFile) and the secret ``nsxPassword`` point it at NSX.

The estate is declared the way the stack program declares it: one ``PolicySet`` holding
every group and policy (docs/scale.md). The shape is meant to look like a real estate, not
a best case: groups match VM tags (some on two tags), every rule references 1-3 source and
1-3 destination groups by path, and about a third of the rules carry inline L4 service
entries instead of a predefined service. Choices come from a seeded RNG, so every run
declares exactly the same objects and a second run is a no-op. ``changedPort`` (stack
config) rewrites the first port of the first L4 rule: the one-rule change of the bench.
"""

from __future__ import annotations

import random
from typing import Any

import pulumi

from zerotrust.resources import NsxProvider, PolicySet

SEED = 4
"""Fixed: the same config always declares the same objects (a re-run must be a no-op)."""
APPS = ("shop", "billing", "crm", "search", "auth", "media", "ledger", "mail")
TIERS = ("web", "app", "db", "cache")
PREDEFINED_SERVICES = ("/infra/services/HTTPS", "/infra/services/HTTP", "/infra/services/SSH")

cfg = pulumi.Config()
nsx = cfg.require_object("nsx")
provider = NsxProvider(
    "nsx",
    host=nsx["host"],
    username=nsx["username"],
    password=cfg.require_secret("nsxPassword"),
    ca_file=nsx.get("caFile"),
)
opts = pulumi.ResourceOptions(provider=provider)
rng = random.Random(SEED)  # noqa: S311  (reproducible shapes, not secrets)


def tag_condition(scope: str, value: str) -> dict[str, Any]:
    return {
        "resource_type": "Condition",
        "member_type": "VirtualMachine",
        "key": "Tag",
        "operator": "EQUALS",
        "value": f"{scope}|{value}",
    }


def group_path(i: int) -> str:
    return f"/infra/domains/default/groups/bench-g{i}"


def bench_group(i: int) -> dict[str, Any]:
    """Every fourth group matches two tags (app AND tier); the others one workload tag."""
    app, tier = APPS[i % len(APPS)], TIERS[(i // len(APPS)) % len(TIERS)]
    if i % 4 == 0:
        expression = [
            tag_condition("app", app),
            {"resource_type": "ConjunctionOperator", "conjunction_operator": "AND"},
            tag_condition("tier", tier),
        ]
    else:
        expression = [tag_condition("workload", f"w{i}")]
    return {"display_name": f"bench {app} {tier} {i}", "expression": expression}


def bench_rule(p: int, r: int, groups: list[str]) -> dict[str, Any]:
    sources = rng.sample(groups, k=min(len(groups), rng.randint(1, 3)))
    destinations = rng.sample(groups, k=min(len(groups), rng.randint(1, 3)))
    rule: dict[str, Any] = {
        "id": f"r{r}",
        "display_name": f"policy {p} rule {r}",
        "sequence_number": (r + 1) * 10,
        "action": rng.choice(("ALLOW", "ALLOW", "ALLOW", "DROP")),
        "source_groups": sources,
        "destination_groups": destinations,
        "logged": r % 2 == 0,
    }
    if rng.random() < 0.35:
        ports = sorted({str(rng.randint(1024, 9999)) for _ in range(rng.randint(1, 3))})
        rule["services"] = ["ANY"]
        rule["service_entries"] = [
            {
                "resource_type": "L4PortSetServiceEntry",
                "id": f"ports-{r}",
                "l4_protocol": rng.choice(("TCP", "UDP")),
                "destination_ports": ports,
            }
        ]
    else:
        rule["services"] = [rng.choice(PREDEFINED_SERVICES)]
    return rule


def bench_policy(p: int, rules_per_policy: int, groups: list[str]) -> dict[str, Any]:
    return {
        "display_name": f"bench policy {p}",
        "category": "Application",
        "sequence_number": p + 1,
        "rules": [bench_rule(p, r, groups) for r in range(rules_per_policy)],
    }


def change_one_port(policies: dict[str, dict[str, Any]], port: str) -> None:
    """The bench's one-rule change: the first port of the first rule with L4 entries."""
    for policy in policies.values():
        for rule in policy["rules"]:
            if rule.get("service_entries"):
                rule["service_entries"][0]["destination_ports"][0] = port
                return


n_groups = cfg.get_int("groups") or 200
n_policies = cfg.get_int("policies") or 100
rules_per_policy = cfg.get_int("rulesPerPolicy") or 10

paths = [group_path(i) for i in range(n_groups)]
groups = {f"bench-g{i}": bench_group(i) for i in range(n_groups)}
policies = {f"bench-p{p}": bench_policy(p, rules_per_policy, paths) for p in range(n_policies)}
changed_port = cfg.get("changedPort")
if changed_port:
    change_one_port(policies, changed_port)
PolicySet("estate", groups=groups, policies=policies, opts=opts)

pulumi.export("objects", n_groups + n_policies)
