"""The project's own Antrea (and Supervisor) CRD manifests, enforced by a real API server.

What Antrea's schema enforces, ours must enforce too: otherwise an object our tests accept would
be rejected by a real VKS cluster. Each case posts one object and expects the exact 422 field.
"""

from __future__ import annotations

from typing import Any

import pytest

from local_cluster.apiserver import KubeCluster

B = "crd.antrea.io/v1beta1"
SEL: dict[str, Any] = {"matchLabels": {"app": "web"}}


def _post(cluster: KubeCluster, path: str, body: dict[str, Any]) -> tuple[int, str]:
    with cluster.client() as http:
        response = http.post(path, json=body)
        if response.status_code == 201:
            http.delete(f"{path}/{body['metadata']['name']}")
    return response.status_code, response.json().get("message", "")


def _obj(kind: str, name: str, spec: dict[str, Any], api: str = B) -> dict[str, Any]:
    return {"apiVersion": api, "kind": kind, "metadata": {"name": name}, "spec": spec}


REJECTED = [
    (
        "pool-no-selector",
        "externalippools",
        _obj("ExternalIPPool", "a", {"ipRanges": [{"cidr": "10.0.0.0/28"}]}),
        "spec.nodeSelector: Required value",
    ),
    (
        "pool-both-forms",
        "externalippools",
        _obj(
            "ExternalIPPool",
            "b",
            {
                "ipRanges": [{"cidr": "10.0.0.0/28", "start": "10.0.0.1", "end": "10.0.0.2"}],
                "nodeSelector": {},
            },
        ),
        "one and only one schema (oneOf)",
    ),
    (
        "pool-bad-ip",
        "externalippools",
        _obj(
            "ExternalIPPool",
            "c",
            {"ipRanges": [{"start": "10.0.0.300", "end": "10.0.0.2"}], "nodeSelector": {}},
        ),
        "spec.ipRanges[0].start",
    ),
    (
        "pool-no-ranges",
        "externalippools",
        _obj("ExternalIPPool", "d", {"ipRanges": [], "nodeSelector": {}}),
        "spec.ipRanges",
    ),
    ("egress-no-ip-or-pool", "egresses", _obj("Egress", "e", {"appliedTo": {"podSelector": SEL}}), "oneOf"),
    (
        "egress-no-applied-to",
        "egresses",
        _obj("Egress", "f", {"externalIPPool": "p"}),
        "spec.appliedTo: Required value",
    ),
    (
        "egress-bad-operator",
        "egresses",
        _obj(
            "Egress",
            "g",
            {
                "appliedTo": {"podSelector": {"matchExpressions": [{"key": "a", "operator": "Has"}]}},
                "externalIPPool": "p",
            },
        ),
        'Unsupported value: "Has"',
    ),
    ("tier-priority-range", "tiers", _obj("Tier", "h", {"priority": 300}), "spec.priority"),
    (
        "acnp-no-priority",
        "clusternetworkpolicies",
        _obj("ClusterNetworkPolicy", "i", {"tier": "application"}),
        "spec.priority: Required value",
    ),
    (
        "acnp-bad-action",
        "clusternetworkpolicies",
        _obj("ClusterNetworkPolicy", "j", {"priority": 5, "ingress": [{"action": "Permit"}]}),
        "spec.ingress[0].action",
    ),
    (
        "group-two-ipblock-forms",
        "clustergroups",
        _obj("ClusterGroup", "k", {"ipBlock": {"cidr": "10.0.0.0/8"}, "ipBlocks": [{"cidr": "10.0.0.0/8"}]}),
        "spec",
    ),
    (
        "traceflow-two-destinations",
        "traceflows",
        _obj(
            "Traceflow",
            "l",
            {"source": {"namespace": "a", "pod": "b"}, "destination": {"pod": "c", "ip": "10.0.0.1"}},
        ),
        "oneOf",
    ),
    (
        "traceflow-timeout",
        "traceflows",
        _obj("Traceflow", "m", {"destination": {"ip": "10.0.0.1"}, "timeout": 301}),
        "spec.timeout",
    ),
]


@pytest.mark.parametrize(("resource", "body", "field"), [c[1:] for c in REJECTED], ids=[c[0] for c in REJECTED])
def test_current_antrea_schema_rejects(
    kube_clusters: dict[str, KubeCluster], resource: str, body: dict[str, Any], field: str
) -> None:
    status, message = _post(kube_clusters["vks-current"], f"/apis/crd.antrea.io/v1beta1/{resource}", body)
    assert status == 422, message
    assert field in message


def test_current_antrea_schema_accepts_and_defaults(kube_clusters: dict[str, KubeCluster]) -> None:
    cluster = kube_clusters["vks-current"]
    acnp = _obj(
        "ClusterNetworkPolicy",
        "defaults",
        {"priority": 5.5, "tier": "application", "appliedTo": [{"podSelector": SEL}],
         "ingress": [{"action": "Allow", "name": "web", "ports": [{"port": 443}]}]},
    )  # fmt: skip
    with cluster.client() as http:
        response = http.post(f"/apis/{B}/clusternetworkpolicies", json=acnp)
        assert response.status_code == 201, response.text
        http.delete(f"/apis/{B}/clusternetworkpolicies/defaults")
    assert response.json()["spec"]["ingress"][0]["ports"] == [{"port": 443, "protocol": "TCP"}]
    egress = _obj("Egress", "ok", {"appliedTo": {"podSelector": SEL}, "externalIPPool": "p", "egressIP": ""})
    assert _post(cluster, f"/apis/{B}/egresses", egress)[0] == 201, "an empty egressIP (pool gone) is valid"


def test_legacy_cluster_serves_only_v1alpha2(kube_clusters: dict[str, KubeCluster]) -> None:
    legacy = kube_clusters["vks-legacy"]
    assert legacy.get("/apis/crd.antrea.io/v1beta1/egresses") is None
    path = "/apis/crd.antrea.io/v1alpha2/externalippools"
    spec: dict[str, Any] = {"ipRanges": [{"cidr": "10.0.0.0/28"}], "nodeSelector": {}}
    # An old schema silently prunes a field it does not know (subnetInfo came in 1.15): the reason
    # zerotrust.kube rejects such fields per cluster version before apply.
    spec["subnetInfo"] = {"gateway": "10.0.0.1", "prefixLength": 24}
    with legacy.client() as http:
        response = http.post(path, json=_obj("ExternalIPPool", "old", spec, "crd.antrea.io/v1alpha2"))
        http.delete(f"{path}/old")
    assert response.status_code == 201, response.text
    assert "subnetInfo" not in response.json()["spec"]


def test_supervisor_antrea_config_switches_nsx_registration(kube_clusters: dict[str, KubeCluster]) -> None:
    supervisor = kube_clusters["supervisor"]
    supervisor.ensure_namespace("team-a")
    path = "/apis/cni.tanzu.vmware.com/v1alpha2/namespaces/team-a/antreaconfigs"
    config: dict[str, Any] = {
        "apiVersion": "cni.tanzu.vmware.com/v1alpha2",
        "kind": "AntreaConfig",
        "metadata": {"name": "vks-current-antrea-package", "namespace": "team-a"},
        "spec": {"antreaNsx": {"enable": True}, "antrea": {"config": {"featureGates": {"Egress": True}}}},
    }
    assert _post(supervisor, path, config)[0] == 201
    config["spec"]["antreaNsx"]["bootstrapFrom"] = {
        "providerRef": {"kind": "Secret", "name": "x"},
        "inline": {"clusterName": "c"},
    }
    status, message = _post(supervisor, path, config)
    assert status == 422, "providerRef and inline are mutually exclusive"
    assert "spec.antreaNsx.bootstrapFrom" in message
