"""Which NSX objects this stack owns, and the one tag that says so.

Everything the stack creates carries ``{scope: OWNER_SCOPE, tag: "<project>/<stack>"}``.
Update and delete act only on objects that carry this stack's tag, or that the stack
adopted through an explicit ``pulumi import`` (recorded in state as ``adopted``). The tag
is added on write and stripped before diffing, so users never see it as a change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

OWNER_SCOPE = "zerotrust/managed-by"


def owner_from_urn(urn: str) -> str:
    """``urn:pulumi:<stack>::<project>::...`` -> ``<project>/<stack>``."""
    head = urn.split("::")
    stack = head[0].rsplit(":", 1)[-1]
    project = head[1] if len(head) > 1 else ""
    return f"{project}/{stack}"


def owner_tag(owner: str) -> dict[str, str]:
    return {"scope": OWNER_SCOPE, "tag": owner}


def with_owner(tags: Iterable[Mapping[str, Any]] | None, owner: str) -> list[dict[str, Any]]:
    """The tags to write: the user's tags plus this stack's ownership tag (exactly once)."""
    kept = [dict(t) for t in tags or [] if t.get("scope") != OWNER_SCOPE]
    return [*kept, owner_tag(owner)]


def without_owner(tags: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    return [dict(t) for t in tags or [] if t.get("scope") != OWNER_SCOPE]


def owner_of(tags: Iterable[Mapping[str, Any]] | None) -> str | None:
    """The owner recorded on a live object, or None when no stack owns it."""
    return next((str(t.get("tag")) for t in tags or [] if t.get("scope") == OWNER_SCOPE), None)


class NotOwned(Exception):  # noqa: N818  (reads as a sentence in error output)
    """The object exists in NSX but this stack neither created nor imported it."""

    def __init__(self, path: str, owner: str | None, me: str, action: str, *, others: int = 0) -> None:
        held = f"it is managed by stack {owner!r}" if owner else "no stack manages it"
        more = f" ({others} more object(s) likewise; nothing was changed)" if others else ""
        super().__init__(
            f"refusing to {action} {path}: {held}, not {me!r}{more}. "
            f"Adopt it explicitly with `pulumi import` (id {path}) or choose another id."
        )
