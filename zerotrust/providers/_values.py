"""Plain JSON with unknowns, and the SDK's PropertyValues (provider config and functions).

The provider reasons about NSX objects as plain JSON (what the models validate and the client
sends). During preview any value may be unknown (computed by another resource): UNKNOWN
stands for it, and :func:`with_placeholders` lets validation run around it. Numbers arrive
as floats; NSX wants integers where the value is integral (sequence numbers, ports), so whole
floats become ints on the way in. Resource calls decode the wire form themselves
(``_wire.py``); configuration and functions come as PropertyValues (below).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from pulumi.provider.experimental.property_value import PropertyValue, PropertyValueType
from pulumi.runtime.rpc import UNKNOWN as WIRE_UNKNOWN


class Unknown:
    """A value the engine does not know yet (preview of a value computed by another resource)."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = Unknown()


def to_plain(value: PropertyValue) -> Any:
    """One PropertyValue as plain JSON; unknowns become UNKNOWN, secrets are unwrapped."""
    kind = value.type
    if kind is PropertyValueType.COMPUTED or value.value == WIRE_UNKNOWN:
        return UNKNOWN
    if kind is PropertyValueType.MAP:
        items = cast("Mapping[str, PropertyValue]", value.value)
        return {k: to_plain(v) for k, v in items.items()}
    if kind is PropertyValueType.ARRAY:
        return [to_plain(v) for v in cast("Sequence[PropertyValue]", value.value)]
    if kind is PropertyValueType.NUMBER:
        number = float(value.value)  # type: ignore[arg-type]
        return int(number) if number.is_integer() else number
    return value.value


def plain_map(values: Mapping[str, PropertyValue]) -> dict[str, Any]:
    return {k: to_plain(v) for k, v in values.items()}


def has_unknowns(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(has_unknowns(v) for v in value.values())
    if isinstance(value, list):
        return any(has_unknowns(v) for v in value)
    return False


PENDING = "/infra/pending-value"
"""Stands in for an unknown (a path another resource will have) while checking the rest."""


def with_placeholders(value: Any) -> Any:
    """A copy with every unknown replaced by PENDING, so validation can still run in preview."""
    if value is UNKNOWN:
        return PENDING
    if isinstance(value, dict):
        return {k: with_placeholders(v) for k, v in value.items()}
    if isinstance(value, list):
        return [with_placeholders(v) for v in value]
    return value


def to_property(value: Any, *, secret: bool = False) -> PropertyValue:
    """Plain JSON back to a PropertyValue tree (numbers as floats, as the engine expects)."""
    if value is UNKNOWN:
        # The SDK cannot marshal its own Computed marker (3.260); the wire form of an
        # unknown is this sentinel string, which the engine reads back as unknown.
        return PropertyValue(WIRE_UNKNOWN, is_secret=secret)
    if isinstance(value, dict):
        return PropertyValue({k: to_property(v) for k, v in value.items()}, is_secret=secret)
    if isinstance(value, list | tuple):
        return PropertyValue([to_property(v) for v in value], is_secret=secret)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return PropertyValue(value, is_secret=secret)
    if isinstance(value, int | float):
        return PropertyValue(float(value), is_secret=secret)
    raise TypeError(f"cannot send {type(value).__name__} to the engine: {value!r}")


def property_map(values: Mapping[str, Any], *, secrets: frozenset[str] = frozenset()) -> dict[str, PropertyValue]:
    return {k: to_property(v, secret=k in secrets) for k, v in values.items()}
