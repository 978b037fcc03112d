"""Antrea cluster-control-planes and the container-cluster-span child of a policy
(ref §1.1, §6.1, §6.3; antrea.md §4)."""

from __future__ import annotations

import httpx
import pytest

from ._nsx import (
    EP,
    JSON,
    assert_absent,
    assert_nsx_error,
    assert_rejected,
    ccp_path,
    delete,
    get_json,
    make_policy,
    ok,
    patch,
    put,
    uid,
)

pytestmark = pytest.mark.conformance("ccp")


def _ccp_body(cid: str) -> JSON:
    return {"resource_type": "ClusterControlPlane", "id": cid, "display_name": cid}


def _make_ccp(nsx: httpx.Client) -> str:
    cid = uid("ccp")
    ok(put(nsx, ccp_path(cid), _ccp_body(cid)))
    return ccp_path(cid)


def _span_body(sid: str, ccp: str) -> JSON:
    return {
        "resource_type": "SecurityPolicyContainerCluster",
        "id": sid,
        "display_name": sid,
        "container_cluster_path": ccp,
    }


def test_ccp_put_get(nsx: httpx.Client) -> None:
    """ref §1.1 / §6.1: PUT /infra/sites/default/enforcement-points/default/
    cluster-control-planes/{id} joins a cluster; GET returns it with its path."""
    cid = uid("ccp")
    ok(put(nsx, ccp_path(cid), _ccp_body(cid)))
    got = get_json(nsx, ccp_path(cid))
    assert got["id"] == cid
    assert got["display_name"] == cid
    assert got["path"] == ccp_path(cid)
    assert got["parent_path"] == EP


def test_ccp_list(nsx: httpx.Client) -> None:
    """ref §1.1 / antrea §4.3: the CCP list endpoint is how clients discover clusters."""
    path = _make_ccp(nsx)
    listing = get_json(nsx, f"{EP}/cluster-control-planes")
    assert path in {c["path"] for c in listing["results"]}


def test_ccp_patch_is_405(nsx: httpx.Client) -> None:
    """ref §1.1 / §6.1: cluster-control-planes have no PATCH -> 405, NSX-shaped body."""
    path = _make_ccp(nsx)
    assert_nsx_error(patch(nsx, path, {"display_name": "renamed"}), 405)
    assert get_json(nsx, path)["display_name"] != "renamed"


def test_ccp_delete(nsx: httpx.Client) -> None:
    """ref §1.1: DELETE removes the cluster control plane."""
    path = _make_ccp(nsx)
    ok(delete(nsx, path), 200)
    assert_absent(nsx, path)


def test_ccp_delete_cascade_with_allow_overwrite(nsx: httpx.Client) -> None:
    """ref §6.1: cleanup is DELETE ...?cascade=true with X-Allow-Overwrite: true."""
    path = _make_ccp(nsx)
    resp = nsx.delete(f"/policy/api/v1{path}", params={"cascade": "true"}, headers={"X-Allow-Overwrite": "true"})
    ok(resp, 200)
    assert_absent(nsx, path)


def test_ccp_cascade_delete_removes_policy_references(nsx: httpx.Client) -> None:
    """ref §6.1: cascade also force-removes references from firewall policies."""
    ccp = _make_ccp(nsx)
    ppath = make_policy(nsx)
    span = f"{ppath}/container-cluster-span/{uid('span')}"
    ok(patch(nsx, span, _span_body(span.rsplit("/", 1)[1], ccp)))
    ok(delete(nsx, ccp, cascade="true"), 200)
    assert_absent(nsx, ccp)
    ok(nsx.get(f"/policy/api/v1{ppath}"), 200)
    assert_absent(nsx, span)


def test_container_cluster_span_child(nsx: httpx.Client) -> None:
    """ref §6.3 / antrea §4.5: PATCH <policy>/container-cluster-span/{id} with
    container_cluster_path = CCP path binds the policy to the Antrea cluster."""
    ccp = _make_ccp(nsx)
    ppath = make_policy(nsx)
    sid = uid("span")
    span = f"{ppath}/container-cluster-span/{sid}"
    ok(patch(nsx, span, _span_body(sid, ccp)))
    got = get_json(nsx, span)
    assert got["container_cluster_path"] == ccp
    assert got["path"] == span
    assert got["parent_path"] == ppath
    listing = get_json(nsx, f"{ppath}/container-cluster-span")
    assert [s["id"] for s in listing["results"]] == [sid]


def test_duplicate_container_cluster_path_rejected(nsx: httpx.Client) -> None:
    """ref §6.3: a duplicate container_cluster_path on the same policy is rejected (400)."""
    ccp = _make_ccp(nsx)
    ppath = make_policy(nsx)
    a, b = uid("span"), uid("span")
    ok(patch(nsx, f"{ppath}/container-cluster-span/{a}", _span_body(a, ccp)))
    assert_rejected(patch(nsx, f"{ppath}/container-cluster-span/{b}", _span_body(b, ccp)), 400)
    assert_absent(nsx, f"{ppath}/container-cluster-span/{b}")


def test_same_cluster_on_two_policies_ok(nsx: httpx.Client) -> None:
    """ref §6.3: the duplicate rule is per policy; two policies may span one cluster."""
    ccp = _make_ccp(nsx)
    for _ in range(2):
        ppath = make_policy(nsx)
        sid = uid("span")
        ok(patch(nsx, f"{ppath}/container-cluster-span/{sid}", _span_body(sid, ccp)))


def test_container_cluster_path_immutable(nsx: httpx.Client) -> None:
    """ref §6.3: the path cannot be changed; to change it, delete and recreate."""
    c1, c2 = _make_ccp(nsx), _make_ccp(nsx)
    ppath = make_policy(nsx)
    sid = uid("span")
    span = f"{ppath}/container-cluster-span/{sid}"
    ok(patch(nsx, span, _span_body(sid, c1)))
    assert_rejected(patch(nsx, span, _span_body(sid, c2)), 400)
    assert get_json(nsx, span)["container_cluster_path"] == c1
    ok(delete(nsx, span), 200)
    ok(patch(nsx, span, _span_body(sid, c2)))
    assert get_json(nsx, span)["container_cluster_path"] == c2


def test_span_deleted_with_policy(nsx: httpx.Client) -> None:
    """ref §1.1: deleting a policy removes its children (the span is a policy child)."""
    ccp = _make_ccp(nsx)
    ppath = make_policy(nsx)
    sid = uid("span")
    span = f"{ppath}/container-cluster-span/{sid}"
    ok(patch(nsx, span, _span_body(sid, ccp)))
    ok(delete(nsx, ppath), 200)
    assert_absent(nsx, span)
