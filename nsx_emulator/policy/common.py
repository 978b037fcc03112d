"""Fields and helpers shared by every Policy object kind (ref §2.2)."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Iterable
from typing import Any

from ..errors import NsxError, bad_request, deserialization, unrecognized_property

Obj = dict[str, Any]

INT32_MAX = 2147483647

#: Set by the server; accepted on input (clients echo GETs back) but ignored.
SYSTEM_FIELDS = frozenset(
    {
        "_revision",
        "_create_time",
        "_create_user",
        "_last_modified_time",
        "_last_modified_user",
        "_system_owned",
        "_protection",
        "_self",
        "_links",
        "_schema",
        "path",
        "parent_path",
        "relative_path",
        "remote_path",
        "unique_id",
        "realization_id",
        "owner_id",
        "origin_site_id",
        "marked_for_delete",
        "overridden",
    }
)

#: User-settable on every kind.
USER_FIELDS = frozenset({"id", "display_name", "description", "tags", "resource_type", "children"})

COMMON_FIELDS = SYSTEM_FIELDS | USER_FIELDS

#: The literal "any" of rule/policy path lists (ref §5.2, §12.5).
ANY = "ANY"


def check_fields(obj: Obj, allowed: frozenset[str]) -> None:
    """Reject unknown top-level properties like NSX's JSON binder (400/287, ref §3.2)."""
    for name in obj:
        if name not in allowed:
            raise unrecognized_property(name)


def user_fields(obj: Obj) -> Obj:
    return {k: v for k, v in obj.items() if k not in SYSTEM_FIELDS and k != "children"}


def expect(obj: Obj, field: str, kind: type | tuple[type, ...], label: str) -> Any:
    """Type check a field if present; NSX reports wrong JSON types as de-serialization errors."""
    value = obj.get(field)
    if value is None:
        return None
    if isinstance(value, bool) and kind in (int, (int,)):
        raise deserialization(f"property {field} expects {label}, got {type(value).__name__}.")
    if not isinstance(value, kind):
        raise deserialization(f"property {field} expects {label}.")
    return value


def expect_str_list(obj: Obj, field: str) -> list[str] | None:
    value = expect(obj, field, list, "an array")
    if value is None:
        return None
    for item in value:
        if not isinstance(item, str):
            raise deserialization(f"property {field} expects an array of strings.")
    return list(value)


def check_enum(obj: Obj, field: str, allowed: Iterable[str], where: str) -> str | None:
    value = obj.get(field)
    if value is None:
        return None
    allowed_set = tuple(allowed)
    if not isinstance(value, str) or value not in allowed_set:
        raise bad_request(
            f"Invalid value {value!r} for field {field} of {where}; allowed values are {', '.join(allowed_set)}."
        )
    return value


def check_tags(obj: Obj) -> None:
    """Tags are ``{scope, tag}``; scope <= 128 and tag <= 256 chars (ref §2.2)."""
    tags = expect(obj, "tags", list, "an array of Tag")
    if tags is None:
        return
    for tag in tags:
        if not isinstance(tag, dict):
            raise deserialization("property tags expects an array of Tag.")
        for key in tag:
            if key not in ("scope", "tag"):
                raise unrecognized_property(key)
        scope = tag.get("scope", "")
        value = tag.get("tag", "")
        if not isinstance(scope, str) or not isinstance(value, str):
            raise deserialization("Tag scope and tag must be strings.")
        if len(scope) > 128:
            raise bad_request(f"Tag scope {scope!r} is longer than 128 characters.")
        if len(value) > 256:
            raise bad_request(f"Tag {value!r} is longer than 256 characters.")


def check_common(obj: Obj) -> None:
    rev = obj.get("_revision")
    if rev is not None and (not isinstance(rev, int) or isinstance(rev, bool)):
        raise deserialization("property _revision expects an integer.")
    children = obj.get("children")
    if children is not None and not isinstance(children, list):
        raise deserialization("property children expects an array.")
    name = expect(obj, "display_name", str, "a string")
    if name is not None and len(name) > 255:
        raise bad_request("display_name is longer than 255 characters.")
    desc = expect(obj, "description", str, "a string")
    if desc is not None and len(desc) > 1024:
        raise bad_request("description is longer than 1024 characters.")
    check_tags(obj)


def normalize_any_list(values: list[str] | None, field: str, where: str) -> list[str]:
    """``["ANY"]`` is case-insensitive and must stand alone (ref §12.5).

    Missing or empty lists are stored as ``["ANY"]`` (the form NSX returns for
    the default rule, ref §5.2); whether NSX accepts empty lists is [UNV].
    """
    if not values:
        return [ANY]
    if any(v.upper() == ANY for v in values):
        if len(values) != 1:
            raise bad_request(f"Invalid {field} in {where}: ANY must be the only element of the list.")
        return [ANY]
    return values


def paths_in(values: Iterable[str] | None) -> list[str]:
    return [v for v in values or () if isinstance(v, str) and v.startswith("/")]


def ip_family(text: str) -> int | None:
    """Family (4/6) of an IP, CIDR or ``a-b`` range (ref §4.2), or None if not one."""
    text = text.strip()
    try:
        if "/" in text:
            return ipaddress.ip_network(text, strict=False).version
        if "-" in text:
            lo_text, hi_text = text.split("-", 1)
            lo, hi = ipaddress.ip_address(lo_text), ipaddress.ip_address(hi_text)
            if lo.version != hi.version or int(lo) > int(hi):
                return None
            return lo.version
        return ipaddress.ip_address(text).version
    except ValueError:
        return None


def new_uuid() -> str:
    return str(uuid.uuid4())


def raise_if(cond: bool, message: str) -> None:
    if cond:
        raise bad_request(message)


__all__ = [
    "ANY",
    "COMMON_FIELDS",
    "INT32_MAX",
    "SYSTEM_FIELDS",
    "NsxError",
    "Obj",
    "check_common",
    "check_enum",
    "check_fields",
    "expect",
    "expect_str_list",
    "ip_family",
    "new_uuid",
    "normalize_any_list",
    "paths_in",
    "raise_if",
    "user_fields",
]
