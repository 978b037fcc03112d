"""Robustness: garbage bodies, wrong JSON types and wrong content types always get an
NSX-shaped 4xx, never a traceback or an uncaught 500 (ref §3.1)."""

from __future__ import annotations

import json

import httpx
import pytest

from ._nsx import P, uid

pytestmark = pytest.mark.conformance("robustness")

ENDPOINTS = {
    "group": "/infra/domains/default/groups/{id}",
    "policy": "/infra/domains/default/security-policies/{id}",
    "rule": "/infra/domains/default/security-policies/default-layer3-section/rules/{id}",
    "service": "/infra/services/{id}",
    "infra": "/infra",
    "ccp_span": "/infra/domains/default/security-policies/default-layer3-section/container-cluster-span/{id}",
}

RAW_BODIES: dict[str, bytes] = {
    "truncated": b'{"resource_type": "Group", ',
    "not_json": b"hello there",
    "binary": bytes(range(256)),
    "invalid_utf8": b'{"display_name": "\xff\xfe"}',
    "json_array": b"[1, 2, 3]",
    "json_string": b'"just a string"',
    "json_number": b"42",
    "json_null": b"null",
    "empty": b"",
    "deep_nesting": b'{"a":' * 2000 + b"1" + b"}" * 2000,
    "nan": b'{"sequence_number": NaN}',
}

TYPED_BODIES: dict[str, dict[str, object]] = {
    "display_name_number": {"display_name": 5},
    "display_name_object": {"display_name": {"x": 1}},
    "expression_string": {"expression": "x"},
    "expression_items_strings": {"expression": ["a", "b", "c"]},
    "rules_object": {"rules": {"a": 1}},
    "rules_items_null": {"rules": [None]},
    "tags_string": {"tags": "x"},
    "tags_items_strings": {"tags": ["a"]},
    "children_string": {"children": "x"},
    "children_items_junk": {"children": [{"resource_type": "ChildNothing"}, 3]},
    "service_entries_junk": {"service_entries": [{"resource_type": 7}]},
    "revision_string": {"_revision": "zero"},
    "sequence_number_huge": {"sequence_number": 10**40},
    "source_groups_number": {"source_groups": 1},
    "container_cluster_path_list": {"container_cluster_path": ["x"]},
    "resource_type_wrong": {"resource_type": "Banana"},
    "long_display_name": {"display_name": "x" * 100_000},
}


def _assert_clean_client_error(resp: httpx.Response) -> None:
    assert 400 <= resp.status_code < 500, f"{resp.status_code}: {resp.text[:500]}"
    assert "Traceback" not in resp.text
    assert 'File "' not in resp.text
    body = resp.json()
    assert isinstance(body, dict)
    assert isinstance(body.get("error_code"), int), body
    assert isinstance(body.get("error_message"), str), body
    assert isinstance(body.get("httpStatus"), str), body


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
@pytest.mark.parametrize("kind", sorted(RAW_BODIES))
def test_garbage_body(nsx: httpx.Client, endpoint: str, kind: str) -> None:
    """ref §3.1: unparseable or non-object bodies -> NSX-shaped 4xx."""
    path = ENDPOINTS[endpoint].format(id=uid("rb"))
    resp = nsx.patch(f"{P}{path}", content=RAW_BODIES[kind], headers={"Content-Type": "application/json"})
    _assert_clean_client_error(resp)


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
@pytest.mark.parametrize("kind", sorted(TYPED_BODIES))
def test_wrong_json_types(nsx: httpx.Client, endpoint: str, kind: str) -> None:
    """ref §3.1 / §3.2 / §2.2: JSON of the wrong shape (wrong types, unknown properties,
    display_name over 255 chars, numbers beyond int64) -> NSX-shaped 4xx, never 500."""
    path = ENDPOINTS[endpoint].format(id=uid("rb"))
    resource = {
        "group": "Group",
        "policy": "SecurityPolicy",
        "rule": "Rule",
        "service": "Service",
        "infra": "Infra",
        "ccp_span": "SecurityPolicyContainerCluster",
    }[endpoint]
    body = {"resource_type": resource, **TYPED_BODIES[kind]}
    resp = nsx.patch(f"{P}{path}", json=body)
    _assert_clean_client_error(resp)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data"],
)
def test_wrong_content_type(nsx: httpx.Client, content_type: str) -> None:
    """ref §3.1: a JSON-looking body with a non-JSON content type is answered cleanly
    (accepted or an NSX-shaped 4xx), never a 500."""
    gid = uid("ct")
    body = json.dumps({"resource_type": "Group", "display_name": gid}).encode()
    resp = nsx.patch(f"{P}/infra/domains/default/groups/{gid}", content=body, headers={"Content-Type": content_type})
    if resp.status_code >= 300:
        _assert_clean_client_error(resp)


def test_no_content_type(nsx: httpx.Client) -> None:
    """ref §3.1: a body without a content type never causes a 500."""
    gid = uid("ct")
    req = nsx.build_request("PATCH", f"{P}/infra/domains/default/groups/{gid}", content=b"{}")
    req.headers.pop("Content-Type", None)
    resp = nsx.send(req)
    if resp.status_code >= 300:
        _assert_clean_client_error(resp)


@pytest.mark.parametrize(
    "path",
    [
        "/infra/domains/default/groups/%2e%2e",
        "/infra/domains/default/groups/a%2Fb",
        "/infra/domains/" + "x" * 5000 + "/groups/g",
        "/infra/domains/default/groups/g?page_size=-1",
        "/infra/domains/default/groups?page_size=abc",
        "/infra/domains/default/groups?cursor=%00",
        "/infra/realized-state/realized-entities",
        "/search/query",
        "/search/query?query=(((",
        "/search/query?query=resource_type:",
        "/infra?filter=Type-(",
    ],
)
def test_odd_gets_are_not_500(nsx: httpx.Client, path: str) -> None:
    """ref §3.1: odd paths and query strings are answered without a server error."""
    resp = nsx.get(f"{P}{path}")
    assert resp.status_code < 500, f"{resp.status_code}: {resp.text[:500]}"
    assert "Traceback" not in resp.text
    if resp.status_code >= 400:
        _assert_clean_client_error(resp)


@pytest.mark.parametrize("method", ["POST", "OPTIONS", "TRACE"])
def test_unsupported_methods(nsx: httpx.Client, method: str) -> None:
    """ref §1.1: methods a path does not support are a clean 4xx (405), not a 500."""
    resp = nsx.request(method, f"{P}/infra/domains/default/groups/{uid('m')}")
    assert 400 <= resp.status_code < 500, resp.text
    assert "Traceback" not in resp.text


def test_unknown_api_path(nsx: httpx.Client) -> None:
    """ref §1.3: an unknown path is a 404 with an NSX-shaped body."""
    resp = nsx.get(f"{P}/infra/no-such-collection/{uid('x')}")
    assert resp.status_code == 404, resp.text
    _assert_clean_client_error(resp)
