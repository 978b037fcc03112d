"""``ContainerEgress.spec``: the Egress resource as YAML (vcf-nsx 9.1.1.0 documents the field as
"yaml definition of kubernetes egress resource"); its ``appliedTo`` says which pods use the IP."""

from __future__ import annotations

import httpx
import yaml

from ._nsx import JSON, ok, token


def _egresses(nsx: httpx.Client, cluster: str) -> dict[str, JSON]:
    clusters = ok(nsx.get("/api/v1/fabric/container-clusters")).json()["results"]
    cluster_id = next(c["external_id"] for c in clusters if c["display_name"] == cluster)
    found = ok(nsx.get("/api/v1/fabric/container-egresses", params={"container_cluster_id": cluster_id})).json()
    return {e["display_name"]: e for e in found["results"]}


def test_an_egress_reports_its_resource_with_the_pods_it_applies_to(nsx: httpx.Client) -> None:
    cluster = token("cl")
    seed = {
        "clusters": [
            {
                "name": cluster,
                "cluster_control_plane": False,
                "egresses": [
                    {
                        "name": "payments-egress",
                        "egress_ip": "198.51.100.10",
                        "external_ip_pool": "egress-pool",
                        "applied_to": {"namespace": "payments", "pod_selector": {"app": "payments"}},
                        "labels": {"app": "payments"},
                    },
                    {
                        "name": "by-labels",
                        "egress_ip": "198.51.100.11",
                        "applied_to": {"namespace_selector": {"team": "x"}},
                    },
                ],
            }
        ]
    }
    ok(nsx.post("/emulator/admin/inventory", json=seed))
    egresses = _egresses(nsx, cluster)
    payments = egresses["payments-egress"]
    assert payments["egress_ip"] == "198.51.100.10"
    assert yaml.safe_load(payments["spec"]) == {
        "apiVersion": "crd.antrea.io/v1beta1",
        "kind": "Egress",
        "metadata": {"name": "payments-egress", "labels": {"app": "payments"}},
        "spec": {
            "appliedTo": {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "payments"}},
                "podSelector": {"matchLabels": {"app": "payments"}},
            },
            "egressIP": "198.51.100.10",
            "externalIPPool": "egress-pool",
        },
    }
    by_labels = yaml.safe_load(egresses["by-labels"]["spec"])
    assert by_labels["spec"]["appliedTo"] == {"namespaceSelector": {"matchLabels": {"team": "x"}}}
