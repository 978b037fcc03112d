"""The NSX error body (ref §3.1), parsed leniently: it is read on the failure path."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from zerotrust.models._base import NsxModel

__all__ = ["ApiError", "RelatedApiError"]


def _code(value: Any) -> int | None:
    """VMC once sent ``error_code`` as a string (ref §3.1); accept both."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return None


ErrorCode = Annotated[int | None, BeforeValidator(_code)]


class RelatedApiError(NsxModel):
    """One entry of ``related_errors``."""

    error_code: ErrorCode = None
    error_message: str | None = None
    module_name: str | None = None
    http_status: str | None = Field(default=None, alias="httpStatus")


class ApiError(NsxModel):
    """``{"httpStatus": "BAD_REQUEST", "error_code": 500127, "error_message": ...}``."""

    error_code: ErrorCode = None
    error_message: str | None = None
    module_name: str | None = None
    details: Any = None
    http_status: str | None = Field(default=None, alias="httpStatus")
    """The status *name*, e.g. ``BAD_REQUEST``."""
    related_errors: list[RelatedApiError] = Field(default_factory=list)
