"""Search API: query syntax clients use, numeric cursor, result_count (ref §10)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ._nsx import (
    JSON,
    P,
    get_json,
    group_body,
    group_path,
    ok,
    patch,
    policy_body,
    policy_path,
    rule_body,
    tag_condition,
    token,
    wait_for,
)

pytestmark = pytest.mark.conformance("search")


def search(nsx: httpx.Client, query: str, path: str = "/search/query", **params: Any) -> JSON:
    resp = nsx.get(f"{P}{path}", params={"query": query, **params})
    ok(resp, 200)
    body = resp.json()
    assert isinstance(body, dict)
    return body


def search_until(nsx: httpx.Client, query: str, n: int, **params: Any) -> JSON:
    """Search lags intent on real NSX (ref §10), so poll until n results show up."""

    def attempt() -> JSON | None:
        body = search(nsx, query, **params)
        return body if body.get("result_count") == n else None

    result: JSON = wait_for(attempt, timeout=10, what=f"{n} results for {query!r}")
    return result


def _group(nsx: httpx.Client, gid: str, display_name: str | None = None, tags: list[JSON] | None = None) -> str:
    body = group_body(gid, [tag_condition("s|t")], display_name=display_name or gid)
    if tags is not None:
        body["tags"] = tags
    ok(patch(nsx, group_path(gid), body))
    return group_path(gid)


def test_resource_type_and_display_name(nsx: httpx.Client) -> None:
    """ref §10: 'resource_type:Group AND display_name:x' finds exactly that group;
    each result has resource_type; result_count is the total."""
    name = token("dn")
    gid = token("g")
    _group(nsx, gid, name)
    _group(nsx, token("g"), token("other"))
    body = search_until(nsx, f"resource_type:Group AND display_name:{name}", 1)
    (hit,) = body["results"]
    assert hit["id"] == gid
    assert hit["resource_type"] == "Group"
    assert hit["path"] == group_path(gid)


def test_cursor_is_numeric_string_present_on_last_page(nsx: httpx.Client) -> None:
    """ref §10 / §12.8: search cursors are numeric-string offsets that remain present on
    the last page (observed {'cursor': '3', 'result_count': 3})."""
    name = token("dn")
    for _ in range(3):
        _group(nsx, token("g"), name)
    body = search_until(nsx, f"resource_type:Group AND display_name:{name}", 3)
    assert isinstance(body["cursor"], str)
    assert int(body["cursor"]) >= body["result_count"] == 3


def test_tags_scope_and_tag(nsx: httpx.Client) -> None:
    """ref §10: 'tags.scope:<s> AND tags.tag:<t>' matches objects carrying that tag."""
    scope, tag = token("sc"), token("tg")
    gid = token("g")
    _group(nsx, gid, tags=[{"scope": scope, "tag": tag}])
    _group(nsx, token("g"), tags=[{"scope": scope, "tag": token("other")}])
    body = search_until(nsx, f"tags.scope:{scope} AND tags.tag:{tag}", 1)
    assert [r["id"] for r in body["results"]] == [gid]
    body = search_until(nsx, f"resource_type:Group AND tags.scope:{scope}", 2)
    assert len(body["results"]) == 2


def test_id_or_list(nsx: httpx.Client) -> None:
    """ref §10: 'resource_type:Group AND id:(x OR y)' (BOSH)."""
    a, b = token("g"), token("g")
    _group(nsx, a)
    _group(nsx, b)
    _group(nsx, token("g"))
    body = search_until(nsx, f"resource_type:Group AND id:({a} OR {b})", 2)
    assert {r["id"] for r in body["results"]} == {a, b}


def test_display_name_or_list(nsx: httpx.Client) -> None:
    """ref §10: 'resource_type:Group AND display_name:(a OR b)' (BOSH)."""
    n1, n2 = token("dn"), token("dn")
    _group(nsx, token("g"), n1)
    _group(nsx, token("g"), n2)
    body = search_until(nsx, f"resource_type:Group AND display_name:({n1} OR {n2})", 2)
    assert {r["display_name"] for r in body["results"]} == {n1, n2}


def test_prefix_wildcard(nsx: httpx.Client) -> None:
    """ref §10: 'display_name:<prefix>*' (Terraform)."""
    prefix = token("pre")
    for i in range(2):
        _group(nsx, token("g"), f"{prefix}x{i}")
    body = search_until(nsx, f"resource_type:Group AND display_name:{prefix}*", 2)
    assert all(r["display_name"].startswith(prefix) for r in body["results"])


def test_escaped_special_characters(nsx: httpx.Client) -> None:
    """ref §10: clients backslash-escape special characters such as '-' and '/' in values."""
    gid = f"{token('g')}-{token('x')}"
    _group(nsx, gid)
    escaped = gid.replace("-", "\\-")
    body = search_until(nsx, f"resource_type:Group AND id:{escaped}", 1)
    assert body["results"][0]["id"] == gid


def test_marked_for_delete_and_path_clause(nsx: httpx.Client) -> None:
    """ref §10: 'resource_type:<T> AND marked_for_delete:false AND path:\\/infra*' with
    a tag clause (Terraform data-source form)."""
    scope = token("sc")
    gid = token("g")
    _group(nsx, gid, tags=[{"scope": scope, "tag": "v"}])
    q = f"resource_type:Group AND marked_for_delete:false AND path:\\/infra* AND tags.scope:{scope}"
    body = search_until(nsx, q, 1)
    assert body["results"][0]["id"] == gid


def test_rule_search_with_included_fields(nsx: httpx.Client) -> None:
    """ref §10: rules are searchable by parent_path and results honour included_fields."""
    pid = token("p")
    ok(patch(nsx, policy_path(pid), policy_body(pid, rules=[rule_body(token("r")), rule_body(token("r"))])))
    q = f"resource_type:Rule AND parent_path:\\/infra\\/domains\\/default\\/security\\-policies\\/{pid}"
    body = search_until(nsx, q, 2, included_fields="id,rule_id,path,sequence_number,action")
    for r in body["results"]:
        assert r["path"].startswith(policy_path(pid) + "/rules/")
        assert "source_groups" not in r


def test_search_paging_by_result_count(nsx: httpx.Client) -> None:
    """ref §10: paging with page_size; clients stop once they hold result_count results
    (or when int(cursor) >= result_count); each result comes once."""
    name = token("dn")
    ids = {_group(nsx, token("g"), name).rsplit("/", 1)[1] for _ in range(5)}
    query = f"resource_type:Group AND display_name:{name}"
    search_until(nsx, query, 5)
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        params: dict[str, Any] = {"page_size": 2}
        if cursor is not None:
            params["cursor"] = cursor
        page = search(nsx, query, **params)
        assert page["result_count"] == 5 or cursor is not None
        seen.extend(r["id"] for r in page["results"])
        cursor = page.get("cursor")
        if len(seen) >= 5 or cursor is None or int(cursor) >= 5:
            break
    assert sorted(seen) == sorted(ids)


def test_legacy_search_path(nsx: httpx.Client) -> None:
    """ref §10: clients also call GET /policy/api/v1/search?query=..."""
    name = token("dn")
    _group(nsx, token("g"), name)
    q = f"resource_type:Group AND display_name:{name}"
    search_until(nsx, q, 1)
    body = search(nsx, q, path="/search")
    assert body["result_count"] == 1


def test_no_match_is_empty(nsx: httpx.Client) -> None:
    """ref §10: a query that matches nothing returns results [] and result_count 0."""
    body = search(nsx, f"resource_type:Group AND display_name:{token('none')}")
    assert body["results"] == []
    assert body["result_count"] == 0


def test_search_finds_security_policy(nsx: httpx.Client) -> None:
    """ref §10: results are heterogeneous objects each with resource_type."""
    pid = token("p")
    ok(patch(nsx, policy_path(pid), policy_body(pid, rules=[])))
    body = search_until(nsx, f"resource_type:SecurityPolicy AND id:{pid}", 1)
    assert body["results"][0]["resource_type"] == "SecurityPolicy"
    assert get_json(nsx, policy_path(pid))["id"] == pid


def test_observed_stig_rule_query(nsx: httpx.Client) -> None:
    """ref §10 [OBS: STIG]: '(resource_type:Rule AND logged:false AND !id:default-layer2-rule
    AND parent_path:?infra?domains?default?security-policies*)' with included_fields."""
    pid = token("p")
    quiet, loud = token("q"), token("l")
    rules = [rule_body(quiet, logged=False), rule_body(loud, logged=True)]
    ok(patch(nsx, policy_path(pid), policy_body(pid, rules=rules)))
    query = (
        "(resource_type:Rule AND logged:false AND !id:default-layer2-rule AND "
        "parent_path:?infra?domains?default?security-policies*)"
    )

    def found() -> JSON | None:
        body = search(nsx, query, included_fields="id,rule_id,logged,path,sequence_number,action")
        ids = {r["id"] for r in body["results"]}
        return body if quiet in ids else None

    body: JSON = wait_for(found, timeout=10, what="STIG query result")
    ids = {r["id"] for r in body["results"]}
    assert loud not in ids
    assert "default-layer2-rule" not in ids
    for r in body["results"]:
        assert r["logged"] is False
        assert set(r) <= {"id", "rule_id", "logged", "path", "sequence_number", "action", "resource_type"}
    assert body["result_count"] == len(body["results"])


def test_not_display_name_wildcard(nsx: httpx.Client) -> None:
    """ref §10 (SAP): 'resource_type:<T> AND NOT display_name:*default*'."""
    scope = token("sc")
    keep, skip = token("g"), token("g")
    _group(nsx, keep, f"app{token('n')}", tags=[{"scope": scope, "tag": "x"}])
    _group(nsx, skip, f"my-default-{token('n')}", tags=[{"scope": scope, "tag": "x"}])
    body = search_until(nsx, f"resource_type:Group AND tags.scope:{scope} AND NOT display_name:*default*", 1)
    assert [r["id"] for r in body["results"]] == [keep]


def test_or_across_resource_types(nsx: httpx.Client) -> None:
    """ref §10 (SAP): OR across resource types."""
    gid, pid = token("g"), token("p")
    _group(nsx, gid)
    ok(patch(nsx, policy_path(pid), policy_body(pid, rules=[])))
    body = search_until(nsx, f"(resource_type:Group AND id:{gid}) OR (resource_type:SecurityPolicy AND id:{pid})", 2)
    assert {r["resource_type"] for r in body["results"]} == {"Group", "SecurityPolicy"}


def test_deleted_object_leaves_search(nsx: httpx.Client) -> None:
    """ref §10 / §1.3: after DELETE an object stops matching (once purged; clients
    filter with marked_for_delete:false)."""
    gid = token("g")
    _group(nsx, gid)
    q = f"resource_type:Group AND id:{gid} AND marked_for_delete:false"
    search_until(nsx, q, 1)
    ok(nsx.delete(f"{P}{group_path(gid)}"), 200)
    search_until(nsx, q, 0)


def test_search_sees_updates(nsx: httpx.Client) -> None:
    """ref §10: search follows intent changes (after the indexing lag)."""
    gid, old, new = token("g"), token("old"), token("new")
    _group(nsx, gid, old)
    search_until(nsx, f"resource_type:Group AND display_name:{old}", 1)
    _group(nsx, gid, new)
    search_until(nsx, f"resource_type:Group AND display_name:{new}", 1)
    search_until(nsx, f"resource_type:Group AND display_name:{old}", 0)
