"""`make demo`'s story, driven step by step and checked by its effects (issue 13).

The demo's own code (scripts/demo.py) runs against a copy of the project (Pulumi.yaml,
__main__.py, stacks/) pointed at an emulator on a free port and a local API server for
vks-dev-01, with a private backend. One run: every step's effect is asserted on NSX, on the
Kubernetes API or on the verdict a trace gives, never on the wording of the output.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from local_cluster.apiserver import CRDS, running_control_plane
from scripts.demo import AUDITOR_PASSWORD, CLUSTER, DEMO_PASSWORD, DOMAIN, SEED, STACK, Demo, Run
from tests.support.emulator_process import RunningEmulator, start_emulator
from tests.support.pulumi_harness import REPO, VENV, offline_env

pytestmark = pytest.mark.engine


def project_copy(target: Path, emulator: RunningEmulator) -> Path:
    """Pulumi.yaml (venv and plugin path made absolute), __main__.py, stacks/ pointed at ``emulator``."""
    target.mkdir(parents=True)
    project = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
    project["runtime"]["options"]["virtualenv"] = str(VENV)
    for plugin in project["plugins"]["providers"]:
        plugin["path"] = str((REPO / plugin["path"]).resolve())
    (target / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    shutil.copy2(REPO / "__main__.py", target / "__main__.py")
    shutil.copytree(REPO / "stacks", target / "stacks", ignore=shutil.ignore_patterns("__pycache__"))
    config_file = target / "stacks" / f"Pulumi.{STACK}.yaml"
    config = yaml.safe_load(config_file.read_text())
    nsx = config["config"]["zerotrust-dfw:nsx"]
    nsx["host"], nsx["caFile"] = emulator.base_url, str(emulator.ca_file)
    config["config"]["zerotrust-dfw:inventory"] = str(SEED)
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))
    return target


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    emulator = start_emulator(
        tmp_path / "emulator", seed=SEED, admin_password=DEMO_PASSWORD, auditor_password=AUDITOR_PASSWORD
    )
    try:
        with running_control_plane(tmp_path / "kube", {CLUSTER: CRDS / "antrea-v2"}) as clusters:
            backend = tmp_path / "backend"
            backend.mkdir()
            env = {**offline_env(backend), "PULUMI_CONFIG_PASSPHRASE": "zerotrust-demo"}
            world = Demo(project_copy(tmp_path / "project", emulator), emulator, clusters[CLUSTER], env)
            world.seed_cluster()
            world.fresh_stack()
            yield world
    finally:
        emulator.stop()


def verdict(run: Run) -> str:
    """The trace's verdict line (``verdict DROP (deciding: ...)``)."""
    return next(line for line in run.output.splitlines() if line.startswith("verdict "))


def test_the_demo_story(demo: Demo) -> None:
    # preview: no warning about the demo's own stack
    preview = demo.preview()
    assert preview.returncode == 0
    assert preview.warnings == [], preview.warnings

    # up: NSX side and Kubernetes side in one run
    assert demo.up().returncode == 0
    with demo.nsx() as nsx:
        sections = {p["id"] for p in nsx.get(f"{DOMAIN}/security-policies").json()["results"]}
    assert {"quarantine", "shop-orders", "cluster-egress"} <= sections
    with demo.kube.client() as kube:
        egresses = kube.get("/apis/crd.antrea.io/v1beta1/egresses").json()["items"]
        pools = kube.get("/apis/crd.antrea.io/v1beta1/externalippools").json()["items"]
        policies = kube.get("/apis/networking.k8s.io/v1/networkpolicies").json()["items"]
    assert {e["metadata"]["name"]: e["spec"]["egressIP"] for e in egresses} == {
        "payments-egress": "198.51.100.10",
        "frontend-egress": "198.51.100.11",
        "forensic-egress": "198.51.100.12",
    }
    assert [p["metadata"]["name"] for p in pools] == ["egress-pool"]
    assert {p["metadata"]["name"] for p in policies} == {"frontend-ingress", "payments-from-frontend"}
    assert demo.show_kubernetes().returncode == 0

    # egress hardening: payments through its Egress IP, the frontend not
    payments, frontend = demo.trace_egress()
    assert payments.returncode == 0, payments.output
    assert "198.51.100.10" in payments.output
    assert frontend.returncode == 1
    assert "DROP" in verdict(frontend)

    # quarantine, live: members change, the trace flips, forensics still in, nothing to deploy
    seen = demo.quarantine_live()
    assert "192.0.2.20" not in seen["before"]["quarantined-vms"]
    assert "192.0.2.20" in seen["after"]["quarantined-vms"]
    assert len(seen["after"]["quarantined-pods"]) == len(seen["before"]["quarantined-pods"]) + 1
    assert seen["blocked"].returncode == 1
    assert "quarantine/rules/isolate-in" in verdict(seen["blocked"])
    assert seen["forensic"].returncode == 0
    assert "quarantine/rules/forensics-in" in verdict(seen["forensic"])
    assert seen["unchanged"].returncode == 0, "a quarantine must not need a deploy"

    # drift made by hand shows on refresh and goes away with up
    shown, fixed = demo.drift()
    assert shown.returncode == 0
    assert "15432" in shown.output
    assert fixed.returncode == 0
    with demo.nsx() as nsx:
        rule = nsx.get(f"{DOMAIN}/security-policies/shop-orders/rules/frontend-to-orders-db").json()
    assert rule["service_entries"][0]["destination_ports"] == ["5432"]

    # lifting the quarantine gives the frontend its database back
    lifted = demo.lift_quarantine()
    assert lifted.returncode == 0, lifted.output
    assert demo.members("quarantined-vms") == seen["before"]["quarantined-vms"]
    assert demo.members("quarantined-pods") == seen["before"]["quarantined-pods"]
