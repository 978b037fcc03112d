"""Benchmark: ``python -m nsx_emulator.bench --scale small|full``.

Starts the emulator as a subprocess on a free loopback port over plain HTTP
(the numbers measure the emulator, not TLS), loads 2,000 groups, 1,000 policies
and 10,000 rules at ``full`` (a tenth at ``small``) through the H-API, then
prints exactly::

    BENCH emulator_get_rps <value> req/s       single-object GETs, 4 keep-alive clients
    BENCH emulator_patch_rps <value> req/s     single-object PATCHes (each fsync'd)
    BENCH emulator_hapi_get_domain_s <value> s one H-API GET of the whole domain
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

SCALES = {"full": (2000, 1000, 10000), "small": (200, 100, 1000)}
DOMAIN = "/infra/domains/default"
P = "/policy/api/v1"
THREADS = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _group(i: int) -> dict[str, Any]:
    return {
        "resource_type": "ChildGroup",
        "Group": {
            "id": f"bench-g{i}",
            "resource_type": "Group",
            "expression": [
                {
                    "resource_type": "Condition",
                    "member_type": "VirtualMachine",
                    "key": "Tag",
                    "operator": "EQUALS",
                    "value": f"bench|g{i}",
                }
            ],
        },
    }


def _policy(i: int, rules: int, groups: int) -> dict[str, Any]:
    children = [
        {
            "resource_type": "ChildRule",
            "Rule": {
                "id": f"r{j}",
                "resource_type": "Rule",
                "action": "ALLOW",
                "sequence_number": j,
                "source_groups": [f"{DOMAIN}/groups/bench-g{(i + j) % groups}"],
                "destination_groups": [f"{DOMAIN}/groups/bench-g{(i + j + 1) % groups}"],
                "services": ["/infra/services/HTTPS"],
            },
        }
        for j in range(rules)
    ]
    return {
        "resource_type": "ChildSecurityPolicy",
        "SecurityPolicy": {
            "id": f"bench-p{i}",
            "resource_type": "SecurityPolicy",
            "category": "Application",
            "sequence_number": i,
            "children": children,
        },
    }


def _hapi(client: httpx.Client, children: list[dict[str, Any]]) -> None:
    body = {
        "resource_type": "Infra",
        "children": [
            {
                "resource_type": "ChildResourceReference",
                "id": "default",
                "target_type": "Domain",
                "children": children,
            }
        ],
    }
    resp = client.patch(P + "/infra", json=body)
    resp.raise_for_status()


def _rate(n: int, work: Callable[[httpx.Client, int], None], make: Callable[[], httpx.Client]) -> float:
    per_thread = n // THREADS

    def run(t: int) -> None:
        with make() as client:
            for k in range(per_thread):
                work(client, t * per_thread + k)

    start = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(run, range(THREADS)))
    return per_thread * THREADS / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nsx_emulator.bench")
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    args = parser.parse_args(argv)
    n_groups, n_policies, n_rules = SCALES[args.scale]
    per_policy = n_rules // n_policies
    password = secrets.token_urlsafe(12)
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="nsx-bench-") as tmp:
        env = {**os.environ, "NSX_EMULATOR_ADMIN_PASSWORD": password}
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "nsx_emulator",
                "--port",
                str(port),
                "--http",
                "--state",
                str(Path(tmp) / "state.sqlite"),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline().decode()
            if "listening" not in line:
                print(f"emulator failed to start: {line}{proc.stdout.read().decode()[-2000:]}", file=sys.stderr)
                return 1
            base = f"http://127.0.0.1:{port}"

            def make() -> httpx.Client:
                return httpx.Client(base_url=base, auth=("admin", password), timeout=120)

            with make() as client:
                for start in range(0, n_groups, 1000):
                    _hapi(client, [_group(i) for i in range(start, min(n_groups, start + 1000))])
                chunk = max(1, 2500 // (per_policy + 1))
                for start in range(0, n_policies, chunk):
                    _hapi(
                        client,
                        [_policy(i, per_policy, n_groups) for i in range(start, min(n_policies, start + chunk))],
                    )
                client.get(P + f"{DOMAIN}/groups/bench-g0").raise_for_status()

                def get_one(c: httpx.Client, i: int) -> None:
                    c.get(P + f"{DOMAIN}/groups/bench-g{i % n_groups}").raise_for_status()

                def patch_one(c: httpx.Client, i: int) -> None:
                    body = {
                        "resource_type": "Group",
                        "description": f"bench {i}",
                        "expression": [
                            {
                                "resource_type": "Condition",
                                "member_type": "VirtualMachine",
                                "key": "Tag",
                                "operator": "EQUALS",
                                "value": f"bench|p{i}",
                            }
                        ],
                    }
                    c.patch(P + f"{DOMAIN}/groups/bench-g{i % n_groups}", json=body).raise_for_status()

                get_rps = _rate(2000 if args.scale == "full" else 400, get_one, make)
                patch_rps = _rate(400 if args.scale == "full" else 100, patch_one, make)
                start_t = time.perf_counter()
                resp = client.get(
                    P + "/infra",
                    params={"filter": "Type-Domain|Group|SecurityPolicy|Rule", "base_path": DOMAIN},
                )
                resp.raise_for_status()
                resp.json()
                hapi_s = time.perf_counter() - start_t
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"BENCH emulator_get_rps {get_rps:.1f} req/s")
    print(f"BENCH emulator_patch_rps {patch_rps:.1f} req/s")
    print(f"BENCH emulator_hapi_get_domain_s {hapi_s:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
