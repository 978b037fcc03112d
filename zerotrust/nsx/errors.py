"""Errors raised by the NSX client: one tree, built in one place from the NSX error body.

::

    NsxError                      anything this package raises
    ├── ConfigError               the configuration cannot work (a CA file missing ...)
    ├── NsxConnectionError        no usable answer: connect/read failure or timeout
    │   └── NsxTlsError           the server certificate did not verify
    └── NsxApiError               NSX answered with an error status (status, error_code, ...)
        ├── BadRequest            400 not listed below
        │   ├── ResourceInUse     400 / 500030, or "... cannot be deleted as ..." (ref §12.7)
        │   ├── AlreadyExists     400 / 500127
        │   └── PendingDelete     400 / 500045: the path is still marked for delete
        ├── StaleRevision         409, 412, 400 / 500087|500232|100148, 404 / 500090 (ref §2.1)
        ├── NotFound              404 not listed above
        ├── AuthError             401, or 403 / 403: bad credentials or dead session
        ├── BadXSRF               403 / 98: the session's XSRF token was refused
        ├── Forbidden             other 403 (e.g. a read-only role writing)
        ├── RateLimited           429 (retryable)
        ├── ServerBusy            503 (retryable)
        └── ServerError           other 5xx (500 / 607 "transaction aborted" is retryable)

Decisions (kopf and httpx habits, style anchors §1, §4):

* The class is picked from (HTTP status, NSX ``error_code``) in :func:`error_for_status`,
  with message patterns only where real clients rely on text (ref §3.2, "Gaps").
* httpx exceptions never leave the package; they become ``NsxConnectionError`` with the
  original chained as ``__cause__``.
* Errors carry the request method and path but never headers, bodies or the URL's
  credentials, so they are safe to log. ``retryable`` says what the one retry loop
  (``retry.py``) may repeat; ``StaleRevision`` is *not* retryable as-is: it needs a
  re-read (``Collection.update_with_reread``).
"""

from __future__ import annotations

import json
import ssl
from typing import Any, ClassVar

from zerotrust.models.api_error import ApiError, RelatedApiError

__all__ = [
    "AlreadyExists",
    "AuthError",
    "BadRequest",
    "BadXSRF",
    "ConfigError",
    "Forbidden",
    "NotFound",
    "NsxApiError",
    "NsxConnectionError",
    "NsxError",
    "NsxTlsError",
    "PendingDelete",
    "RateLimited",
    "ResourceInUse",
    "ServerBusy",
    "ServerError",
    "StaleRevision",
    "error_for_status",
    "error_for_transport",
]

IN_USE_TEXT = "cannot be deleted"
STALE_TEXT = "Fetch the latest copy of the object"
MAX_MESSAGE = 2000


class NsxError(Exception):
    """Base of every error the NSX client raises.

    ``attempts`` and ``elapsed`` say how hard the retry loop tried before giving up (1 and
    0.0 for errors that are never retried); diagnostics quote them.
    """

    retryable: ClassVar[bool] = False
    attempts: int = 1
    elapsed: float = 0.0


class ConfigError(NsxError, ValueError):
    """The configuration cannot work, found before any request; ``setting`` names the
    :class:`~zerotrust.nsx.config.NsxConfig` field to fix (``ca_file``, ``endpoint`` ...)."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(message)
        self.setting = setting


class NsxConnectionError(NsxError):
    """No usable response (connection refused/reset, timeout), after retries."""

    retryable: ClassVar[bool] = True

    def __init__(self, message: str, *, method: str, path: str) -> None:
        super().__init__(f"{method} {path}: {message}")
        self.method = method
        self.path = path


class NsxTlsError(NsxConnectionError):
    """The server's certificate did not verify against the configured CA; never retried."""

    retryable: ClassVar[bool] = False


class NsxApiError(NsxError):
    """NSX answered with an error status; the parsed ApiError body is attached."""

    def __init__(
        self,
        *,
        status: int,
        error_code: int | None,
        message: str,
        method: str,
        path: str,
        related: list[RelatedApiError] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.error_code = error_code
        self.message = message
        self.method = method
        self.path = path
        self.related = related or []
        self.retry_after = retry_after
        code = f" error_code {error_code}" if error_code is not None else ""
        super().__init__(f"{method} {path} -> HTTP {status}{code}: {message}")


class BadRequest(NsxApiError):  # noqa: N818  (names follow NSX's own wording)
    """NSX refused the request body or parameters."""


class ResourceInUse(BadRequest):
    """Delete refused: children or referrers exist (ref §12.7); ``referrers`` lists them."""

    @property
    def referrers(self) -> list[str]:
        """Paths from the ``path=[...]`` list NSX appends to the message."""
        _, _, tail = self.message.partition("referenced by other objects path=[")
        inside, _, _ = tail.partition("]")
        return [p.strip() for p in inside.split(",") if p.strip()]


class AlreadyExists(BadRequest):
    """Create refused: an object exists at the path (400 / 500127)."""


class PendingDelete(BadRequest):
    """The path is still marked for delete; retry later or use another id (ref §1.3)."""


class StaleRevision(NsxApiError):  # noqa: N818  (names follow NSX's own wording)
    """``_revision`` did not match (ref §2.1, §12.1): re-read, re-apply, write again."""


class NotFound(NsxApiError):  # noqa: N818  (names follow NSX's own wording)
    """No object at the path (404)."""


class AuthError(NsxApiError):
    """Bad credentials or an ended session (401, or 403 / 403)."""


class BadXSRF(NsxApiError):  # noqa: N818  (names follow NSX's own wording)
    """The session's XSRF token was refused (403 / 98); a new session fixes it."""


class Forbidden(NsxApiError):  # noqa: N818  (names follow NSX's own wording)
    """Authenticated but not allowed (e.g. the auditor role writing)."""


class RateLimited(NsxApiError):  # noqa: N818  (names follow NSX's own wording)
    """429: per-client rate or concurrency limit (ref §3.3)."""

    retryable: ClassVar[bool] = True


class ServerBusy(NsxApiError):  # noqa: N818  (names follow NSX's own wording)
    """503: the manager's global concurrency limit (ref §3.3)."""

    retryable: ClassVar[bool] = True


class ServerError(NsxApiError):
    """Other 5xx; 500 / 607 (API transaction aborted) is retryable (ref §3.4)."""

    @property
    def is_transaction_aborted(self) -> bool:
        return self.status == 500 and self.error_code == 607


_BY_STATUS_AND_CODE: dict[tuple[int, int], type[NsxApiError]] = {
    (400, 500030): ResourceInUse,
    (400, 500127): AlreadyExists,
    (400, 500045): PendingDelete,
    (400, 500087): StaleRevision,
    (400, 500232): StaleRevision,
    (400, 100148): StaleRevision,
    (404, 500090): StaleRevision,
    (403, 98): BadXSRF,
    (403, 403): AuthError,
}
_BY_STATUS: dict[int, type[NsxApiError]] = {
    400: BadRequest,
    401: AuthError,
    403: Forbidden,
    404: NotFound,
    409: StaleRevision,
    412: StaleRevision,
    429: RateLimited,
    503: ServerBusy,
}


def error_class(status: int, error_code: int | None, message: str = "") -> type[NsxApiError]:
    """The one (status, error_code) -> class table, with the text fallbacks clients use."""
    if error_code is not None and (status, error_code) in _BY_STATUS_AND_CODE:
        return _BY_STATUS_AND_CODE[(status, error_code)]
    if status == 400 and IN_USE_TEXT in message:
        return ResourceInUse
    if status == 400 and STALE_TEXT in message:
        return StaleRevision
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    return BadRequest if 400 <= status < 500 else NsxApiError


def parse_error_body(content: bytes) -> ApiError:
    """The NSX error body, or an empty one when the body is not NSX-shaped JSON."""
    try:
        data: Any = json.loads(content) if content else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    try:
        return ApiError.from_live(data)
    except ValueError:
        return ApiError()


def error_for_status(
    status: int,
    content: bytes,
    *,
    method: str,
    path: str,
    retry_after: float | None = None,
) -> NsxApiError:
    """Build the exception for an error response (body text is cut to keep logs small)."""
    body = parse_error_body(content)
    parts = [body.error_message or _fallback_text(content, status)]
    parts += [r.error_message for r in body.related_errors if r.error_message]
    message = "; ".join(parts)[:MAX_MESSAGE]
    cls = error_class(status, body.error_code, message)
    return cls(
        status=status,
        error_code=body.error_code,
        message=message,
        method=method,
        path=path,
        related=list(body.related_errors),
        retry_after=retry_after,
    )


def _fallback_text(content: bytes, status: int) -> str:
    """Non-NSX bodies (a proxy's HTML page) are not echoed: they may hold anything."""
    return f"HTTP {status} without an NSX error body ({len(content)} bytes)"


def error_for_transport(error: Exception, *, method: str, path: str) -> NsxConnectionError:
    """Map an httpx transport error; certificate failures get their own, actionable class."""
    if _is_certificate_error(error):
        return NsxTlsError(
            "the server certificate did not verify. Pass ca_file= with the manager's CA "
            "(or, for a throwaway lab only, insecure=True)",
            method=method,
            path=path,
        )
    kind = type(error).__name__
    return NsxConnectionError(f"{kind}: {error}", method=method, path=path)


def _is_certificate_error(error: BaseException | None) -> bool:
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, ssl.SSLCertVerificationError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(error):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False
