"""A group's expression entries come back as resources of their own: each with ``id``,
``path``, ``relative_path``, ``parent_path``, ``unique_id``, ``_create_time``,
``_create_user``, ``_last_modified_time``, ``_revision`` ... (vcf-nsx 9.1.1.0
``Expression``). IP, MAC, path and external-id expressions live in the collections the
SDK routes name (``.../groups/{g}/ip-address-expressions/{id}`` and so on)."""

from __future__ import annotations

import time

import httpx
import pytest

from ._nsx import (
    JSON,
    P,
    assert_nsx_error,
    conj,
    get_json,
    group_body,
    group_path,
    ip_expression,
    nested,
    ok,
    patch,
    path_expression,
    put,
    tag_condition,
    token,
    uid,
    walk,
)

pytestmark = pytest.mark.conformance("groups")

SERVER_FIELDS = {
    "id",
    "path",
    "relative_path",
    "parent_path",
    "remote_path",
    "unique_id",
    "realization_id",
    "marked_for_delete",
    "overridden",
    "_system_owned",
    "_protection",
    "_create_time",
    "_create_user",
    "_last_modified_time",
    "_last_modified_user",
    "_revision",
}


def make(nsx: httpx.Client, expression: list[JSON]) -> tuple[str, JSON]:
    gid = uid("gx")
    ok(patch(nsx, group_path(gid), group_body(gid, expression)))
    return group_path(gid), get_json(nsx, group_path(gid))


def assert_resource(entry: JSON, parent: str, before_ms: int) -> None:
    """The fields every entry carries, derived from its parent and its own id."""
    assert set(entry) >= SERVER_FIELDS, sorted(SERVER_FIELDS - set(entry))
    assert isinstance(entry["id"], str)
    assert entry["id"]
    assert entry["relative_path"] == entry["id"]
    assert entry["parent_path"] == parent
    assert entry["path"].startswith(parent + "/")
    assert entry["path"].endswith("/" + entry["id"])
    assert entry["path"].count("/") == parent.count("/") + 2
    assert entry["_create_user"] == "admin"
    assert entry["_last_modified_user"] == "admin"
    assert type(entry["_create_time"]) is int
    assert entry["_create_time"] >= before_ms
    assert entry["_last_modified_time"] == entry["_create_time"]
    assert entry["_revision"] == 0
    assert entry["marked_for_delete"] is False
    assert entry["_protection"] == "NOT_PROTECTED"


def test_every_entry_is_a_resource(nsx: httpx.Client) -> None:
    before = int(time.time() * 1000) - 1000
    member = group_path(uid("member"))
    ok(patch(nsx, member, group_body(member.rsplit("/", 1)[1], [tag_condition("s|t")])))
    gpath, group = make(
        nsx,
        [tag_condition("app|web"), conj("OR"), ip_expression("10.0.0.1"), conj("OR"), path_expression(member)],
    )
    entries = group["expression"]
    for entry in entries:
        assert_resource(entry, gpath, before)
    assert len({e["id"] for e in entries}) == 5
    assert entries[0]["value"] == "app|web"
    assert entries[2]["path"] == f"{gpath}/ip-address-expressions/{entries[2]['id']}"
    assert entries[4]["path"] == f"{gpath}/path-expressions/{entries[4]['id']}"


def test_nested_conditions_hang_below_their_nested_expression(nsx: httpx.Client) -> None:
    before = int(time.time() * 1000) - 1000
    gpath, group = make(nsx, [nested(tag_condition("a|1"), tag_condition("b|2"))])
    (outer,) = group["expression"]
    assert_resource(outer, gpath, before)
    inner = [e for e in outer["expressions"] if e["resource_type"] == "Condition"]
    assert [c["value"] for c in inner] == ["a|1", "b|2"]
    for entry in outer["expressions"]:
        assert_resource(entry, outer["path"], before)


def test_resending_the_same_group_keeps_the_entries(nsx: httpx.Client) -> None:
    """Clients re-send unchanged groups: neither ids nor entry stamps move."""
    gid = uid("gs")
    body = group_body(gid, [tag_condition("app|web"), conj("OR"), ip_expression("10.0.0.2")])
    ok(patch(nsx, group_path(gid), body))
    first = get_json(nsx, group_path(gid))["expression"]
    ok(patch(nsx, group_path(gid), body))
    again = get_json(nsx, group_path(gid))["expression"]
    assert again == first


def test_echoing_a_get_with_a_change_keeps_ids(nsx: httpx.Client) -> None:
    """PUT of the GET body with one value changed: every id stays, the changed entry's
    _revision goes to 1 and its creation stamps stay; the others do not change."""
    gpath, group = make(nsx, [tag_condition("app|web"), conj("OR"), ip_expression("10.0.0.3")])
    echoed = {k: v for k, v in group.items()}
    echoed["expression"] = [dict(e) for e in group["expression"]]
    echoed["expression"][2]["ip_addresses"] = ["10.0.0.4"]
    ok(put(nsx, gpath, echoed))
    after = get_json(nsx, gpath)["expression"]
    assert [e["id"] for e in after] == [e["id"] for e in group["expression"]]
    assert after[2]["ip_addresses"] == ["10.0.0.4"]
    assert after[2]["_revision"] == 1
    assert after[2]["_create_time"] == group["expression"][2]["_create_time"]
    assert after[0] == group["expression"][0]


def test_changed_entry_without_id_is_a_new_entry(nsx: httpx.Client) -> None:
    gid = uid("gn")
    ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition("app|web")])))
    before = get_json(nsx, group_path(gid))["expression"][0]
    ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition("app|db")])))
    after = get_json(nsx, group_path(gid))["expression"][0]
    assert after["value"] == "app|db"
    assert after["id"] != before["id"]
    assert after["_revision"] == 0


def test_client_chosen_expression_id_is_kept(nsx: httpx.Client) -> None:
    """The SDK routes address entries by id, so a client may name them."""
    gpath, group = make(nsx, [{**ip_expression("10.0.0.5"), "id": "office-ips"}])
    (entry,) = group["expression"]
    assert entry["id"] == "office-ips"
    assert entry["path"] == f"{gpath}/ip-address-expressions/office-ips"


@pytest.mark.parametrize("bad", ["..", "a/b", "tab\there", "x" * 256])
def test_unaddressable_expression_id_is_rejected(nsx: httpx.Client, bad: str) -> None:
    gid = uid("gi")
    resp = patch(nsx, group_path(gid), group_body(gid, [{**ip_expression("10.0.0.6"), "id": bad}]))
    assert_nsx_error(resp, 400, message="Invalid id")


def test_hierarchical_read_and_search_show_the_same_entries(nsx: httpx.Client) -> None:
    """The H-API GET and the search API return the entries as the object GET does."""
    name = token("gh")
    gid = uid("gh")
    ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition("app|web")], display_name=name)))
    entries = get_json(nsx, group_path(gid))["expression"]
    tree = get_json(nsx, "/infra", filter="Type-Group")
    (from_tree,) = [n for n in walk(tree) if n.get("resource_type") == "Group" and n.get("id") == gid]
    assert from_tree["expression"] == entries
    found = ok(nsx.get(f"{P}/search/query", params={"query": f"resource_type:Group AND display_name:{name}"}))
    (hit,) = found.json()["results"]
    assert hit["expression"] == entries
