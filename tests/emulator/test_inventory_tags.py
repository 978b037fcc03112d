"""VM inventory and VM tags: MP tag actions and the Policy realized-state tag calls (ref §1.2)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from . import _admin
from ._nsx import JSON, P, get_json, list_all, ok

pytestmark = pytest.mark.conformance("inventory_tags")

FABRIC_VMS = "/api/v1/fabric/virtual-machines"


def _vm(nsx: httpx.Client, tags: list[JSON] | None = None) -> str:
    ext = str(uuid.uuid4())
    _admin.add_vm(nsx, ext, display_name=f"vm-{ext[:8]}", ip_addresses=["10.20.0.5"], tags=tags)
    return ext


def _fabric_vm(nsx: httpx.Client, ext: str) -> JSON:
    body = ok(nsx.get(FABRIC_VMS, params={"external_id": ext}), 200).json()
    matches = [vm for vm in body["results"] if vm["external_id"] == ext]
    assert len(matches) == 1, body
    vm: JSON = matches[0]
    return vm


def _tags(vm: JSON) -> list[tuple[str, str]]:
    return sorted((t.get("scope", ""), t["tag"]) for t in vm.get("tags", []))


def _action(nsx: httpx.Client, action: str, ext: str, tags: list[JSON]) -> httpx.Response:
    return nsx.post(FABRIC_VMS, params={"action": action}, json={"external_id": ext, "tags": tags})


def test_fabric_vm_list_shape(nsx: httpx.Client) -> None:
    """ref §1.2: GET /api/v1/fabric/virtual-machines lists VMs (external_id, display_name);
    the tags property is left out when a VM has no NSX tags."""
    ext = _vm(nsx)
    vm = _fabric_vm(nsx, ext)
    assert vm["display_name"] == f"vm-{ext[:8]}"
    assert "tags" not in vm


def test_fabric_vm_compute_ids_format(nsx: httpx.Client) -> None:
    """ref §1.2: compute_ids entries are strings 'biosUuid:<uuid>' / 'instanceUuid:<uuid>'."""
    vm = _fabric_vm(nsx, _vm(nsx))
    ids = vm.get("compute_ids", [])
    assert ids, vm
    assert all(isinstance(c, str) for c in ids)
    assert any(c.startswith("instanceUuid:") for c in ids) or any(c.startswith("biosUuid:") for c in ids)


def test_fabric_vm_paging(nsx: httpx.Client) -> None:
    """ref §1.2 / §1.4: the fabric VM list pages with cursor/page_size."""
    for _ in range(3):
        _vm(nsx)
    all_vms = list_all(nsx, FABRIC_VMS, 2, prefix="")
    ids = [vm["external_id"] for vm in all_vms]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 3


def test_add_tags_appends(nsx: httpx.Client) -> None:
    """ref §1.2: POST ?action=add_tags {external_id, tags} appends to the existing tags."""
    ext = _vm(nsx, tags=[{"scope": "env", "tag": "dev"}])
    resp = _action(nsx, "add_tags", ext, [{"scope": "app", "tag": "web"}])
    assert 200 <= resp.status_code < 300, resp.text
    assert _tags(_fabric_vm(nsx, ext)) == [("app", "web"), ("env", "dev")]


def test_remove_tags_removes_given(nsx: httpx.Client) -> None:
    """ref §1.2: ?action=remove_tags removes the given tags only."""
    ext = _vm(nsx, tags=[{"scope": "env", "tag": "dev"}, {"scope": "app", "tag": "web"}])
    resp = _action(nsx, "remove_tags", ext, [{"scope": "env", "tag": "dev"}])
    assert 200 <= resp.status_code < 300, resp.text
    assert _tags(_fabric_vm(nsx, ext)) == [("app", "web")]


def test_update_tags_replaces(nsx: httpx.Client) -> None:
    """ref §1.2: ?action=update_tags replaces all tags (Ansible posts {external_id, tags})."""
    ext = _vm(nsx, tags=[{"scope": "env", "tag": "dev"}, {"scope": "app", "tag": "web"}])
    resp = _action(nsx, "update_tags", ext, [{"scope": "tier", "tag": "db"}])
    assert 200 <= resp.status_code < 300, resp.text
    assert _tags(_fabric_vm(nsx, ext)) == [("tier", "db")]


def test_update_tags_empty_clears(nsx: httpx.Client) -> None:
    """ref §1.2: update_tags with an empty list clears the tags (then 'tags' is absent)."""
    ext = _vm(nsx, tags=[{"scope": "env", "tag": "dev"}])
    resp = _action(nsx, "update_tags", ext, [])
    assert 200 <= resp.status_code < 300, resp.text
    assert _fabric_vm(nsx, ext).get("tags", []) == []


def test_tag_action_rejects_vmw_async(nsx: httpx.Client) -> None:
    """ref §1.2: the 'vmw-async: True' header is not allowed on the tag actions."""
    ext = _vm(nsx)
    resp = nsx.post(
        FABRIC_VMS,
        params={"action": "add_tags"},
        json={"external_id": ext, "tags": [{"scope": "a", "tag": "b"}]},
        headers={"vmw-async": "True"},
    )
    assert 400 <= resp.status_code < 500, resp.text
    assert "tags" not in _fabric_vm(nsx, ext)


def test_tag_action_unknown_vm_is_client_error(nsx: httpx.Client) -> None:
    """ref §1.2 / §3.1: tagging a VM that is not in the inventory is a 4xx, not a 500."""
    resp = _action(nsx, "add_tags", str(uuid.uuid4()), [{"scope": "a", "tag": "b"}])
    assert resp.status_code in (400, 404), resp.text


def test_tag_action_unknown_action_rejected(nsx: httpx.Client) -> None:
    """ref §1.2: the action is add_tags, remove_tags or update_tags."""
    ext = _vm(nsx)
    assert 400 <= _action(nsx, "paint_tags", ext, []).status_code < 500


def test_tag_scope_and_tag_length_limits(nsx: httpx.Client) -> None:
    """ref §2.2: tag scope max 128 chars, tag max 256 chars."""
    ext = _vm(nsx)
    ok_tag = {"scope": "s" * 128, "tag": "t" * 256}
    assert 200 <= _action(nsx, "update_tags", ext, [ok_tag]).status_code < 300
    assert 400 <= _action(nsx, "update_tags", ext, [{"scope": "s" * 129, "tag": "t"}]).status_code < 500
    assert 400 <= _action(nsx, "update_tags", ext, [{"scope": "s", "tag": "t" * 257}]).status_code < 500
    assert _tags(_fabric_vm(nsx, ext)) == [("s" * 128, "t" * 256)]


def test_policy_vm_tags_post_replaces_and_url_wins(nsx: httpx.Client) -> None:
    """ref §1.2: POST /policy/api/v1/infra/realized-state/virtual-machines/{vm-id}/tags
    replaces all tags; virtual_machine_id in the body is ignored, the URL id wins
    (Terraform passes the VM's external_id)."""
    ext = _vm(nsx, tags=[{"scope": "env", "tag": "dev"}])
    other = _vm(nsx)
    body = {"virtual_machine_id": other, "tags": [{"scope": "app", "tag": "api"}]}
    resp = nsx.post(f"{P}/infra/realized-state/virtual-machines/{ext}/tags", json=body)
    assert 200 <= resp.status_code < 300, resp.text
    assert _tags(_fabric_vm(nsx, ext)) == [("app", "api")]
    assert "tags" not in _fabric_vm(nsx, other)


def test_deprecated_enforcement_point_update_tags(nsx: httpx.Client) -> None:
    """ref §1.2: deprecated POST .../enforcement-points/{ep}/virtual-machines?action=update_tags
    with VirtualMachineTagsUpdate {virtual_machine_id, tags} still replaces the tags."""
    ext = _vm(nsx, tags=[{"scope": "env", "tag": "dev"}])
    resp = nsx.post(
        f"{P}/infra/realized-state/enforcement-points/default/virtual-machines",
        params={"action": "update_tags"},
        json={"virtual_machine_id": ext, "tags": [{"scope": "x", "tag": "y"}]},
    )
    assert 200 <= resp.status_code < 300, resp.text
    assert _tags(_fabric_vm(nsx, ext)) == [("x", "y")]


def test_policy_realized_vm_list(nsx: httpx.Client) -> None:
    """ref §1.2: GET /policy/api/v1/infra/realized-state/virtual-machines lists VMs
    (with their tags)."""
    ext = _vm(nsx, tags=[{"scope": "env", "tag": "dev"}])
    seen: list[JSON] = []
    cursor: str | None = None
    for _ in range(100):
        params: dict[str, str | int] = {"page_size": 1000, "sort_by": "external_id"}
        if cursor:
            params["cursor"] = cursor
        page = get_json(nsx, "/infra/realized-state/virtual-machines", **params)
        seen.extend(page["results"])
        cursor = page.get("cursor")
        if not cursor or not page["results"]:
            break
    mine = [vm for vm in seen if vm.get("external_id") == ext]
    assert len(mine) == 1, [vm.get("external_id") for vm in seen][:20]
    assert _tags(mine[0]) == [("env", "dev")]


def test_container_inventory(nsx: httpx.Client) -> None:
    """ref §1.2 / antrea §4.4: clusters and pods reported by Antrea appear in the MP
    container inventory; pods filter by container_cluster_id; labels surface as tags
    (key -> scope, value -> tag, [INF])."""
    cluster = f"k8s-{uuid.uuid4().hex[:8]}"
    pod = f"pod-{uuid.uuid4().hex[:8]}"
    _admin.add_pod(nsx, cluster, pod, ip_addresses=["172.16.5.5"], labels={"app": "web"})
    clusters = ok(nsx.get("/api/v1/fabric/container-clusters"), 200).json()["results"]
    mine = [c for c in clusters if c["display_name"] == cluster]
    assert len(mine) == 1, clusters
    cluster_id = mine[0]["external_id"]
    pods = ok(
        nsx.get("/api/v1/fabric/container-application-instances", params={"container_cluster_id": cluster_id}),
        200,
    ).json()["results"]
    assert [p["display_name"] for p in pods] == [pod]
    assert {"scope": "app", "tag": "web"} in pods[0]["tags"]


def test_fabric_vm_display_name_filter(nsx: httpx.Client) -> None:
    """ref §1.2: the fabric VM list filters by display_name."""
    ext = _vm(nsx)
    _vm(nsx)
    body = ok(nsx.get(FABRIC_VMS, params={"display_name": f"vm-{ext[:8]}"}), 200).json()
    assert [vm["external_id"] for vm in body["results"]] == [ext]
