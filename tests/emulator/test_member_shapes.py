"""Group ``members/{kind}`` answer in the list-result types vcf-nsx 9.1.1.0 declares
(``infra/domains/groups/members_client``; the types in ``model_client``), over real HTTP.

Expectations are written out by hand from those types: Kubernetes kinds nest per cluster
(and per namespace for services and pods), ``consolidated-effective-ip-addresses`` is a
list of ``EffectiveIPInfo``. Ids the emulator generates are read back from the MP
inventory (``/api/v1/fabric/...``), the source NSX itself builds members from.
Every body is also walked against :data:`DECLARED`, the field names each official type
declares, so no undeclared key slips in; when vcf-nsx is importable that table is itself
checked against the SDK's binding types.
"""

from __future__ import annotations

import importlib.util
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from . import _admin
from ._nsx import (
    JSON,
    P,
    condition,
    get_json,
    group_body,
    group_path,
    nested,
    ok,
    patch,
    tag_condition,
    uid,
)

pytestmark = pytest.mark.conformance("membership")

# --- the official types: field -> nested struct type (None for scalars / lists of them) --

Fields = dict[str, str | None]
LINKS = {"_self": "SelfResourceLink", "_links": "ResourceLink"}


def _fields(scalars: str, **structs: str) -> Fields:
    """``scalars`` (space-separated names) plus struct-valued fields with their type name."""
    out: Fields = dict.fromkeys(scalars.split())
    out.update(structs)
    return out


def _list_result(item: str | None) -> Fields:
    """A ``...ListResult``: ``results`` of ``item`` (None: strings) and the paging fields."""
    paging = "result_count sort_by sort_ascending cursor _schema"
    return _fields(paging, **LINKS, results=item) if item else _fields(f"results {paging}", **LINKS)


_K8S = "external_id display_name"
_REALIZED_VM = (
    "host_id local_id_on_host power_state compute_ids path parent_path intent_reference "
    "realization_specific_identifier realization_api state runtime_status runtime_error publish_status "
    "publish_status_error publish_status_error_code operational_status operational_status_error publish_time "
    "time_taken_for_realization relative_path remote_path unique_id realization_id owner_id origin_site_id "
    "resource_type _create_user _create_time _last_modified_user _last_modified_time _system_owned _protection "
    "id display_name description _revision _schema"
)
_VIF = (
    "external_id owner_vm_id owner_vm_type host_id vm_local_id_on_host device_key device_name mac_address "
    "lport_attachment_id uptv2_enabled resource_type _last_sync_time display_name description _schema"
)

#: vcf-nsx 9.1.1.0 model types used by the members routes, field -> nested type name.
DECLARED: dict[str, Fields] = {
    "RealizedVirtualMachineListResult": _list_result("RealizedVirtualMachine"),
    "RealizedVirtualMachine": _fields(
        _REALIZED_VM,
        **LINKS,
        tags="Tag",
        alarms="PolicyAlarmResource",
        publish_status_error_details="ConfigurationStateElement",
    ),
    "Tag": _fields("scope tag"),
    "PolicyGroupIPMembersListResult": _list_result(None),
    "ConsolidatedEffectiveIPAddressMemberListResult": _list_result("EffectiveIPInfo"),
    "EffectiveIPInfo": _fields("site_id effective_ips"),
    "VirtualNetworkInterfaceListResult": _list_result("VirtualNetworkInterface"),
    "VirtualNetworkInterface": _fields(
        _VIF, **LINKS, ip_address_info="IpAddressInfo", tags="Tag", scope="DiscoveredResourceScope"
    ),
    "IpAddressInfo": _fields("source ip_addresses"),
    "PolicyContainerGroupMembersListResult": _list_result("PolicyContainerGroupMemberDetails"),
    "PolicyContainerGroupMemberDetails": _fields("", cluster="ClusterMemberDetails"),
    "ClusterMemberDetails": _fields("cluster_id cluster_name", namespaces="NamespaceMemberDetails"),
    "NamespaceMemberDetails": _fields("id display_name", pods="PolicyGroupMemberDetails"),
    "PolicyGroupMemberDetails": _fields("id display_name path"),
    "PolicyGroupMembersListResult": _list_result("PolicyGroupMemberDetails"),
    "PolicyGroupAntreaEgressListResult": _list_result("PolicyGroupAntreaEgressList"),
    "PolicyGroupAntreaEgressList": _fields("", clusters="PolicyGroupAntreaEgressCluster"),
    "PolicyGroupAntreaEgressCluster": _fields(_K8S, antrea_egresses="PolicyAntreaEgress"),
    "PolicyAntreaEgress": _fields(f"{_K8S} egress_ip"),
    "PolicyGroupAntreaIPPoolListResult": _list_result("PolicyGroupAntreaIPPoolList"),
    "PolicyGroupAntreaIPPoolList": _fields("", clusters="PolicyGroupAntreaIPPoolCluster"),
    "PolicyGroupAntreaIPPoolCluster": _fields(_K8S, antrea_ip_pools="PolicyAntreaIPPool"),
    "PolicyAntreaIPPool": _fields(_K8S, ip_ranges="PolicyAntreaIPPoolIPRange"),
    "PolicyAntreaIPPoolIPRange": _fields("cidr start end gateway prefix_length vlan"),
    "PolicyGroupKubernetesNodeListResult": _list_result("PolicyGroupKubernetesNodeList"),
    "PolicyGroupKubernetesNodeList": _fields("", clusters="PolicyGroupKubernetesNodeCluster"),
    "PolicyGroupKubernetesNodeCluster": _fields(_K8S, kubernetes_nodes="PolicyKubernetesNode"),
    "PolicyKubernetesNode": _fields(f"{_K8S} ip_addresses"),
    "PolicyGroupPodCidrListResult": _list_result("PolicyGroupPodCidrList"),
    "PolicyGroupPodCidrList": _fields("", clusters="PolicyGroupPodCidrCluster"),
    "PolicyGroupPodCidrCluster": _fields(_K8S, kubernetes_nodes="PolicyKubernetesNodePodCidr"),
    "PolicyKubernetesNodePodCidr": _fields(f"{_K8S} pod_cidrs"),
    "PolicyGroupKubernetesServiceListResult": _list_result("PolicyGroupKubernetesServiceList"),
    "PolicyGroupKubernetesServiceList": _fields("", clusters="PolicyGroupKubernetesServiceCluster"),
    "PolicyGroupKubernetesServiceCluster": _fields(_K8S, namespaces="PolicyGroupKubernetesServiceNamespace"),
    "PolicyGroupKubernetesServiceNamespace": _fields(_K8S, kubernetes_services="PolicyKubernetesService"),
    "PolicyKubernetesService": _fields(
        f"{_K8S} type cluster_ips",
        load_balance_ingresses="PolicyKubernetesServiceLoadBalancerIngress",
        node_port_local_endpoints="PolicyKubernetesServiceNodePortLocalEndpoint",
    ),
    "PolicyKubernetesServiceLoadBalancerIngress": _fields(
        "load_balancer_ingress_ip hostname", ports="PolicyKubernetesServiceLoadBalancerIngressPortStatus"
    ),
    "PolicyKubernetesServiceLoadBalancerIngressPortStatus": _fields("port protocol"),
    "PolicyKubernetesServiceNodePortLocalEndpoint": _fields("node_ip node_port protocol"),
    "PolicyGroupKubernetesIngressListResult": _list_result("PolicyGroupKubernetesIngressList"),
    "PolicyGroupKubernetesGatewayListResult": _list_result("PolicyGroupKubernetesGatewayList"),
    "BareMetalServerListResult": _list_result("BareMetalServer"),
    "BareMetalServerInterfaceListResult": _list_result("BareMetalServerInterface"),
}

#: members kind -> its list-result type (``members_client`` of vcf-nsx 9.1.1.0; the
#: consolidated kind's type is the ``/global-infra`` one, ``/infra`` in older SDKs).
RESULT_TYPE = {
    "virtual-machines": "RealizedVirtualMachineListResult",
    "ip-addresses": "PolicyGroupIPMembersListResult",
    "consolidated-effective-ip-addresses": "ConsolidatedEffectiveIPAddressMemberListResult",
    "vifs": "VirtualNetworkInterfaceListResult",
    "pods": "PolicyContainerGroupMembersListResult",
    "antrea-egresses": "PolicyGroupAntreaEgressListResult",
    "antrea-ip-pools": "PolicyGroupAntreaIPPoolListResult",
    "kubernetes-node-ips": "PolicyGroupKubernetesNodeListResult",
    "kubernetes-node-pod-cidrs": "PolicyGroupPodCidrListResult",
    "kubernetes-services": "PolicyGroupKubernetesServiceListResult",
    "kubernetes-ingresses": "PolicyGroupKubernetesIngressListResult",
    "kubernetes-gateways": "PolicyGroupKubernetesGatewayListResult",
    "bms": "BareMetalServerListResult",
    "bmsi": "BareMetalServerInterfaceListResult",
} | dict.fromkeys(
    (
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
        "vpcs",
    ),
    "PolicyGroupMembersListResult",
)
EMPTY_HERE = (
    "kubernetes-ingresses",
    "kubernetes-gateways",
    "bms",
    "bmsi",
    *(k for k, t in RESULT_TYPE.items() if t == "PolicyGroupMembersListResult"),
)


def assert_declared(value: Any, type_name: str, where: str = "body") -> None:
    """Every key of ``value`` (recursively) is a field the official type declares."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            assert_declared(item, type_name, f"{where}[{i}]")
        return
    assert isinstance(value, dict), f"{where}: expected a {type_name} object, got {value!r}"
    fields = DECLARED[type_name]
    undeclared = sorted(set(value) - set(fields))
    assert not undeclared, f"{where}: {type_name} declares no {undeclared}"
    for name, nested_type in fields.items():
        if nested_type is not None and name in value and nested_type in DECLARED:
            assert_declared(value[name], nested_type, f"{where}.{name}")


# --- one world: two clusters, a VM, and a group per member type ----------------------


@dataclass(frozen=True)
class World:
    label: str  # app=<label> selects our pods, services, egress and pool
    cluster_a: str
    cluster_b: str
    ids: dict[str, str]  # "<kind>:<cluster>:<name>" -> external id, from the MP inventory
    vm: str
    groups: dict[str, str]  # role -> group path


MP_ENDPOINTS = {
    "cluster": "container-clusters",
    "namespace": "container-projects",
    "pod": "container-application-instances",
    "node": "container-cluster-nodes",
    "service": "container-applications",
    "egress": "container-egresses",
    "ippool": "container-ip-pools",
}


def _cluster_spec(name: str, label: str, ordinal: int) -> JSON:
    """Cluster ``ordinal`` (1 or 2): nodes, two namespaces, pods, services, egress, pool."""
    app = {"app": label}
    spec: JSON = {
        "name": name,
        "external_id": str(uuid.uuid4()),
        "cluster_control_plane": False,
        "namespaces": [{"name": "alpha"}, {"name": "beta"}],
        "nodes": [
            {"name": f"node-{n}", "ip_addresses": [f"10.7{ordinal}.0.{n}"], "pod_cidrs": [f"10.8{ordinal}.{n}.0/24"]}
            for n in (2, 1)  # reported out of order: members list them by name
        ],
        "pods": [
            {"name": "web-1", "namespace": "alpha", "labels": app, "ip_addresses": [f"10.9{ordinal}.1.1"]},
            {"name": "db-1", "namespace": "beta", "labels": app, "ip_addresses": [f"10.9{ordinal}.2.1"]},
            {"name": "other", "namespace": "alpha", "labels": {"app": "other"}, "ip_addresses": ["10.99.9.9"]},
        ],
    }
    if ordinal == 1:
        spec["services"] = [
            {
                "name": "web",
                "namespace": "alpha",
                "labels": app,
                "selector": app,
                "type": "LoadBalancer",
                "cluster_ip": "10.60.0.10",
                "load_balancer_ip": "10.60.1.10",
            },
            {"name": "db", "namespace": "beta", "labels": app, "type": "ClusterIP", "cluster_ip": "10.60.0.20"},
        ]
        spec["egresses"] = [{"name": f"eg-{label}", "egress_ip": "10.60.2.1", "labels": app}]
        spec["ip_pools"] = [
            {"name": f"pool-{label}", "labels": app, "ip_ranges": [{"start": "10.60.3.1", "end": "10.60.3.9"}]}
        ]
    return spec


def _mp_ids(nsx: httpx.Client, cluster: JSON) -> dict[str, str]:
    """``"<kind>:<cluster name>:<name>"`` -> external id, for one cluster of the MP inventory."""
    cluster_id = cluster["external_id"]
    out: dict[str, str] = {}
    for kind, endpoint in MP_ENDPOINTS.items():
        params = {} if kind == "cluster" else {"container_cluster_id": cluster_id}
        for item in ok(nsx.get(f"/api/v1/fabric/{endpoint}", params=params), 200).json()["results"]:
            if kind != "cluster" or item["external_id"] == cluster_id:
                out[f"{kind}:{cluster['name']}:{item['display_name']}"] = item["external_id"]
    return out


def _group(nsx: httpx.Client, expression: list[JSON], **extra: Any) -> str:
    gid = uid("mem")
    ok(patch(nsx, group_path(gid), group_body(gid, expression, **extra)))
    return group_path(gid)


@pytest.fixture(scope="module")
def world(nsx: httpx.Client) -> World:
    label = uid("lbl")
    cluster_a, cluster_b = uid("k8sa"), uid("k8sb")
    specs = [_cluster_spec(cluster_a, label, 1), _cluster_spec(cluster_b, label, 2)]
    ok(nsx.post("/emulator/admin/inventory", json={"clusters": specs}), 200)
    ids = {key: value for spec in specs for key, value in _mp_ids(nsx, spec).items()}
    vm = str(uuid.uuid4())
    _admin.add_vm(nsx, vm, display_name=f"vm-{label}", ip_addresses=["10.50.0.5"], tags=[{"scope": label, "tag": "on"}])
    only_a = condition("KubernetesCluster", "Name", "EQUALS", cluster_a)
    groups = {
        "pods": _group(nsx, [tag_condition(f"app|{label}", "Pod")], group_type=["ANTREA"]),
        "node-ips": _group(nsx, [nested(condition("KubernetesNode", "IPAddress", "MATCHES", "*"), only_a)]),
        "pod-cidrs": _group(nsx, [nested(condition("KubernetesNode", "PodCidr", "MATCHES", "*"), only_a)]),
        "egresses": _group(nsx, [tag_condition(f"app|{label}", "AntreaEgress")]),
        "ip-pools": _group(nsx, [tag_condition(f"app|{label}", "AntreaIPPool")]),
        "services": _group(nsx, [tag_condition(f"app|{label}", "KubernetesService")]),
        "vm": _group(nsx, [tag_condition(f"{label}|on")]),
        "empty": _group(nsx, [tag_condition(f"{label}|nobody")]),
    }
    return World(label, cluster_a, cluster_b, ids, vm, groups)


def members(nsx: httpx.Client, gpath: str, kind: str, **params: str) -> JSON:
    """GET one members page and check its keys against the kind's official type."""
    body = get_json(nsx, f"{gpath}/members/{kind}", **params)
    assert_declared(body, RESULT_TYPE[kind])
    return body


def _cluster(w: World, name: str) -> JSON:
    return {"external_id": w.ids[f"cluster:{name}:{name}"], "display_name": name}


# --- the Kubernetes kinds ------------------------------------------------------------------


def test_pods_nest_per_cluster_and_namespace(nsx: httpx.Client, world: World) -> None:
    """``PolicyContainerGroupMembersListResult``: results of ``PolicyContainerGroupMemberDetails``
    (``cluster``: ``ClusterMemberDetails`` cluster_id/cluster_name/namespaces), namespaces
    ``NamespaceMemberDetails`` (id, display_name, pods), pods ``PolicyGroupMemberDetails``."""
    w = world

    def cluster(name: str) -> JSON:
        ref = _cluster(w, name)
        return {
            "cluster": [
                {
                    "cluster_id": ref["external_id"],
                    "cluster_name": name,
                    "namespaces": [
                        {
                            "id": w.ids[f"namespace:{name}:{ns}"],
                            "display_name": ns,
                            "pods": [{"id": w.ids[f"pod:{name}:{pod}"], "display_name": pod}],
                        }
                        for ns, pod in (("alpha", "web-1"), ("beta", "db-1"))
                    ],
                }
            ]
        }

    body = members(nsx, w.groups["pods"], "pods")
    assert body == {"results": [cluster(w.cluster_a), cluster(w.cluster_b)], "result_count": 2}


def test_node_ips_and_pod_cidrs_nest_per_cluster(nsx: httpx.Client, world: World) -> None:
    """``PolicyGroupKubernetesNodeList`` / ``PolicyGroupPodCidrList``: ``clusters`` of
    external_id/display_name/``kubernetes_nodes``; nodes carry ``ip_addresses`` resp. ``pod_cidrs``.
    A KubernetesCluster condition scopes the node criterion to one cluster (ref §6.5)."""
    w, a = world, world.cluster_a

    def nodes(field: str, values: dict[int, str]) -> JSON:
        kubernetes_nodes = [
            {"external_id": w.ids[f"node:{a}:node-{n}"], "display_name": f"node-{n}", field: [values[n]]}
            for n in (1, 2)
        ]
        return {"results": [{"clusters": [_cluster(w, a) | {"kubernetes_nodes": kubernetes_nodes}]}], "result_count": 1}

    assert members(nsx, w.groups["node-ips"], "kubernetes-node-ips") == nodes(
        "ip_addresses", {1: "10.71.0.1", 2: "10.71.0.2"}
    )
    assert members(nsx, w.groups["pod-cidrs"], "kubernetes-node-pod-cidrs") == nodes(
        "pod_cidrs", {1: "10.81.1.0/24", 2: "10.81.2.0/24"}
    )


def test_node_kinds_follow_the_condition_key(nsx: httpx.Client, world: World) -> None:
    """SDK doc: node-ips serve KubernetesNode conditions "with key as IP_ADDRESSES", pod-cidrs
    those "with key as POD_CIDRS"; other groups get an empty list."""
    empty = {"results": [], "result_count": 0}
    assert members(nsx, world.groups["node-ips"], "kubernetes-node-pod-cidrs") == empty
    assert members(nsx, world.groups["pod-cidrs"], "kubernetes-node-ips") == empty


def test_antrea_egresses_nest_per_cluster(nsx: httpx.Client, world: World) -> None:
    """``PolicyGroupAntreaEgressList``: ``clusters`` of ``PolicyGroupAntreaEgressCluster``
    whose ``antrea_egresses`` are ``PolicyAntreaEgress`` (egress_ip, external_id, display_name)."""
    w, a = world, world.cluster_a
    egress = {
        "external_id": w.ids[f"egress:{a}:eg-{w.label}"],
        "display_name": f"eg-{w.label}",
        "egress_ip": "10.60.2.1",
    }
    expected = {"results": [{"clusters": [_cluster(w, a) | {"antrea_egresses": [egress]}]}], "result_count": 1}
    assert members(nsx, w.groups["egresses"], "antrea-egresses") == expected


def test_antrea_ip_pools_nest_per_cluster(nsx: httpx.Client, world: World) -> None:
    """``PolicyGroupAntreaIPPoolList``: ``antrea_ip_pools`` of ``PolicyAntreaIPPool`` whose
    ``ip_ranges`` are ``PolicyAntreaIPPoolIPRange`` (start/end here)."""
    w, a = world, world.cluster_a
    pool = {
        "external_id": w.ids[f"ippool:{a}:pool-{w.label}"],
        "display_name": f"pool-{w.label}",
        "ip_ranges": [{"start": "10.60.3.1", "end": "10.60.3.9"}],
    }
    expected = {"results": [{"clusters": [_cluster(w, a) | {"antrea_ip_pools": [pool]}]}], "result_count": 1}
    assert members(nsx, w.groups["ip-pools"], "antrea-ip-pools") == expected


def test_kubernetes_services_nest_per_cluster_and_namespace(nsx: httpx.Client, world: World) -> None:
    """``PolicyGroupKubernetesServiceList``: ``clusters`` -> ``namespaces``
    (``PolicyGroupKubernetesServiceNamespace``) -> ``kubernetes_services``
    (``PolicyKubernetesService``: type, cluster_ips, load_balance_ingresses...)."""
    w, a = world, world.cluster_a
    web = {
        "external_id": w.ids[f"service:{a}:web"],
        "display_name": "web",
        "type": "LoadBalancer",
        "cluster_ips": ["10.60.0.10"],
        "load_balance_ingresses": [{"load_balancer_ingress_ip": "10.60.1.10"}],
    }
    db = {
        "external_id": w.ids[f"service:{a}:db"],
        "display_name": "db",
        "type": "ClusterIP",
        "cluster_ips": ["10.60.0.20"],
    }
    namespaces = [
        {"external_id": w.ids[f"namespace:{a}:alpha"], "display_name": "alpha", "kubernetes_services": [web]},
        {"external_id": w.ids[f"namespace:{a}:beta"], "display_name": "beta", "kubernetes_services": [db]},
    ]
    expected = {"results": [{"clusters": [_cluster(w, a) | {"namespaces": namespaces}]}], "result_count": 1}
    assert members(nsx, w.groups["services"], "kubernetes-services") == expected


def test_cluster_id_narrows_to_one_cluster(nsx: httpx.Client, world: World) -> None:
    """ref §1.1: the Kubernetes member endpoints take ``cluster_id`` (the cluster's id)."""
    b = world.cluster_b
    body = members(nsx, world.groups["pods"], "pods", cluster_id=_cluster(world, b)["external_id"])
    assert [c["cluster_name"] for r in body["results"] for c in r["cluster"]] == [b]
    assert body["result_count"] == 1


def test_pages_hold_whole_clusters(nsx: httpx.Client, world: World) -> None:
    """ref §1.4: page_size/cursor page the results; the cursor is gone on the last page and
    ``result_count`` counts every result. Each result is one cluster, so no cluster is split."""
    first = members(nsx, world.groups["pods"], "pods", page_size="1")
    assert (first["result_count"], first["cursor"], len(first["results"])) == (2, "1", 1)
    second = members(nsx, world.groups["pods"], "pods", page_size="1", cursor=first["cursor"])
    assert "cursor" not in second
    assert len(second["results"]) == 1
    names = [c["cluster_name"] for page in (first, second) for r in page["results"] for c in r["cluster"]]
    assert names == [world.cluster_a, world.cluster_b]


def test_included_fields_is_ignored(nsx: httpx.Client, world: World) -> None:
    """SDK doc: ``included_fields`` "is ignored for other list APIs" than search."""
    plain = members(nsx, world.groups["pods"], "pods")
    assert members(nsx, world.groups["pods"], "pods", included_fields="cluster_id") == plain


# --- IPs, VMs, VIFs ----------------------------------------------------------------------


def test_consolidated_effective_ips_are_effective_ip_infos(nsx: httpx.Client, world: World) -> None:
    """``ConsolidatedEffectiveIPAddressMemberListResult``: results of ``EffectiveIPInfo``
    (``site_id``, ``effective_ips``), one per site; a local manager is one site."""
    site_id = get_json(nsx, "/infra/sites/default")["unique_id"]
    body = members(nsx, world.groups["pods"], "consolidated-effective-ip-addresses")
    ips = ["10.91.1.1", "10.91.2.1", "10.92.1.1", "10.92.2.1"]
    assert body == {"results": [{"site_id": site_id, "effective_ips": ips}], "result_count": 1}


def test_consolidated_effective_ips_of_an_empty_group(nsx: httpx.Client, world: World) -> None:
    """SDK doc: a site whose evaluation is empty is still listed, with an empty list."""
    body = members(nsx, world.groups["empty"], "consolidated-effective-ip-addresses")
    assert [r["effective_ips"] for r in body["results"]] == [[]]


def test_consolidated_effective_ips_for_one_site(nsx: httpx.Client, world: World) -> None:
    """The ``site_id`` query parameter picks the site whose addresses are listed."""
    site_id = get_json(nsx, "/infra/sites/default")["unique_id"]
    gpath, kind = world.groups["vm"], "consolidated-effective-ip-addresses"
    assert [r["site_id"] for r in members(nsx, gpath, kind, site_id=site_id)["results"]] == [site_id]
    assert members(nsx, gpath, kind, site_id=str(uuid.uuid4())) == {"results": [], "result_count": 0}


def test_ip_addresses_stay_plain_strings(nsx: httpx.Client, world: World) -> None:
    """``PolicyGroupIPMembersListResult`` declares ``results`` as a list of strings."""
    assert members(nsx, world.groups["vm"], "ip-addresses") == {"results": ["10.50.0.5"], "result_count": 1}


def test_virtual_machines_are_realized_virtual_machines(nsx: httpx.Client, world: World) -> None:
    """``RealizedVirtualMachineListResult``: the fabric VM's identity under the realized-state
    VM path (no MP-only fields such as ``external_id`` or ``guest_info``)."""
    found = ok(nsx.get("/api/v1/fabric/virtual-machines", params={"external_id": world.vm}), 200)
    [fabric] = found.json()["results"]
    body = members(nsx, world.groups["vm"], "virtual-machines")
    [vm] = body["results"]
    parent = "/infra/realized-state/enforcement-points/default/virtual-machines"
    assert vm == {
        "resource_type": "RealizedVirtualMachine",
        "id": world.vm,
        "display_name": f"vm-{world.label}",
        "path": f"{parent}/{world.vm}",
        "parent_path": parent,
        "host_id": fabric["host_id"],
        "local_id_on_host": fabric["local_id_on_host"],
        "power_state": "VM_RUNNING",
        "compute_ids": fabric["compute_ids"],
        "tags": [{"scope": world.label, "tag": "on"}],
    }


def test_vifs_are_the_member_vms_interfaces(nsx: httpx.Client, world: World) -> None:
    """``VirtualNetworkInterfaceListResult``; SDK doc: applicable to VirtualMachine members."""
    fabric = ok(nsx.get("/api/v1/fabric/vifs"), 200).json()["results"]
    expected = [v for v in fabric if v.get("owner_vm_id") == world.vm]
    assert expected, "the fabric lists the VM's VIF"
    assert members(nsx, world.groups["vm"], "vifs") == {"results": expected, "result_count": len(expected)}


# --- every kind ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", EMPTY_HERE)
def test_kinds_without_inventory_answer_an_empty_list(nsx: httpx.Client, world: World, kind: str) -> None:
    """Kinds the emulator has no inventory for: an empty page of their type."""
    assert members(nsx, world.groups["vm"], kind) == {"results": [], "result_count": 0}


def test_unknown_kind_is_404(nsx: httpx.Client, world: World) -> None:
    resp = nsx.get(f"{P}{world.groups['vm']}/members/no-such-kind")
    assert resp.status_code == 404


@pytest.mark.parametrize("kind", sorted(RESULT_TYPE))
def test_every_kind_answers_only_declared_keys(nsx: httpx.Client, world: World, kind: str) -> None:
    """Whatever the group, each kind's body keeps to its official type."""
    for gpath in world.groups.values():
        members(nsx, gpath, kind)


# --- the table above against the SDK, when it is installed --------------------------------


def _sdk_fields(model: Any, type_name: str) -> dict[str, str | None]:
    """Field -> nested struct class name of a vcf-nsx binding type (through optional/list)."""
    struct = getattr(model, type_name).get_binding_type()
    out: dict[str, str | None] = {}
    for name in struct.get_field_names():
        field = struct.get_field(name)
        while hasattr(field, "element_type"):
            field = field.element_type
        resolved = getattr(field, "resolved_type", None)
        binding_class = getattr(resolved, "binding_class", None)
        out[name] = binding_class.__name__ if binding_class is not None else None
    return out


@pytest.mark.skipif(importlib.util.find_spec("vcf") is None, reason="vcf-nsx is not installed")
def test_declared_table_matches_the_sdk() -> None:
    """The field table the shape checks use is what vcf-nsx 9.1.1.0 declares, nesting included."""
    model_client = importlib.import_module("vcf.nsx.model_client")
    for type_name, fields in DECLARED.items():
        assert _sdk_fields(model_client, type_name) == fields, type_name
