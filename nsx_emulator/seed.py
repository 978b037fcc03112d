"""Seed files: inventory (and optionally policy objects) from YAML or JSON.

Format (see ``seeds/demo.yaml``)::

    virtual_machines: [{display_name, external_id?, tags: [{scope, tag}], ip_addresses, os_name?, computer_name?}]
    clusters:
      - name: vks-dev-01             # also registers a ClusterControlPlane with this id
        cluster_control_plane: {id?, display_name?, node_id?}   # optional overrides; false to skip
        status: DEGRADED             # optional Antrea health: HEALTHY (default) | DEGRADED | FAILED | UNKNOWN
        namespaces: [{name, labels}]
        nodes: [{name, ip_addresses, pod_cidrs, labels?}]
        pods: [{name, namespace, labels, ip_addresses, node, service_account?, ports?}]
        services: [{name, namespace, labels, selector, type, cluster_ip, load_balancer_ip, ports?: [{port, protocol}]}]
        egresses: [{name, egress_ip, external_ip_pool, applied_to: {namespace, pod_selector}, labels}]
        ip_pools: [{name, ip_ranges: [{start, end} | {cidr}], labels}]
    objects: [{path: /infra/..., body: {...}}]   # Policy objects, written like a PATCH

A seed is applied to a fresh state only (first start, ``--reset`` or the admin
reset), so out-of-band edits made by tests survive restarts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from .cluster_status import check_status, status_record
from .errors import NsxError, bad_request
from .inventory import cluster_records, vm_record
from .policy.writer import Writer
from .store import Store

SEEDED_KEY = "@meta/seeded"
CCP_PARENT = "/infra/sites/default/enforcement-points/default/cluster-control-planes"


def load_seed_file(path: Path) -> dict[str, Any]:
    text = path.read_text()
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a seed file must hold a mapping at the top level.")
    return data


def apply_seed(store: Store, data: dict[str, Any], *, user: str = "admin") -> None:
    """Write inventory, cluster registrations and objects in one transaction."""
    changes: dict[str, Any] = {}
    for vm in data.get("virtual_machines") or []:
        k, rec = vm_record(vm)
        changes[k] = rec
    clusters = data.get("clusters") or []
    statuses = _cluster_statuses(clusters)
    for cluster in clusters:
        changes.update(cluster_records(cluster))
    store.commit(changes)
    w = Writer(store, user)
    for cluster in clusters:
        ccp = cluster.get("cluster_control_plane", {})
        if ccp is False:
            continue
        ccp = ccp or {}
        cid = ccp.get("id", cluster["name"])
        w.upsert(
            f"{CCP_PARENT}/{cid}",
            {
                "display_name": ccp.get("display_name", cluster["name"]),
                "node_id": ccp.get("node_id", cluster["name"]),
            },
        )
    for item in data.get("objects") or []:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise bad_request("Each seed object needs a path and a body.")
        w.upsert(item["path"], item.get("body") or {})
    w.finish()
    final: dict[str, Any] = {SEEDED_KEY: {"seeded": True}}
    for path, status in statuses.items():
        final.update(status_record(store, path, status))
    store.commit(final)


def _cluster_statuses(clusters: Any) -> dict[str, str]:
    """CCP path -> roll-up status for the clusters that give ``status`` (checked up front)."""
    out: dict[str, str] = {}
    for cluster in clusters if isinstance(clusters, list) else []:
        if not isinstance(cluster, dict) or "status" not in cluster:
            continue
        name = cluster.get("name")
        status = check_status(cluster["status"], f"cluster {name}: status")
        ccp = cluster.get("cluster_control_plane", {})
        if ccp is False:
            raise bad_request(f"cluster {name}: status needs a cluster_control_plane.")
        out[f"{CCP_PARENT}/{(ccp or {}).get('id', name)}"] = status
    return out


def seed_if_fresh(store: Store, seed_file: Path | None) -> None:
    if seed_file is None or store.get(SEEDED_KEY) is not None:
        return
    try:
        apply_seed(store, load_seed_file(seed_file))
    except NsxError as exc:
        raise ValueError(f"{seed_file}: {exc.message}") from None
