"""NSX-shaped error bodies.

Every non-2xx response of the emulator carries NSX's ``ApiError`` shape (ref §3.1):
``httpStatus`` is the status *name* (``BAD_REQUEST``), ``error_code`` a number,
plus ``module_name``, ``error_message`` and optional ``related_errors``.
Codes come from ref §3.2; where the reference has no code (404, 412, 405) we use
the HTTP status number as ``error_code`` so clients still see an int, and they
match on status + message like real clients do (ref "Gaps": do not hardcode).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

POLICY_MODULE = "Policy"
COMMON_MODULE = "common-services"

#: Message text real clients match on (ref §2.1, §3.2, §1.3).
STALE_REVISION_HINT = "Fetch the latest copy of the object and retry"
BAD_CREDENTIALS_MESSAGE = "The credentials were incorrect or the account specified has been locked."


def status_name(status: int) -> str:
    try:
        return HTTPStatus(status).name
    except ValueError:
        return str(status)


class NsxError(Exception):
    """An error that becomes an NSX ApiError response."""

    def __init__(
        self,
        status: int,
        error_code: int,
        message: str,
        *,
        module_name: str = POLICY_MODULE,
        related: list[NsxError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message
        self.module_name = module_name
        self.related = related or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "httpStatus": status_name(self.status),
            "error_code": self.error_code,
            "module_name": self.module_name,
            "error_message": self.message,
        }
        if self.related:
            out["related_errors"] = [
                {
                    "httpStatus": status_name(r.status),
                    "error_code": r.error_code,
                    "module_name": r.module_name,
                    "error_message": r.message,
                }
                for r in self.related
            ]
        return out


# --- constructors for the errors the emulator raises, one per documented case ---


def bad_request(message: str, error_code: int = 500012) -> NsxError:
    """Generic validation failure (400). NSX uses many codes; 500012 is a stand-in [UNV]."""
    return NsxError(400, error_code, message)


def node_bad_request(message: str) -> NsxError:
    """Validation failure of a manager node API (``/api/v1/node/...``): 400. The module
    and the code (the 500012 stand-in of :func:`bad_request`) are [UNV]."""
    return NsxError(400, 500012, message, module_name=COMMON_MODULE)


def out_of_range(name: str, value: int, low: int, high: int) -> NsxError:
    """A number outside the range the SDK documents for it ("The minimum allowable
    value must be >= N", "The maximum allowable value must be <= M"): 400 [UNV: text]."""
    return node_bad_request(
        f"Invalid value {value} for property {name}: the minimum allowable value must be >= {low} "
        f"and the maximum allowable value must be <= {high}."
    )


def invalid_id(oid: object, where: str, reason: str) -> NsxError:
    """An id NSX could not address as a path segment (ids rules in ``policy/ids.py``): 400.
    No public source shows NSX's code or text for it, so this is the generic validation
    error of :func:`bad_request` (500012 stand-in) [UNV]."""
    shown = repr(oid) if len(repr(oid)) <= 80 else repr(oid)[:60] + "..."
    return bad_request(f"Invalid id {shown} in path=[{where}]: {reason}.")


def request_rejected(message: str) -> NsxError:
    """NSX's HTTP firewall refusing an unsafe request path, before any handler runs: 400 with
    ``error_code`` 400 and module common-services. Seen for a non-printable character in
    the path ("The servletPath was rejected because it can only contain printable ASCII
    characters.", vmware-samples/nsx-t issue #41)."""
    return NsxError(400, 400, message, module_name=COMMON_MODULE)


def unrecognized_property(name: str) -> NsxError:
    """Unknown JSON property: 400 / 287, module common-services (ref §3.2)."""
    return NsxError(
        400,
        287,
        f"Json de-serialization error: property {name} is unrecognized.",
        module_name=COMMON_MODULE,
    )


def deserialization(detail: str) -> NsxError:
    """Malformed JSON or a wrong JSON type; same family as 287 (ref §3.2)."""
    return NsxError(400, 287, f"Json de-serialization error: {detail}", module_name=COMMON_MODULE)


def not_found(path: str) -> NsxError:
    """GET of a missing object: 404 ``The path=[...] is invalid`` (ref §1.3, §3.2)."""
    return NsxError(404, 404, f"The path=[{path}] is invalid")


def stale_revision(current: int | None, requested: Any) -> NsxError:
    """Missing or stale ``_revision`` on PUT: 412 (ref §2.1, §12.1)."""
    if requested is None:
        msg = (
            "The object has been modified since it was last read "
            f"(current revision: {current}, requested: none). {STALE_REVISION_HINT}."
        )
    else:
        msg = f"Object _revision mismatch! (current: {current}, requested: {requested}). {STALE_REVISION_HINT}!"
    return NsxError(412, 412, msg)


def in_use(path: str, referrers: list[str]) -> NsxError:
    """Delete blocked by references or children: 400 / 500030 (ref §3.2, §12.7)."""
    return NsxError(
        400,
        500030,
        f"The object path=[{path}] cannot be deleted as either it has children or it "
        f"is being referenced by other objects path=[{','.join(referrers)}].",
    )


def already_exists(path: str) -> NsxError:
    """Create of an existing path where creation is required: 400 / 500127 (ref §3.2)."""
    return NsxError(400, 500127, f"Cannot create an object with path=[{path}] as it already exists.")


def method_not_allowed(method: str, path: str) -> NsxError:
    return NsxError(
        405,
        405,
        f"The requested method {method} is not supported for the URI {path}.",
        module_name=COMMON_MODULE,
    )


def bad_credentials() -> NsxError:
    """Bad or missing credentials: 403 / 403 (ref §3.2, §9)."""
    return NsxError(403, 403, BAD_CREDENTIALS_MESSAGE, module_name=COMMON_MODULE)


def bad_xsrf() -> NsxError:
    """Session request without a valid X-XSRF-TOKEN: 403 / 98 (ref §3.2, §12.10)."""
    return NsxError(
        403,
        98,
        "Bad XSRF token. Please log in again to obtain a valid token.",
        module_name=COMMON_MODULE,
    )


def forbidden_role(user: str) -> NsxError:
    """Read-only role attempting a write. NSX reports RBAC denials as 403 with
    error_code 401 ("401 Forbidden" in Broadcom KB 390631) [UNV: exact text]."""
    return NsxError(
        403,
        401,
        f"The request was forbidden: user '{user}' does not have permission to perform this operation.",
        module_name=COMMON_MODULE,
    )


def too_many_requests(message: str, retry_after: int = 1) -> NsxError:
    """Throttling: 429 (ref §3.3). NSX's error_code for it is not documented [UNV]."""
    return NsxError(429, 429, message, module_name=COMMON_MODULE, headers={"Retry-After": str(retry_after)})


def internal(message: str = "Internal server error.") -> NsxError:
    return NsxError(500, 500, message, module_name=COMMON_MODULE)
