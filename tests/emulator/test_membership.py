"""Effective group membership follows inventory changes without any policy redeploy
(ref §1.1 group membership endpoints, §1.2 VM tags, §4.2 tag conditions, §6.2 Antrea groups)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from . import _admin
from ._nsx import (
    JSON,
    P,
    get_json,
    group_body,
    group_path,
    ip_expression,
    make_policy,
    ok,
    patch,
    rule_body,
    tag_condition,
    uid,
    wait_for,
)

pytestmark = pytest.mark.conformance("membership")

FABRIC_VMS = "/api/v1/fabric/virtual-machines"


def _ids(results: list[JSON]) -> set[str]:
    out: set[str] = set()
    for r in results:
        for key in ("external_id", "id", "display_name"):
            if isinstance(r.get(key), str):
                out.add(r[key])
    return out


def _members(nsx: httpx.Client, gpath: str, kind: str, **params: str) -> list[JSON]:
    body = get_json(nsx, f"{gpath}/members/{kind}", **params)
    results = body["results"]
    assert isinstance(results, list)
    return results


def _pods(nsx: httpx.Client, gpath: str, **params: str) -> list[JSON]:
    """The pods of members/pods, unpacked by hand from their per-cluster, per-namespace
    nesting (vcf-nsx 9.1.1.0 ``PolicyContainerGroupMembersListResult``)."""
    return [
        pod
        for result in _members(nsx, gpath, "pods", **params)
        for cluster in result["cluster"]
        for namespace in cluster["namespaces"]
        for pod in namespace["pods"]
    ]


def _ip_members(nsx: httpx.Client, gpath: str) -> set[str]:
    return {r if isinstance(r, str) else r.get("ip_address", "") for r in _members(nsx, gpath, "ip-addresses")}


def _tag_group(nsx: httpx.Client, value: str) -> str:
    gid = uid("mg")
    ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition(value)])))
    return group_path(gid)


def _add_tags(nsx: httpx.Client, ext: str, tags: list[JSON], action: str = "add_tags") -> None:
    resp = nsx.post(FABRIC_VMS, params={"action": action}, json={"external_id": ext, "tags": tags})
    assert 200 <= resp.status_code < 300, resp.text


def test_vm_joins_group_when_tagged(nsx: httpx.Client) -> None:
    """ref §1.1 / §1.2 / §4.2: a VM-tag group ('scope|tag') gains the VM in
    members/virtual-machines and its IP in members/ip-addresses once the VM is tagged,
    without touching the group or any policy. (SDK IpAddressesClient doc: members/
    ip-addresses 'is applicable for Groups containing either VirtualMachine, VIF, Segment,
    Segment Port or IP Address member type'.)"""
    scope, tag = uid("sc"), uid("tg")
    gpath = _tag_group(nsx, f"{scope}|{tag}")
    ext = str(uuid.uuid4())
    _admin.add_vm(nsx, ext, display_name=f"vm-{ext[:8]}", ip_addresses=["10.30.1.7"])
    revision = get_json(nsx, gpath)["_revision"]
    assert ext not in _ids(_members(nsx, gpath, "virtual-machines"))

    _add_tags(nsx, ext, [{"scope": scope, "tag": tag}])
    wait_for(lambda: ext in _ids(_members(nsx, gpath, "virtual-machines")), what="VM member")
    wait_for(lambda: "10.30.1.7" in _ip_members(nsx, gpath), what="VM IP member")
    assert get_json(nsx, gpath)["_revision"] == revision  # no intent change


def test_vm_leaves_group_when_untagged(nsx: httpx.Client) -> None:
    """ref §1.2: remove_tags drops the VM from the group's members."""
    scope, tag = uid("sc"), uid("tg")
    gpath = _tag_group(nsx, f"{scope}|{tag}")
    ext = str(uuid.uuid4())
    _admin.add_vm(nsx, ext, ip_addresses=["10.30.2.7"], tags=[{"scope": scope, "tag": tag}])
    wait_for(lambda: ext in _ids(_members(nsx, gpath, "virtual-machines")), what="VM member")
    _add_tags(nsx, ext, [{"scope": scope, "tag": tag}], action="remove_tags")
    wait_for(lambda: ext not in _ids(_members(nsx, gpath, "virtual-machines")), what="VM gone")
    wait_for(lambda: "10.30.2.7" not in _ip_members(nsx, gpath), what="IP gone")


def test_policy_vm_tags_call_changes_membership(nsx: httpx.Client) -> None:
    """ref §1.2: the Policy realized-state VM tags POST changes membership too."""
    scope, tag = uid("sc"), uid("tg")
    gpath = _tag_group(nsx, f"{scope}|{tag}")
    ext = str(uuid.uuid4())
    _admin.add_vm(nsx, ext)
    resp = nsx.post(
        f"{P}/infra/realized-state/virtual-machines/{ext}/tags",
        json={"virtual_machine_id": ext, "tags": [{"scope": scope, "tag": tag}]},
    )
    assert 200 <= resp.status_code < 300, resp.text
    wait_for(lambda: ext in _ids(_members(nsx, gpath, "virtual-machines")), what="VM member")


def test_scope_must_match_too(nsx: httpx.Client) -> None:
    """ref §4.2: 'scope|tag' matches scope and tag; same tag under another scope is no match."""
    scope, tag = uid("sc"), uid("tg")
    gpath = _tag_group(nsx, f"{scope}|{tag}")
    ext = str(uuid.uuid4())
    _admin.add_vm(nsx, ext, tags=[{"scope": "other", "tag": tag}])
    assert ext not in _ids(_members(nsx, gpath, "virtual-machines"))


def test_empty_scope_value_matches_tag_under_any_scope(nsx: httpx.Client) -> None:
    """ref §4.2 (corrected): '|tag' is "evaluated for tag value not for empty scope value"
    (vcf-nsx 9.1.1.0 ``Condition.scope_operator``): the tag matches with an empty scope and
    under any other scope (more cases in test_membership_matching.py)."""
    tag = uid("tg")
    gpath = _tag_group(nsx, f"|{tag}")
    bare, scoped = str(uuid.uuid4()), str(uuid.uuid4())
    _admin.add_vm(nsx, bare, tags=[{"scope": "", "tag": tag}])
    _admin.add_vm(nsx, scoped, tags=[{"scope": uid("sc"), "tag": tag}])
    wait_for(lambda: {bare, scoped} <= _ids(_members(nsx, gpath, "virtual-machines")), what="VM members")


def test_ip_only_group_members(nsx: httpx.Client) -> None:
    """ref §1.1: an IPAddressExpression group lists its addresses in members/ip-addresses,
    and members/virtual-machines is empty (VMs only for VM member criteria)."""
    gid = uid("ipg")
    ok(patch(nsx, group_path(gid), group_body(gid, [ip_expression("10.40.0.1", "10.40.1.0/24")])))
    gpath = group_path(gid)
    assert {"10.40.0.1", "10.40.1.0/24"} <= _ip_members(nsx, gpath)
    assert _members(nsx, gpath, "virtual-machines") == []


def test_nested_group_membership(nsx: httpx.Client) -> None:
    """ref §4.2 (PathExpression): a group containing another group by path has that
    group's VMs as effective members."""
    scope, tag = uid("sc"), uid("tg")
    inner = _tag_group(nsx, f"{scope}|{tag}")
    outer_id = uid("outer")
    ok(
        patch(
            nsx,
            group_path(outer_id),
            group_body(outer_id, [{"resource_type": "PathExpression", "paths": [inner]}]),
        )
    )
    ext = str(uuid.uuid4())
    _admin.add_vm(nsx, ext, tags=[{"scope": scope, "tag": tag}])
    wait_for(lambda: ext in _ids(_members(nsx, group_path(outer_id), "virtual-machines")), what="nested VM member")


def _antrea_pod_group(nsx: httpx.Client, label_key: str, label_value: str) -> str:
    gid = uid("ag")
    cond = {
        "resource_type": "Condition",
        "member_type": "Pod",
        "key": "Tag",
        "operator": "EQUALS",
        "value": f"{label_key}|{label_value}",
    }
    ok(patch(nsx, group_path(gid), group_body(gid, [cond], group_type=["ANTREA"])))
    return group_path(gid)


def test_pod_members_follow_labels(nsx: httpx.Client) -> None:
    """ref §1.1 / §6.2 / antrea §4.4: an ANTREA Pod-tag group used in a DFW rule lists
    matching pods in members/pods?cluster_id=...; labels surface as tags (key->scope)."""
    cluster = uid("k8s")
    key, value = uid("app"), "web"
    gpath = _antrea_pod_group(nsx, key, value)
    make_policy(nsx, rules=[rule_body(uid("r"), sources=[gpath])])
    pod = uid("pod")
    _admin.add_pod(nsx, cluster, pod, ip_addresses=["172.16.0.9"], labels={key: value})
    _admin.add_pod(nsx, cluster, uid("pod"), labels={key: "db"})
    members = wait_for(
        lambda: [m for m in _pods(nsx, gpath, cluster_id=cluster) if pod in _ids([m])],
        what="pod member",
    )
    assert len(members) == 1
    assert len(_pods(nsx, gpath, cluster_id=cluster)) == 1


def test_pod_leaves_group_when_label_changes(nsx: httpx.Client) -> None:
    """ref §6.2 / antrea §4.4: a pod whose label changes stops matching the Pod-tag
    criterion: membership follows inventory, the group is not redeployed."""
    cluster = uid("k8s")
    key = uid("app")
    gpath = _antrea_pod_group(nsx, key, "web")
    make_policy(nsx, rules=[rule_body(uid("r"), sources=[gpath])])
    pod = uid("pod")
    _admin.add_pod(nsx, cluster, pod, labels={key: "web"})
    wait_for(lambda: pod in _ids(_pods(nsx, gpath, cluster_id=cluster)), what="pod member")
    revision = get_json(nsx, gpath)["_revision"]
    _admin.update_pod(nsx, pod, labels={key: "db"})
    wait_for(lambda: pod not in _ids(_pods(nsx, gpath, cluster_id=cluster)), what="pod gone")
    assert get_json(nsx, gpath)["_revision"] == revision


def test_pods_filtered_by_cluster_id(nsx: httpx.Client) -> None:
    """ref §1.1: the Kubernetes/Antrea member endpoints take cluster_id."""
    key = uid("app")
    gpath = _antrea_pod_group(nsx, key, "web")
    make_policy(nsx, rules=[rule_body(uid("r"), sources=[gpath])])
    c1, c2 = uid("k8s"), uid("k8s")
    p1, p2 = uid("pod"), uid("pod")
    _admin.add_pod(nsx, c1, p1, labels={key: "web"})
    _admin.add_pod(nsx, c2, p2, labels={key: "web"})
    wait_for(lambda: p1 in _ids(_pods(nsx, gpath, cluster_id=c1)), what="pod in c1")
    assert p2 not in _ids(_pods(nsx, gpath, cluster_id=c1))
