"""The inventory snapshot the evaluator reasons over: VMs, clusters, pods, Egresses.

Why its own model: the evaluator is pure and offline; it reads the same seed file the
emulator serves (``nsx_emulator/seeds/*.yaml``: ``virtual_machines`` and ``clusters``)
so that the demo's story and the evaluator's answers come from one source.
Every member is keyed by a string (``vm`` name, ``cluster/namespace/pod``) so that group
memberships are plain sets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from zerotrust.evaluator.addresses import IPSet, parse_ip, parse_range
from zerotrust.evaluator.selectors import LabelSelector, label_selector, selector_matches

__all__ = [
    "CCP_PARENT",
    "Cluster",
    "Egress",
    "IPPool",
    "Inventory",
    "KubeService",
    "Namespace",
    "Node",
    "Pod",
    "VirtualMachine",
    "load_inventory",
]

CCP_PARENT = "/infra/sites/default/enforcement-points/default/cluster-control-planes"
"""Where a registered Antrea cluster appears in NSX (nsx-policy-api.md §6.1)."""
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
"""Set on every Namespace by Kubernetes 1.21+; NSX "Namespace Name" relies on it (§6.2)."""


@dataclass(frozen=True)
class VirtualMachine:
    """A VM with a DFW-protected vNIC; ``ips[0]`` is the address flows use by default."""

    name: str
    external_id: str
    ips: tuple[int, ...]
    tags: tuple[tuple[str, str], ...] = ()
    os_name: str = ""
    computer_name: str = ""
    """The guest's host name; a seed without it means the VM's name (the seed format's default)."""


@dataclass(frozen=True)
class Node:
    """A Kubernetes node: pod traffic leaving the cluster is SNATed to its IP (antrea.md §4.5)."""

    name: str
    ips: tuple[int, ...]
    pod_cidrs: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    """Node labels, for Antrea ``nodeSelector`` peers (antrea.md §2.2)."""


@dataclass(frozen=True, eq=False)
class Namespace:
    """Namespace labels include ``kubernetes.io/metadata.name`` (added at load)."""

    name: str
    labels: Mapping[str, str]


@dataclass(frozen=True, eq=False)
class Pod:
    """A pod; ``key`` is ``cluster/namespace/name``, ``ports`` maps named ports to numbers."""

    name: str
    namespace: str
    cluster: str
    labels: Mapping[str, str]
    ips: tuple[int, ...]
    node: str
    ports: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    service_account: str = "default"
    """``spec.serviceAccountName``; Antrea ``serviceAccount`` peers select by it (antrea.md §2.2)."""

    @property
    def key(self) -> str:
        """Membership key, unique across clusters."""
        return f"{self.cluster}/{self.namespace}/{self.name}"


@dataclass(frozen=True, eq=False)
class KubeService:
    """A Service; NSX ``KubernetesService`` members are its LoadBalancer IP (§6.5)."""

    name: str
    namespace: str
    labels: Mapping[str, str]
    selector: LabelSelector
    type: str
    cluster_ip: int | None
    load_balancer_ip: int | None
    ports: tuple[tuple[str, int], ...] = ()
    """(protocol, port) of ``spec.ports``; Antrea ``toServices`` matches ClusterIP + these."""


@dataclass(frozen=True, eq=False)
class Egress:
    """An Antrea Egress: selected pods leave the cluster with ``egress_ip`` (antrea.md §1.3)."""

    name: str
    egress_ip: int
    namespace_selector: LabelSelector | None
    pod_selector: LabelSelector | None
    labels: Mapping[str, str]


@dataclass(frozen=True, eq=False)
class IPPool:
    """An Antrea IP pool; NSX ``AntreaIPPool`` members are its ranges (§6.5)."""

    name: str
    ranges: IPSet
    labels: Mapping[str, str]


@dataclass(frozen=True, eq=False)
class Cluster:
    """A Kubernetes cluster with Antrea; ``ccp_path`` is set when registered to NSX."""

    name: str
    ccp_path: str | None
    nodes: tuple[Node, ...]
    namespaces: Mapping[str, Namespace]
    pods: tuple[Pod, ...]
    services: tuple[KubeService, ...] = ()
    egresses: tuple[Egress, ...] = ()
    ip_pools: tuple[IPPool, ...] = ()

    def namespace_labels(self, namespace: str) -> Mapping[str, str]:
        """Labels of a namespace; an undeclared namespace has only its name label."""
        known = self.namespaces.get(namespace)
        return known.labels if known else {NAMESPACE_NAME_LABEL: namespace}

    def egress_for(self, pod: Pod) -> Egress | None:
        """The Egress selecting ``pod``; the first in file order wins [UNV: Antrea picks one]."""
        for egress in self.egresses:
            if egress.pod_selector is None and egress.namespace_selector is None:
                continue
            if egress.namespace_selector is not None and not selector_matches(
                egress.namespace_selector, self.namespace_labels(pod.namespace)
            ):
                continue
            if egress.pod_selector is not None and not selector_matches(egress.pod_selector, pod.labels):
                continue
            return egress
        return None

    def node(self, name: str) -> Node | None:
        """The node called ``name``."""
        return next((node for node in self.nodes if node.name == name), None)


@dataclass(frozen=True, eq=False)
class Inventory:
    """All VMs and clusters, with lookups by name."""

    vms: tuple[VirtualMachine, ...] = ()
    clusters: tuple[Cluster, ...] = ()

    def vm(self, name: str) -> VirtualMachine | None:
        """The VM whose display name is ``name``."""
        return next((vm for vm in self.vms if vm.name == name), None)

    def cluster(self, name: str) -> Cluster | None:
        """The cluster called ``name``."""
        return next((c for c in self.clusters if c.name == name), None)

    def pods(self) -> list[Pod]:
        """Every pod of every cluster."""
        return [pod for cluster in self.clusters for pod in cluster.pods]


def _ips(values: Sequence[str] | None) -> tuple[int, ...]:
    return tuple(parse_ip(v) for v in values or [])


def _labels(values: Mapping[str, Any] | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (values or {}).items()}


def _ranges(values: Sequence[Mapping[str, str]]) -> IPSet:
    spans = []
    for item in values:
        if "cidr" in item:
            spans.append(parse_range(item["cidr"]))
        else:
            spans.append((parse_ip(item["start"]), parse_ip(item["end"])))
    return IPSet.of(spans)


def _ports(values: Sequence[Mapping[str, Any]] | None) -> dict[str, tuple[int, str]]:
    return {
        str(p["name"]): (int(p["containerPort"]), str(p.get("protocol", "TCP"))) for p in values or [] if "name" in p
    }


def _cluster(data: Mapping[str, Any]) -> Cluster:
    name = str(data["name"])
    ccp = data.get("cluster_control_plane", {})
    ccp_path = None if ccp is False else f"{CCP_PARENT}/{(ccp or {}).get('id', name)}"
    namespaces = {}
    for item in data.get("namespaces") or []:
        labels = _labels(item.get("labels"))
        labels.setdefault(NAMESPACE_NAME_LABEL, str(item["name"]))
        namespaces[str(item["name"])] = Namespace(str(item["name"]), labels)
    pods = tuple(
        Pod(
            name=str(p["name"]),
            namespace=str(p.get("namespace", "default")),
            cluster=name,
            labels=_labels(p.get("labels")),
            ips=_ips(p.get("ip_addresses")),
            node=str(p.get("node", "")),
            ports=_ports(p.get("ports")),
            service_account=str(p.get("service_account") or "default"),
        )
        for p in data.get("pods") or []
    )
    services = tuple(
        KubeService(
            name=str(s["name"]),
            namespace=str(s.get("namespace", "default")),
            labels=_labels(s.get("labels")),
            selector=label_selector(s.get("selector")),
            type=str(s.get("type", "ClusterIP")),
            cluster_ip=parse_ip(s["cluster_ip"]) if s.get("cluster_ip") else None,
            load_balancer_ip=parse_ip(s["load_balancer_ip"]) if s.get("load_balancer_ip") else None,
            ports=tuple((str(p.get("protocol", "TCP")), int(p["port"])) for p in s.get("ports") or []),
        )
        for s in data.get("services") or []
    )
    egresses = []
    for e in data.get("egresses") or []:
        applied = e.get("applied_to") or {}
        ns_selector: LabelSelector | None = None
        if "namespace" in applied:
            ns_selector = {"matchLabels": {NAMESPACE_NAME_LABEL: applied["namespace"]}}
        elif applied.get("namespace_selector") is not None or applied.get("namespaceSelector") is not None:
            ns_selector = label_selector(applied.get("namespace_selector", applied.get("namespaceSelector")))
        pod_raw = applied.get("pod_selector", applied.get("podSelector"))
        egresses.append(
            Egress(
                name=str(e["name"]),
                egress_ip=parse_ip(e["egress_ip"]),
                namespace_selector=ns_selector,
                pod_selector=None if pod_raw is None else label_selector(pod_raw),
                labels=_labels(e.get("labels")),
            )
        )
    pools = tuple(
        IPPool(str(p["name"]), _ranges(p.get("ip_ranges") or []), _labels(p.get("labels")))
        for p in data.get("ip_pools") or []
    )
    nodes = tuple(
        Node(str(n["name"]), _ips(n.get("ip_addresses")), tuple(n.get("pod_cidrs") or []), _labels(n.get("labels")))
        for n in data.get("nodes") or []
    )
    return Cluster(name, ccp_path, nodes, namespaces, pods, services, tuple(egresses), pools)


def load_inventory(data: Mapping[str, Any]) -> Inventory:
    """Build the inventory from the emulator's seed format (``virtual_machines``, ``clusters``)."""
    vms = tuple(
        VirtualMachine(
            name=str(vm["display_name"]),
            external_id=str(vm.get("external_id", vm["display_name"])),
            ips=_ips(vm.get("ip_addresses")),
            tags=tuple((str(t.get("scope", "")), str(t.get("tag", ""))) for t in vm.get("tags") or []),
            os_name=str(vm.get("os_name", "")),
            computer_name=str(vm.get("computer_name") or vm["display_name"]),
        )
        for vm in data.get("virtual_machines") or []
    )
    return Inventory(vms, tuple(_cluster(c) for c in data.get("clusters") or []))
