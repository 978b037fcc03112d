"""Raw-JSON helpers for the emulator conformance suite.

Everything here speaks plain dicts over httpx on purpose: the suite must not
share a schema with the project's client or models (a bug shared by both would
then pass on both sides). The one schema it does use is Broadcom's own: every
response body is checked against the vcf-nsx SDK's type for its route. Facts come
from shared/reference/nsx-policy-api.md ("ref §x.y" in the test docstrings).
"""

from __future__ import annotations

import re
import ssl
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from tests.support.emulator_process import RunningEmulator

from ._shape_check import check_response

P = "/policy/api/v1"
"""Prefix of every Policy API path (ref §1.1)."""

DOMAIN = "/infra/domains/default"
EP = "/infra/sites/default/enforcement-points/default"

JSON = dict[str, Any]

ADMIN_USER = "admin"
AUDITOR_USER = "auditor"
TIMEOUT = httpx.Timeout(20.0)

HTTP_STATUS_NAMES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    412: "PRECONDITION_FAILED",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
}

STALE_REVISION_TEXT = "Fetch the latest copy of the object and retry"
IN_USE_TEXT = "cannot be deleted as either it has children or it is being referenced by other objects path=["


def uid(prefix: str = "t") -> str:
    """A unique object id, safe for parallel tests sharing one emulator."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def token(prefix: str = "t") -> str:
    """A unique id with no characters that need Lucene escaping (search tests)."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def ca_context(emu: RunningEmulator) -> ssl.SSLContext:
    """A TLS context trusting only the emulator's generated CA."""
    assert emu.ca_file, "HTTPS emulator without a CA file"
    return ssl.create_default_context(cafile=str(emu.ca_file))


def make_client(
    emu: RunningEmulator,
    *,
    user: str | None = ADMIN_USER,
    password: str | None = None,
) -> httpx.Client:
    """An httpx client for ``emu``: Basic auth, CA-verified TLS when HTTPS, and every 2xx
    body checked against the official NSX type of its route (:mod:`._shape_check`)."""
    auth: tuple[str, str] | None = None
    if user is not None:
        if password is None:
            password = emu.admin_password if user == ADMIN_USER else emu.auditor_password
        assert password is not None, f"no password for {user}"
        auth = (user, password)
    verify: ssl.SSLContext | bool = True
    if emu.base_url.startswith("https"):
        verify = ca_context(emu)
    return httpx.Client(
        base_url=emu.base_url,
        auth=auth,
        verify=verify,
        timeout=TIMEOUT,
        event_hooks={"response": [check_response]},
    )


# --------------------------------------------------------------------------- paths


def group_path(gid: str, domain: str = "default") -> str:
    return f"/infra/domains/{domain}/groups/{gid}"


def policy_path(pid: str, domain: str = "default") -> str:
    return f"/infra/domains/{domain}/security-policies/{pid}"


def rule_path(pid: str, rid: str, domain: str = "default") -> str:
    return f"{policy_path(pid, domain)}/rules/{rid}"


def service_path(sid: str) -> str:
    return f"/infra/services/{sid}"


def ccp_path(cid: str) -> str:
    return f"{EP}/cluster-control-planes/{cid}"


# --------------------------------------------------------------------------- bodies


def tag_condition(value: str, member_type: str = "VirtualMachine", operator: str = "EQUALS") -> JSON:
    """A Condition on a tag; ``value`` is ``"scope|tag"`` (ref §4.2)."""
    return {
        "resource_type": "Condition",
        "member_type": member_type,
        "key": "Tag",
        "operator": operator,
        "value": value,
    }


def condition(member_type: str, key: str, operator: str, value: str) -> JSON:
    return {
        "resource_type": "Condition",
        "member_type": member_type,
        "key": key,
        "operator": operator,
        "value": value,
    }


def conj(op: str = "OR") -> JSON:
    return {"resource_type": "ConjunctionOperator", "conjunction_operator": op}


def nested(*conditions: JSON) -> JSON:
    """A NestedExpression whose conditions are ANDed (ref §4.2)."""
    exprs: list[JSON] = []
    for i, c in enumerate(conditions):
        if i:
            exprs.append(conj("AND"))
        exprs.append(c)
    return {"resource_type": "NestedExpression", "expressions": exprs}


def joined(items: list[JSON], op: str = "OR") -> list[JSON]:
    """Alternate ``items`` with ConjunctionOperator ``op`` (odd-length list)."""
    out: list[JSON] = []
    for i, item in enumerate(items):
        if i:
            out.append(conj(op))
        out.append(item)
    return out


def ip_expression(*ips: str) -> JSON:
    return {"resource_type": "IPAddressExpression", "ip_addresses": list(ips)}


def path_expression(*paths: str) -> JSON:
    return {"resource_type": "PathExpression", "paths": list(paths)}


def group_body(gid: str, expression: list[JSON] | None = None, **extra: Any) -> JSON:
    body: JSON = {"resource_type": "Group", "id": gid, "display_name": gid}
    if expression is not None:
        body["expression"] = expression
    body.update(extra)
    return body


def rule_body(
    rid: str,
    *,
    sources: list[str] | None = None,
    destinations: list[str] | None = None,
    services: list[str] | None = None,
    action: str = "ALLOW",
    sequence_number: int | None = None,
    **extra: Any,
) -> JSON:
    body: JSON = {
        "resource_type": "Rule",
        "id": rid,
        "display_name": rid,
        "source_groups": sources if sources is not None else ["ANY"],
        "destination_groups": destinations if destinations is not None else ["ANY"],
        "services": services if services is not None else ["ANY"],
        "scope": ["ANY"],
        "action": action,
    }
    if sequence_number is not None:
        body["sequence_number"] = sequence_number
    body.update(extra)
    return body


def policy_body(pid: str, category: str = "Application", rules: list[JSON] | None = None, **extra: Any) -> JSON:
    body: JSON = {
        "resource_type": "SecurityPolicy",
        "id": pid,
        "display_name": pid,
        "category": category,
    }
    if rules is not None:
        body["rules"] = rules
    body.update(extra)
    return body


def l4_service_body(sid: str, ports: list[str] | None = None, protocol: str = "TCP") -> JSON:
    return {
        "resource_type": "Service",
        "id": sid,
        "display_name": sid,
        "service_entries": [
            {
                "resource_type": "L4PortSetServiceEntry",
                "id": f"{sid}-e",
                "display_name": f"{sid}-e",
                "l4_protocol": protocol,
                "destination_ports": ports or ["8443"],
            }
        ],
    }


# --------------------------------------------------------------------------- calls


def ok(resp: httpx.Response, *codes: int) -> httpx.Response:
    """Assert a success status (200/201 unless given) with the body in the message."""
    expected = codes or (200, 201)
    assert resp.status_code in expected, (
        f"{resp.request.method} {resp.request.url} -> {resp.status_code}: {resp.text[:800]}"
    )
    return resp


def patch(client: httpx.Client, path: str, body: JSON, **params: Any) -> httpx.Response:
    return client.patch(P + path, json=body, params=params or None)


def put(client: httpx.Client, path: str, body: JSON, **params: Any) -> httpx.Response:
    return client.put(P + path, json=body, params=params or None)


def get(client: httpx.Client, path: str, **params: Any) -> httpx.Response:
    return client.get(P + path, params=params or None)


def delete(client: httpx.Client, path: str, **params: Any) -> httpx.Response:
    return client.delete(P + path, params=params or None)


def get_json(client: httpx.Client, path: str, **params: Any) -> JSON:
    resp = ok(get(client, path, **params), 200)
    data = resp.json()
    assert isinstance(data, dict)
    return data


def create(client: httpx.Client, path: str, body: JSON) -> JSON:
    """PATCH ``body`` at ``path`` (PATCH creates, ref §1.3) and return the GET."""
    ok(patch(client, path, body))
    return get_json(client, path)


def make_group(client: httpx.Client, gid: str | None = None, *, tag: str | None = None) -> str:
    """Create a simple VM tag group; return its path."""
    gid = gid or uid("g")
    value = tag or f"scope|{gid}"
    path = group_path(gid)
    ok(patch(client, path, group_body(gid, [tag_condition(value)])))
    return path


def make_policy(
    client: httpx.Client,
    pid: str | None = None,
    *,
    category: str = "Application",
    rules: list[JSON] | None = None,
    **extra: Any,
) -> str:
    pid = pid or uid("p")
    path = policy_path(pid)
    ok(patch(client, path, policy_body(pid, category, rules if rules is not None else [], **extra)))
    return path


def assert_nsx_error(
    resp: httpx.Response,
    status: int,
    *,
    error_code: int | None = None,
    message: str | re.Pattern[str] | None = None,
) -> JSON:
    """Check the NSX ApiError body shape (ref §3.1) and return the body.

    ``httpStatus`` is the status NAME, ``error_code`` a JSON number,
    ``module_name`` and ``error_message`` strings.
    """
    assert resp.status_code == status, (
        f"{resp.request.method} {resp.request.url} -> expected {status}, got {resp.status_code}: {resp.text[:800]}"
    )
    assert "Traceback" not in resp.text
    body = resp.json()
    assert isinstance(body, dict), body
    assert body.get("httpStatus") == HTTP_STATUS_NAMES[status], body
    assert type(body.get("error_code")) is int, body
    assert isinstance(body.get("module_name"), str), body
    assert body["module_name"], body
    assert isinstance(body.get("error_message"), str), body
    assert body["error_message"], body
    if error_code is not None:
        assert body["error_code"] == error_code, body
    if isinstance(message, re.Pattern):
        assert message.search(body["error_message"]), body
    elif message is not None:
        assert message in body["error_message"], body
    return body


def assert_rejected(resp: httpx.Response, status: int = 400) -> JSON:
    """A validation error: given status, NSX-shaped body."""
    return assert_nsx_error(resp, status)


def assert_absent(client: httpx.Client, path: str) -> None:
    resp = get(client, path)
    assert resp.status_code == 404, f"{path} still present: {resp.status_code} {resp.text[:300]}"


def wait_for(fn: Callable[[], Any], *, timeout: float = 10.0, interval: float = 0.1, what: str = "condition") -> Any:
    """Poll ``fn`` until it returns a truthy value (realization, search, membership lag)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}; last value: {last!r}")


def walk(node: Any) -> Iterator[JSON]:
    """Every dict in a JSON tree (H-API responses)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def list_all(client: httpx.Client, path: str, page_size: int, *, prefix: str = P, **params: Any) -> list[JSON]:
    """Walk a list endpoint with ``cursor`` like nsxlib does (ref §1.4)."""
    results: list[JSON] = []
    cursor: str | None = None
    for _ in range(1000):
        query: dict[str, Any] = {"page_size": page_size, **params}
        if cursor:
            query["cursor"] = cursor
        page = ok(client.get(prefix + path, params=query), 200).json()
        chunk = page.get("results", [])
        assert isinstance(chunk, list)
        results.extend(chunk)
        cursor = page.get("cursor")
        if not cursor or str(cursor).startswith("0000") or not chunk:
            return results
    raise AssertionError("cursor walk did not terminate")
