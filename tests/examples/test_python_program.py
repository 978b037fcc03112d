"""examples/python-program under the real engine: the typed components as a library, installed from a wheel.

Against the NSX emulator and a real Kubernetes API server: preview, up, an empty second
preview, refresh with no drift, destroy. What NSX holds is read through the emulator's raw
API: the groups by their paths, the rules naming the right group paths, one policy set
owning all of them; the egress pool is read from the API server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from local_cluster.apiserver import KubeCluster
from tests.support.emulator_process import RunningEmulator, start_emulator
from tests.support.installed_library import InstalledLibrary
from tests.support.nsx_stack import configure_nsx, raw
from tests.support.pulumi_harness import REPO, changes

pytestmark = pytest.mark.engine

PROGRAM = REPO / "examples" / "python-program"
DOMAIN = "/policy/api/v1/infra/domains/default"
GROUPS = "/infra/domains/default/groups"
EGRESS = "/apis/crd.antrea.io/v1beta1"


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[RunningEmulator]:
    emulator = start_emulator(tmp_path / "emulator")
    yield emulator
    emulator.stop()


def test_python_program_lifecycle(
    tmp_path: Path, emu: RunningEmulator, kube_clusters: dict[str, KubeCluster], installed: InstalledLibrary
) -> None:
    cluster = kube_clusters["vks-current"]
    ws = installed.workspace(PROGRAM, tmp_path / "ws")
    configure_nsx(ws, emu)
    ws.set_config({"kubeconfig": cluster.kubeconfig}, secret=frozenset({"kubeconfig"}))
    nsx = raw(emu)

    # stack, NSX provider, Firewall and its ONE policy set (the 3 groups and 2 sections are its
    # members, not resources), Kubernetes provider, EgressPool + ExternalIPPool + Egress
    preview = ws.preview()
    assert changes(preview.change_summary) == {"create": 8}
    assert nsx.get(f"{DOMAIN}/groups/web").status_code == 404, "a preview writes nothing"

    up = ws.up()
    assert changes(up.summary.resource_changes) == {"create": 8}
    assert up.outputs["db_group"].value == f"{GROUPS}/db"
    assert up.outputs["sections"].value == ["quarantine", "web-db"]
    [policy_set] = ws.resources("zerotrust:nsx:PolicySet")
    assert sorted(policy_set["inputs"]["groups"]) == ["db", "quarantined", "web"]

    db = nsx.get(f"{DOMAIN}/groups/db").json()
    assert db["path"] == f"{GROUPS}/db"
    assert [e.get("ip_addresses") for e in db["expression"] if e["resource_type"] == "IPAddressExpression"] == [
        ["192.0.2.20"]
    ]
    quarantine = nsx.get(f"{DOMAIN}/security-policies/quarantine").json()
    assert quarantine["category"] == "Emergency"
    isolate_in, isolate_out = quarantine["rules"]
    assert (isolate_in["action"], isolate_in["destination_groups"]) == ("DROP", [f"{GROUPS}/quarantined"])
    assert isolate_out["source_groups"] == [f"{GROUPS}/quarantined"]
    web_db = nsx.get(f"{DOMAIN}/security-policies/web-db").json()
    assert web_db["category"] == "Application"
    allow, rest = web_db["rules"]
    assert (allow["action"], allow["source_groups"], allow["destination_groups"]) == (
        "ALLOW",
        [f"{GROUPS}/web"],
        [f"{GROUPS}/db"],
    )
    assert allow["service_entries"][0]["destination_ports"] == ["5432"]
    assert (rest["action"], rest["source_groups"], rest["logged"]) == ("DROP", ["ANY"], True)
    with cluster.client() as kube:
        egress = kube.get(f"{EGRESS}/egresses/payments-egress").json()
        assert egress["spec"]["egressIP"] == "198.51.100.10"
        assert kube.get(f"{EGRESS}/externalippools/egress-pool").status_code == 200

    assert changes(ws.preview().change_summary) == {}, "a second preview must be empty"
    refresh = ws.refresh()
    assert changes(refresh.summary.resource_changes) == {}, "refresh must find no drift"
    assert changes(ws.preview().change_summary) == {}

    destroy = ws.destroy()
    assert changes(destroy.summary.resource_changes) == {"delete": 8}
    for group in ("web", "db", "quarantined"):
        assert nsx.get(f"{DOMAIN}/groups/{group}").status_code == 404
    assert nsx.get(f"{DOMAIN}/security-policies/web-db").status_code == 404
    with cluster.client() as kube:
        assert kube.get(f"{EGRESS}/egresses/payments-egress").status_code == 404
