"""Optimistic concurrency (_revision) and system fields (ref §2.1, §2.2, §1.3)."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from ._nsx import (
    STALE_REVISION_TEXT,
    assert_nsx_error,
    get,
    get_json,
    group_body,
    group_path,
    ok,
    patch,
    policy_body,
    policy_path,
    put,
    rule_body,
    rule_path,
    tag_condition,
    uid,
)

pytestmark = pytest.mark.conformance("revision")

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def _new_group(nsx: httpx.Client) -> tuple[str, str]:
    gid = uid("rev")
    path = group_path(gid)
    ok(patch(nsx, path, group_body(gid, [tag_condition("s|t")])))
    return gid, path


def test_new_object_starts_at_revision_0(nsx: httpx.Client) -> None:
    """ref §2.1: new objects start at _revision 0 (an int)."""
    _, path = _new_group(nsx)
    rev = get_json(nsx, path)["_revision"]
    assert type(rev) is int
    assert rev == 0


def test_each_patch_adds_one(nsx: httpx.Client) -> None:
    """ref §2.1: each update adds one to _revision."""
    gid, path = _new_group(nsx)
    for expected in (1, 2, 3):
        ok(patch(nsx, path, group_body(gid, [tag_condition(f"s|{expected}")])))
        assert get_json(nsx, path)["_revision"] == expected


def test_put_with_current_revision_succeeds_and_returns_object(nsx: httpx.Client) -> None:
    """ref §1.3 / §2.1: PUT with the current _revision works and returns the object
    with _revision + 1."""
    gid, path = _new_group(nsx)
    body = group_body(gid, [tag_condition("s|new")], _revision=0, description="d")
    resp = ok(put(nsx, path, body))
    returned = resp.json()
    assert returned["id"] == gid
    assert returned["_revision"] == 1
    assert returned["description"] == "d"
    assert get_json(nsx, path)["_revision"] == 1


def test_put_with_stale_revision_is_412(nsx: httpx.Client) -> None:
    """ref §2.1 / §12.1: a stale _revision on PUT -> 412 with 'Fetch the latest copy
    of the object and retry'; the object is unchanged."""
    gid, path = _new_group(nsx)
    ok(patch(nsx, path, group_body(gid, [tag_condition("s|one")])))  # now _revision 1
    stale = group_body(gid, [tag_condition("s|stale")], _revision=0)
    assert_nsx_error(put(nsx, path, stale), 412, message=STALE_REVISION_TEXT)
    current = get_json(nsx, path)
    assert current["_revision"] == 1
    assert current["expression"][0]["value"] == "s|one"


def test_put_with_future_revision_is_412(nsx: httpx.Client) -> None:
    """ref §2.1: a mismatched (not only older) _revision -> 412."""
    gid, path = _new_group(nsx)
    body = group_body(gid, [tag_condition("s|x")], _revision=7)
    assert_nsx_error(put(nsx, path, body), 412, message=STALE_REVISION_TEXT)


def test_put_without_revision_on_existing_object_is_rejected(nsx: httpx.Client) -> None:
    """ref §1.3 / §12.1: a PUT with no _revision on an existing object is rejected
    (the status is not pinned by the sources beyond 'rejected': 400 or 412)."""
    gid, path = _new_group(nsx)
    resp = put(nsx, path, group_body(gid, [tag_condition("s|norev")]))
    assert resp.status_code in (400, 412), resp.text
    assert_nsx_error(resp, resp.status_code)
    assert get_json(nsx, path)["_revision"] == 0


def test_put_creates_new_object_without_revision(nsx: httpx.Client) -> None:
    """ref §1.3: PUT creates a new object; _revision null is fine for creation (SAP)."""
    gid = uid("putnew")
    path = group_path(gid)
    body = group_body(gid, [tag_condition("s|t")], _revision=None)
    returned = ok(put(nsx, path, body)).json()
    assert returned["id"] == gid
    assert returned["_revision"] == 0
    assert get_json(nsx, path)["_revision"] == 0


def test_put_creates_new_object_with_no_revision_key(nsx: httpx.Client) -> None:
    """ref §1.3: PUT creates or updates; creation needs no _revision."""
    gid = uid("putnew")
    ok(put(nsx, group_path(gid), group_body(gid, [tag_condition("s|t")])))
    assert get_json(nsx, group_path(gid))["_revision"] == 0


def test_patch_ignores_revision(nsx: httpx.Client) -> None:
    """ref §2.1 / §1.3: the 412 check is documented for PUT; PATCH is an upsert and
    clients PATCH without a _revision."""
    gid, path = _new_group(nsx)
    ok(patch(nsx, path, group_body(gid, [tag_condition("s|a")])))
    ok(patch(nsx, path, group_body(gid, [tag_condition("s|b")])))
    assert get_json(nsx, path)["_revision"] == 2


def test_system_fields_on_group(nsx: httpx.Client) -> None:
    """ref §2.2: path, parent_path, relative_path == id, unique_id (UUID), _create_time
    in epoch ms, _system_owned false, display_name defaults to id, resource_type."""
    gid = uid("sys")
    path = group_path(gid)
    ok(patch(nsx, path, {"resource_type": "Group", "expression": [tag_condition("s|t")]}))
    obj = get_json(nsx, path)
    assert obj["id"] == gid
    assert obj["path"] == path
    assert obj["parent_path"] == "/infra/domains/default"
    assert obj["relative_path"] == gid
    assert UUID_RE.match(obj["unique_id"]), obj["unique_id"]
    assert type(obj["_create_time"]) is int
    assert obj["_create_time"] > 1e12
    assert type(obj["_last_modified_time"]) is int
    assert obj["_last_modified_time"] >= obj["_create_time"]
    assert obj["_system_owned"] is False
    assert obj["display_name"] == gid
    assert obj["resource_type"] == "Group"
    assert obj["marked_for_delete"] is False
    assert obj.get("_protection", "NOT_PROTECTED") in {
        "PROTECTED",
        "NOT_PROTECTED",
        "REQUIRE_OVERRIDE",
        "UNKNOWN",
    }


def test_create_and_modify_user_recorded(nsx: httpx.Client) -> None:
    """ref §2.2: _create_user / _last_modified_user are the authenticated user name."""
    _, path = _new_group(nsx)
    obj = get_json(nsx, path)
    assert obj["_create_user"] == "admin"
    assert obj["_last_modified_user"] == "admin"


def test_unique_id_stable_and_distinct(nsx: httpx.Client) -> None:
    """ref §2.2: unique_id identifies the object: stable across updates, distinct per object."""
    gid, path = _new_group(nsx)
    _, other = _new_group(nsx)
    first = get_json(nsx, path)["unique_id"]
    ok(patch(nsx, path, group_body(gid, [tag_condition("s|z")])))
    assert get_json(nsx, path)["unique_id"] == first
    assert get_json(nsx, other)["unique_id"] != first
    uuid.UUID(first)


def test_last_modified_time_advances(nsx: httpx.Client) -> None:
    """ref §2.2: _last_modified_time (epoch ms) moves forward on update; _create_time stays."""
    gid, path = _new_group(nsx)
    before = get_json(nsx, path)
    ok(patch(nsx, path, group_body(gid, [tag_condition("s|later")])))
    after = get_json(nsx, path)
    assert after["_create_time"] == before["_create_time"]
    assert after["_last_modified_time"] >= before["_last_modified_time"]


def test_get_edit_put_roundtrip_accepts_system_fields(nsx: httpx.Client) -> None:
    """ref §1.3: clients GET, edit, then PUT the whole body back (system fields
    included); that must not be refused as unknown properties."""
    _, path = _new_group(nsx)
    obj = get_json(nsx, path)
    obj["description"] = "edited"
    returned = ok(put(nsx, path, obj)).json()
    assert returned["description"] == "edited"
    assert returned["_revision"] == 1


def test_get_edit_patch_roundtrip_accepts_system_fields(nsx: httpx.Client) -> None:
    """ref §1.3: Ansible fills every field from a prior GET before PATCHing."""
    _, path = _new_group(nsx)
    obj = get_json(nsx, path)
    obj["description"] = "patched"
    ok(patch(nsx, path, obj))
    assert get_json(nsx, path)["description"] == "patched"


def test_rule_system_fields(nsx: httpx.Client) -> None:
    """ref §2.2: a rule's path is under its policy; parent_path is the policy path."""
    pid, rid = uid("p"), uid("r")
    ok(patch(nsx, policy_path(pid), policy_body(pid, rules=[rule_body(rid)])))
    rule = get_json(nsx, rule_path(pid, rid))
    assert rule["path"] == rule_path(pid, rid)
    assert rule["parent_path"] == policy_path(pid)
    assert rule["relative_path"] == rid
    assert rule["resource_type"] == "Rule"
    assert rule["_revision"] == 0


def test_patch_rule_returns_200_empty_body(nsx: httpx.Client) -> None:
    """ref §1.3 / §12.8: PATCH of a rule returns 200 with an empty body (observed)."""
    pid, rid = uid("p"), uid("r")
    ok(patch(nsx, policy_path(pid), policy_body(pid, rules=[])))
    resp = patch(nsx, rule_path(pid, rid), rule_body(rid))
    assert resp.status_code == 200, resp.text
    assert resp.content == b""


def test_rule_put_stale_revision_is_412(nsx: httpx.Client) -> None:
    """ref §2.1: the 412 check applies to rules as well (APIDOC Rule schema)."""
    pid, rid = uid("p"), uid("r")
    ok(patch(nsx, policy_path(pid), policy_body(pid, rules=[rule_body(rid)])))
    ok(patch(nsx, rule_path(pid, rid), rule_body(rid, action="DROP")))
    stale = rule_body(rid, _revision=0)
    assert_nsx_error(put(nsx, rule_path(pid, rid), stale), 412, message=STALE_REVISION_TEXT)


def test_policy_put_stale_revision_is_412(nsx: httpx.Client) -> None:
    """ref §2.1 / §1.3: nsxlib's GET -> edit -> PUT of a policy retries on 412."""
    pid = uid("p")
    ok(patch(nsx, policy_path(pid), policy_body(pid, rules=[])))
    ok(patch(nsx, policy_path(pid), policy_body(pid, rules=[], description="x")))
    resp = put(nsx, policy_path(pid), policy_body(pid, rules=[], _revision=0))
    assert_nsx_error(resp, 412, message=STALE_REVISION_TEXT)


def test_get_missing_after_failed_put_create_is_absent(nsx: httpx.Client) -> None:
    """ref §2.1: a PUT with a _revision for an object that does not exist does not
    silently create a mismatched object: either it creates at 0 or it is refused."""
    gid = uid("ghost")
    resp = put(nsx, group_path(gid), group_body(gid, [tag_condition("s|t")], _revision=5))
    if resp.status_code in (200, 201):
        assert get_json(nsx, group_path(gid))["_revision"] == 0
    else:
        assert 400 <= resp.status_code < 500, resp.text
        assert get(nsx, group_path(gid)).status_code == 404


def test_patch_group_and_policy_return_no_body(nsx: httpx.Client) -> None:
    """ref §1.3: the SDK declares no return value for PATCH of group and security policy
    (as observed for rules: 200, empty body)."""
    gid, pid = uid("g"), uid("p")
    resp = patch(nsx, group_path(gid), group_body(gid, [tag_condition("s|t")]))
    assert resp.status_code == 200, resp.text
    assert resp.content == b""
    resp = patch(nsx, policy_path(pid), policy_body(pid, rules=[]))
    assert resp.status_code == 200, resp.text
    assert resp.content == b""


def test_hapi_update_adds_one_to_revision(nsx: httpx.Client) -> None:
    """ref §2.1: an update through PATCH /infra also adds one to _revision; new objects
    created by it start at 0."""
    gid, path = _new_group(nsx)
    tree = {
        "resource_type": "Infra",
        "children": [{
            "resource_type": "ChildResourceReference",
            "id": "default",
            "target_type": "Domain",
            "children": [{"resource_type": "ChildGroup", "Group": group_body(gid, [tag_condition("s|h")])}],
        }],
    }  # fmt: skip
    ok(nsx.patch("/policy/api/v1/infra", json=tree))
    assert get_json(nsx, path)["_revision"] == 1
