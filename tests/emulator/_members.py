"""Read the members out of ``GET .../groups/{g}/members/{kind}`` results (ref §1.1).

Tests of *which* objects are members should not depend on how a kind nests them:
``virtual-machines`` lists VMs, ``pods`` nests pods per cluster and namespace.
"""

from __future__ import annotations

import httpx

from ._nsx import list_all


def vm_members(nsx: httpx.Client, gpath: str, field: str = "id") -> set[str]:
    """``field`` of every VM member (``id`` is the VM's external id)."""
    return {str(vm.get(field)) for vm in list_all(nsx, f"{gpath}/members/virtual-machines", 1000)}


def pod_members(nsx: httpx.Client, gpath: str, **params: str) -> set[str]:
    """Names of the pod members; ``params`` may narrow by ``cluster_id``."""
    return pod_names({"pods": list_all(nsx, f"{gpath}/members/pods", 1000, **params)})


def pod_names(node: object, *, listed_as_pod: bool = False) -> set[str]:
    """Names of the entries of lists under ``pods``, at any depth (namespaces hold pods)."""
    names: set[str] = set()
    if isinstance(node, dict):
        if listed_as_pod and "display_name" in node and "namespaces" not in node:
            names.add(str(node["display_name"]))
        for field, value in node.items():
            names |= pod_names(value, listed_as_pod=field == "pods")
    elif isinstance(node, list):
        for item in node:
            names |= pod_names(item, listed_as_pod=listed_as_pod)
    return names
