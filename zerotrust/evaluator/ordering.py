"""First match over ordered, possibly tied, lists: the shared core of NSX and Antrea order.

Why one helper: NSX orders policies then rules by ``sequence_number`` and Antrea orders
policies by ``priority`` inside a tier (nsx-policy-api.md §5.4, antrea.md §2.4). Equal
keys give an *unspecified* order (Terraform #830/#967), so when two tied items both
match the flow the outcome depends on an order nobody chose: that is reported as an
error, never silently resolved (issue 7, verification.md §4.1.2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = ["FirstMatch", "first_match", "tie_groups"]

T = TypeVar("T")
R = TypeVar("R")


def tie_groups(items: Iterable[T], key: Callable[[T], Any]) -> tuple[tuple[T, ...], ...]:
    """Sort by ``key`` (a number or a tuple) and group equal keys (stable, so reports are reproducible)."""
    ordered = sorted(items, key=key)
    groups: list[list[T]] = []
    for item in ordered:
        if groups and key(groups[-1][0]) == key(item):
            groups[-1].append(item)
        else:
            groups.append([item])
    return tuple(tuple(g) for g in groups)


@dataclass(frozen=True)
class FirstMatch(Generic[R]):
    """The first matching item, or an error naming the tied items that both match."""

    item: R | None = None
    error: str | None = None


def first_match(
    groups: Sequence[Sequence[T]], find: Callable[[T], FirstMatch[R]], name: Callable[[T], str]
) -> FirstMatch[R]:
    """Walk tie groups in order; within a group, more than one hit is an ordering error."""
    for group in groups:
        if len(group) == 1:
            found = find(group[0])
            if found.item is not None or found.error is not None:
                return found
            continue
        hits = [(member, find(member)) for member in group]
        errors = [f.error for _, f in hits if f.error is not None]
        if errors:
            return FirstMatch(error=errors[0])
        matched = [(member, f) for member, f in hits if f.item is not None]
        if len(matched) > 1:
            names = ", ".join(name(member) for member, _ in matched)
            return FirstMatch(
                error=f"equal sequence numbers/priorities with matching rules, order unspecified: {names}"
            )
        if matched:
            return matched[0][1]
    return FirstMatch()
