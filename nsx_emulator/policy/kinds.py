"""The kind registry: which object lives at which policy path.

A policy path alternates collection segments and ids under ``/infra``
(ref §1.1). Each :class:`Kind` names its parent kind and collection segment,
so resolving a path is a walk down this table; the same table drives the
REST routes, the H-API (``Child<Kind>`` wrappers, ref §7) and path templates
for the request counters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .writer import Writer

Obj = dict[str, Any]
NormalizeFn = Callable[["Writer", str, Obj, "Obj | None"], None]
CheckFn = Callable[["Writer", str, Obj], None]
RefsFn = Callable[[Obj], Iterable[str]]
SortFn = Callable[[Obj], Any]


def _no_normalize(w: Writer, path: str, obj: Obj, existing: Obj | None) -> None:
    return None


def _no_check(w: Writer, path: str, obj: Obj) -> None:
    return None


def _no_refs(obj: Obj) -> Iterable[str]:
    return ()


def _by_id(obj: Obj) -> Any:
    return obj.get("id", "")


@dataclass(frozen=True)
class Inline:
    """Child objects that GET returns inline in a list field of the parent."""

    field: str
    segment: str
    sort_key: SortFn = _by_id


@dataclass(frozen=True)
class Kind:
    name: str
    segment: str
    parent: str
    param: str
    resource_types: tuple[str, ...]
    fields: frozenset[str] = frozenset()
    normalize: NormalizeFn = _no_normalize
    check: CheckFn = _no_check
    refs: RefsFn = _no_refs
    inline: tuple[Inline, ...] = ()
    methods: frozenset[str] = frozenset({"GET", "PATCH", "PUT", "DELETE"})
    #: accept unknown properties (kinds whose field list is [UNV])
    lenient: bool = False
    #: DELETE removes children too (otherwise children block the delete)
    cascade_delete: bool = True
    #: system-owned instances cannot be written (predefined services, sites)
    system_read_only: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def default_resource_type(self) -> str:
        return self.resource_types[0]


INFRA = "Infra"

_KINDS: dict[str, Kind] = {}
_BY_SEGMENT: dict[tuple[str, str], Kind] = {}
_BY_RESOURCE_TYPE: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _KINDS[kind.name] = kind
    _BY_SEGMENT[(kind.parent, kind.segment)] = kind
    for rt in kind.resource_types:
        _BY_RESOURCE_TYPE[rt] = kind
    return kind


def kind_named(name: str) -> Kind | None:
    return _KINDS.get(name)


def kind_for_resource_type(resource_type: str) -> Kind | None:
    return _BY_RESOURCE_TYPE.get(resource_type)


def child_kind(parent: str, segment: str) -> Kind | None:
    return _BY_SEGMENT.get((parent, segment))


def child_kind_by_name(parent: str, name: str) -> Kind | None:
    kind = _KINDS.get(name)
    if kind is None or kind.parent != parent:
        return None
    return kind


def child_kinds(parent: str) -> list[Kind]:
    return [k for (p, _), k in _BY_SEGMENT.items() if p == parent]


def all_kinds() -> list[Kind]:
    return list(_KINDS.values())


@dataclass(frozen=True)
class Resolved:
    """A policy path resolved against the registry."""

    path: str
    kind: Kind | None  # None for /infra itself
    is_collection: bool
    template: str

    @property
    def parent_path(self) -> str:
        return self.path.rsplit("/", 2)[0] if not self.is_collection else self.path.rsplit("/", 1)[0]


def resolve(path: str) -> Resolved | None:
    """Resolve ``/infra/...`` to an object or a collection, or None if invalid."""
    parts = path.strip("/").split("/")
    if not parts or parts[0] != "infra":
        return None
    current = INFRA
    template = "/infra"
    kind: Kind | None = None
    rest = parts[1:]
    i = 0
    while i < len(rest):
        seg = rest[i]
        k = child_kind(current, seg)
        if k is None:
            return None
        template += f"/{seg}"
        if i + 1 == len(rest):
            return Resolved(path, k, True, template)
        if not rest[i + 1]:
            return None
        template += "/{" + k.param + "}"
        kind = k
        current = k.name
        i += 2
    return Resolved(path, kind, False, template)


def kind_of_path(path: str) -> Kind | None:
    r = resolve(path)
    if r is None or r.is_collection:
        return None
    return r.kind
