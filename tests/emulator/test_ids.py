"""Ids NSX cannot address are refused, on single calls and in H-API children alike.

An id is the last segment of a policy path (ref §2.2), so the emulator refuses ids that
could never be read back: empty, ``.``, ``..``, with ``/`` or a control character, or
longer than 255 characters (NSX's policy-id limit, vmware-tanzu/nsx-operator PR #1479).
In a URL, NSX's HTTP firewall answers first: a control character gives "The servletPath
was rejected because it can only contain printable ASCII characters." with error_code
400 and module common-services (vmware-samples/nsx-t issue #41); an encoded slash or
period and a non-normalized path are refused by the same firewall.
"""

from __future__ import annotations

import base64
import http.client
import json

import httpx
import pytest

from tests.support.emulator_process import RunningEmulator

from ._nsx import (
    ADMIN_USER,
    JSON,
    P,
    assert_absent,
    assert_nsx_error,
    ca_context,
    get,
    get_json,
    group_body,
    group_path,
    l4_service_body,
    ok,
    patch,
    policy_body,
    policy_path,
    put,
    rule_body,
    service_path,
    tag_condition,
    uid,
)

pytestmark = pytest.mark.conformance("ids")

FIREWALL_CONTROL = "The servletPath was rejected because it can only contain printable ASCII characters."
MAX_ID = 255

UNADDRESSABLE = [
    pytest.param(".", id="dot"),
    pytest.param("..", id="dotdot"),
    pytest.param("a/b", id="slash"),
    pytest.param("a\x01b", id="control"),
    pytest.param("tab\there", id="tab"),
    pytest.param("del\x7f", id="del"),
    pytest.param("x" * (MAX_ID + 1), id="too-long"),
]


def long_id(length: int) -> str:
    """A unique id of exactly ``length`` characters."""
    base = uid("long")
    return base + "x" * (length - len(base))


def hapi_group(gid: str) -> JSON:
    """PATCH /infra body creating one group in the default domain (ref §7)."""
    return {
        "resource_type": "Infra",
        "children": [
            {
                "resource_type": "ChildResourceReference",
                "id": "default",
                "target_type": "Domain",
                "children": [
                    {
                        "resource_type": "ChildGroup",
                        "Group": group_body(gid, [tag_condition("app|web")], display_name="g"),
                    }
                ],
            }
        ],
    }


# ------------------------------------------------------------------ single calls


@pytest.mark.parametrize("method", ["PATCH", "PUT", "GET", "DELETE"])
def test_control_character_in_url_is_refused_by_the_firewall(nsx: httpx.Client, method: str) -> None:
    resp = nsx.request(method, f"{P}/infra/domains/default/groups/a%01b", json=group_body("a\x01b"))
    body = assert_nsx_error(resp, 400, error_code=400, message=FIREWALL_CONTROL)
    assert body["module_name"] == "common-services"


@pytest.mark.parametrize("encoded", ["a%2Fb", "a%2fb", "%2E%2E", "%2e"])
def test_encoded_slash_or_period_in_url_is_refused(nsx: httpx.Client, encoded: str) -> None:
    resp = nsx.patch(f"{P}/infra/domains/default/groups/{encoded}", json={"resource_type": "Group"})
    body = assert_nsx_error(resp, 400, error_code=400, message="potentially malicious String")
    assert body["module_name"] == "common-services"


@pytest.mark.parametrize("segment", [".", ".."])
def test_dot_segment_in_url_is_refused(emulator: RunningEmulator, segment: str) -> None:
    """Sent raw (httpx would normalize the path away): the firewall refuses it."""
    host, port = emulator.base_url.split("://", 1)[1].rsplit(":", 1)
    conn = (
        http.client.HTTPSConnection(host, int(port), context=ca_context(emulator), timeout=20)
        if emulator.base_url.startswith("https")
        else http.client.HTTPConnection(host, int(port), timeout=20)
    )
    token = base64.b64encode(f"{ADMIN_USER}:{emulator.admin_password}".encode()).decode()
    try:
        conn.request(
            "PATCH",
            f"{P}/infra/domains/default/groups/{segment}",
            body=json.dumps({"resource_type": "Group"}),
            headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
        )
        resp = conn.getresponse()
        status, body = resp.status, json.loads(resp.read())
    finally:
        conn.close()
    assert status == 400
    assert body["error_code"] == 400
    assert body["error_message"] == "The request was rejected because the URL was not normalized."


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_id_longer_than_255_is_refused(nsx: httpx.Client, method: str) -> None:
    gid = long_id(MAX_ID + 1)
    resp = nsx.request(method, f"{P}{group_path(gid)}", json=group_body(gid, display_name="g"))
    assert_nsx_error(resp, 400, message="Invalid id")
    assert_absent(nsx, group_path(gid))


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_id_of_exactly_255_is_accepted(nsx: httpx.Client, method: str) -> None:
    gid = long_id(MAX_ID)
    ok(nsx.request(method, f"{P}{group_path(gid)}", json=group_body(gid)))
    assert get_json(nsx, group_path(gid))["id"] == gid


@pytest.mark.parametrize("bad", UNADDRESSABLE)
def test_inline_rule_id_is_checked(nsx: httpx.Client, bad: str) -> None:
    """Rules inside a policy body become .../rules/{id}: the same rules apply."""
    pid = uid("pi")
    resp = patch(nsx, policy_path(pid), policy_body(pid, rules=[rule_body(bad, display_name="r")]))
    assert_nsx_error(resp, 400, message="Invalid id")
    assert_absent(nsx, policy_path(pid))


def test_inline_service_entry_id_is_checked(nsx: httpx.Client) -> None:
    sid = uid("si")
    body = l4_service_body(sid)
    body["service_entries"][0]["id"] = "a/b"
    assert_nsx_error(put(nsx, service_path(sid), body), 400, message="Invalid id")
    assert_absent(nsx, service_path(sid))


def test_ordinary_ids_still_work(nsx: httpx.Client) -> None:
    """Ids of letters, digits, "-", "_" and "." stay addressable."""
    gid = uid("ok") + ".web_tier-1"
    ok(patch(nsx, group_path(gid), group_body(gid)))
    assert get_json(nsx, group_path(gid))["path"] == group_path(gid)


# ------------------------------------------------------------------ H-API children


@pytest.mark.parametrize("bad", UNADDRESSABLE)
def test_hapi_child_id_is_checked(nsx: httpx.Client, bad: str) -> None:
    resp = patch(nsx, "/infra", hapi_group(bad))
    body = assert_nsx_error(resp, 400, message="Invalid id")
    assert body["module_name"] == "Policy"


def test_hapi_empty_child_id_is_refused(nsx: httpx.Client) -> None:
    assert_nsx_error(patch(nsx, "/infra", hapi_group("")), 400)


def test_hapi_refusal_keeps_the_whole_tree_out(nsx: httpx.Client) -> None:
    """All or nothing (ref §7): a valid sibling of a refused child is not created."""
    good = uid("hg")
    tree = hapi_group(good)
    tree["children"][0]["children"].append({"resource_type": "ChildGroup", "Group": group_body("..")})
    assert_nsx_error(patch(nsx, "/infra", tree), 400, message="Invalid id")
    assert_absent(nsx, group_path(good))


def test_hapi_slash_cannot_reach_another_object(nsx: httpx.Client) -> None:
    """'p/rules/r' as a policy id must not write a rule of policy p."""
    pid = uid("hp")
    ok(patch(nsx, policy_path(pid), policy_body(pid, rules=[])))
    tree = {
        "resource_type": "Infra",
        "children": [
            {
                "resource_type": "ChildResourceReference",
                "id": "default",
                "target_type": "Domain",
                "children": [
                    {
                        "resource_type": "ChildSecurityPolicy",
                        "SecurityPolicy": policy_body(f"{pid}/rules/r", rules=[]),
                    }
                ],
            }
        ],
    }
    assert_nsx_error(patch(nsx, "/infra", tree), 400, message="Invalid id")
    assert get_json(nsx, policy_path(pid))["rules"] == []


def test_hapi_reference_id_is_checked(nsx: httpx.Client) -> None:
    tree = {
        "resource_type": "Infra",
        "children": [{"resource_type": "ChildResourceReference", "id": "..", "target_type": "Domain"}],
    }
    assert_nsx_error(patch(nsx, "/infra", tree), 400, message="Invalid id")


def test_hapi_255_character_id_is_accepted(nsx: httpx.Client) -> None:
    gid = long_id(MAX_ID)
    ok(patch(nsx, "/infra", hapi_group(gid)))
    ok(get(nsx, group_path(gid)), 200)
