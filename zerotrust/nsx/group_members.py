"""Reading a group's ``members/{kind}`` list results (ref §1.1), whose entries nest.

Why one place: NSX answers ``consolidated-effective-ip-addresses`` with ``EffectiveIPInfo``
entries (``site_id``, ``effective_ips``) and the Kubernetes kinds per cluster and namespace
(vcf-nsx 9.1.1.0 ``ConsolidatedEffectiveIPAddressMemberListResult``,
``PolicyContainerGroupMembersListResult``, ``PolicyGroup*ListResult``), so every reader
needs the same unpacking. These functions take one decoded page and do no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["KubernetesMember", "effective_ips", "kubernetes_members", "pods"]

Page = Mapping[str, Any]

#: members kind -> (key of the member list, whether it sits in per-namespace entries)
_KUBERNETES_KINDS: dict[str, tuple[str, bool]] = {
    "antrea-egresses": ("antrea_egresses", False),
    "antrea-ip-pools": ("antrea_ip_pools", False),
    "kubernetes-node-ips": ("kubernetes_nodes", False),
    "kubernetes-node-pod-cidrs": ("kubernetes_nodes", False),
    "kubernetes-services": ("kubernetes_services", True),
    "kubernetes-ingresses": ("kubernetes_ingresses", True),
    "kubernetes-gateways": ("kubernetes_gateways", True),
}


@dataclass(frozen=True)
class KubernetesMember:
    """One member of a Kubernetes kind, with the names of the cluster (and namespace) it is in."""

    cluster: str
    namespace: str | None
    member: Mapping[str, Any]


def effective_ips(page: Page) -> list[str]:
    """The IPs of every site in a ``consolidated-effective-ip-addresses`` page, sorted, once each."""
    return sorted({ip for info in _results(page) for ip in info.get("effective_ips") or []})


def kubernetes_members(kind: str, page: Page) -> list[KubernetesMember]:
    """The members of a page of ``antrea-egresses``, ``kubernetes-services``, ``kubernetes-node-ips``..."""
    if kind not in _KUBERNETES_KINDS:
        raise ValueError(f"not a per-cluster members kind: {kind!r}")
    list_key, namespaced = _KUBERNETES_KINDS[kind]
    out: list[KubernetesMember] = []
    for cluster in _entries(_results(page), "clusters"):
        name = str(cluster.get("display_name", ""))
        if namespaced:
            for ns in _entries([cluster], "namespaces"):
                ns_name = str(ns.get("display_name", ""))
                out += [KubernetesMember(name, ns_name, m) for m in ns.get(list_key) or []]
        else:
            out += [KubernetesMember(name, None, m) for m in cluster.get(list_key) or []]
    return out


def pods(page: Page) -> list[KubernetesMember]:
    """The pods of a ``members/pods`` page; each member has ``id`` and ``display_name``."""
    return [
        KubernetesMember(str(cluster.get("cluster_name", "")), str(ns.get("display_name", "")), pod)
        for cluster in _entries(_results(page), "cluster")
        for ns in _entries([cluster], "namespaces")
        for pod in ns.get("pods") or []
    ]


def _results(page: Page) -> list[Mapping[str, Any]]:
    return list(page.get("results") or [])


def _entries(parents: list[Mapping[str, Any]], list_key: str) -> Iterator[Mapping[str, Any]]:
    for parent in parents:
        yield from parent.get(list_key) or []
