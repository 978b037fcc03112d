"""An Antrea upgrade past 1.13 moves a cluster's objects from v1alpha2 to v1beta1 in place.

The apiVersion is part of the Pulumi type, so without the components' type aliases the engine
would delete and recreate every pool and Egress (and the Egress IPs would move). On a bridge
cluster (Antrea 1.13-1.15 serve both versions) the change must be an update of the same object.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from local_cluster.apiserver import KubeCluster
from tests.kubernetes.engine_support import without_reads, workspace

pytestmark = pytest.mark.engine

POOL = "/apis/crd.antrea.io/v1beta1/externalippools/bridge-egress"
EGRESS = "/apis/crd.antrea.io/v1beta1/egresses/bridge"


def _env(antrea: str) -> dict[str, object]:
    return {
        "clusters": [
            {
                "name": "vks-bridge",
                "antreaVersion": antrea,
                "egressPools": [
                    {
                        "name": "bridge-egress",
                        "ipRanges": [{"cidr": "100.64.0.0/28"}],
                        "nodeSelector": {},
                        "egresses": [
                            {"name": "bridge", "appliedTo": {"podSelector": {}}, "egressIP": "100.64.0.5"},
                        ],
                    }
                ],
            }
        ]
    }


def test_antrea_upgrade_updates_objects_in_place(tmp_path: Path, kube_clusters: dict[str, KubeCluster]) -> None:
    bridge = kube_clusters["vks-bridge"]
    ws, env_file = workspace(tmp_path, {"vks-bridge": bridge}, _env("1.12.3"))
    # a first preview works too: the stack's own (empty) outputs are known, so the gate resolves
    assert without_reads(ws.preview().change_summary) == {"create": 5}  # stack, provider, component, pool, egress
    ws.up()
    types = {r["type"] for r in ws.state()["resources"] if r["type"].startswith("kubernetes:crd.antrea.io")}
    assert types == {"kubernetes:crd.antrea.io/v1alpha2:ExternalIPPool", "kubernetes:crd.antrea.io/v1alpha2:Egress"}
    before = {path: (bridge.get(path) or {})["metadata"]["uid"] for path in (POOL, EGRESS)}

    env_file.write_text(yaml.safe_dump(_env("1.13.0"), sort_keys=False))
    plan = without_reads(ws.preview().change_summary)
    assert plan == {"update": 2}, f"an upgrade must not replace objects: {plan}"
    ws.up()
    types = {r["type"] for r in ws.state()["resources"] if r["type"].startswith("kubernetes:crd.antrea.io")}
    assert types == {"kubernetes:crd.antrea.io/v1beta1:ExternalIPPool", "kubernetes:crd.antrea.io/v1beta1:Egress"}
    after = {path: (bridge.get(path) or {})["metadata"]["uid"] for path in (POOL, EGRESS)}
    assert after == before, "same objects, not recreated"
    assert without_reads(ws.preview().change_summary) == {}

    ws.destroy()
    assert bridge.get(POOL) is None
    assert bridge.get(EGRESS) is None
