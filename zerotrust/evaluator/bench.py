"""Benchmark: ``python -m zerotrust.evaluator.bench --scale small|full``.

full = 10,000 DFW rules over 5,000 endpoints (4,000 VMs, 1,000 pods), small = 1/10.
Prints ``BENCH <name> <value> <unit>`` lines (issue 7, verification.md §3.2): compile,
one query (cold, right after compile), the intents, the full rule analysis (``eval_shadow_s``:
shadowed/redundant/duplicate/contradiction/irrelevant over every rule), peak RSS of the process.
Seeded, so figures are comparable run to run.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from typing import Any

from zerotrust.evaluator.analysis import analyse
from zerotrust.evaluator.config import default_section, load_config
from zerotrust.evaluator.evaluate import Evaluator, check_intents
from zerotrust.evaluator.flows import Flow

__all__ = ["build", "main"]

G = "/infra/domains/default/groups"
P = "/infra/domains/default/security-policies"
CATEGORIES = ("Emergency", "Infrastructure", "Environment", "Application")


def build(rules: int, endpoints: int, seed: int = 7) -> dict[str, Any]:
    """A seed-format configuration with ``rules`` rules over ``endpoints`` endpoints."""
    rng = random.Random(seed)  # noqa: S311
    apps = max(endpoints // 20, 2)
    vm_count = endpoints * 4 // 5
    vms = [
        {
            "display_name": f"vm{i}",
            "ip_addresses": [f"10.{i // 65536 + 1}.{i // 256 % 256}.{i % 256}"],
            "tags": [
                {"scope": "app", "tag": f"a{i % apps}"},
                {"scope": "tier", "tag": rng.choice(["web", "app", "db"])},
            ],
        }
        for i in range(vm_count)
    ]
    pods = [
        {
            "name": f"p{i}",
            "namespace": f"ns{i % 20}",
            "labels": {"app": f"a{i % apps}"},
            "ip_addresses": [f"172.16.{i // 256}.{i % 256}"],
            "node": f"n{i % 10}",
        }
        for i in range(endpoints - vm_count)
    ]
    cluster = {
        "name": "c1",
        "nodes": [{"name": f"n{i}", "ip_addresses": [f"192.168.0.{i + 1}"]} for i in range(10)],
        "namespaces": [{"name": f"ns{i}"} for i in range(20)],
        "pods": pods,
    }
    objects: list[dict[str, Any]] = [
        {
            "path": f"{G}/app-{a}",
            "body": {
                "expression": [
                    {
                        "resource_type": "Condition",
                        "member_type": "VirtualMachine",
                        "key": "Tag",
                        "operator": "EQUALS",
                        "value": f"app|a{a}",
                    }
                ]
            },
        }
        for a in range(apps)
    ]
    per_policy = 50
    for index in range(rules // per_policy):
        policy_rules = []
        for number in range(per_policy):
            src, dst = rng.randrange(apps), rng.randrange(apps)
            port = rng.choice([22, 80, 443, 5432, 8080, 9000 + number])
            policy_rules.append(
                {
                    "id": f"r{number}",
                    "sequence_number": number + 1,
                    "action": rng.choice(["ALLOW", "ALLOW", "DROP"]),
                    "source_groups": [f"{G}/app-{src}"],
                    "destination_groups": [f"{G}/app-{dst}"],
                    "service_entries": [
                        {
                            "resource_type": "L4PortSetServiceEntry",
                            "id": "e",
                            "l4_protocol": "TCP",
                            "destination_ports": [str(port)],
                        }
                    ],
                }
            )
        objects.append(
            {
                "path": f"{P}/pol{index}",
                "body": {"category": CATEGORIES[index % 4], "sequence_number": index + 1, "rules": policy_rules},
            }
        )
    objects.append(default_section("DROP"))
    return {"virtual_machines": vms, "clusters": [cluster], "objects": objects}


def main() -> None:
    """Run and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m zerotrust.evaluator.bench")
    parser.add_argument("--scale", choices=["small", "full"], default="small")
    args = parser.parse_args()
    rules, endpoints = (10_000, 5_000) if args.scale == "full" else (1_000, 500)
    data = build(rules, endpoints)
    start = time.perf_counter()
    evaluator = Evaluator(load_config(data))
    compiled = time.perf_counter()
    (src,) = evaluator.endpoints("vm:vm1")
    (dst,) = evaluator.endpoints("vm:vm2")
    before = time.perf_counter()
    evaluator.evaluate(Flow(src, dst, "TCP", 5432))
    query_ms = (time.perf_counter() - before) * 1000
    intents = [
        "vm:vm1 -> vm:vm2 tcp/5432 deny",
        "vm:vm3 -> vm:vm4 tcp/80 allow",
        "pod:ns1/p1 -> vm:vm5 tcp/443 allow",
        "vm:vm6 -> vm:vm7 tcp/22 deny",
    ]
    before = time.perf_counter()
    check_intents(evaluator, intents)
    intents_ms = (time.perf_counter() - before) * 1000
    before = time.perf_counter()
    findings = analyse(evaluator)
    shadow_s = time.perf_counter() - before
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"BENCH eval_compile_s {compiled - start:.2f} s")
    print(f"BENCH eval_query_ms {query_ms:.1f} ms")
    print(f"BENCH eval_intents_ms {intents_ms:.1f} ms")
    print(f"BENCH eval_shadow_s {shadow_s:.2f} s")
    print(f"BENCH eval_peak_mem_mb {peak_mb:.0f} MB")
    kinds = ", ".join(f"{k} {sum(f.kind == k for f in findings)}" for k in sorted({f.kind for f in findings}))
    print(f"BENCH-NOTE eval_shadow_s found {len(findings)} findings ({kinds or 'none'})")


if __name__ == "__main__":
    main()
