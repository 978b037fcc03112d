"""Reading a whole list endpoint, page by page (ref §1.4, §12.8).

NSX list results carry ``results``, an opaque ``cursor`` and ``result_count`` (maybe on
the first page only). Stop when the cursor is absent or starts with ``0000`` (nsxlib's
end marker), when ``result_count`` results are collected (search cursors stay present
on the last page), or on an empty page (endpoints that fill in neither, ref §1.2).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zerotrust.nsx._api import Requester

__all__ = ["END_CURSOR_PREFIX", "MAX_PAGES", "list_all"]

END_CURSOR_PREFIX = "0000"
MAX_PAGES = 10_000
"""A server that keeps returning new cursors is a bug, not a reason to loop forever."""


async def list_all(
    api: Requester,
    path: str,
    params: Mapping[str, Any] | None = None,
    *,
    page_size: int | None = None,
) -> list[dict[str, Any]]:
    """Every result of the list at request path ``path``, in server order."""
    results: list[dict[str, Any]] = []
    expected: int | None = None
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        query: dict[str, Any] = dict(params or {})
        query["page_size"] = page_size or api.page_size
        if cursor:
            query["cursor"] = cursor
        page = await api.request("GET", path, params=query) or {}
        chunk = page.get("results") or []
        results.extend(chunk)
        if expected is None and isinstance(page.get("result_count"), int):
            expected = page["result_count"]
        cursor = page.get("cursor")
        if not cursor or str(cursor).startswith(END_CURSOR_PREFIX) or not chunk:
            break
        if expected is not None and len(results) >= expected:
            break
    else:
        raise RuntimeError(f"GET {path}: more than {MAX_PAGES} pages; the cursor never ended")
    return results
