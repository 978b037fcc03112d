"""One write path for every Policy mutation: REST, revise, H-API and seeding.

NSX rules applied here (ref §1.3, §2):
- PATCH creates or updates and merges the given top-level fields into the
  stored object (clients send full objects anyway; ref §1.3 marks merging [UNV]);
- PUT creates, or replaces an existing object only with its current
  ``_revision`` (missing or stale -> 412, ref §2.1);
- every write adds one to ``_revision``, new objects start at 0 (ref §2.1);
- system fields are the server's: ids, paths, users, epoch-ms times (ref §2.2);
- references must resolve and referenced objects cannot be deleted (400/500030);
- the change set is validated against its final state and committed in one
  SQLite transaction, or not at all (ref §7 "atomicity").
Deletes purge immediately instead of lingering as ``marked_for_delete``, so the
500045 "pending delete" error never occurs (a documented simplification).
"""

from __future__ import annotations

import time
from typing import Any

from ..errors import bad_request, deserialization, in_use, not_found, stale_revision
from ..store import Store, View
from . import registry
from .common import COMMON_FIELDS, Obj, check_common, check_fields, new_uuid, user_fields
from .ids import check_id
from .kinds import Kind, child_kind, kind_of_path, resolve

COUNTERS_KEY = "@meta/counters"


class Writer:
    """Collects a change set over a :class:`View`; :meth:`finish` commits it."""

    def __init__(self, store: Store, user: str, *, system: bool = False) -> None:
        self.view = View(store)
        self.user = user
        self.system = system
        self.now = int(time.time() * 1000)
        self.upserted: dict[str, None] = {}
        self.deleted: dict[str, None] = {}

    # --- helpers used by kind modules ------------------------------------------------

    def next_counter(self, name: str, start: int) -> int:
        counters = dict(self.view.get(COUNTERS_KEY) or {})
        value = max(int(counters.get(name, start)), start)
        counters[name] = value + 1
        self.view.put(COUNTERS_KEY, counters)
        return value

    def all_policies(self) -> list[str]:
        out: list[str] = []
        for domain in self.view.children(INFRA_PATH, "domains"):
            out.extend(self.view.children(domain, "security-policies"))
        return out

    # --- writes ---------------------------------------------------------------------

    def upsert(
        self,
        path: str,
        body: Any,
        *,
        replace: bool = False,
        check_revision: bool = False,
        system_owned: bool = False,
    ) -> Obj:
        resolved = resolve(path)
        if resolved is None or resolved.is_collection or resolved.kind is None:
            raise not_found(path)
        kind = resolved.kind
        if not isinstance(body, dict):
            raise deserialization(f"expected a {kind.name} JSON object.")
        if not kind.lenient:
            check_fields(body, COMMON_FIELDS | kind.fields)
        oid = path.rsplit("/", 1)[1]
        parent = path.rsplit("/", 2)[0]
        if parent != INFRA_PATH and not self.view.exists(parent):
            raise not_found(parent)
        if body.get("id") not in (None, oid):
            raise bad_request(f"The id {body.get('id')!r} in the body does not match the id in path=[{path}].")
        rt = body.get("resource_type")
        if rt is not None and rt not in kind.resource_types:
            raise bad_request(
                f"Invalid resource_type {rt!r} for path=[{path}]; expected {' or '.join(kind.resource_types)}."
            )
        check_common(body)
        existing = self.view.get(path)
        self._check_new_id(path, existing)
        if existing is not None and existing.get("_system_owned") and kind.system_read_only and not self.system:
            raise bad_request(f"The object path=[{path}] is system owned and cannot be modified.", 500013)
        if check_revision and existing is not None:
            rev = body.get("_revision")
            if not isinstance(rev, int) or isinstance(rev, bool) or rev != existing["_revision"]:
                raise stale_revision(existing["_revision"], rev)
        incoming = user_fields(body)
        inline_lists = {i.field: incoming.pop(i.field) for i in kind.inline if i.field in incoming}
        obj = incoming if (replace or existing is None) else {**user_fields(existing), **incoming}
        obj["id"] = oid
        obj["resource_type"] = rt or (existing or {}).get("resource_type") or kind.default_resource_type
        if not obj.get("display_name"):
            obj["display_name"] = oid
        kind.normalize(self, path, obj, existing)
        self._stamp(path, obj, existing, system_owned=system_owned)
        self.view.put(path, obj)
        self.upserted[path] = None
        self.deleted.pop(path, None)
        for inline in kind.inline:
            if inline.field in inline_lists:
                self._upsert_inline(
                    path,
                    kind,
                    inline.segment,
                    inline_lists[inline.field],
                    replace=replace,
                    system_owned=system_owned,
                )
        return obj

    def _check_new_id(self, path: str, existing: Obj | None) -> None:
        """A new object's id must be addressable; stored ones were checked when created."""
        if existing is None:
            collection, oid = path.rsplit("/", 1)
            check_id(oid, collection)

    def _upsert_inline(
        self, path: str, kind: Kind, segment: str, items: Any, *, replace: bool, system_owned: bool
    ) -> None:
        if not isinstance(items, list):
            raise deserialization(f"property {segment} expects an array.")
        ckind = child_kind(kind.name, segment)
        assert ckind is not None
        seen: set[str] = set()
        for item in items:
            if not isinstance(item, dict):
                raise deserialization(f"property {segment} expects an array of {ckind.name}.")
            cid = item.get("id") or new_uuid()
            if not isinstance(cid, str):
                raise deserialization("property id expects a string.")
            check_id(cid, f"{path}/{segment}")  # before it becomes a path segment
            cpath = f"{path}/{segment}/{cid}"
            self.upsert(cpath, {**item, "id": cid}, replace=replace, system_owned=system_owned)
            seen.add(cpath)
        if replace:
            for cpath in self.view.children(path, segment):
                if cpath not in seen:
                    self.delete(cpath)

    def _stamp(self, path: str, obj: Obj, existing: Obj | None, *, system_owned: bool) -> None:
        parent, oid = path.rsplit("/", 2)[0], path.rsplit("/", 1)[1]
        if existing is not None:
            rev = int(existing.get("_revision", 0)) + 1
            created, creator = existing["_create_time"], existing["_create_user"]
            uid = existing["unique_id"]
            system_owned = bool(existing.get("_system_owned"))
        else:
            rev, created, creator, uid = 0, self.now, self.user, new_uuid()
        obj.update(
            {
                "path": path,
                "parent_path": parent,
                "relative_path": oid,
                "remote_path": "",
                "unique_id": uid,
                "realization_id": uid,
                "marked_for_delete": False,
                "overridden": False,
                "_system_owned": system_owned,
                "_protection": "NOT_PROTECTED",
                "_create_time": created,
                "_create_user": creator,
                "_last_modified_time": self.now,
                "_last_modified_user": self.user,
                "_revision": rev,
            }
        )

    def delete(self, path: str, *, cascade: bool | None = None) -> bool:
        """Delete ``path`` and, where the kind cascades, its subtree. Missing -> False."""
        resolved = resolve(path)
        if resolved is None or resolved.is_collection or resolved.kind is None:
            raise not_found(path)
        obj = self.view.get(path)
        if obj is None:
            return False
        if obj.get("_system_owned") and not self.system:
            raise bad_request(f"The object path=[{path}] is system owned and cannot be deleted.", 500013)
        do_cascade = resolved.kind.cascade_delete if cascade is None else cascade
        for segment in self.view.child_segments(path):
            children = self.view.children(path, segment)
            if children and not do_cascade:
                raise in_use(path, children)
            for child in children:
                self.delete(child, cascade=True)
        self.view.delete(path)
        self.deleted[path] = None
        self.upserted.pop(path, None)
        return True

    def detach(self, target: str) -> None:
        """Remove references to ``target`` (CCP ``cascade=true``, ref §6.1)."""
        for ref in self.view.referrers(target, registry.object_refs):
            obj = self.view.get(ref)
            if obj is None:
                continue
            if obj.get("container_cluster_path") == target:
                self.delete(ref)
                continue
            body = dict(obj)
            for name in ("scope", "source_groups", "destination_groups"):
                values = body.get(name)
                if isinstance(values, list) and target in values:
                    body[name] = [v for v in values if v != target] or ["ANY"]
            body.pop("rules", None)
            self.upsert(ref, body)

    # --- commit ---------------------------------------------------------------------

    def finish(self) -> None:
        """Validate references and cross-object rules on the final state, then commit."""
        for path in list(self.upserted):
            obj = self.view.get(path)
            kind = kind_of_path(path)
            if obj is None or kind is None:
                continue
            kind.check(self, path, obj)
            for target in kind.refs(obj):
                if not self.view.exists(target):
                    raise bad_request(f"The object path=[{target}] referenced by path=[{path}] does not exist.", 500016)
        for path in self.deleted:
            if self.view.get(path) is None:
                referrers = self.view.referrers(path, registry.object_refs)
                if referrers:
                    raise in_use(path, referrers)
        self.view.commit()


INFRA_PATH = "/infra"
