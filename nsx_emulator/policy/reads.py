"""Read-side rendering of Policy objects from memory (ref §1.3, §1.4).

Objects are stored without their inline child lists; GET composes them
(``rules`` of a SecurityPolicy, ``service_entries`` of a Service).
"""

from __future__ import annotations

from typing import Any, Protocol

from .kinds import kind_of_path

Obj = dict[str, Any]


class Reader(Protocol):
    def get(self, key: str) -> Obj | None: ...
    def children(self, parent: str, segment: str) -> list[str]: ...


def render(view: Reader, path: str, *, inline: bool = True) -> Obj | None:
    obj = view.get(path)
    if obj is None:
        return None
    kind = kind_of_path(path)
    if kind is None or not kind.inline or not inline:
        return obj
    out = dict(obj)
    for spec in kind.inline:
        items = [c for c in (view.get(p) for p in view.children(path, spec.segment)) if c is not None]
        items.sort(key=spec.sort_key)
        out[spec.field] = items
    return out


def infra_object() -> Obj:
    """The root ``Infra`` object (not stored: it has no user-settable state we model)."""
    return {
        "resource_type": "Infra",
        "id": "infra",
        "display_name": "infra",
        "path": "/infra",
        "relative_path": "infra",
        "marked_for_delete": False,
        "overridden": False,
        "_system_owned": True,
        "_protection": "NOT_PROTECTED",
        "_revision": 0,
    }
