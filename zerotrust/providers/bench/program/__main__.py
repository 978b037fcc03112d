"""Benchmark program of the zerotrust provider: groups, policies and rules at scale.

Sized by stack config: ``groups`` (N tag-based groups), ``policies`` (M security policies)
and ``rulesPerPolicy`` (R rules each). Full scale is 2,000 / 1,000 / 10 (10,000 rules).
``nsx`` (host, username, caFile) and the secret ``nsxPassword`` point it at NSX.

The shape is meant to look like a real estate, not a best case for the provider: groups
match VM tags (some on two tags), every rule references 1-3 source and 1-3 destination
groups through the groups' ``path`` outputs (so the engine orders policies after their
groups and a preview sees them as unknown until the groups exist), and about a third of the
rules carry inline L4 service entries instead of a predefined service. Choices come from a
seeded RNG, so every run declares exactly the same objects and a second run is a no-op.
"""

from __future__ import annotations

import random
from typing import Any

import pulumi

from zerotrust.resources import Group, NsxProvider, SecurityPolicy

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


def bench_group(i: int) -> Group:
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
    return Group(
        f"g{i}",
        nsx_id=f"bench-g{i}",
        display_name=f"bench {app} {tier} {i}",
        expression=expression,
        opts=opts,
    )


def bench_rule(p: int, r: int, groups: list[Group]) -> dict[str, Any]:
    sources = [g.path for g in rng.sample(groups, k=min(len(groups), rng.randint(1, 3)))]
    destinations = [g.path for g in rng.sample(groups, k=min(len(groups), rng.randint(1, 3)))]
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


def bench_policy(p: int, rules_per_policy: int, groups: list[Group]) -> SecurityPolicy:
    return SecurityPolicy(
        f"p{p}",
        nsx_id=f"bench-p{p}",
        display_name=f"bench policy {p}",
        category="Application",
        sequence_number=p + 1,
        rules=[bench_rule(p, r, groups) for r in range(rules_per_policy)],
        opts=opts,
    )


n_groups = cfg.get_int("groups") or 200
n_policies = cfg.get_int("policies") or 100
rules_per_policy = cfg.get_int("rulesPerPolicy") or 10

all_groups = [bench_group(i) for i in range(n_groups)]
all_policies = [bench_policy(p, rules_per_policy, all_groups) for p in range(n_policies)]

pulumi.export("objects", n_groups + n_policies)
