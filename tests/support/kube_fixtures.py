"""Session-scoped pytest fixture: real API servers for four clusters, started once per worker.

* `vks-current`: a guest cluster on Antrea >= 2.0 (CRDs serve crd.antrea.io/v1beta1 only);
* `vks-legacy`: a guest cluster on an older VMware Antrea build (1.7: Egress/ExternalIPPool
  serve v1alpha2 only), so the per-cluster apiVersion choice meets a server that enforces it;
* `vks-bridge`: a cluster on Antrea 1.13-1.15, which serves both versions - where an Antrea
  upgrade moves objects from v1alpha2 to v1beta1;
* `supervisor`: the Supervisor, where the AntreaConfig that switches on NSX registration lives.

All of them share one etcd (separate key prefixes) and one generated PKI.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local_cluster.apiserver import CRDS, KubeCluster, running_control_plane

CLUSTERS = {
    "vks-current": CRDS / "antrea-v2",
    "vks-legacy": CRDS / "antrea-v1.7",
    "vks-bridge": CRDS / "antrea-v1.13",
    "supervisor": CRDS / "supervisor",
}


@pytest.fixture(scope="session")
def kube_clusters(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, KubeCluster]]:
    with running_control_plane(tmp_path_factory.mktemp("kube"), CLUSTERS) as clusters:
        yield clusters
