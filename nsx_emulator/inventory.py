"""VM and container inventory (ref §1.2, antrea §4.4).

Real NSX learns this from vCenter and from the Antrea adapter; the emulator
keeps it in the store under ``@inv/<kind>/...`` and fills it from the seed
file or the admin hooks. Kubernetes labels surface as NSX tags, label key as
scope and value as tag (antrea §4.4, [INF]); namespaces also carry
``kubernetes.io/metadata.name`` (ref §6.2).

MP shapes: the VM fields follow ref §1.2; every rendered object carries only fields its
vcf-nsx 9.1.1.0 model type declares (``VirtualMachine``, ``ContainerCluster``, ...): inventory
objects have no ``id`` (``external_id`` identifies them), a service's addresses are
``cluster_ips`` and ``load_balancer_ingress``, and a pod's IPs are not part of
``ContainerApplicationInstance`` at all (they surface through group members).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .container_specs import egress_spec
from .errors import NsxError, bad_request
from .policy.common import check_tags
from .store import Store

Obj = dict[str, Any]
PREFIX = "@inv/"
KINDS = ("vm", "cluster", "namespace", "pod", "service", "node", "egress", "ippool")
NS_NAME_LABEL = "kubernetes.io/metadata.name"
#: Kubernetes service type -> ``ContainerApplication.type`` (vcf-nsx 9.1.1.0 enum)
SERVICE_TYPES = {
    "ClusterIP": "CLUSTER_IP",
    "NodePort": "NODE_PORT",
    "LoadBalancer": "LOAD_BALANCER",
    "ExternalName": "EXTERNAL_NAME",
}


def key(kind: str, *parts: str) -> str:
    return PREFIX + kind + "/" + "/".join(parts)


def stable_id(k: str) -> str:
    """Deterministic UUID for an inventory record, stable across restarts."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "nsx-emulator:" + k))


def labels_to_tags(labels: dict[str, str]) -> list[Obj]:
    return [{"scope": k, "tag": v} for k, v in sorted(labels.items())]


@dataclass(frozen=True)
class Inventory:
    store: Store

    def records(self, kind: str) -> Iterator[Obj]:
        prefix = PREFIX + kind + "/"
        for k in self.store.keys_with_prefix(prefix):
            rec = self.store.get(k)
            if rec is not None:
                yield rec

    def get(self, kind: str, *parts: str) -> Obj | None:
        return self.store.get(key(kind, *parts))

    def cluster_by_external_id(self, external_id: str) -> Obj | None:
        for c in self.records("cluster"):
            if c["external_id"] == external_id:
                return c
        return None

    # --- MP rendering ------------------------------------------------------------

    def render_vm(self, vm: Obj) -> Obj:
        out: Obj = {
            "resource_type": "VirtualMachine",
            "external_id": vm["external_id"],
            "display_name": vm["display_name"],
            "type": "REGULAR",
            "power_state": vm.get("power_state", "VM_RUNNING"),
            "host_id": vm.get("host_id", "host-1"),
            "local_id_on_host": vm.get("local_id_on_host", "vm-" + vm["external_id"][:8]),
            "compute_ids": [
                f"biosUuid:{stable_id('bios:' + vm['external_id'])}",
                f"instanceUuid:{vm['external_id']}",
            ],
            "guest_info": {
                "os_name": vm.get("os_name", ""),
                "computer_name": vm.get("computer_name", vm["display_name"]),
            },
            "source": {"target_display_name": "vcenter", "target_type": "ComputeManager"},
            "_last_sync_time": vm.get("_last_sync_time", 0),
        }
        if vm.get("tags"):
            out["tags"] = vm["tags"]  # omitted when empty (ref §1.2)
        return out

    def render_vif(self, vm: Obj) -> Obj:
        return {
            "resource_type": "VirtualNetworkInterface",
            "external_id": stable_id("vif:" + vm["external_id"]),
            "owner_vm_id": vm["external_id"],
            "display_name": "Network adapter 1",
            "device_key": "4000",
            "ip_address_info": [{"source": "VM_TOOLS", "ip_addresses": list(vm.get("ip_addresses", []))}],
        }

    def render_container(self, kind: str, rec: Obj) -> Obj:  # noqa: PLR0911 - one MP shape per kind
        cluster = self.get("cluster", rec["cluster"]) if kind != "cluster" else rec
        cluster_id = cluster["external_id"] if cluster else stable_id("cluster:" + rec.get("cluster", ""))
        base: Obj = {
            "external_id": rec["external_id"],
            "display_name": rec["name"],
            "tags": labels_to_tags(rec.get("labels", {})),
        }
        if kind == "cluster":
            return {
                **base,
                "resource_type": "ContainerCluster",
                "cluster_type": rec.get("cluster_type", "Kubernetes"),
                "infrastructure": {"infra_type": rec.get("infra_type", "vSphere")},
                "cni_type": "Antrea",
                "network_status": "HEALTHY",
            }
        base["container_cluster_id"] = cluster_id
        if kind == "namespace":
            return {**base, "resource_type": "ContainerProject"}
        if kind == "node":
            return {
                **base,
                "resource_type": "ContainerClusterNode",
                "ip_addresses": list(rec.get("ip_addresses", [])),
                "pod_cidrs": list(rec.get("pod_cidrs", [])),
            }
        if kind == "egress":
            # ContainerEgress has no pool field; the pool is the seed's business only.
            egress = {**base, "resource_type": "ContainerEgress", "spec": egress_spec(rec)}
            if rec.get("egress_ip"):
                egress["egress_ip"] = rec["egress_ip"]
            return egress
        if kind == "ippool":
            return {**base, "resource_type": "ContainerIpPool", "ip_ranges": list(rec.get("ip_ranges", []))}
        ns = self.get("namespace", rec["cluster"], rec["namespace"])
        if ns:
            base["container_project_id"] = ns["external_id"]
        if kind == "pod":
            pod = {
                **base,
                "resource_type": "ContainerApplicationInstance",
                "status": "UP",
                "network_status": "HEALTHY",
                "container_application_ids": [s["external_id"] for s in self.services_selecting(rec)],
            }
            node = self.get("node", rec["cluster"], rec["node"]) if rec.get("node") else None
            if node:
                pod["cluster_node_id"] = node["external_id"]
            return pod
        service = {
            **base,
            "resource_type": "ContainerApplication",
            "status": "UP",
            "network_status": "HEALTHY",
            "type": SERVICE_TYPES.get(rec.get("type", "ClusterIP"), "CLUSTER_IP"),
        }
        if rec.get("cluster_ip"):
            service["cluster_ips"] = [rec["cluster_ip"]]
        if rec.get("load_balancer_ip"):
            service["load_balancer_ingress"] = [{"ip": rec["load_balancer_ip"]}]
        return service

    def service_ips(self, svc: Obj) -> list[str]:
        return [ip for ip in (svc.get("cluster_ip"), svc.get("load_balancer_ip")) if ip]

    def services_selecting(self, pod: Obj) -> list[Obj]:
        out = []
        for svc in self.records("service"):
            sel = svc.get("selector") or {}
            if (
                svc["cluster"] == pod["cluster"]
                and svc["namespace"] == pod["namespace"]
                and sel
                and all(pod.get("labels", {}).get(k) == v for k, v in sel.items())
            ):
                out.append(svc)
        return out

    def pods_of_egress(self, egress: Obj) -> list[Obj]:
        applied = egress.get("applied_to") or {}
        sel = applied.get("pod_selector") or {}
        ns = applied.get("namespace")
        return [
            p
            for p in self.records("pod")
            if p["cluster"] == egress["cluster"]
            and (ns is None or p["namespace"] == ns)
            and all(p.get("labels", {}).get(k) == v for k, v in sel.items())
        ]


# --- normalising records (seed file and admin hooks share these) ---------------------


def _labels(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise bad_request(f"{where}: labels must map strings to strings.")
    return dict(value)


def _str_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request(f"{where}: expected a list of strings.")
    return list(value)


def vm_record(spec: Any) -> tuple[str, Obj]:
    if not isinstance(spec, dict) or not isinstance(spec.get("display_name"), str):
        raise bad_request("A VM needs at least a display_name.")
    ext = spec.get("external_id") or stable_id("vm:" + spec["display_name"])
    tags = spec.get("tags") or []
    check_tags({"tags": tags})
    rec = {
        "external_id": ext,
        "display_name": spec["display_name"],
        "tags": tags,
        "ip_addresses": _str_list(spec.get("ip_addresses"), spec["display_name"]),
        "os_name": spec.get("os_name", "Ubuntu Linux (64-bit)"),
        "computer_name": spec.get("computer_name", spec["display_name"]),
        "power_state": spec.get("power_state", "VM_RUNNING"),
    }
    return key("vm", ext), rec


def cluster_records(spec: Any) -> dict[str, Obj]:
    """Expand one cluster of the seed format into inventory records."""
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise bad_request("A cluster needs a name.")
    cname = spec["name"]
    out: dict[str, Obj] = {}
    ckey = key("cluster", cname)
    out[ckey] = {
        "name": cname,
        "external_id": spec.get("external_id") or stable_id(ckey),
        "cluster_type": spec.get("cluster_type", "Kubernetes"),
        "labels": _labels(spec.get("labels"), cname),
    }
    namespaces = {n["name"] if isinstance(n, dict) else n: n for n in spec.get("namespaces") or []}
    for item in spec.get("pods") or []:
        namespaces.setdefault(item.get("namespace", "default"), {"name": item.get("namespace", "default")})
    for name, ns in namespaces.items():
        labels = _labels(ns.get("labels") if isinstance(ns, dict) else None, f"namespace {name}")
        labels.setdefault(NS_NAME_LABEL, name)
        out.update(namespace_record(cname, name, labels))
    for node in spec.get("nodes") or []:
        k = key("node", cname, node["name"])
        out[k] = {
            "cluster": cname,
            "name": node["name"],
            "external_id": stable_id(k),
            "ip_addresses": _str_list(node.get("ip_addresses"), node["name"]),
            "pod_cidrs": _str_list(node.get("pod_cidrs"), node["name"]),
            "labels": _labels(node.get("labels"), node["name"]),
        }
    for pod in spec.get("pods") or []:
        out.update(pod_record(cname, pod))
    for svc in spec.get("services") or []:
        k = key("service", cname, svc.get("namespace", "default"), svc["name"])
        out[k] = {
            "cluster": cname,
            "namespace": svc.get("namespace", "default"),
            "name": svc["name"],
            "external_id": stable_id(k),
            "labels": _labels(svc.get("labels"), svc["name"]),
            "selector": _labels(svc.get("selector"), svc["name"]),
            "type": svc.get("type", "ClusterIP"),
            "cluster_ip": svc.get("cluster_ip"),
            "load_balancer_ip": svc.get("load_balancer_ip"),
        }
    for eg in spec.get("egresses") or []:
        k = key("egress", cname, eg["name"])
        out[k] = {
            "cluster": cname,
            "name": eg["name"],
            "external_id": stable_id(k),
            "egress_ip": eg.get("egress_ip"),
            "external_ip_pool": eg.get("external_ip_pool"),
            "applied_to": eg.get("applied_to") or {},
            "labels": _labels(eg.get("labels"), eg["name"]),
        }
    for pool in spec.get("ip_pools") or []:
        k = key("ippool", cname, pool["name"])
        out[k] = {
            "cluster": cname,
            "name": pool["name"],
            "external_id": stable_id(k),
            "ip_ranges": list(pool.get("ip_ranges") or []),
            "labels": _labels(pool.get("labels"), pool["name"]),
        }
    return out


def namespace_record(cluster: str, name: str, labels: dict[str, str]) -> dict[str, Obj]:
    k = key("namespace", cluster, name)
    return {k: {"cluster": cluster, "name": name, "external_id": stable_id(k), "labels": labels}}


def pod_record(cluster: str, spec: Any) -> dict[str, Obj]:
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise bad_request("A pod needs a name.")
    ns = spec.get("namespace", "default")
    k = key("pod", cluster, ns, spec["name"])
    ext = spec.get("external_id") or stable_id(k)
    return {
        k: {
            "cluster": cluster,
            "namespace": ns,
            "name": spec["name"],
            "external_id": ext,
            "labels": _labels(spec.get("labels"), spec["name"]),
            "ip_addresses": _str_list(spec.get("ip_addresses"), spec["name"]),
            "node": spec.get("node"),
        }
    }


# --- VM tag actions (ref §1.2) ---------------------------------------------------------


def apply_tag_action(store: Store, action: str, external_id: Any, tags: Any) -> None:
    """add_tags appends, remove_tags removes, update_tags replaces (ref §1.2)."""
    if not isinstance(external_id, str) or not external_id:
        raise bad_request("external_id is required.")
    if not isinstance(tags, list):
        raise bad_request("tags must be an array of Tag.")
    check_tags({"tags": tags})
    k = key("vm", external_id)
    vm = store.get(k)
    if vm is None:
        raise NsxError(404, 404, f"VirtualMachine with external_id {external_id} was not found.")
    current = [dict(t) for t in vm.get("tags") or []]
    norm = [{"scope": t.get("scope", ""), "tag": t.get("tag", "")} for t in tags]
    if action == "add_tags":
        new = current + [t for t in norm if t not in current]
    elif action == "remove_tags":
        new = [t for t in current if t not in norm]
    elif action == "update_tags":
        new = norm
    else:
        raise bad_request(f"Invalid action {action!r}; expected add_tags, remove_tags or update_tags.")
    store.commit({k: {**vm, "tags": new}})
