"""``GET /infra/virtual-machine-group-associations?vm_external_id=``: the groups a VM is
an effective member of, as a ``PolicyResourceReferenceForEPListResult`` (vcf-nsx 9.1.1.0
``infra.VirtualMachineGroupAssociations``; Terraform reads ``target_id`` as the group
path, with ``target_display_name``, ``target_type`` and ``is_valid``).

The module runs on its own emulator: groups other tests create on the shared one (a
NOTEQUALS condition selects untagged VMs too) must not change the counts here."""

from __future__ import annotations

import uuid

import httpx
import pytest

from ._admin import add_vm
from ._nsx import (
    EP,
    JSON,
    P,
    assert_nsx_error,
    get,
    group_body,
    group_path,
    ok,
    patch,
    path_expression,
    tag_condition,
    token,
    uid,
)

pytestmark = pytest.mark.conformance("membership")

ROUTE = "/infra/virtual-machine-group-associations"


def associations(own: httpx.Client, external_id: str, **params: object) -> JSON:
    body = ok(get(own, ROUTE, vm_external_id=external_id, **params), 200).json()
    assert isinstance(body, dict)
    return body


def tagged_vm(own: httpx.Client, tag: str) -> str:
    ext = str(uuid.uuid4())
    add_vm(own, ext, display_name=token("vm"), tags=[{"scope": "app", "tag": tag}])
    return ext


def test_lists_the_groups_whose_members_include_the_vm(own: httpx.Client) -> None:
    """A tag group that selects the VM, and a group nesting it (PathExpression), are listed;
    a group selecting another tag is not. Each entry is a reference to a Group."""
    tag = token("web")
    ext = tagged_vm(own, tag)
    by_tag, by_nesting, other = uid("ga"), uid("gb"), uid("gc")
    ok(patch(own, group_path(by_tag), group_body(by_tag, [tag_condition(f"app|{tag}")], display_name="Web tier")))
    ok(patch(own, group_path(by_nesting), group_body(by_nesting, [path_expression(group_path(by_tag))])))
    ok(patch(own, group_path(other), group_body(other, [tag_condition(f"app|{token('no')}")])))
    body = associations(own, ext)
    assert body["result_count"] == 2
    by_path = {r["target_id"]: r for r in body["results"]}
    assert set(by_path) == {group_path(by_tag), group_path(by_nesting)}
    assert by_path[group_path(by_tag)] == {
        "target_id": group_path(by_tag),
        "target_display_name": "Web tier",
        "target_type": "Group",
        "path": group_path(by_tag),
        "is_valid": True,
    }


def test_vm_in_no_group_has_an_empty_list(own: httpx.Client) -> None:
    body = associations(own, tagged_vm(own, token("lonely")))
    assert body["results"] == []
    assert body["result_count"] == 0


def test_pages_like_other_lists(own: httpx.Client) -> None:
    """page_size/cursor apply (ref §1.4): two groups, one per page."""
    tag = token("pg")
    ext = tagged_vm(own, tag)
    for _ in range(2):
        gid = uid("gp")
        ok(patch(own, group_path(gid), group_body(gid, [tag_condition(f"app|{tag}")])))
    first = associations(own, ext, page_size=1, sort_by="target_id")
    assert first["result_count"] == 2
    assert len(first["results"]) == 1
    second = associations(own, ext, page_size=1, sort_by="target_id", cursor=first["cursor"])
    assert len(second["results"]) == 1
    assert first["results"][0]["target_id"] < second["results"][0]["target_id"]


def test_default_enforcement_point_may_be_named(own: httpx.Client) -> None:
    tag = token("ep")
    ext = tagged_vm(own, tag)
    gid = uid("ge")
    ok(patch(own, group_path(gid), group_body(gid, [tag_condition(f"app|{tag}")])))
    body = associations(own, ext, enforcement_point_path=EP)
    assert [r["target_id"] for r in body["results"]] == [group_path(gid)]


def test_unknown_enforcement_point_is_404(own: httpx.Client) -> None:
    ext = tagged_vm(own, token("ep"))
    resp = get(own, ROUTE, vm_external_id=ext, enforcement_point_path="/infra/sites/default/enforcement-points/nope")
    assert_nsx_error(resp, 404)


def test_vm_external_id_is_required(own: httpx.Client) -> None:
    assert_nsx_error(own.get(P + ROUTE), 400)


def test_unknown_vm_is_404(own: httpx.Client) -> None:
    assert_nsx_error(get(own, ROUTE, vm_external_id=str(uuid.uuid4())), 404)
