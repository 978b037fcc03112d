"""A small cluster for Antrea-native policy tests: namespaces, pods, nodes, a Service.

Why its own world: the precedence and construct tables (test_antrea_precedence.py,
test_antrea_constructs.py) are derived by hand from antrea.md §2.2-2.5 over this
inventory alone, so each expectation can be checked on paper. The cluster is not
registered to NSX: only the Antrea, K8s and baseline stages run.

Namespaces (labels): x (env=dev, team=t1), y (env=dev, team=t2), z (env=prod, team=t1), w (none).
Pods: x/a (app=a, sa=deployer), x/b (app=b), y/a (app=a, sa=builder), z/a (app=a, port http=8080),
z/b (app=b), w/a (app=a). Nodes: n1 192.0.2.11 (role=worker), n2 192.0.2.12 (role=infra).
Service y/web: selector app=a, ClusterIP 10.96.0.5, TCP/80.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zerotrust.evaluator.config import load_config
from zerotrust.evaluator.evaluate import Evaluator
from zerotrust.evaluator.flows import Flow
from zerotrust.evaluator.verdict import Verdict

CRD = "crd.antrea.io/v1beta1"
NAMESPACES = {"x": {"env": "dev", "team": "t1"}, "y": {"env": "dev", "team": "t2"}, "z": {"env": "prod", "team": "t1"}}
PODS: list[dict[str, Any]] = [
    {"name": "a", "namespace": "x", "labels": {"app": "a"}, "ip": "10.244.1.10", "service_account": "deployer"},
    {"name": "b", "namespace": "x", "labels": {"app": "b"}, "ip": "10.244.1.11"},
    {"name": "a", "namespace": "y", "labels": {"app": "a"}, "ip": "10.244.1.20", "service_account": "builder"},
    {
        "name": "a",
        "namespace": "z",
        "labels": {"app": "a"},
        "ip": "10.244.2.30",
        "ports": [{"name": "http", "containerPort": 8080}],
    },
    {"name": "b", "namespace": "z", "labels": {"app": "b"}, "ip": "10.244.2.31"},
    {"name": "a", "namespace": "w", "labels": {"app": "a"}, "ip": "10.244.2.40"},
]


def inventory() -> dict[str, Any]:
    """The seed-format inventory of the world."""
    pods = []
    for pod in PODS:
        entry = {k: v for k, v in pod.items() if k != "ip"}
        pods.append({**entry, "ip_addresses": [pod["ip"]], "node": "n1"})
    return {
        "virtual_machines": [],
        "clusters": [
            {
                "name": "c1",
                "cluster_control_plane": False,
                "nodes": [
                    {"name": "n1", "ip_addresses": ["192.0.2.11"], "labels": {"role": "worker"}},
                    {"name": "n2", "ip_addresses": ["192.0.2.12"], "labels": {"role": "infra"}},
                ],
                "namespaces": [{"name": n, "labels": labels} for n, labels in NAMESPACES.items()] + [{"name": "w"}],
                "pods": pods,
                "services": [
                    {
                        "name": "web",
                        "namespace": "y",
                        "selector": {"app": "a"},
                        "cluster_ip": "10.96.0.5",
                        "ports": [{"port": 80, "protocol": "TCP"}],
                    }
                ],
            }
        ],
    }


def world(manifests: Sequence[Mapping[str, Any]]) -> Evaluator:
    """An evaluator over the world with these manifests in cluster c1."""
    return Evaluator(load_config({**inventory(), "kubernetes": {"c1": list(manifests)}}))


def acnp(name: str, priority: float, *, tier: str = "application", **spec: Any) -> dict[str, Any]:
    """An Antrea ClusterNetworkPolicy manifest."""
    return {
        "apiVersion": CRD,
        "kind": "ClusterNetworkPolicy",
        "metadata": {"name": name},
        "spec": {"tier": tier, "priority": priority, **spec},
    }


def annp(namespace: str, name: str, priority: float, *, tier: str = "application", **spec: Any) -> dict[str, Any]:
    """An Antrea (namespaced) NetworkPolicy manifest."""
    return {
        "apiVersion": CRD,
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"tier": tier, "priority": priority, **spec},
    }


def group(name: str, namespace: str | None = None, **spec: Any) -> dict[str, Any]:
    """A ClusterGroup (no namespace) or Group manifest."""
    metadata: dict[str, Any] = {"name": name} | ({"namespace": namespace} if namespace else {})
    kind = "ClusterGroup" if namespace is None else "Group"
    return {"apiVersion": CRD, "kind": kind, "metadata": metadata, "spec": spec}


def ns(name: str) -> dict[str, Any]:
    """A namespaceSelector by name."""
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


def verdict(
    evaluator: Evaluator,
    src: str,
    dst: str,
    protocol: str = "TCP",
    port: int | None = 80,
    *,
    src_port: int | None = None,
    icmp: tuple[int, int] | None = None,
) -> Verdict:
    """The verdict of one flow between two endpoint selectors."""
    (source,) = evaluator.endpoints(src)
    (destination,) = evaluator.endpoints(dst)
    extra: dict[str, Any] = {}
    if src_port is not None:
        extra["src_port"] = src_port
    if icmp is not None:
        extra["icmp_type"], extra["icmp_code"] = icmp
    return evaluator.evaluate(Flow(source, destination, protocol, port, **extra))
