"""Egress pools and app NetworkPolicies under the real engine against real API servers.

One engine run per step, many assertions per run (the style of tests/engine): up on two VKS
clusters (current and legacy Antrea), an empty second preview, a simulated Antrea controller
writing `spec.egressIP`, a kubectl edit that refresh must see, a forbidden range change that must
fail before apply, and destroy.
"""

from __future__ import annotations

import copy
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from pulumi import automation as auto

from local_cluster.apiserver import BIN, KubeCluster, kubectl_env
from tests.kubernetes.engine_support import without_reads, workspace
from tests.support.pulumi_harness import changes

pytestmark = pytest.mark.engine

ENVIRONMENT = Path(__file__).parent / "environments" / "two-clusters.yaml"
BETA = "/apis/crd.antrea.io/v1beta1"
ALPHA = "/apis/crd.antrea.io/v1alpha2"
NETPOL = "/apis/networking.k8s.io/v1/namespaces"
ANTREA_CONFIG = "/apis/cni.tanzu.vmware.com/v1alpha2/namespaces/team-a/antreaconfigs/vks-current-antrea-package"


def _platform_antrea_config(supervisor: KubeCluster) -> None:
    """What VKS creates on the Supervisor for every cluster; we only own its NSX switch."""
    supervisor.ensure_namespace("team-a")
    body = {
        "apiVersion": "cni.tanzu.vmware.com/v1alpha2",
        "kind": "AntreaConfig",
        "metadata": {"name": "vks-current-antrea-package", "namespace": "team-a"},
        "spec": {"antrea": {"config": {"featureGates": {"Egress": True}, "trafficEncapMode": "encap"}}},
    }
    with supervisor.client() as http:
        response = http.post("/apis/cni.tanzu.vmware.com/v1alpha2/namespaces/team-a/antreaconfigs", json=body)
    assert response.status_code in (201, 409), response.text


def _updated_kubernetes_objects(stdout: str) -> list[str]:
    """`type name` of every Kubernetes object a refresh updated, from the engine's own progress lines."""
    return re.findall(r"^ ~  kubernetes:(\S+ \S+) updated", stdout, flags=re.MULTILINE)


def _kubectl(cluster: KubeCluster, *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "kubectl"), f"--kubeconfig={cluster.kubeconfig_path}", *args],
        capture_output=True,
        text=True,
        env=kubectl_env(),
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_lifecycle_on_two_clusters(tmp_path: Path, kube_clusters: dict[str, KubeCluster]) -> None:
    current, legacy = kube_clusters["vks-current"], kube_clusters["vks-legacy"]
    for ns in ("shop", "payments"):
        current.ensure_namespace(ns)
    legacy.ensure_namespace("batch")
    supervisor = kube_clusters["supervisor"]
    _platform_antrea_config(supervisor)
    desired = yaml.safe_load(ENVIRONMENT.read_text())
    ws, env_file = workspace(tmp_path, kube_clusters, desired)

    # -- up: stack, 3 providers, 3 pool components (3 pools, 4 egresses), 2 app components
    #    (3 policies), 1 registration component (1 patch)
    up = ws.up()
    created = changes(up.summary.resource_changes)
    assert created.get("create") == 1 + 3 + 3 + 3 + 4 + 2 + 3 + 1 + 1, created
    pool = current.get(f"{BETA}/externalippools/shop-egress")
    assert pool is not None
    assert pool["spec"]["ipRanges"] == [{"start": "192.0.2.10", "end": "192.0.2.19"}]
    assert pool["spec"]["nodeSelector"] == {"matchLabels": {"node-role.kubernetes.io/egress": ""}}
    assert current.get(f"{BETA}/externalippools/pci-egress") is not None
    web = current.get(f"{BETA}/egresses/shop-web")
    assert web is not None
    assert web["spec"] == {
        "appliedTo": {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "shop"}},
            "podSelector": {"matchLabels": {"app": "web"}},
        },
        "egressIP": "192.0.2.10",
        "externalIPPool": "shop-egress",
    }
    # the legacy cluster only serves v1alpha2, and that is what the program chose for it
    assert legacy.get(f"{ALPHA}/externalippools/batch-egress") is not None
    assert legacy.get(f"{ALPHA}/egresses/batch") is not None
    policy = current.get(f"{NETPOL}/shop/networkpolicies/api-from-web")
    assert policy is not None
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert policy["metadata"]["labels"] == {
        "app.kubernetes.io/managed-by": "zerotrust-iac",
        "app.kubernetes.io/part-of": "shop",
    }
    assert policy["spec"]["egress"][0]["ports"] == [{"protocol": "TCP", "port": 9000, "endPort": 9010}]
    assert legacy.get(f"{NETPOL}/batch/networkpolicies/deny-ingress") is not None
    registered = supervisor.get(ANTREA_CONFIG)
    assert registered is not None
    assert registered["spec"]["antreaNsx"] == {"enable": True}
    assert registered["spec"]["antrea"]["config"]["trafficEncapMode"] == "encap", "the platform's fields stay"
    egress_ips = up.outputs["kubernetes"].value["egressIPs"]
    assert egress_ips["vks-current"]["shop-egress"] == {"shop-web": "192.0.2.10", "shop-api": ""}
    assert egress_ips["vks-legacy"]["batch-egress"] == {"batch": "203.0.113.20"}

    # -- the kubeconfigs (client keys included) are encrypted in the stored state, never plain text
    #    (read the backend's files: `stack export` through the Automation API shows them decrypted)
    state = "".join(path.read_text() for path in ws.backend.rglob("*.json"))
    assert "ciphertext" in state
    for cluster in kube_clusters.values():
        key = yaml.safe_load(cluster.kubeconfig)["users"][0]["user"]["client-key-data"]
        assert key not in state

    # -- no-op: the second preview is empty (API-server defaults are written out by us)
    assert without_reads(ws.preview().change_summary) == {}, "a second preview must be empty"

    # -- Antrea's controller allocates an IP into the pool-backed Egress (its own field manager)
    current.merge_patch(
        f"{BETA}/egresses/shop-api", {"spec": {"egressIP": "192.0.2.11"}}, field_manager="antrea-controller"
    )
    current.merge_patch(
        f"{BETA}/egresses/shop-api/status",
        {"status": {"egressIP": "192.0.2.11", "egressNode": "node-1"}},
        field_manager="antrea-controller",
    )
    assert without_reads(ws.preview().change_summary) == {}, "the controller's egressIP is not drift"
    refreshed = ws.refresh()
    assert changes(refreshed.summary.resource_changes).get("delete", 0) == 0
    assert without_reads(ws.preview().change_summary) == {}, "still empty after refresh read the controller's write"
    kept = current.get(f"{BETA}/egresses/shop-api")
    assert kept is not None
    assert kept["spec"]["egressIP"] == "192.0.2.11", "Pulumi must not undo the controller's allocation"
    again = ws.up()
    assert without_reads(again.summary.resource_changes) == {}
    assert again.outputs["kubernetes"].value["egressIPs"]["vks-current"]["shop-egress"]["shop-api"] == "192.0.2.11"

    # -- an out-of-band edit with a real client (kubectl) is drift that refresh shows
    _kubectl(
        current, "-n", "shop", "patch", "networkpolicy", "web-ingress", "--type=json",
        "-p", '[{"op": "replace", "path": "/spec/ingress/0/ports/0/port", "value": 9443}]',
    )  # fmt: skip
    drift = ws.refresh()
    # (the summary also counts the StackReference, whose value - this stack's outputs - moved)
    assert _updated_kubernetes_objects(drift.stdout) == [
        "networking.k8s.io/v1:NetworkPolicy vks-current-shop-web-ingress"
    ]
    [stored] = [
        r
        for r in ws.resources("kubernetes:networking.k8s.io/v1:NetworkPolicy")
        if r["outputs"]["metadata"]["name"] == "web-ingress"
    ]
    assert stored["outputs"]["spec"]["ingress"][0]["ports"][0]["port"] == 9443
    repair = ws.up()
    assert without_reads(repair.summary.resource_changes) == {"update": 1}
    fixed = current.get(f"{NETPOL}/shop/networkpolicies/web-ingress")
    assert fixed is not None
    assert fixed["spec"]["ingress"][0]["ports"][0]["port"] == 8443
    assert without_reads(ws.preview().change_summary) == {}

    # -- appending a range is allowed; changing an existing one fails before apply
    grown = copy.deepcopy(desired)
    grown["clusters"][0]["egressPools"][0]["ipRanges"].append({"start": "192.0.2.40", "end": "192.0.2.49"})
    env_file.write_text(yaml.safe_dump(grown, sort_keys=False))
    assert without_reads(ws.up().summary.resource_changes) == {"update": 1}
    shrunk = copy.deepcopy(grown)
    shrunk["clusters"][0]["egressPools"][0]["ipRanges"] = [{"start": "192.0.2.10", "end": "192.0.2.15"}]
    env_file.write_text(yaml.safe_dump(shrunk, sort_keys=False))
    with pytest.raises(auto.CommandError) as failed:
        ws.preview()
    text = str(failed.value)
    assert f"{env_file}: clusters[0].egressPools[0].ipRanges" in text
    assert "192.0.2.10-192.0.2.19" in text
    assert "only allows appending" in text
    assert "fix: keep the existing ranges and append new ones" in text
    pool = current.get(f"{BETA}/externalippools/shop-egress")
    assert pool is not None
    assert len(pool["spec"]["ipRanges"]) == 2, "nothing was applied"

    # -- a strict environment: a selector that matches no declared workload stops the preview
    typo = copy.deepcopy(grown)
    typo["clusters"][0]["apps"][0]["policies"][1]["podSelector"] = {"matchLabels": {"app": "apii"}}
    env_file.write_text(yaml.safe_dump(typo, sort_keys=False))
    with pytest.raises(auto.CommandError) as failed:
        ws.preview()
    text = str(failed.value)
    assert f"{env_file}: clusters[0].apps[0].policies[1].podSelector: selects no declared workload" in text
    assert "fix: fix the selector, declare the workload under clusters[0].workloads" in text

    # -- destroy removes everything from both clusters
    env_file.write_text(yaml.safe_dump(grown, sort_keys=False))
    destroyed = ws.destroy()
    assert changes(destroyed.summary.resource_changes).get("delete") == created["create"]
    for path in (
        f"{BETA}/externalippools/shop-egress",
        f"{BETA}/egresses/shop-api",
        f"{NETPOL}/shop/networkpolicies/web-ingress",
    ):
        assert current.get(path) is None, path
    assert legacy.get(f"{ALPHA}/egresses/batch") is None
    assert legacy.get(f"{NETPOL}/batch/networkpolicies/deny-ingress") is None
    released = supervisor.get(ANTREA_CONFIG)
    assert released is not None, "destroy gives the field back; the platform's object stays"
    assert "antreaNsx" not in released["spec"]
