"""Group member sub-resources, ``GET .../groups/{g}/members/{kind}`` (ref §1.1).

Each kind answers the list-result type vcf-nsx 9.1.1.0 declares for it
(``infra/domains/groups/members_client``), with the usual paging (ref §1.4):

=====================================  ================================================
kind                                   results (list-result type)
=====================================  ================================================
virtual-machines                       ``RealizedVirtualMachine`` (``RealizedVirtualMachineListResult``)
ip-addresses                           plain strings (``PolicyGroupIPMembersListResult``)
consolidated-effective-ip-addresses    ``EffectiveIPInfo`` (``ConsolidatedEffectiveIPAddressMemberListResult``)
vifs                                   ``VirtualNetworkInterface`` (``VirtualNetworkInterfaceListResult``)
pods                                   ``PolicyContainerGroupMemberDetails`` (``PolicyContainerGroupMembersListResult``)
antrea-egresses                        ``PolicyGroupAntreaEgressList`` (``...AntreaEgressListResult``)
antrea-ip-pools                        ``PolicyGroupAntreaIPPoolList`` (``...AntreaIPPoolListResult``)
kubernetes-node-ips                    ``PolicyGroupKubernetesNodeList`` (``...KubernetesNodeListResult``)
kubernetes-node-pod-cidrs              ``PolicyGroupPodCidrList`` (``PolicyGroupPodCidrListResult``)
kubernetes-services                    ``PolicyGroupKubernetesServiceList`` (``...KubernetesServiceListResult``)
kubernetes-ingresses, -gateways        ``PolicyGroupKubernetes{Ingress,Gateway}List``: always empty here
bms, bmsi                              ``BareMetalServer[Interface]ListResult``: always empty here
everything else                        ``PolicyGroupMemberDetails`` (``PolicyGroupMembersListResult``): empty
=====================================  ================================================

Kubernetes kinds nest per cluster (``clusters`` / ``cluster`` for pods) and, for
services, ingresses, gateways and pods, per namespace. The SDK does not say how such
results are paged; here each result holds exactly one cluster, so ``result_count``
counts clusters and paging never splits one [INF]. Clusters, namespaces and members are
sorted by name. ``consolidated-effective-ip-addresses`` is declared for ``/infra`` in
older SDKs and for ``/global-infra`` in 9.1.1.0 (same result type); a local manager is
one site, so it answers one ``EffectiveIPInfo`` (possibly with no IPs, as the SDK doc
says for an empty site) whose ``site_id`` is the ``unique_id`` of ``/infra/sites/default``
[INF]. ``kubernetes-node-ips`` / ``-pod-cidrs`` list node members only when a
KubernetesNode condition of the group (nested groups included) has the key
``IPAddress`` / ``PodCidr`` (SDK doc: "with key as IP_ADDRESSES / POD_CIDRS").
``included_fields`` is ignored, as the SDK doc says for these lists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from .errors import not_found
from .inventory import Inventory, key
from .membership import Evaluator
from .paging import page
from .store import Store

Obj = dict[str, Any]
LOCAL_SITE = "/infra/sites/default"
REALIZED_VMS = "/infra/realized-state/enforcement-points/default/virtual-machines"
#: Kinds with no inventory behind them in the emulator: always an empty list.
EMPTY_KINDS = (
    "segments",
    "segment-ports",
    "logical-ports",
    "logical-switches",
    "ip-groups",
    "identity-groups",
    "dvpg",
    "dvports",
    "physical-servers",
    "transport-nodes",
    "cloud-native-service-instances",
    "kubernetes-ingresses",
    "kubernetes-gateways",
    "bms",
    "bmsi",
    "vpcs",
)
#: Keys of ``PolicyAntreaIPPoolIPRange``.
IP_RANGE_FIELDS = ("cidr", "start", "end", "gateway", "prefix_length", "vlan")


@dataclass(frozen=True)
class Members:
    """The effective members of one group, with what the renderers need to scope them."""

    store: Store
    evaluator: Evaluator
    keys: set[str]
    group_path: str
    params: Mapping[str, str]

    @property
    def inv(self) -> Inventory:
        return self.evaluator.inv

    def records(self, kind: str) -> list[Obj]:
        """Member records of an inventory kind, narrowed to ``cluster_id`` when given."""
        return [r for r in self.evaluator.records_of(self.keys, kind) if self._in_cluster(r)]

    def _in_cluster(self, rec: Obj) -> bool:
        """``cluster_id`` names the cluster by its external id (or, leniently, its name)."""
        wanted = self.params.get("cluster_id")
        if not wanted or "cluster" not in rec:
            return True
        cluster = self.store.get(key("cluster", rec["cluster"])) or {}
        return wanted in (rec["cluster"], cluster.get("external_id"))


Renderer = Callable[[Members], list[Any]]


def list_members(store: Store, group_path: str, kind: str, params: Mapping[str, str]) -> Obj:
    """The list-result body of ``members/{kind}``; 404 for a kind NSX does not serve."""
    renderer = RENDERERS.get(kind)
    if renderer is None:
        raise not_found(f"{group_path}/members/{kind}")
    evaluator = Evaluator(store)
    results = renderer(Members(store, evaluator, evaluator.group(group_path), group_path, params))
    return page(results, {k: v for k, v in params.items() if k != "included_fields"})


# --- VMs and IPs ------------------------------------------------------------------------


def _realized_vm(inv: Inventory, vm: Obj) -> Obj:
    """A ``RealizedVirtualMachine``: the inventory VM under its realized-state path.

    ``id`` is the VM's external id and the path sits under the default enforcement
    point's realized VMs [INF]; ``tags`` is left out when empty, as for fabric VMs.
    """
    fabric = inv.render_vm(vm)
    out: Obj = {
        "resource_type": "RealizedVirtualMachine",
        "id": fabric["external_id"],
        "display_name": fabric["display_name"],
        "path": f"{REALIZED_VMS}/{fabric['external_id']}",
        "parent_path": REALIZED_VMS,
        "host_id": fabric["host_id"],
        "local_id_on_host": fabric["local_id_on_host"],
        "power_state": fabric["power_state"],
        "compute_ids": fabric["compute_ids"],
    }
    if fabric.get("tags"):
        out["tags"] = fabric["tags"]
    return out


def _virtual_machines(m: Members) -> list[Obj]:
    return [_realized_vm(m.inv, vm) for vm in m.records("vm")]


def _vifs(m: Members) -> list[Obj]:
    """SDK doc: VIFs of groups with VirtualNetworkInterface or VirtualMachine members."""
    return [m.inv.render_vif(vm) for vm in m.records("vm")]


def _ip_addresses(m: Members) -> list[str]:
    return m.evaluator.ips(m.keys, consolidated=False)


def _local_site_id(store: Store) -> str:
    site = store.get(LOCAL_SITE) or {}
    return str(site.get("unique_id") or "default")


def _consolidated_ips(m: Members) -> list[Obj]:
    """One ``EffectiveIPInfo`` for the one site a local manager is; a ``site_id`` query
    naming another site leaves none [INF]."""
    site_id = _local_site_id(m.store)
    if m.params.get("site_id") not in (None, "", site_id, "default"):
        return []
    return [{"site_id": site_id, "effective_ips": m.evaluator.ips(m.keys, consolidated=True)}]


# --- Kubernetes kinds: nested per cluster (and namespace) -------------------------------


def _by(records: Iterable[Obj], field: str) -> Iterator[tuple[str, list[Obj]]]:
    """Records grouped by ``field``, groups and members in name order."""
    ordered = sorted(records, key=lambda r: (r[field], r["name"]))
    for value, group in groupby(ordered, key=lambda r: r[field]):
        yield value, list(group)


def _cluster_ref(m: Members, cluster: str) -> Obj:
    """``external_id``/``display_name`` of a cluster (required in every ``...Cluster`` type)."""
    rec = m.inv.get("cluster", cluster)
    return {"external_id": rec["external_id"] if rec else cluster, "display_name": cluster}


def _namespace_ref(m: Members, cluster: str, namespace: str) -> Obj:
    rec = m.inv.get("namespace", cluster, namespace)
    return {"external_id": rec["external_id"] if rec else namespace, "display_name": namespace}


def _per_cluster(m: Members, kind: str, list_key: str, render: Callable[[Obj], Obj]) -> list[Obj]:
    """``[{clusters: [{external_id, display_name, <list_key>: [...]}]}]``, one per cluster."""
    return [
        {"clusters": [{**_cluster_ref(m, cluster), list_key: [render(r) for r in recs]}]}
        for cluster, recs in _by(m.records(kind), "cluster")
    ]


def _per_namespace(m: Members, kind: str, list_key: str, render: Callable[[Obj], Obj]) -> list[Obj]:
    """As :func:`_per_cluster`, with ``namespaces: [{external_id, display_name, <list_key>}]``."""
    return [
        {
            "clusters": [
                {
                    **_cluster_ref(m, cluster),
                    "namespaces": [
                        {**_namespace_ref(m, cluster, ns), list_key: [render(r) for r in in_ns]}
                        for ns, in_ns in _by(recs, "namespace")
                    ],
                }
            ]
        }
        for cluster, recs in _by(m.records(kind), "cluster")
    ]


def _resource(rec: Obj, **fields: Any) -> Obj:
    """A ``PolicyKubernetesResource``-style leaf: ids first, then the fields that are set."""
    return {"external_id": rec["external_id"], "display_name": rec["name"]} | {
        k: v for k, v in fields.items() if v is not None
    }


def _ip_range(value: Any) -> Obj:
    """A ``PolicyAntreaIPPoolIPRange`` from the inventory's ``"a-b"``/CIDR string or dict."""
    if isinstance(value, dict):
        return {k: value[k] for k in IP_RANGE_FIELDS if value.get(k) is not None}
    text = str(value)
    if "-" in text and "/" not in text:
        start, end = text.split("-", 1)
        return {"start": start.strip(), "end": end.strip()}
    return {"cidr": text}


def _service(rec: Obj) -> Obj:
    """A ``PolicyKubernetesService``; the inventory knows no node-port endpoints."""
    ingresses = [{"load_balancer_ingress_ip": rec["load_balancer_ip"]}] if rec.get("load_balancer_ip") else None
    cluster_ips = [rec["cluster_ip"]] if rec.get("cluster_ip") else None
    return _resource(rec, type=rec.get("type", "ClusterIP"), cluster_ips=cluster_ips, load_balance_ingresses=ingresses)


def _node_condition_keys(store: Store, group_path: str, seen: frozenset[str] = frozenset()) -> set[str]:
    """Keys of the KubernetesNode conditions of a group and the groups it nests by path."""
    group = store.get(group_path)
    if group is None or group_path in seen:
        return set()
    found: set[str] = set()
    stack = list(group.get("expression") or [])
    while stack:
        expr = stack.pop()
        if expr.get("resource_type") == "NestedExpression":
            stack.extend(expr.get("expressions") or [])
        elif expr.get("resource_type") == "PathExpression":
            for path in expr.get("paths") or []:
                found |= _node_condition_keys(store, path, seen | {group_path})
        elif expr.get("resource_type") == "Condition" and expr.get("member_type") == "KubernetesNode":
            found.add(str(expr.get("key")))
    return found


def _nodes_by_key(condition_key: str, list_key: str, field: str) -> Renderer:
    def render(m: Members) -> list[Obj]:
        if condition_key not in _node_condition_keys(m.store, m.group_path):
            return []
        return _per_cluster(m, "node", list_key, lambda r: _resource(r, **{field: list(r.get(field, []))}))

    return render


def _pods(m: Members) -> list[Obj]:
    """``[{cluster: [{cluster_id, cluster_name, namespaces: [{id, display_name, pods}]}]}]``;
    pods are ``PolicyGroupMemberDetails`` (``id``, ``display_name``; no policy path)."""
    out: list[Obj] = []
    for cluster, recs in _by(m.records("pod"), "cluster"):
        ref = _cluster_ref(m, cluster)
        namespaces = [
            {
                "id": _namespace_ref(m, cluster, ns)["external_id"],
                "display_name": ns,
                "pods": [{"id": p["external_id"], "display_name": p["name"]} for p in pods],
            }
            for ns, pods in _by(recs, "namespace")
        ]
        out.append({"cluster": [{"cluster_id": ref["external_id"], "cluster_name": cluster, "namespaces": namespaces}]})
    return out


def _egresses(m: Members) -> list[Obj]:
    return _per_cluster(m, "egress", "antrea_egresses", lambda r: _resource(r, egress_ip=r.get("egress_ip")))


def _ip_pools(m: Members) -> list[Obj]:
    def render(rec: Obj) -> Obj:
        return _resource(rec, ip_ranges=[_ip_range(r) for r in rec.get("ip_ranges") or []])

    return _per_cluster(m, "ippool", "antrea_ip_pools", render)


def _services(m: Members) -> list[Obj]:
    return _per_namespace(m, "service", "kubernetes_services", _service)


def _nothing(m: Members) -> list[Any]:
    return []


RENDERERS: dict[str, Renderer] = {
    "virtual-machines": _virtual_machines,
    "ip-addresses": _ip_addresses,
    "consolidated-effective-ip-addresses": _consolidated_ips,
    "vifs": _vifs,
    "pods": _pods,
    "antrea-egresses": _egresses,
    "antrea-ip-pools": _ip_pools,
    "kubernetes-services": _services,
    "kubernetes-node-ips": _nodes_by_key("IPAddress", "kubernetes_nodes", "ip_addresses"),
    "kubernetes-node-pod-cidrs": _nodes_by_key("PodCidr", "kubernetes_nodes", "pod_cidrs"),
}
RENDERERS.update(dict.fromkeys(EMPTY_KINDS, _nothing))
