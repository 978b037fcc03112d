"""Error bodies: NSX ApiError shape on 400/403/404/405/412 (ref §3.1, §3.2, §1.3)."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.emulator_process import RunningEmulator

from ._nsx import (
    STALE_REVISION_TEXT,
    P,
    assert_nsx_error,
    ccp_path,
    delete,
    get,
    get_json,
    group_body,
    group_path,
    make_client,
    ok,
    patch,
    policy_path,
    put,
    tag_condition,
    uid,
)

pytestmark = pytest.mark.conformance("errors")

NOT_FOUND = re.compile(r"The path.*is invalid")


def test_404_body_shape_and_path_message(nsx: httpx.Client) -> None:
    """ref §1.3 / §3.2: GET of a missing object -> 404 NOT_FOUND, message matches
    'The path.*is invalid' (how SAP recognises not-found)."""
    path = group_path(uid("missing"))
    body = assert_nsx_error(get(nsx, path), 404, message=NOT_FOUND)
    assert path in body["error_message"]


def test_404_for_missing_rule_and_policy(nsx: httpx.Client) -> None:
    """ref §1.3: not found is 404 for every policy object kind, same body shape."""
    pid = uid("nf")
    assert_nsx_error(get(nsx, policy_path(pid)), 404, message=NOT_FOUND)
    assert_nsx_error(get(nsx, f"{policy_path(pid)}/rules/r1"), 404, message=NOT_FOUND)
    assert_nsx_error(get(nsx, f"/infra/services/{uid('nf')}"), 404, message=NOT_FOUND)


def test_400_malformed_json(nsx: httpx.Client) -> None:
    """ref §3.1: malformed JSON -> 400 with httpStatus 'BAD_REQUEST' and numeric error_code."""
    gid = uid("bad")
    resp = nsx.patch(
        f"{P}{group_path(gid)}",
        content=b'{"resource_type": "Group", "display_name": ',
        headers={"Content-Type": "application/json"},
    )
    assert_nsx_error(resp, 400)
    assert get(nsx, group_path(gid)).status_code == 404


def test_400_unknown_property_is_error_code_287(nsx: httpx.Client) -> None:
    """ref §3.2: an unknown JSON property -> 400, error_code 287, module 'common-services',
    'Json de-serialization error: property <x> is unrecognized.'"""
    gid = uid("unk")
    body = group_body(gid, [tag_condition("s|t")], bogus_property_xyz=1)
    err = assert_nsx_error(
        patch(nsx, group_path(gid), body),
        400,
        error_code=287,
        message="property bogus_property_xyz is unrecognized",
    )
    assert err["module_name"] == "common-services"
    assert get(nsx, group_path(gid)).status_code == 404


def test_400_unknown_property_in_nested_object(nsx: httpx.Client) -> None:
    """ref §3.2: de-serialization is strict inside nested objects too (a Condition)."""
    gid = uid("unk")
    cond = {**tag_condition("s|t"), "scope": "oops"}
    assert_nsx_error(patch(nsx, group_path(gid), group_body(gid, [cond])), 400, error_code=287)


def test_error_code_is_a_json_number(nsx: httpx.Client) -> None:
    """ref §3.1: error_code is an int (VMC once sent a string and broke typed clients)."""
    resp = get(nsx, group_path(uid("num")))
    assert type(resp.json()["error_code"]) is int


def test_error_content_type_is_json(nsx: httpx.Client) -> None:
    """ref §3.1: errors are JSON bodies."""
    resp = get(nsx, group_path(uid("ct")))
    assert resp.headers["content-type"].startswith("application/json")


def test_403_body_shape(emulator: RunningEmulator) -> None:
    """ref §3.2: 403 bodies have the same ApiError shape, httpStatus 'FORBIDDEN'
    (bad credentials come from module 'common-services' per the OP fixture)."""
    with make_client(emulator, password="wrong") as bad:
        body = assert_nsx_error(bad.get(f"{P}/infra"), 403)
    assert body["module_name"] == "common-services"


def test_405_on_cluster_control_plane_patch(nsx: httpx.Client) -> None:
    """ref §1.1: cluster-control-planes have no PATCH -> 405 METHOD_NOT_ALLOWED, NSX-shaped."""
    assert_nsx_error(patch(nsx, ccp_path(uid("ccp")), {"display_name": "x"}), 405)


def test_412_body_shape(nsx: httpx.Client) -> None:
    """ref §2.1: stale _revision -> 412 PRECONDITION_FAILED with the retry text."""
    gid = uid("rev")
    ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition("s|t")])))
    ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition("s|u")])))
    stale = group_body(gid, [tag_condition("s|v")], _revision=0)
    assert_nsx_error(put(nsx, group_path(gid), stale), 412, message=STALE_REVISION_TEXT)


def test_invalid_enum_value_is_400(nsx: httpx.Client) -> None:
    """ref §5.1: category must be one of the documented values; anything else -> 400."""
    pid = uid("cat")
    body = {"resource_type": "SecurityPolicy", "id": pid, "category": "NotACategory"}
    assert_nsx_error(patch(nsx, policy_path(pid), body), 400)


def test_wrong_json_type_is_400(nsx: httpx.Client) -> None:
    """ref §3.1: a type mismatch (expression as a string) is a 400, not a 500."""
    gid = uid("typ")
    body = {"resource_type": "Group", "id": gid, "expression": "not-a-list"}
    assert_nsx_error(patch(nsx, group_path(gid), body), 400)


def test_delete_missing_object_is_not_an_error_clients_mind(nsx: httpx.Client) -> None:
    """ref §1.3: clients treat 404 on DELETE as success, so DELETE of a missing
    object is 200 or 404 (never 5xx)."""
    resp = delete(nsx, group_path(uid("gone")))
    assert resp.status_code in (200, 404), resp.text


def test_success_has_json_body_on_get(nsx: httpx.Client) -> None:
    """ref §2.2: objects come back as JSON with resource_type."""
    assert get_json(nsx, "/infra/domains/default")["resource_type"] == "Domain"


def test_child_of_missing_parent_is_client_error(nsx: httpx.Client) -> None:
    """ref §1.1 / §2.2: objects live under an existing parent (parent_path); a rule under a
    missing policy or a group in a missing domain is a 4xx and creates nothing."""
    pid, rid = uid("nop"), uid("r")
    rule = {"resource_type": "Rule", "id": rid, "action": "ALLOW", "source_groups": ["ANY"],
            "destination_groups": ["ANY"], "services": ["ANY"]}  # fmt: skip
    resp = patch(nsx, f"{policy_path(pid)}/rules/{rid}", rule)
    assert 400 <= resp.status_code < 500, resp.text
    assert get(nsx, f"{policy_path(pid)}/rules/{rid}").status_code == 404
    dom, gid = uid("nod"), uid("g")
    resp = patch(nsx, group_path(gid, dom), group_body(gid, [tag_condition("s|t")]))
    assert 400 <= resp.status_code < 500, resp.text
    assert get(nsx, group_path(gid, dom)).status_code == 404
