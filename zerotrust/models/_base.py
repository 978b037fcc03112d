"""The base every NSX wire model shares: field names, tolerance and the write form.

Two directions, two strictnesses (style anchors, openai-python habit 1):

* **Reading** (``Model.from_live(json)``): a newer NSX may add fields or values we do
  not know. Unknown fields are kept as pydantic extras and the project-level checks
  (ids, limits, "ANY" rules, ...) are skipped, so a refresh never fails on a live
  object that NSX itself accepted.
* **Writing** (``Model(...)`` then ``obj.to_wire()``): constructing a model runs the
  checks that NSX would otherwise reject *after* an API call, and ``to_wire`` sends
  only the fields this project manages, under their NSX names, without ``None``s
  and without any server-populated field (ref §2.2). ``_revision`` is the one system
  field that is sent, because PUT needs it for optimistic concurrency (ref §2.1).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    model_serializer,
    model_validator,
)

__all__ = [
    "LIVE",
    "SERVER_FIELDS",
    "NsxModel",
    "NsxObject",
    "Tag",
    "id_problems",
    "is_live",
    "problem",
    "raise_problems",
    "resource_type_tag",
]

LIVE: Mapping[str, Any] = {"zerotrust_source": "live"}
"""Validation context marking JSON that came from NSX (checks are skipped)."""

_WRITE: Mapping[str, Any] = {"zerotrust_wire": "write"}

SERVER_FIELDS: frozenset[str] = frozenset(
    {
        "_create_time",
        "_create_user",
        "_last_modified_time",
        "_last_modified_user",
        "_links",
        "_protection",
        "_schema",
        "_self",
        "_system_owned",
        "children",
        "internal_sequence_number",
        "is_default",
        "lock_modified_by",
        "lock_modified_time",
        "marked_for_delete",
        "origin_site_id",
        "overridden",
        "owner_id",
        "parent_path",
        "path",
        "realization_id",
        "relative_path",
        "remote_path",
        "rule_count",
        "rule_id",
        "state",
        "unique_id",
    }
)
"""Wire names NSX fills in itself (ref §2.2, §5.1, §5.2); never sent, never compared."""

_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
MAX_ID_LENGTH = 255
MAX_DISPLAY_NAME = 255
MAX_DESCRIPTION = 1024
MAX_TAG_SCOPE = 128
MAX_TAG_VALUE = 256


def resource_type_tag(known: frozenset[str]) -> Callable[[Any], str]:
    """A union discriminator on ``resource_type`` that sends kinds we do not model to ``other``.

    A newer NSX may return expression or entry kinds this project does not know; they are
    read as the union's ``other`` member instead of failing the whole object.
    """

    def tag(value: Any) -> str:
        kind = value.get("resource_type") if isinstance(value, dict) else value.resource_type
        return kind if kind in known else "other"

    return tag


def is_live(info: ValidationInfo) -> bool:
    """True when validating JSON read from NSX, where project checks do not apply."""
    context = info.context
    return isinstance(context, Mapping) and context.get("zerotrust_source") == "live"


def problem(kind: str, ident: str | None, field: str, what: str, fix: str) -> str:
    """One validation message: names the object, the field and the fix."""
    who = f"{kind} {ident!r}" if ident else kind
    return f"{who}: field {field}: {what}. Fix: {fix}."


def raise_problems(problems: Iterable[str]) -> None:
    """Raise all problems found in one object at once, so users fix them in one pass."""
    found = list(problems)
    if found:
        raise ValueError("\n".join(found))


def id_problems(kind: str, owner: str | None, value: str | None, field: str = "id") -> list[str]:
    """NSX ids are the last path segment; keep them to a charset that needs no escaping.

    ``owner`` names the object in the message, ``value`` is the id being checked (they
    differ for child ids such as a service entry's).
    """
    if value is None:
        return [problem(kind, owner, field, "is missing", "give it an id")]
    if len(value) > MAX_ID_LENGTH:
        return [
            problem(
                kind,
                owner if owner != value else value[:40] + "...",
                field,
                f"is {len(value)} characters long (max {MAX_ID_LENGTH})",
                "use a shorter id",
            )
        ]
    if not _ID_PATTERN.match(value):
        return [
            problem(
                kind,
                owner,
                field,
                f"{value!r} contains characters other than letters, digits, '_', '-' "
                "and '.', or does not start with a letter or digit",
                "use an id such as 'web-tier' (no spaces or '/')",
            )
        ]
    return []


class NsxModel(BaseModel):
    """Any JSON object on the NSX wire: tolerant on read, exact on write."""

    model_config = ConfigDict(
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        validate_assignment=False,
    )

    @classmethod
    def from_live(cls, data: Mapping[str, Any]) -> Self:
        """Parse an object as NSX returned it: extra fields kept, project checks skipped."""
        return cls.model_validate(data, context=LIVE)

    def to_wire(self) -> dict[str, Any]:
        """The request body: managed fields only, NSX names, no ``None``, no server fields."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True, context=_WRITE)

    @classmethod
    def _managed_wire_names(cls) -> frozenset[str]:
        cached: frozenset[str] | None = cls.__dict__.get("_zt_managed")
        if cached is None:
            names = {f.alias or name for name, f in cls.model_fields.items()}
            cached = frozenset(names - SERVER_FIELDS)
            cls._zt_managed = cached  # type: ignore[attr-defined]
        return cached

    @model_serializer(mode="wrap")
    def _serialise(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        data = handler(self)
        context = info.context
        if isinstance(context, Mapping) and context.get("zerotrust_wire") == "write":
            managed = type(self)._managed_wire_names()
            data = {key: value for key, value in data.items() if key in managed}
        return data


class Tag(NsxModel):
    """An NSX tag. Kubernetes labels arrive as tags too (label key = scope, ref §6.2)."""

    scope: str = ""
    """Up to 128 characters; empty means "no scope" (ref §2.2)."""
    tag: str = ""
    """Up to 256 characters (ref §2.2)."""

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Self:
        if is_live(info):
            return self
        problems = []
        if len(self.scope) > MAX_TAG_SCOPE:
            problems.append(
                problem(
                    "Tag",
                    self.tag,
                    "scope",
                    f"is {len(self.scope)} characters (max {MAX_TAG_SCOPE})",
                    "shorten the scope",
                )
            )
        if len(self.tag) > MAX_TAG_VALUE:
            problems.append(
                problem(
                    "Tag",
                    self.scope,
                    "tag",
                    f"is {len(self.tag)} characters (max {MAX_TAG_VALUE})",
                    "shorten the tag value",
                )
            )
        raise_problems(problems)
        return self


class NsxObject(NsxModel):
    """A policy object with an id: the common managed and system fields (ref §2.2)."""

    KIND: ClassVar[str] = "object"

    resource_type: str | None = None
    id: str | None = None
    """Last path segment; letters, digits, '_', '-', '.'; at most 255 characters."""
    display_name: str | None = None
    """Up to 255 characters; NSX defaults it to ``id``."""
    description: str | None = None
    """Up to 1024 characters."""
    tags: list[Tag] | None = None

    revision: int | None = Field(default=None, alias="_revision")
    """Optimistic-concurrency token: a PUT with a stale value is refused (ref §2.1)."""
    path: str | None = None
    """Absolute policy path without the ``/policy/api/v1`` prefix (read-only)."""
    parent_path: str | None = None
    relative_path: str | None = None
    unique_id: str | None = None
    marked_for_delete: bool | None = None
    create_time: int | None = Field(default=None, alias="_create_time")
    """Epoch milliseconds (ref §2.2)."""
    last_modified_time: int | None = Field(default=None, alias="_last_modified_time")
    create_user: str | None = Field(default=None, alias="_create_user")
    last_modified_user: str | None = Field(default=None, alias="_last_modified_user")
    system_owned: bool | None = Field(default=None, alias="_system_owned")
    protection: str | None = Field(default=None, alias="_protection")

    def common_problems(self) -> list[str]:
        """Checks shared by every kind: id charset, name and description lengths."""
        kind = self.KIND
        problems = id_problems(kind, self.id, self.id)
        if self.display_name is not None and len(self.display_name) > MAX_DISPLAY_NAME:
            problems.append(
                problem(
                    kind,
                    self.id,
                    "display_name",
                    f"is {len(self.display_name)} characters (max {MAX_DISPLAY_NAME})",
                    "shorten the display name",
                )
            )
        if self.description is not None and len(self.description) > MAX_DESCRIPTION:
            problems.append(
                problem(
                    kind,
                    self.id,
                    "description",
                    f"is {len(self.description)} characters (max {MAX_DESCRIPTION})",
                    "shorten the description",
                )
            )
        return problems
