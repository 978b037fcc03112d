"""Kubernetes faults under the engine: one line naming the stack config key, the cluster unchanged.

pulumi-kubernetes previews a cluster it cannot reach without a word (and fails only the
``up``), and reports a bad kubeconfig late; the program reads the kubeconfig and asks the API
server for its version first (components/kube_provider.py). Each case breaks the kubeconfig
secret one way, against a real API server, and checks the single line and that no object was
created.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pulumi.automation.errors import CommandError

from local_cluster.apiserver import KubeCluster, expired_kubeconfig
from tests.kubernetes.engine_support import workspace
from tests.support.pulumi_harness import one_error_line

pytestmark = pytest.mark.engine

CLUSTER = "vks-current"
POOLS = "/apis/crd.antrea.io/v1beta1/externalippools"
ENV = {
    "clusters": [
        {
            "name": CLUSTER,
            "antreaVersion": "2.3.0",
            "egressPools": [{"name": "faults-egress", "ipRanges": [{"cidr": "100.64.9.0/28"}], "nodeSelector": {}}],
        }
    ]
}
Case = tuple[str, Callable[[KubeCluster], str], tuple[str, ...]]
"""(name, the broken kubeconfig, facts the line must hold)."""
CASES: list[Case] = [
    ("malformed", lambda _c: "{:", ("cannot work: it is not valid YAML",)),
    ("expired", expired_kubeconfig, ("client certificate expired on",)),
    ("no-context", lambda c: c.kubeconfig.replace("current-context:", "former-context:"), ("no current-context",)),
    (
        "unreachable",
        lambda c: c.kubeconfig.replace(c.url, "https://127.0.0.1:9"),
        ("https://127.0.0.1:9 is unreachable", "Connection refused"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("command", ["preview", "up"])
def test_a_broken_kubeconfig_is_one_line_and_changes_nothing(
    tmp_path: Path, kube_clusters: dict[str, KubeCluster], case: Case, command: str
) -> None:
    _, kubeconfig, facts = case
    cluster = kube_clusters[CLUSTER]
    ws, _ = workspace(tmp_path, {}, ENV)
    ws.set_config({f"kubeconfig-{CLUSTER}": kubeconfig(cluster)}, secret=frozenset({f"kubeconfig-{CLUSTER}"}))
    with pytest.raises(CommandError) as failed:
        ws.preview() if command == "preview" else ws.up()
    line = one_error_line(failed.value)
    for fact in (f"Kubernetes cluster {CLUSTER!r}", f"kubeconfig-{CLUSTER}", *facts, "Nothing was changed"):
        assert fact in line, line
    pools = cluster.get(POOLS) or {}
    assert [p["metadata"]["name"] for p in pools.get("items", [])].count("faults-egress") == 0
