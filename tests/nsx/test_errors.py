"""The (status, error_code) -> class table and what errors carry (ref §3.2, §2.1, §12.7)."""

from __future__ import annotations

import json

import httpx
import pytest

from zerotrust.nsx import errors as e


def _body(code: int | str | None, message: str = "boom", **extra: object) -> bytes:
    return json.dumps(
        {"httpStatus": "X", "error_code": code, "module_name": "Policy", "error_message": message, **extra}
    ).encode()


TABLE = [
    (400, 500030, "x", e.ResourceInUse),
    (400, None, "The object path=[/g] cannot be deleted as either it has children or ...", e.ResourceInUse),
    (400, 500127, "exists", e.AlreadyExists),
    (400, 500045, "marked for delete", e.PendingDelete),
    (400, 500087, "x", e.StaleRevision),
    (400, 500232, "x", e.StaleRevision),
    (400, 100148, "x", e.StaleRevision),
    (404, 500090, "x", e.StaleRevision),
    (409, None, "x", e.StaleRevision),
    (412, 0, "Object _revision mismatch! Fetch the latest copy of the object and retry!", e.StaleRevision),
    (400, 287, "Json de-serialization error", e.BadRequest),
    (404, 202, "The path=[/x] is invalid", e.NotFound),
    (401, None, "x", e.AuthError),
    (403, 403, "The credentials were incorrect", e.AuthError),
    (403, 98, "bad xsrf", e.BadXSRF),
    (403, 12, "read-only", e.Forbidden),
    (429, None, "rate", e.RateLimited),
    (503, 503, "busy", e.ServerBusy),
    (500, 607, "aborted", e.ServerError),
    (502, None, "gateway", e.ServerError),
]


@pytest.mark.parametrize(("status", "code", "message", "cls"), TABLE)
def test_error_class_table(status: int, code: int | None, message: str, cls: type[e.NsxApiError]) -> None:
    error = e.error_for_status(status, _body(code, message), method="PATCH", path="/policy/api/v1/infra/x")
    assert type(error) is cls
    assert error.status == status
    assert error.error_code == code
    assert error.method == "PATCH"
    assert error.path == "/policy/api/v1/infra/x"
    assert message in error.message
    assert str(status) in str(error)


def test_related_errors_joined_and_kept() -> None:
    body = _body(500012, "top", related_errors=[{"error_code": 1, "error_message": "first", "httpStatus": "BAD"}])
    error = e.error_for_status(400, body, method="PUT", path="/p")
    assert error.message == "top; first"
    assert error.related[0].error_code == 1


def test_string_error_code_is_accepted() -> None:
    """VMC once sent error_code as a string (ref §3.1)."""
    assert e.error_for_status(403, _body("98"), method="GET", path="/p").error_code == 98


def test_non_nsx_body_is_not_echoed() -> None:
    error = e.error_for_status(502, b"<html>secret proxy page</html>", method="GET", path="/p")
    assert "secret" not in str(error)
    assert type(error) is e.ServerError


def test_resource_in_use_lists_referrers() -> None:
    message = (
        "The object path=[/infra/domains/default/groups/web] cannot be deleted as either it has "
        "children or it is being referenced by other objects path=[/infra/a/rules/r1, /infra/b]"
    )
    error = e.error_for_status(400, _body(500030, message), method="DELETE", path="/p")
    assert isinstance(error, e.ResourceInUse)
    assert error.referrers == ["/infra/a/rules/r1", "/infra/b"]


def test_tree_does_not_leak_httpx() -> None:
    for cls in (e.NsxError, e.NsxApiError, e.NsxConnectionError, e.NsxTlsError):
        assert not issubclass(cls, httpx.HTTPError)


def test_retryable_flags() -> None:
    assert e.RateLimited.retryable
    assert e.ServerBusy.retryable
    assert not e.StaleRevision.retryable
    assert not e.NsxTlsError.retryable
