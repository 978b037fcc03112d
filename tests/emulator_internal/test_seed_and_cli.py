"""Smoke tests of the emulator's own surface: the demo seed, the CLI guard rails and
the benchmark script. (NSX conformance lives in tests/emulator.)"""

from __future__ import annotations

import re
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from nsx_emulator.launcher import REPO_ROOT, RunningEmulator, start_emulator
from zerotrust.nsx.group_members import effective_ips, pods

P = "/policy/api/v1"
DEMO = REPO_ROOT / "nsx_emulator" / "seeds" / "demo.yaml"
GROUPS = "/infra/domains/default/groups"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    emu = start_emulator(tmp_path_factory.mktemp("demo"), seed=DEMO)
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture(scope="module")
def client(demo: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=demo.base_url,
        auth=("admin", demo.admin_password),
        verify=ssl.create_default_context(cafile=str(demo.ca_file)),
    ) as c:
        yield c


def _group(client: httpx.Client, gid: str, expression: list[Any], **extra: object) -> str:
    body = {"resource_type": "Group", "expression": expression, **extra}
    assert client.patch(f"{P}{GROUPS}/{gid}", json=body).status_code == 200
    return f"{GROUPS}/{gid}"


def _page(client: httpx.Client, gid: str, kind: str) -> dict[str, Any]:
    resp = client.get(f"{P}{GROUPS}/{gid}/members/{kind}")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert isinstance(body, dict)
    return body


def _members(client: httpx.Client, gid: str, kind: str) -> list[object]:
    return list(_page(client, gid, kind)["results"])


def _pod_names(client: httpx.Client, gid: str) -> set[str]:
    return {str(p.member["display_name"]) for p in pods(_page(client, gid, "pods"))}


def test_demo_cluster_is_registered(client: httpx.Client) -> None:
    ccps = client.get(f"{P}/infra/sites/default/enforcement-points/default/cluster-control-planes").json()
    assert [c["id"] for c in ccps["results"]] == ["vks-dev-01"]
    projects = client.get("/api/v1/fabric/container-projects").json()["results"]
    assert {p["display_name"] for p in projects} >= {"shop", "payments", "forensics"}


def test_demo_frontend_pods_and_orders_db(client: httpx.Client) -> None:
    cond = {"resource_type": "Condition", "member_type": "Pod", "key": "Tag", "operator": "EQUALS"}
    _group(client, "frontend", [{**cond, "value": "app|frontend"}], group_type=["ANTREA"])
    assert _pod_names(client, "frontend") == {"frontend-7c9d5-abcde", "frontend-7c9d5-fghij"}
    vm_cond = {**cond, "member_type": "VirtualMachine", "value": "tier|db"}
    _group(client, "orders-db", [vm_cond])
    assert [v["display_name"] for v in _members(client, "orders-db", "virtual-machines")] == ["orders-db"]  # type: ignore[index]
    assert _members(client, "orders-db", "ip-addresses") == ["192.0.2.20"]


def test_demo_payments_egress_and_external_db(client: httpx.Client) -> None:
    egress = {
        "resource_type": "Condition",
        "member_type": "AntreaEgress",
        "key": "Name",
        "operator": "EQUALS",
        "value": "payments-egress",
    }
    _group(client, "payments-egress", [egress])
    assert effective_ips(_page(client, "payments-egress", "consolidated-effective-ip-addresses")) == ["198.51.100.10"]
    _group(
        client,
        "external-db",
        [{"resource_type": "IPAddressExpression", "ip_addresses": ["203.0.113.10"]}],
        group_type=["IPAddress"],
    )
    assert _members(client, "external-db", "ip-addresses") == ["203.0.113.10"]


def test_pod_label_change_moves_membership(client: httpx.Client) -> None:
    cond = {
        "resource_type": "Condition",
        "member_type": "Pod",
        "key": "Tag",
        "operator": "EQUALS",
        "value": "quarantine|true",
    }
    _group(client, "quarantine", [cond], group_type=["ANTREA"])
    pods = client.get("/api/v1/fabric/container-application-instances").json()["results"]
    forensic = next(p for p in pods if p["display_name"] == "forensic-0")
    assert _pod_names(client, "quarantine") == set()
    labels = {"app": "forensic", "quarantine": "true"}
    resp = client.patch(f"/emulator/admin/inventory/pods/{forensic['external_id']}", json={"labels": labels})
    assert resp.status_code == 200
    assert _pod_names(client, "quarantine") == {"forensic-0"}
    resp = client.patch(
        f"/emulator/admin/inventory/pods/{forensic['external_id']}", json={"labels": {"app": "forensic"}}
    )
    assert resp.status_code == 200
    assert _pod_names(client, "quarantine") == set()


def test_cli_refuses_non_loopback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "nsx_emulator",
            "--port",
            "0",
            "--host",
            "0.0.0.0",
            "--state",
            str(tmp_path / "s.db"),
            "--admin-password",
            "x",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "non-loopback" in proc.stderr


def test_bench_small_prints_the_three_lines() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "nsx_emulator.bench", "--scale", "small"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = proc.stdout.strip().splitlines()
    assert [line.split()[1] for line in lines] == [
        "emulator_get_rps",
        "emulator_patch_rps",
        "emulator_hapi_get_domain_s",
    ]
    for line in lines:
        assert re.fullmatch(r"BENCH \w+ \d+(\.\d+)? (req/s|s)", line), line
