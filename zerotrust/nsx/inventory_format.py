"""NSX inventory lists -> the inventory snapshot format (``nsx_emulator/seeds/*.yaml``).

Why this shape: the evaluator reads exactly this format (``load_inventory``), so a live read
and a snapshot file feed it the same way, and the evaluator stays offline. No I/O here.

Field facts are those of the vcf-nsx 9.1.1.0 model types the lists return:

* ``VirtualMachine``: ``display_name``, ``external_id``, ``tags`` (left out when empty,
  ref §1.2), ``guest_info`` (``os_name``, ``computer_name``). Its IPs are the
  ``ip_address_info[].ip_addresses`` of each ``VirtualNetworkInterface`` whose
  ``owner_vm_id`` is the VM.
* Container objects link by id: ``container_cluster_id``, ``container_project_id``
  (namespace), ``cluster_node_id`` and ``container_application_ids`` (the Services a pod
  backs). Kubernetes labels arrive as tags, key as scope (ref §6.2, [INF]).
* ``ContainerClusterNode``: ``ip_addresses``, ``pod_cidrs``. ``ContainerApplication``:
  ``type`` (``CLUSTER_IP`` ...), ``cluster_ips``, ``load_balancer_ingress[].ip``,
  ``service_ports``. ``ContainerEgress``: ``egress_ip`` and ``spec``, "the yaml definition of
  the kubernetes egress resource", whose ``spec.appliedTo`` says which pods use it.
  ``ContainerIpPool``: ``ip_ranges`` (``SubnetIpRange``: ``cidr`` or ``start``/``end``).
* A cluster is registered when a cluster-control-plane has its name as id or display name
  (how the provider finds it too, ``providers/cluster_lookup.py``; [INF]).

What NSX does not hold is left out, never guessed here: a pod's IPs (``ContainerApplicationInstance``
has no address field), named ports and service account, and a Service's selector, which is
rebuilt from its backends instead: the labels every backing pod shares select exactly those
pods, because a Service selector is a plain label map. :mod:`zerotrust.spec.live_inventory`
says how a check completes the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import yaml

__all__ = ["NsxInventory", "seed_format"]

Obj = Mapping[str, Any]
NsxInventory = Mapping[str, Sequence[Obj]]
"""List name (``virtual_machines``, ``vifs``, ``cluster_control_planes``, ``clusters``,
``namespaces``, ``pods``, ``nodes``, ``services``, ``egresses``, ``ip_pools``) -> its results."""

SERVICE_TYPES = {
    "CLUSTER_IP": "ClusterIP",
    "NODE_PORT": "NodePort",
    "LOAD_BALANCER": "LoadBalancer",
    "EXTERNAL_NAME": "ExternalName",
}
"""``ContainerApplication.type`` -> the Kubernetes Service type."""
RANGE_KEYS = ("cidr", "start", "end")
APPLIED_TO_KEYS = ("namespaceSelector", "podSelector")
"""The only fields of an Egress's ``appliedTo`` (antrea.md §1.3)."""


def seed_format(nsx: NsxInventory) -> dict[str, Any]:
    """The snapshot mapping (``virtual_machines``, ``clusters``) of what NSX listed."""
    ips = _vm_ips(nsx.get("vifs") or [])
    vms = [_vm(vm, ips.get(str(vm.get("external_id")), [])) for vm in _by_name(nsx.get("virtual_machines"))]
    clusters = [_cluster(c, nsx) for c in _by_name(nsx.get("clusters"))]
    return {"virtual_machines": vms, "clusters": clusters}


def _by_name(items: Iterable[Obj] | None) -> list[Obj]:
    """Results in name order: the same snapshot whatever order NSX lists them in."""
    return sorted(items or [], key=lambda item: str(item.get("display_name", "")))


def _labels(item: Obj) -> dict[str, str]:
    return {str(t["scope"]): str(t.get("tag", "")) for t in item.get("tags") or [] if t.get("scope")}


def _vm_ips(vifs: Iterable[Obj]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for vif in vifs:
        found = out.setdefault(str(vif.get("owner_vm_id")), [])
        for info in vif.get("ip_address_info") or []:
            found += [ip for ip in info.get("ip_addresses") or [] if ip not in found]
    return out


def _vm(vm: Obj, ips: list[str]) -> dict[str, Any]:
    guest = vm.get("guest_info") or {}
    out: dict[str, Any] = {
        "display_name": vm["display_name"],
        "external_id": vm["external_id"],
        "ip_addresses": ips,
        "tags": [{"scope": t.get("scope", ""), "tag": t.get("tag", "")} for t in vm.get("tags") or []],
    }
    out.update({key: guest[key] for key in ("os_name", "computer_name") if guest.get(key)})
    return out


def _in_cluster(nsx: NsxInventory, list_name: str, cluster_id: str) -> list[Obj]:
    return _by_name(item for item in nsx.get(list_name) or [] if item.get("container_cluster_id") == cluster_id)


def _control_plane(name: str, nsx: NsxInventory) -> dict[str, str] | bool:
    for ccp in nsx.get("cluster_control_planes") or []:
        if name in (ccp.get("id"), ccp.get("display_name")):
            return {"id": str(ccp["id"])}
    return False


def _cluster(cluster: Obj, nsx: NsxInventory) -> dict[str, Any]:
    name, cluster_id = str(cluster["display_name"]), str(cluster["external_id"])
    namespaces = _in_cluster(nsx, "namespaces", cluster_id)
    nodes = _in_cluster(nsx, "nodes", cluster_id)
    pods = _in_cluster(nsx, "pods", cluster_id)
    namespace_of = {str(ns["external_id"]): str(ns["display_name"]) for ns in namespaces}
    node_of = {str(node["external_id"]): str(node["display_name"]) for node in nodes}
    return {
        "name": name,
        "cluster_control_plane": _control_plane(name, nsx),
        "namespaces": [{"name": ns["display_name"], "labels": _labels(ns)} for ns in namespaces],
        "nodes": [
            {
                "name": node["display_name"],
                "ip_addresses": list(node.get("ip_addresses") or []),
                "pod_cidrs": list(node.get("pod_cidrs") or []),
                "labels": _labels(node),
            }
            for node in nodes
        ],
        "pods": [_pod(pod, namespace_of, node_of) for pod in pods],
        "services": [_service(svc, namespace_of, pods) for svc in _in_cluster(nsx, "services", cluster_id)],
        "egresses": [_egress(e) for e in _in_cluster(nsx, "egresses", cluster_id) if e.get("egress_ip")],
        "ip_pools": [
            {
                "name": pool["display_name"],
                "ip_ranges": [{k: r[k] for k in RANGE_KEYS if r.get(k)} for r in pool.get("ip_ranges") or []],
                "labels": _labels(pool),
            }
            for pool in _in_cluster(nsx, "ip_pools", cluster_id)
        ],
    }


def _pod(pod: Obj, namespace_of: Mapping[str, str], node_of: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": pod["display_name"],
        "labels": _labels(pod),
        "ip_addresses": [],
        "node": node_of.get(str(pod.get("cluster_node_id")), ""),
    }
    namespace = namespace_of.get(str(pod.get("container_project_id")))
    if namespace is not None:
        out["namespace"] = namespace
    return out


def _service(svc: Obj, namespace_of: Mapping[str, str], pods: Sequence[Obj]) -> dict[str, Any]:
    cluster_ips = [str(ip) for ip in svc.get("cluster_ips") or []]
    ingress = [str(i["ip"]) for i in svc.get("load_balancer_ingress") or [] if i.get("ip")]
    backends = [pod for pod in pods if svc["external_id"] in (pod.get("container_application_ids") or [])]
    return {
        "name": svc["display_name"],
        "namespace": namespace_of.get(str(svc.get("container_project_id")), "default"),
        "labels": _labels(svc),
        "selector": _shared_labels([_labels(pod) for pod in backends]),
        "type": SERVICE_TYPES.get(str(svc.get("type")), "ClusterIP"),
        "cluster_ip": cluster_ips[0] if cluster_ips else None,
        "load_balancer_ip": ingress[0] if ingress else None,
        "ports": [
            {"port": p["port"], "protocol": p.get("protocol", "TCP")}
            for p in svc.get("service_ports") or []
            if p.get("port")
        ],
    }


def _shared_labels(labels: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """The label pairs every map holds; none without any backend (selects no pod)."""
    if not labels:
        return {}
    shared = dict(labels[0])
    for other in labels[1:]:
        shared = {k: v for k, v in shared.items() if other.get(k) == v}
    return shared


def _egress(egress: Obj) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": egress["display_name"],
        "egress_ip": str(egress["egress_ip"]),
        "labels": _labels(egress),
    }
    applied = _applied_to(egress.get("spec"))
    if applied:
        out["applied_to"] = applied
    return out


def _applied_to(spec_yaml: Any) -> dict[str, Any]:
    """``spec.appliedTo`` of the Egress resource NSX keeps as YAML; empty when it has none."""
    if not isinstance(spec_yaml, str) or not spec_yaml.strip():
        return {}
    try:
        resource = yaml.safe_load(spec_yaml)
    except yaml.YAMLError:
        return {}
    spec = resource.get("spec") if isinstance(resource, dict) else None
    applied = spec.get("appliedTo") if isinstance(spec, dict) else None
    if not isinstance(applied, dict):
        return {}
    return {k: v for k, v in applied.items() if k in APPLIED_TO_KEYS}
