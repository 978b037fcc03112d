"""``POST ...?action=revise`` for security policies and rules (ref §1.1, §5.4).

The object is upserted (PATCH semantics) and moved to ``insert_top``,
``insert_bottom``, ``insert_before`` or ``insert_after`` the ``anchor_path``
(default ``insert_top``). Siblings are the rules of the same policy, or the
policies of the same category in all domains. The moved object takes a free
sequence number between its new neighbours; only when there is no gap are the
movable siblings renumbered in steps of 10, as the UI does (ref §11). Default
objects (``is_default``) never move.
"""

from __future__ import annotations

from typing import Any

from ..errors import bad_request
from .common import INT32_MAX, Obj
from .kinds import kind_of_path
from .writer import Writer

OPERATIONS = ("insert_top", "insert_bottom", "insert_before", "insert_after")


def _seq(o: Obj) -> int:
    return int(o.get("sequence_number", 0))


def revise(  # noqa: PLR0912 - the four operations of ref §1.1 and their edge cases
    w: Writer, path: str, body: Any, operation: str | None, anchor: str | None
) -> Obj:
    kind = kind_of_path(path)
    if kind is None or kind.name not in ("SecurityPolicy", "Rule"):
        raise bad_request(f"action=revise is not supported for path=[{path}].")
    op = operation or "insert_top"
    if op not in OPERATIONS:
        raise bad_request(f"Invalid operation {op!r}; allowed values are {', '.join(OPERATIONS)}.")
    if op in ("insert_before", "insert_after") and not anchor:
        raise bad_request(f"anchor_path is required for operation {op}.")
    obj = w.upsert(path, body if body is not None else {})
    if obj.get("is_default"):
        raise bad_request(f"The default object path=[{path}] cannot be moved.")
    if kind.name == "Rule":
        parent = path.rsplit("/", 2)[0]
        candidates = w.view.children(parent, "rules")
    else:
        candidates = [p for p in w.all_policies() if (w.view.get(p) or {}).get("category") == obj.get("category")]
    siblings = {p: w.view.get(p) for p in candidates if p != path}
    movable = sorted(
        (p for p, o in siblings.items() if o and not o.get("is_default")),
        key=lambda p: (_seq(siblings[p] or {}), p),
    )
    if op in ("insert_before", "insert_after"):
        if anchor not in movable:
            raise bad_request(f"anchor_path [{anchor}] is not a sibling of path=[{path}] that can be ordered against.")
        idx = movable.index(anchor) + (1 if op == "insert_after" else 0)
    else:
        idx = 0 if op == "insert_top" else len(movable)
    order = [*movable[:idx], path, *movable[idx:]]
    prev_seq = _seq(siblings[order[idx - 1]] or {}) if idx > 0 else None
    next_seq = _seq(siblings[order[idx + 1]] or {}) if idx + 1 < len(order) else None
    limit = min([_seq(o) for o in siblings.values() if o and o.get("is_default")] + [INT32_MAX])
    new: int | None
    if prev_seq is None and next_seq is None:
        new = _seq(obj)
    elif prev_seq is None:
        new = next_seq - 1 if next_seq is not None and next_seq >= 1 else None
    elif next_seq is None:
        new = prev_seq + 1 if prev_seq + 1 < limit else None
    else:
        new = (prev_seq + next_seq) // 2 if next_seq - prev_seq >= 2 else None
    if new is None:
        for i, p in enumerate(order):
            target = (i + 1) * 10
            if p == path:
                new = target
                continue
            other = siblings[p]
            if other is not None and _seq(other) != target:
                w.view.put(
                    p,
                    {
                        **other,
                        "sequence_number": target,
                        "_revision": other["_revision"] + 1,
                        "_last_modified_time": w.now,
                        "_last_modified_user": w.user,
                    },
                )
                w.upserted[p] = None
    assert new is not None
    obj["sequence_number"] = new
    if kind.name == "SecurityPolicy":
        obj["internal_sequence_number"] = new
    return obj
