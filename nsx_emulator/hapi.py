"""Hierarchical API: ``PATCH /infra`` and filtered ``GET /infra`` (ref §7).

PATCH walks the Child wrapper tree (``{"resource_type": "Child<Type>", "<Type>": {...}}``
and ``ChildResourceReference``), applies every node through the one
:class:`~nsx_emulator.policy.writer.Writer`, validates references against the
final state (so order inside the tree does not matter) and commits once: all or
nothing. ``marked_for_delete`` on a wrapper (or its object) deletes the subtree.
``enforce_revision_check=true`` makes each existing object need its current
``_revision`` (ref §2.1); the default skips the check. Child ids must be addressable
(``policy/ids.py``) and are checked before they become path segments.

GET returns an ``Infra`` whose ``children`` are Child wrappers of the types named
by ``filter`` (``Type-A|B``, or a regex over ``Type-<Name>``) or ``type_filter``
(``A;B``); objects of other types on the way are given as
``ChildResourceReference``. Without any filter only the Infra properties come
back (ref §7), unless ``base_path`` is given, in which case every type is
included. Reads come from memory.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from .errors import bad_request, deserialization, not_found
from .policy.common import COMMON_FIELDS, check_common, check_fields
from .policy.ids import check_id
from .policy.kinds import INFRA, Kind, child_kind_by_name, child_kinds, resolve
from .policy.reads import infra_object
from .policy.writer import Writer
from .store import Store

Obj = dict[str, Any]
MAX_OBJECTS = 5000
INFRA_FIELDS = COMMON_FIELDS | {"connectivity_strategy"}
WRAPPER_FIELDS = frozenset(
    {
        "resource_type",
        "id",
        "marked_for_delete",
        "mark_for_override",
        "children",
        "target_type",
        "request_parameter",
        "path",
        "display_name",
    }
)


def patch_infra(store: Store, user: str, body: Any, *, enforce_revision: bool) -> None:
    if not isinstance(body, dict):
        raise deserialization("expected an Infra JSON object.")
    rt = body.get("resource_type")
    if rt not in (None, "Infra"):
        raise bad_request(f"Invalid resource_type {rt!r} for /infra; expected Infra.")
    check_fields(body, INFRA_FIELDS)
    check_common(body)
    writer = Writer(store, user)
    apply_children(writer, "/infra", INFRA, body.get("children") or [], enforce_revision=enforce_revision)
    writer.finish()


def apply_children(w: Writer, parent: str, parent_kind: str, children: Any, *, enforce_revision: bool = False) -> None:
    """Apply Child wrappers under ``parent`` (also used for ``children`` in plain PATCHes)."""
    _children(w, parent, parent_kind, children, enforce=enforce_revision, counter=[0])


def _children(  # noqa: PLR0912 - one branch per wrapper shape of ref §7
    w: Writer, parent: str, parent_kind: str, children: Any, *, enforce: bool, counter: list[int]
) -> None:
    if not isinstance(children, list):
        raise deserialization("property children expects an array.")
    for wrapper in children:
        if not isinstance(wrapper, dict):
            raise deserialization("property children expects an array of Child objects.")
        rt = wrapper.get("resource_type")
        if not isinstance(rt, str) or not rt.startswith("Child"):
            raise bad_request(f"Invalid child resource_type {rt!r} under path=[{parent}].")
        if rt == "ChildResourceReference":
            kind = child_kind_by_name(parent_kind, str(wrapper.get("target_type")))
            oid = wrapper.get("id")
            if kind is None or not isinstance(oid, str) or not oid:
                raise bad_request(
                    f"Invalid ChildResourceReference under path=[{parent}]: needs id "
                    "and a target_type that can live there."
                )
            check_id(oid, f"{parent}/{kind.segment}")
            path = f"{parent}/{kind.segment}/{oid}"
            if wrapper.get("marked_for_delete"):
                w.delete(path, cascade=True)
                continue
            if not w.view.exists(path):
                raise not_found(path)
            _children(w, path, kind.name, wrapper.get("children") or [], enforce=enforce, counter=counter)
            continue
        type_name = rt[len("Child") :]
        kind = child_kind_by_name(parent_kind, type_name)
        if kind is None:
            raise bad_request(f"{rt} cannot be a child of {parent_kind} (path=[{parent}]).")
        inner = wrapper.get(type_name)
        if not isinstance(inner, dict):
            raise bad_request(f"{rt} under path=[{parent}] needs its object under key {type_name!r}.")
        oid = inner.get("id") or wrapper.get("id")
        if not isinstance(oid, str) or not oid:
            raise bad_request(f"{rt} under path=[{parent}] needs an id.")
        check_id(oid, f"{parent}/{kind.segment}")  # before it becomes a path segment
        counter[0] += 1
        if counter[0] > MAX_OBJECTS:
            raise bad_request(f"A hierarchical request may hold at most {MAX_OBJECTS} objects.")
        path = f"{parent}/{kind.segment}/{oid}"
        if wrapper.get("marked_for_delete") or inner.get("marked_for_delete") is True:
            w.delete(path, cascade=True)
            continue
        body = {k: v for k, v in inner.items() if k not in ("children", "marked_for_delete")}
        w.upsert(path, body, check_revision=enforce)
        _children(w, path, kind.name, inner.get("children") or [], enforce=enforce, counter=counter)


def _type_matcher(params: Mapping[str, str]) -> Callable[[str, str], bool] | None:
    raw_filter = params.get("filter")
    raw_types = params.get("type_filter")
    names: set[str] = set()
    regex: re.Pattern[str] | None = None
    if raw_filter:
        if raw_filter.startswith("Type-"):
            names.update(t.strip() for t in raw_filter[len("Type-") :].split("|") if t.strip())
        else:
            try:
                regex = re.compile(raw_filter)
            except re.error:
                raise bad_request(f"Invalid filter {raw_filter!r}.") from None
    if raw_types:
        names.update(t.strip() for t in re.split(r"[;,|]", raw_types) if t.strip())
    if not names and regex is None:
        return None

    def matches(kind_name: str, resource_type: str) -> bool:
        if kind_name in names or resource_type in names:
            return True
        return regex is not None and bool(regex.fullmatch(f"Type-{kind_name}"))

    return matches


def _dump(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))


def _reference(oid: str, kind_name: str, children: list[str]) -> str:
    return (
        f'{{"resource_type":"ChildResourceReference","id":{_dump(oid)},'
        f'"target_type":{_dump(kind_name)},"children":[{",".join(children)}]}}'
    )


def _with_children(obj_text: str, children: list[str]) -> str:
    if not children:
        return obj_text
    return obj_text[:-1] + ',"children":[' + ",".join(children) + "]}"


def get_infra_json(store: Store, params: Mapping[str, str]) -> bytes:
    """The H-API read, assembled from each object's cached JSON text (it is the
    clients' refresh path, so it avoids re-serialising thousands of objects)."""
    matcher = _type_matcher(params)
    base_path = (params.get("base_path") or "/infra").rstrip("/") or "/infra"
    root = _dump(infra_object())
    if matcher is None and base_path == "/infra":
        return root.encode()
    if matcher is None:

        def matcher(kind_name: str, resource_type: str) -> bool:
            return True

    builder = _TreeBuilder(store, matcher)
    if base_path == "/infra":
        wrapped = builder.children_of("/infra", INFRA)
        return (root[:-1] + ',"children":[' + ",".join(wrapped) + "]}").encode()
    resolved = resolve(base_path)
    if resolved is None or resolved.is_collection or resolved.kind is None or store.get(base_path) is None:
        raise not_found(base_path)
    node = builder.build(base_path, resolved.kind)
    wrapped = [node] if node else []
    # the ancestors between /infra and base_path come as references
    for path, kind in reversed(_ancestors(base_path)):
        wrapped = [_reference(path.rsplit("/", 1)[1], kind.name, wrapped)]
    return (root[:-1] + ',"children":[' + ",".join(wrapped) + "]}").encode()


def _ancestors(path: str) -> list[tuple[str, Kind]]:
    out: list[tuple[str, Kind]] = []
    parts = path.strip("/").split("/")
    for n in range(3, len(parts) - 1, 2):
        p = "/" + "/".join(parts[:n])
        r = resolve(p)
        if r is not None and r.kind is not None and not r.is_collection:
            out.append((p, r.kind))
    return out


class _TreeBuilder:
    def __init__(self, store: Store, matcher: Callable[[str, str], bool]) -> None:
        self.store = store
        self.matcher = matcher

    def children_of(self, path: str, kind_name: str) -> list[str]:
        out: list[str] = []
        segments = self.store.child_segments(path)
        for ckind in child_kinds(kind_name):
            for cpath in segments.get(ckind.segment, ()):
                node = self.build(cpath, ckind)
                if node is not None:
                    out.append(node)
        return out

    def build(self, path: str, kind: Kind) -> str | None:
        obj = self.store.get(path)
        if obj is None:
            return None
        children = self.children_of(path, kind.name)
        if self.matcher(kind.name, str(obj.get("resource_type"))):
            text = self.store.text(path) or _dump(obj)
            if any(spec.field == "service_entries" for spec in kind.inline):
                entries = [self.store.get(p) for p in self.store.children(path, "service-entries")]
                text = _dump({**obj, "service_entries": [e for e in entries if e is not None]})
            return f'{{"resource_type":"Child{kind.name}","{kind.name}":{_with_children(text, children)}}}'
        if children:
            return _reference(obj["id"], kind.name, children)
        return None
