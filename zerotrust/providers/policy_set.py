"""``zerotrust:nsx:PolicySet``: the NSX objects of one domain as ONE engine resource.

Why one resource for many objects (docs/scale.md): the engine's cost grows with the number
of resources (a checkpoint rewrite and a Check/Diff round trip each), so at 13,000 objects
per-object resources lost to Terraform on every wall-clock figure. A set costs the engine
one resource whatever its size, and NSX one hierarchical PATCH per change set.

Inputs: ``domain``, and one map per member type keyed by NSX id, holding the same wire
fields the per-object kinds take (``Group``, ``SecurityPolicy`` ...):

* ``groups``: ``{id: group}``; ``policies``: ``{id: security policy, rules inline}``;
* ``spans``: ``{"<policy id>/<span id>": {"container_cluster_path": ...}}``;
* ``owners``: ``{"<type>/<id>": label}``, who answers for a member (a persona, for
  reviewers and guardrails); never sent to NSX.

Outputs: ``domain``; ``adopted``, members taken over by ``pulumi import`` that do not carry
this stack's ownership tag yet (``<type>/<id>``); and ``applied``, the member maps as this
stack last applied them, which is what stack policies (the guardrails) read. A refresh puts
what NSX has into the inputs and leaves ``applied`` alone, so drift shows as the per-field
diff of the members that changed (the provider's Diff), never as a dump of the whole set
(the engine prints changed outputs in full).

What each operation costs and guarantees:

* check validates only the members that differ from the previous inputs;
* diff compares member by member (equal inputs first, then normal forms), and reports
  per-field paths such as ``policies["web"].rules[2].destination_ports``;
* create reads the domain once, refuses members that exist and are not this stack's, and
  writes the rest in PATCHes of at most 5,000 objects (``_set_plan``);
* update reads only the members that changed (one GET each, or one domain read when many
  did), plans surgical wrappers against what is live (only the changed rules of a policy),
  and PATCHes with ``enforce_revision_check``: a concurrent edit (412) is read and planned
  again, never overwritten blindly;
* delete deletes only members this stack owns (or adopted): policies first, then groups;
* read (refresh, import) is served from one hierarchical GET of the domain.

Every write is planned against live objects, so a re-run after any failure (a killed
``pulumi up``, a 5xx halfway) converges, and a member this stack does not own is never
changed or deleted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from zerotrust.models import FieldChange, NsxObject, normalise
from zerotrust.nsx.errors import NotFound, StaleRevision
from zerotrust.nsx.hierarchy import HAPI_MAX_OBJECTS, PolicyIndex
from zerotrust.providers._context import Context
from zerotrust.providers._kind import COMPUTED_OUTPUTS, Location, PolicyObjectKind
from zerotrust.providers._ownership import NotOwned
from zerotrust.providers._set_members import (
    APPLIED_KEYS,
    BY_KEY,
    BY_MODEL,
    MEMBER_TYPES,
    POLICIES,
    SPANS,
    Key,
    MemberType,
    label,
    parse_label,
)
from zerotrust.providers._set_plan import REPLACE, Plan, Write, patches, replaces

APPLY_ATTEMPTS = 3
"""Plan-and-write rounds when NSX answers 412 (someone changed a member meanwhile)."""
TARGETED_READS = 16
"""Up to this many changed members are read one GET each; more, one read of the domain."""


def _strip_revisions(value: Any) -> Any:
    """Member fields as outputs: no ``_revision`` anywhere (rules carry their own)."""
    if isinstance(value, dict):
        return {k: _strip_revisions(v) for k, v in value.items() if k != "_revision"}
    if isinstance(value, list):
        return [_strip_revisions(v) for v in value]
    return value


class PolicySetKind:
    """Groups, security policies and cluster spans of one domain as one resource."""

    token: ClassVar[str] = "zerotrust:nsx:PolicySet"
    replace_on: frozenset[str] = frozenset({"domain"})
    output_changes: frozenset[str] = frozenset({"adopted"})
    """Members imported and not yet tagged: taking them over is a change of its own."""

    def __init__(self, max_objects: int = HAPI_MAX_OBJECTS) -> None:
        self.max_objects = max_objects
        """Intent objects per PATCH (NSX's H-API limit; tests lower it to see chunking)."""

    # --- shapes -----------------------------------------------------------------------

    @staticmethod
    def members(values: Mapping[str, Any], member_type: MemberType) -> Mapping[str, Any]:
        found = values.get(member_type.key)
        return found if isinstance(found, Mapping) else {}

    def keys(self, values: Mapping[str, Any]) -> set[Key]:
        return {(t.key, member_id) for t in MEMBER_TYPES for member_id in self.members(values, t)}

    def fields(self, values: Mapping[str, Any], key: Key) -> Mapping[str, Any] | None:
        found = self.members(values, BY_KEY[key[0]]).get(key[1])
        return found if isinstance(found, Mapping) else None

    def check(self, inputs: dict[str, Any], olds: Mapping[str, Any] | None = None) -> dict[str, Any]:
        checked = {"domain": "default", **inputs}
        for member_type in MEMBER_TYPES:
            checked.setdefault(member_type.key, {})
        domain = checked["domain"]
        if not isinstance(domain, str) or not domain or "/" in domain:
            raise ValueError(f"{self.token}: field domain: {domain!r} is not an NSX domain id. Fix: e.g. 'default'.")
        same_domain = olds is not None and olds.get("domain") == domain
        problems: list[str] = []
        for member_type in MEMBER_TYPES:
            members = checked[member_type.key]
            if not isinstance(members, Mapping):
                problems.append(
                    f"{self.token}: field {member_type.key}: must map NSX ids to objects. "
                    f"Fix: e.g. {{'web': {{'display_name': 'web'}}}}."
                )
                continue
            previous = self.members(olds or {}, member_type) if same_domain else {}
            for member_id, fields in members.items():
                if previous.get(member_id) == fields:
                    continue  # validated when it was first checked
                problems.extend(self._member_problems(member_type, domain, member_id, fields))
        if problems:
            raise ValueError("\n".join(problems))
        return checked

    def _member_problems(self, member_type: MemberType, domain: str, member_id: str, fields: Any) -> list[str]:
        where = f'{self.token}: {member_type.key}["{member_id}"]'
        if not isinstance(fields, Mapping):
            return [f"{where}: must be an object of NSX fields. Fix: give its fields as a map."]
        if member_type is SPANS and "/" not in member_id:
            return [f"{where}: the key must be '<policy id>/<span id>'. Fix: e.g. 'web/cluster'."]
        try:
            member_type.kind.check(member_type.inputs(domain, member_id, fields))
        except ValueError as error:
            return [str(error)]
        return []

    def resource_id(self, inputs: Mapping[str, Any]) -> str:
        return f"/infra/domains/{inputs.get('domain', 'default')}"

    def planned(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        return self.outputs(inputs, adopted=())

    @staticmethod
    def outputs(
        inputs: Mapping[str, Any], *, adopted: Iterable[str], applied: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        if applied is None:
            applied = {k: inputs[k] for k in APPLIED_KEYS if k in inputs}
        return {"domain": inputs.get("domain", "default"), "adopted": sorted(adopted), "applied": applied}

    # --- diff -------------------------------------------------------------------------

    def member_changes(self, key: Key, domain: str, old: Any, new: Any) -> list[FieldChange]:
        """Field changes of one member (``[]`` when equal or equal in normal form)."""
        if old == new:
            return []
        prefix = f"{key[0]}[{key[1]}]"
        if old is None:
            return [FieldChange(prefix, "added", None, new)]
        if new is None:
            return [FieldChange(prefix, "removed", old, None)]
        member_type = BY_KEY[key[0]]
        found = member_type.kind.changes(
            member_type.inputs(domain, key[1], old), member_type.inputs(domain, key[1], new)
        )
        return [FieldChange(f"{prefix}.{c.path}", c.kind, c.live, c.desired) for c in found]

    def changes(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[FieldChange]:
        domain = str(news.get("domain", "default"))
        found: list[FieldChange] = []
        for key in sorted(self.keys(olds) | self.keys(news)):
            found += self.member_changes(key, domain, self.fields(olds, key), self.fields(news, key))
        if (olds.get("owners") or {}) != (news.get("owners") or {}):
            found.append(FieldChange("owners", "changed", olds.get("owners"), news.get("owners")))
        labels = [(m, parse_label(m)) for m in olds.get("adopted") or []]
        taken = [m for m, key in labels if key is not None and self.fields(news, key) is not None]
        if taken:  # imported, untagged: the next write puts this stack's ownership tag on them
            found.append(FieldChange("adopted", "removed", taken, None))
        return found

    # --- reads ------------------------------------------------------------------------

    def member_fields(self, member_type: MemberType, loc: Location, live: NsxObject) -> dict[str, Any]:
        """A live member in input shape (location, computed outputs and revisions dropped)."""
        outputs = member_type.kind.outputs(loc, live, adopted=False)
        drop = set(member_type.kind.location_fields) | {"policy_id", *COMPUTED_OUTPUTS}
        fields: dict[str, Any] = _strip_revisions({k: v for k, v in outputs.items() if k not in drop})
        return fields

    async def read(
        self, ctx: Context, resource_id: str, olds: Mapping[str, Any] | None
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        domain, listed = parse_id(resource_id)
        index = await ctx.snapshots.domain(domain)
        if olds:
            keys = self.keys(olds)
        elif listed is not None:  # an import names its members; a policy brings its spans
            policies = {member_id for kind, member_id in listed if kind == POLICIES.key}
            spans = {key for key, _ in self._index_members(domain, index) if key[0] == SPANS.key}
            keys = listed | {key for key in spans if key[1].partition("/")[0] in policies}
        else:  # import of the bare domain: what this stack's tag marks as its own
            owned = self._index_members(domain, index)
            keys = {key for key, live in owned if PolicyObjectKind.live_owner(live) == ctx.owner}
        members: dict[str, dict[str, Any]] = {t.key: {} for t in MEMBER_TYPES}
        untagged: list[str] = []
        for key in sorted(keys):
            member_type = BY_KEY[key[0]]
            live = index.get(member_type.path(domain, key[1]))
            if live is None:
                continue
            owner = PolicyObjectKind.live_owner(live)
            if not olds and owner not in (None, ctx.owner):
                raise NotOwned(member_type.path(domain, key[1]), owner, ctx.owner, "import")
            if owner is None:
                untagged.append(label(key))
            known = self.fields(olds, key) if olds else None
            if known is not None and self._holds(member_type, domain, key[1], known, live):
                # Unchanged in NSX's terms: keep the inputs as the program wrote them, so an
                # unchanged estate refreshes to identical inputs (the engine's cheap path).
                members[member_type.key][key[1]] = known
                continue
            loc = member_type.location(domain, key[1])
            members[member_type.key][key[1]] = self.member_fields(member_type, loc, live)
        previously = set(olds.get("adopted") or []) if olds else set(untagged)
        owners = {k: v for k, v in (olds or {}).get("owners", {}).items() if parse_label(k) in keys}
        inputs = {"domain": domain, **members, "owners": owners}
        applied = olds.get("applied") if olds else None
        return self.outputs(inputs, adopted=previously & set(untagged), applied=applied), inputs

    @staticmethod
    def _holds(
        member_type: MemberType, domain: str, member_id: str, fields: Mapping[str, Any], live: NsxObject
    ) -> bool:
        """Whether ``live`` is ``fields`` in normal form (the ownership tag aside)."""
        kind = member_type.kind
        wanted = kind.comparable(kind.body(member_type.inputs(domain, member_id, fields)))
        return normalise(wanted) == normalise(kind.comparable_live(live))

    def _index_members(self, domain: str, index: PolicyIndex) -> Iterable[tuple[Key, NsxObject]]:
        for model, member_type in BY_MODEL.items():
            for path, live in index.of_type(model).items():
                loc = member_type.kind.location_of(path)
                if loc.domain == domain:
                    yield (member_type.key, member_type.member_id(loc)), live

    async def _live(self, ctx: Context, domain: str, keys: set[Key], *, whole: bool) -> dict[Key, NsxObject | None]:
        """The live objects of ``keys``: one read of the domain for a ``whole`` set (create,
        delete) or many members, else one GET each (a few changed members)."""
        if whole or len(keys) > TARGETED_READS:
            index = await ctx.snapshots.domain(domain)
            return {key: index.get(BY_KEY[key[0]].path(domain, key[1])) for key in keys}

        async def one(key: Key) -> NsxObject | None:
            member_type = BY_KEY[key[0]]
            loc = member_type.location(domain, key[1])
            try:
                found: NsxObject = await member_type.kind.collection(ctx, loc).get(loc.nsx_id)
            except NotFound:
                return None
            return found

        ordered = sorted(keys)
        return dict(zip(ordered, await asyncio.gather(*(one(key) for key in ordered)), strict=True))

    # --- writes -----------------------------------------------------------------------

    async def create(self, ctx: Context, inputs: Mapping[str, Any]) -> dict[str, Any]:
        await self._apply(ctx, inputs, self.keys(inputs), adopted=set(), whole=True)
        return self.planned(inputs)

    async def update(
        self, ctx: Context, resource_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]:
        domain = str(news["domain"])
        adopted = {key for key in map(parse_label, olds.get("adopted") or []) if key is not None}
        changed = {
            key
            for key in self.keys(olds) | self.keys(news)
            if self.member_changes(key, domain, self.fields(olds, key), self.fields(news, key))
        }
        changed |= {key for key in adopted if self.fields(news, key) is not None}  # take them over: tag them
        written = await self._apply(ctx, news, changed, adopted=adopted, whole=False)
        still = {k for k in adopted - written if self.fields(news, k) is not None}
        return self.outputs(news, adopted=map(label, still))

    async def delete(self, ctx: Context, resource_id: str, olds: Mapping[str, Any]) -> None:
        domain = str(olds.get("domain") or parse_id(resource_id)[0])
        adopted = {key for key in map(parse_label, olds.get("adopted") or []) if key is not None}
        await self._apply(ctx, {"domain": domain}, self.keys(olds), adopted=adopted, whole=True)

    async def _apply(
        self, ctx: Context, news: Mapping[str, Any], keys: set[Key], *, adopted: set[Key], whole: bool
    ) -> set[Key]:
        """Make the ``keys`` members live as ``news`` has them (absent there: deleted).

        Returns the members written. Read, check ownership, plan, write; on a concurrent
        change (412) all of it again, at most APPLY_ATTEMPTS times.
        """
        domain = str(news["domain"])
        if not keys:
            return set()
        for attempt in range(1, APPLY_ATTEMPTS + 1):
            live = await self._live(ctx, domain, keys, whole=whole)
            self._assert_owned(ctx, domain, live, adopted)
            writes, written = self._plan(ctx, domain, news, live)
            try:
                for body in patches(writes, domain, self.max_objects):
                    await ctx.nsx.hierarchy.patch(body, enforce_revision_check=True)
                return written
            except StaleRevision:
                if attempt == APPLY_ATTEMPTS:
                    raise
            finally:
                if writes:
                    ctx.snapshots.invalidate()
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _assert_owned(ctx: Context, domain: str, live: Mapping[Key, NsxObject | None], adopted: set[Key]) -> None:
        refused: list[tuple[str, str | None]] = []
        for key, obj in sorted(live.items()):
            if obj is None:
                continue
            owner = PolicyObjectKind.live_owner(obj)
            if owner != ctx.owner and not (key in adopted and owner is None):
                refused.append((BY_KEY[key[0]].path(domain, key[1]), owner))
        if refused:
            path, owner = refused[0]
            raise NotOwned(path, owner, ctx.owner, "change", others=len(refused) - 1)

    def _plan(
        self, ctx: Context, domain: str, news: Mapping[str, Any], live: Mapping[Key, NsxObject | None]
    ) -> tuple[list[Write], set[Key]]:
        """The H-API writes that turn the ``live`` members into ``news`` (and which they touch)."""
        plan = Plan()
        gone = {k[1] for k, obj in live.items() if k[0] == POLICIES.key and obj and self.fields(news, k) is None}
        order = [t.key for t in MEMBER_TYPES]
        for key in sorted(live, key=lambda k: (order.index(k[0]), k[1])):
            member_type, current, fields = BY_KEY[key[0]], live[key], self.fields(news, key)
            if fields is None:
                in_deleted_policy = member_type is SPANS and key[1].partition("/")[0] in gone
                if current is not None and not in_deleted_policy:
                    plan.delete(key)
                continue
            desired = member_type.kind.desired(member_type.inputs(domain, key[1], fields), ctx.owner)
            if current is not None and replaces(member_type, current, desired):
                plan.delete(key, phase=REPLACE)  # its own PATCH, before the one that creates it anew
                current = None
            plan.upsert(key, current, desired)
        return plan.finish(), plan.written


def parse_id(resource_id: str) -> tuple[str, set[Key] | None]:
    """``/infra/domains/<d>[?groups=a,b&policies=c&spans=c/s]`` -> (domain, listed members).

    The query lists what ``pulumi import`` should adopt; without one, an import takes the
    members of the domain that carry this stack's ownership tag.
    """
    parts = urlsplit(resource_id)
    segments = parts.path.strip("/").split("/")
    if len(segments) != 3 or segments[:2] != ["infra", "domains"] or not segments[2]:
        raise ValueError(
            f"{PolicySetKind.token} id {resource_id!r} is not a domain path. "
            "Fix: use /infra/domains/<domain>, optionally ?groups=a,b&policies=c&spans=c/cluster."
        )
    if not parts.query:
        return segments[2], None
    listed: set[Key] = set()
    for kind, values in parse_qs(parts.query).items():
        if kind not in BY_KEY:
            raise ValueError(
                f"{PolicySetKind.token} id {resource_id!r}: unknown member type {kind!r}. "
                f"Fix: use {', '.join(sorted(BY_KEY))}."
            )
        listed |= {(kind, member_id) for value in values for member_id in value.split(",") if member_id}
    return segments[2], listed
