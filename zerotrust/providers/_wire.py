"""The engine's wire form of properties (protobuf ``Struct``) to plain JSON and back, fast.

Why not the SDK's ``PropertyValue``: a 13,000-object policy set is a 4 MB Struct, and
``PropertyValue.unmarshal_map`` + ``marshal_map`` took 4.6 s per call for it, against
0.3 s for this direct walk (docs/scale.md). Resource calls of the provider therefore read
and write Structs here; configuration and functions (small) stay on the SDK's types.

The engine's conventions (Pulumi's ``rpc.py``): an unknown value (preview of a value
another resource computes) is the string :data:`WIRE_UNKNOWN`; a secret is an object
``{SIG_KEY: SECRET_SIG, "value": ...}``. The provider accepts neither output values nor
resource references (``Configure``), so no other special objects arrive.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime.rpc import UNKNOWN as WIRE_UNKNOWN

from zerotrust.providers._values import UNKNOWN

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


class _Secrets:
    """Collects which top-level keys held a secret anywhere below them."""

    def __init__(self) -> None:
        self.found = False


def _plain(value: struct_pb2.Value, secrets: _Secrets) -> Any:  # noqa: PLR0911 - one return per kind
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        text = value.string_value
        return UNKNOWN if text == WIRE_UNKNOWN else text
    if kind == "struct_value":
        fields = value.struct_value.fields
        if SIG_KEY in fields and fields[SIG_KEY].string_value == SECRET_SIG:
            secrets.found = True
            return _plain(fields["value"], secrets) if "value" in fields else None
        return {key: _plain(item, secrets) for key, item in fields.items()}
    if kind == "list_value":
        return [_plain(item, secrets) for item in value.list_value.values]
    if kind == "number_value":
        number = value.number_value
        return int(number) if number.is_integer() else number
    if kind == "bool_value":
        return value.bool_value
    return None


class Decoded(Mapping[str, Any]):
    """A Struct as plain JSON, decoded key by key on first use, remembering wire forms.

    Lazy because the previous state of a policy set is two 4 MB maps (inputs, and the
    outputs' ``applied``) of which an operation often reads one or none.

    An answer often passes values through (outputs that repeat inputs, a refresh that finds
    most members unchanged): :func:`to_struct` copies the wire form of any map or list that
    is the very object decoded here, instead of encoding it again. Indexed: the top-level
    values and, in maps, their values (a set's members). Secrets are never reused.
    """

    def __init__(self, struct: struct_pb2.Struct) -> None:
        self._struct = struct
        self._values: dict[str, Any] = {}
        self._secret: set[str] = set()
        self._wire: dict[int, struct_pb2.Value] = {}

    def __getitem__(self, key: str) -> Any:
        if key in self._values:
            return self._values[key]
        if key not in self._struct.fields:
            raise KeyError(key)
        wire = self._struct.fields[key]
        found = _Secrets()
        value = self._values[key] = _plain(wire, found)
        if found.found:
            self._secret.add(key)
        elif isinstance(value, dict | list):
            self._wire[id(value)] = wire
            if isinstance(value, dict):
                for name, item in value.items():
                    if isinstance(item, dict | list):
                        self._wire[id(item)] = wire.struct_value.fields[name]
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._struct.fields)

    def __len__(self) -> int:
        return len(self._struct.fields)

    def plain(self) -> dict[str, Any]:
        """Every key decoded, as a dict."""
        return {key: self[key] for key in self}

    @property
    def secrets(self) -> frozenset[str]:
        """Top-level keys that are (or hold) a secret, among the ones decoded so far."""
        return frozenset(self._secret)

    def wire_of(self, value: Any) -> struct_pb2.Value | None:
        return self._wire.get(id(value)) if isinstance(value, dict | list) else None


def _set(target: struct_pb2.Value, value: Any, reuse: tuple[Decoded, ...]) -> None:
    for decoded in reuse:
        wire = decoded.wire_of(value)
        if wire is not None:
            target.CopyFrom(wire)
            return
    if value is UNKNOWN:
        target.string_value = WIRE_UNKNOWN
    elif value is None:
        target.null_value = struct_pb2.NULL_VALUE
    elif isinstance(value, bool):
        target.bool_value = value
    elif isinstance(value, int | float):
        target.number_value = float(value)
    elif isinstance(value, str):
        target.string_value = value
    elif isinstance(value, Mapping):
        fields = target.struct_value.fields
        target.struct_value.SetInParent()
        for key, item in value.items():
            _set(fields[str(key)], item, reuse)
    elif isinstance(value, list | tuple):
        target.list_value.SetInParent()
        values = target.list_value.values
        for item in value:
            _set(values.add(), item, reuse)
    else:
        raise TypeError(f"cannot send {type(value).__name__} to the engine: {value!r}")


def to_struct(
    values: Mapping[str, Any], secrets: frozenset[str] = frozenset(), *, reuse: tuple[Decoded, ...] = ()
) -> struct_pb2.Struct:
    """The Struct of ``values``; ``secrets`` (top-level keys) are wrapped as secrets.

    ``reuse``: decoded requests whose containers, where ``values`` holds the very same
    objects, are copied in wire form instead of encoded again (see :class:`Decoded`).
    """
    struct = struct_pb2.Struct()
    for key, value in values.items():
        target = struct.fields[key]
        if key in secrets:
            wrapper = target.struct_value.fields
            wrapper[SIG_KEY].string_value = SECRET_SIG
            _set(wrapper["value"], value, ())
        else:
            _set(target, value, reuse)
    return struct
