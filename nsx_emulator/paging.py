"""List paging shared by every collection (ref §1.4, §10).

``page_size`` defaults to 1000 (and is capped there); the cursor is a numeric
string offset. Lists drop the cursor on the last page; search keeps it there
(ref §10, §12.8), which is why :func:`page` takes ``keep_last_cursor``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import bad_request

DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 1000
Obj = dict[str, Any]


def _int_param(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"Invalid value {raw!r} for query parameter {name}.", 255) from None
    if value < 0:
        raise bad_request(f"Invalid value {raw!r} for query parameter {name}.", 255)
    return value


def _sort_value(obj: Any, field: str) -> tuple[int, Any]:
    value = obj.get(field) if isinstance(obj, dict) else obj
    if value is None:
        return (1, "")
    if isinstance(value, bool | int | float):
        return (0, (0, value, ""))
    return (0, (1, 0, str(value)))


def project(obj: Obj, fields: list[str]) -> Obj:
    return {f: obj[f] for f in fields if f in obj}


def included_fields(params: Mapping[str, str]) -> list[str] | None:
    raw = params.get("included_fields")
    if not raw:
        return None
    return [f.strip() for f in raw.split(",") if f.strip()]


def page(
    items: list[Any],
    params: Mapping[str, str],
    *,
    keep_last_cursor: bool = False,
    with_result_count: bool = True,
) -> Obj:
    """Sort, slice and project ``items`` the way NSX lists do."""
    sort_by = params.get("sort_by")
    ascending = params.get("sort_ascending", "true").lower() != "false"
    if sort_by:
        items = sorted(items, key=lambda o: _sort_value(o, sort_by), reverse=not ascending)
    size = _int_param(params, "page_size", DEFAULT_PAGE_SIZE) or DEFAULT_PAGE_SIZE
    size = min(size, MAX_PAGE_SIZE)
    start = _int_param(params, "cursor", 0)
    chunk = items[start : start + size]
    end = start + len(chunk)
    fields = included_fields(params)
    out: Obj = {"results": [project(o, fields) if isinstance(o, dict) else o for o in chunk] if fields else chunk}
    if with_result_count:
        out["result_count"] = len(items)
    if end < len(items) or keep_last_cursor:
        out["cursor"] = str(end)
    if sort_by:
        out["sort_by"] = sort_by
        out["sort_ascending"] = ascending
    return out
