"""A group's expression entries as NSX returns them: each one a resource of its own.

NSX keeps every entry of a group's ``expression`` (and ``extended_expression``) as a
child object and returns it with the fields of the SDK's ``Expression`` type (vcf-nsx
9.1.1.0 ``Expression``: ``id``, ``path``, ``relative_path``, ``parent_path``,
``unique_id``, ``_create_time``, ``_create_user``, ``_last_modified_time``,
``_revision``, ...). Four kinds can be addressed on their own (vcf-nsx 9.1.1.0
``infra/domains/groups`` routes ``ip-address-expressions``, ``mac-address-expressions``,
``path-expressions``, ``external-id-expressions``), so their paths use those
collections; the collection names of the other kinds are [UNV]. Entries inside a
NestedExpression hang below it.

Entries are stamped when the group is written, so every read (GET, lists, H-API, search)
shows the same ids. An id the client sends is kept (it must be addressable, see
``ids.py``); an entry sent without one takes the id of the stored entry at the same
position when only server fields differ, so echoing a GET back changes nothing;
otherwise it is new and gets a UUID. A kept entry keeps its creation stamps; its
``_revision`` and modification stamps move only when its content changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import deserialization
from .common import SYSTEM_FIELDS, Obj, new_uuid
from .ids import check_id

if TYPE_CHECKING:
    from .writer import Writer

#: expression resource_type -> collection segment under its parent
SEGMENTS = {
    "IPAddressExpression": "ip-address-expressions",
    "MACAddressExpression": "mac-address-expressions",
    "PathExpression": "path-expressions",
    "ExternalIDExpression": "external-id-expressions",
    # no route of their own in the SDK; names chosen by analogy [UNV]
    "Condition": "condition-expressions",
    "ConjunctionOperator": "conjunction-expressions",
    "NestedExpression": "nested-expressions",
    "IdentityGroupExpression": "identity-group-expressions",
    "GeoLocationExpression": "geo-location-expressions",
}
INNER = "expressions"  # a NestedExpression's own list


def segment_of(entry: Obj) -> str:
    """The collection an entry's path puts it in."""
    return SEGMENTS.get(str(entry.get("resource_type")), "expressions")


def content(entry: Obj) -> Obj:
    """What the client said about an entry: no id, no server fields, at any depth."""
    out = {k: v for k, v in entry.items() if k not in SYSTEM_FIELDS and k != "id"}
    if isinstance(out.get(INNER), list):
        out[INNER] = [content(e) if isinstance(e, dict) else e for e in out[INNER]]
    return out


def stamp_expressions(w: Writer, parent: str, entries: list[Any], stored: list[Any] | None) -> list[Obj]:
    """``entries`` with ids, paths and server fields, reusing what ``stored`` had."""
    previous = [e for e in stored or [] if isinstance(e, dict)]
    by_id = {e["id"]: e for e in previous if isinstance(e.get("id"), str)}
    out: list[Obj] = []
    for index, entry in enumerate(entries):
        oid = _entry_id(entry, parent, previous[index] if index < len(previous) else None)
        out.append(_stamped(w, parent, oid, entry, by_id.get(oid)))
    return out


def _entry_id(entry: Obj, parent: str, same_place: Obj | None) -> str:
    given = entry.get("id")
    if given is not None:
        if not isinstance(given, str):
            raise deserialization("property id of an expression expects a string.")
        check_id(given, f"{parent}/{segment_of(entry)}")
        return given
    if same_place is not None and isinstance(same_place.get("id"), str) and content(same_place) == content(entry):
        return str(same_place["id"])
    return new_uuid()


def _stamped(w: Writer, parent: str, oid: str, entry: Obj, prior: Obj | None) -> Obj:
    path = f"{parent}/{segment_of(entry)}/{oid}"
    obj = content(entry)
    before = prior or {}
    if isinstance(entry.get(INNER), list):
        obj[INNER] = stamp_expressions(w, path, entry[INNER], before.get(INNER))
    changed = prior is None or content(before) != content(entry)
    unique = before.get("unique_id") or new_uuid()
    revision = int(before.get("_revision", -1)) + 1 if changed else int(before.get("_revision", 0))
    since = before if not changed else {}
    obj.update(
        {
            "id": oid,
            "path": path,
            "relative_path": oid,
            "parent_path": parent,
            "remote_path": "",
            "unique_id": unique,
            "realization_id": unique,
            "marked_for_delete": False,
            "overridden": False,
            "_system_owned": False,
            "_protection": "NOT_PROTECTED",
            "_create_time": before.get("_create_time", w.now),
            "_create_user": before.get("_create_user", w.user),
            "_last_modified_time": since.get("_last_modified_time", w.now),
            "_last_modified_user": since.get("_last_modified_user", w.user),
            "_revision": revision,
        }
    )
    return obj
