"""List responses and paging: results, result_count, cursor, page_size,
included_fields, sort_by (ref §1.4, §12.8)."""

from __future__ import annotations

import httpx
import pytest

from ._nsx import (
    get_json,
    group_body,
    group_path,
    list_all,
    ok,
    patch,
    policy_body,
    policy_path,
    tag_condition,
    uid,
)

pytestmark = pytest.mark.conformance("paging")

N = 7


@pytest.fixture(scope="module")
def domain(nsx: httpx.Client) -> tuple[str, list[str]]:
    """A private domain holding exactly N groups (so counts are exact)."""
    dom = uid("dom")
    ok(patch(nsx, f"/infra/domains/{dom}", {"resource_type": "Domain", "display_name": dom}))
    ids = [f"g{i:02d}-{uid('x')}" for i in range(N)]
    for i, gid in enumerate(ids):
        body = group_body(gid, [tag_condition(f"s|{i}")], display_name=f"name-{i:02d}")
        ok(patch(nsx, group_path(gid, dom), body))
    return dom, ids


def test_list_shape(nsx: httpx.Client, domain: tuple[str, list[str]]) -> None:
    """ref §1.4: list results carry results and result_count (the count across all pages)."""
    dom, ids = domain
    page = get_json(nsx, f"/infra/domains/{dom}/groups")
    assert isinstance(page["results"], list)
    assert page["result_count"] == N
    assert {g["id"] for g in page["results"]} == set(ids)


def test_page_size_limits_page(nsx: httpx.Client, domain: tuple[str, list[str]]) -> None:
    """ref §1.4: page_size bounds the page (server may return fewer); a cursor
    is present while more pages follow."""
    dom, _ = domain
    page = get_json(nsx, f"/infra/domains/{dom}/groups", page_size=3)
    assert 0 < len(page["results"]) <= 3
    assert page.get("cursor")
    assert page["result_count"] == N


@pytest.mark.parametrize("page_size", [1, 2, 3, 7, 50])
def test_cursor_walk_returns_each_object_once(nsx: httpx.Client, domain: tuple[str, list[str]], page_size: int) -> None:
    """ref §1.4: walking pages by cursor (stop when absent or '0000…') yields every
    object exactly once."""
    dom, ids = domain
    seen = [g["id"] for g in list_all(nsx, f"/infra/domains/{dom}/groups", page_size)]
    assert sorted(seen) == sorted(ids)


def test_last_page_has_no_continuation(nsx: httpx.Client, domain: tuple[str, list[str]]) -> None:
    """ref §1.4: on the last page the cursor is absent or starts with '0000' (nsxlib)."""
    dom, _ = domain
    page = get_json(nsx, f"/infra/domains/{dom}/groups", page_size=1000)
    cursor = page.get("cursor")
    assert not cursor or str(cursor).startswith("0000"), cursor


def test_included_fields_projection(nsx: httpx.Client, domain: tuple[str, list[str]]) -> None:
    """ref §1.4: included_fields is a comma-separated field projection."""
    dom, ids = domain
    page = get_json(nsx, f"/infra/domains/{dom}/groups", included_fields="id,display_name")
    assert {g["id"] for g in page["results"]} == set(ids)
    for g in page["results"]:
        assert "display_name" in g
        assert "expression" not in g
        assert "_create_time" not in g


def test_sort_by_display_name(nsx: httpx.Client, domain: tuple[str, list[str]]) -> None:
    """ref §1.4: sort_by / sort_ascending order the list."""
    dom, _ = domain
    asc = get_json(nsx, f"/infra/domains/{dom}/groups", sort_by="display_name", sort_ascending="true")
    desc = get_json(nsx, f"/infra/domains/{dom}/groups", sort_by="display_name", sort_ascending="false")
    names = [f"name-{i:02d}" for i in range(N)]
    assert [g["display_name"] for g in asc["results"]] == names
    assert [g["display_name"] for g in desc["results"]] == names[::-1]


def test_sorted_cursor_walk(nsx: httpx.Client, domain: tuple[str, list[str]]) -> None:
    """ref §1.4: paging combined with sort_by keeps the order across pages."""
    dom, _ = domain
    seen = list_all(nsx, f"/infra/domains/{dom}/groups", 2, sort_by="display_name")
    assert [g["display_name"] for g in seen] == [f"name-{i:02d}" for i in range(N)]


def test_security_policy_list_paging(nsx: httpx.Client) -> None:
    """ref §1.4: the same paging applies to the security-policy list."""
    dom = uid("dom")
    ok(patch(nsx, f"/infra/domains/{dom}", {"resource_type": "Domain"}))
    pids = [uid("p") for _ in range(5)]
    for pid in pids:
        ok(patch(nsx, policy_path(pid, dom), policy_body(pid, rules=[])))
    seen = [p["id"] for p in list_all(nsx, f"/infra/domains/{dom}/security-policies", 2)]
    assert sorted(seen) == sorted(pids)


def test_empty_list(nsx: httpx.Client) -> None:
    """ref §1.4: an empty list still has results [] and result_count 0."""
    dom = uid("dom")
    ok(patch(nsx, f"/infra/domains/{dom}", {"resource_type": "Domain"}))
    page = get_json(nsx, f"/infra/domains/{dom}/groups")
    assert page["results"] == []
    assert page["result_count"] == 0


def test_invalid_cursor_is_4xx(nsx: httpx.Client, domain: tuple[str, list[str]]) -> None:
    """ref §1.4: the cursor is opaque; a garbage cursor is a client error, never a 500."""
    dom, _ = domain
    resp = nsx.get(f"/policy/api/v1/infra/domains/{dom}/groups", params={"cursor": "%%garbage"})
    assert resp.status_code in (200, 400), resp.text
