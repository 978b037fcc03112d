"""Who gets what: a live estate as the two personas' stack files, friendly where exact.

* **Sections** in Emergency, Infrastructure and Environment go to the security admins'
  ``environment.yaml``; Application sections go to app files, split by ``--apps-by``
  (``tag:<scope>`` on the policy, the id's ``prefix``, or one ``unassigned`` app).
* **Groups** go with the one app whose sections alone use them; any other group is the
  admins' (``shared`` when an app's sections use it, so the app may name it).
* **Names** stay readable: the display name where it is unique in the file, the NSX id
  otherwise, spelled as a spec name; ``id``/``display_name`` keep NSX's exactly.
* **Form**: an object is written with the schema's selectors and rule fields when they can
  say exactly what NSX holds, and verbatim under ``nsx:`` otherwise (with the reason). The
  proof is not this module's guess: ``verify.py`` compiles the files and compares every
  object with NSX, and what does not match exactly is made verbatim.
* **Skipped**, with why: NSX's own (default and system-owned) objects, other stacks'
  objects, Ethernet sections, sections spanned to Antrea clusters, other domains.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from zerotrust.adopt.live import LiveEstate
from zerotrust.models import NsxObject
from zerotrust.models.normal_form import without_defaults
from zerotrust.models.policy_set import import_id
from zerotrust.providers._ownership import owner_of, without_owner

__all__ = ["ADMINS", "Adoption", "Entry", "Skipped", "plan_adoption", "slug"]

ADMINS = "environment"
"""The file of the security admins (environment.yaml); app files are named after the app."""
ADMIN_CATEGORIES = ("Emergency", "Infrastructure", "Environment")
UNASSIGNED = "unassigned"
ACTIONS = {"ALLOW": "allow", "DROP": "drop", "REJECT": "reject", "JUMP_TO_APPLICATION": "jump_to_application"}
DIRECTIONS = {"IN": "in", "OUT": "out"}
_NOT_NAME = re.compile(r"[^a-z0-9]+")
POLICY_FIELDS = frozenset({"display_name", "description", "category", "sequence_number", "scope", "rules", "tags"})
"""What a friendly section can say of a policy; anything else keeps it verbatim."""
RULE_FIELDS = frozenset(
    {
        "id",
        "display_name",
        "sequence_number",
        "action",
        "source_groups",
        "destination_groups",
        "services",
        "service_entries",
        "direction",
        "logged",
        "disabled",
        "notes",
        "scope",
        "tag",
        "resource_type",
    }
)
"""What a friendly rule can say (the wire without NSX's defaults); anything else keeps the
section verbatim (negated sides, an IP protocol, context profiles ...)."""


def slug(text: str) -> str:
    """``Web Servers (prod)`` -> ``web-servers-prod``: a valid spec name."""
    name = _NOT_NAME.sub("-", text.lower()).strip("-")[:50].strip("-")
    return name or "unnamed"


@dataclass
class Entry:
    """One adopted object as it goes into a file."""

    kind: str
    """``groups`` or ``sections``."""
    nsx_id: str
    file: str
    name: str
    spec: dict[str, Any] = field(default_factory=dict)
    verbatim: str | None = None
    """Why it is kept under ``nsx:`` (None: written with the schema's fields)."""

    @property
    def comment(self) -> str:
        notes = []
        if self.name != self.nsx_id:
            notes.append(f"NSX id {self.nsx_id!r}")
        if self.verbatim:
            notes.append(f"kept verbatim: {self.verbatim}")
        return "; ".join(notes)


@dataclass(frozen=True)
class Skipped:
    kind: str
    nsx_id: str
    reason: str


@dataclass
class Adoption:
    """The files to write, what went where, and the import plan's set id."""

    domain: str
    entries: list[Entry]
    skipped: list[Skipped]

    @property
    def files(self) -> list[str]:
        return sorted({e.file for e in self.entries} | {ADMINS}, key=lambda f: (f != ADMINS, f))

    def entry(self, kind: str, nsx_id: str) -> Entry | None:
        return next((e for e in self.entries if e.kind == kind and e.nsx_id == nsx_id), None)

    def import_id(self) -> str:
        return import_id(
            self.domain,
            {
                "groups": [e.nsx_id for e in self.entries if e.kind == "groups"],
                "policies": [e.nsx_id for e in self.entries if e.kind == "sections"],
            },
        )


def _wire(obj: NsxObject) -> dict[str, Any]:
    """What we manage of a live object as a person would write it: without identity,
    revisions, this project's tag, or values NSX fills in by default."""
    body = without_defaults(obj.to_wire())
    for key in ("id", "resource_type", "_revision", "path"):
        body.pop(key, None)
    tags = without_owner(body.get("tags"))
    if tags:
        body["tags"] = tags
    else:
        body.pop("tags", None)
    for rule in body.get("rules") or []:
        rule.pop("_revision", None)
    return body


def _app_of(policy: NsxObject, apps_by: str) -> str:
    if apps_by.startswith("tag:"):
        scope = apps_by.removeprefix("tag:")
        values = [t.tag for t in policy.tags or [] if t.scope == scope and t.tag]
        return slug(values[0]) if values else UNASSIGNED
    if apps_by == "prefix":
        head = re.split(r"[-_.]", str(policy.id), maxsplit=1)[0]
        return slug(head) if head and head != policy.id else UNASSIGNED
    return UNASSIGNED


def _referenced_groups(body: Mapping[str, Any], domain: str) -> set[str]:
    """Group ids a policy (its scope and its rules) or a group (nested paths) names."""
    prefix = f"/infra/domains/{domain}/groups/"
    paths: list[str] = list(body.get("scope") or [])
    for rule in body.get("rules") or []:
        paths += [*rule.get("source_groups", []), *rule.get("destination_groups", []), *rule.get("scope", [])]
    for expression in body.get("expression") or []:
        paths += expression.get("paths") or []
        for inner in expression.get("expressions") or []:
            paths += inner.get("paths") or []
    return {p.removeprefix(prefix) for p in paths if isinstance(p, str) and p.startswith(prefix)}


class _Planner:
    def __init__(self, live: LiveEstate, *, owner: str, apps_by: str) -> None:
        self.live = live
        self.owner = owner
        self.apps_by = apps_by
        self.skipped: list[Skipped] = []
        self.entries: list[Entry] = []

    def run(self, verbatim: set[tuple[str, str]]) -> Adoption:
        policies = {pid: p for pid, p in sorted(self.live.policies.items()) if self._keep_policy(pid, p)}
        groups = {gid: g for gid, g in sorted(self.live.groups.items()) if self._keep_group(gid, g)}
        files = {pid: self._file_of(p) for pid, p in policies.items()}
        users: dict[str, set[str]] = {gid: set() for gid in groups}
        for pid, policy in policies.items():
            for gid in _referenced_groups(_wire(policy), self.live.domain) & set(groups):
                users[gid].add(files[pid])
        for gid, group in groups.items():  # a nested group serves whoever uses its parent
            for nested in _referenced_groups(_wire(group), self.live.domain) & set(groups):
                users[nested] |= users[gid] or {ADMINS}
        group_files = {gid: next(iter(u)) if len(u) == 1 else ADMINS for gid, u in users.items()}
        names = self._names(groups, group_files, policies, files)
        for gid, group in groups.items():
            shared = group_files[gid] == ADMINS and any(u != ADMINS for u in users[gid])
            entry = Entry("groups", gid, group_files[gid], names[("groups", gid)])
            self._group(entry, group, names, group_files, shared, forced=("groups", gid) in verbatim)
            self.entries.append(entry)
        for pid, policy in policies.items():
            entry = Entry("sections", pid, files[pid], names[("sections", pid)])
            self._section(entry, policy, names, group_files, forced=("sections", pid) in verbatim)
            self.entries.append(entry)
        return Adoption(self.live.domain, self.entries, self.skipped)

    def _file_of(self, policy: Any) -> str:
        return ADMINS if policy.category in ADMIN_CATEGORIES else _app_of(policy, self.apps_by)

    # --- what is adopted ---

    def _foreign(self, kind: str, nsx_id: str, obj: NsxObject) -> bool:
        held = owner_of([t.model_dump() for t in obj.tags or []])
        if held not in (None, self.owner):
            self.skipped.append(Skipped(kind, nsx_id, f"managed by stack {held!r}"))
            return True
        if obj.system_owned:
            self.skipped.append(Skipped(kind, nsx_id, "NSX's own (system-owned)"))
            return True
        return False

    def _keep_policy(self, pid: str, policy: Any) -> bool:
        if self._foreign("sections", pid, policy):
            return False
        if policy.is_default or policy.category not in (*ADMIN_CATEGORIES, "Application"):
            self.skipped.append(Skipped("sections", pid, f"NSX's default section or category {policy.category}"))
            return False
        if self.live.spans.get(pid):
            self.skipped.append(
                Skipped("sections", pid, "spanned to an Antrea cluster: declare the cluster, then adopt it")
            )
            return False
        return True

    def _keep_group(self, gid: str, group: NsxObject) -> bool:
        return not self._foreign("groups", gid, group)

    # --- names ---

    def _names(
        self,
        groups: Mapping[str, NsxObject],
        group_files: Mapping[str, str],
        policies: Mapping[str, NsxObject],
        files: Mapping[str, str],
    ) -> dict[tuple[str, str], str]:
        """Readable, unique per file: the display name where unique, else the NSX id."""
        names: dict[tuple[str, str], str] = {}
        for kind, objects, where in (("groups", groups, group_files), ("sections", policies, files)):
            by_file: dict[str, list[str]] = {}
            for oid in objects:
                by_file.setdefault(where[oid], []).append(oid)
            for ids in by_file.values():
                wanted = {oid: slug(objects[oid].display_name or oid) for oid in ids}
                counts: dict[str, int] = {}
                for value in wanted.values():
                    counts[value] = counts.get(value, 0) + 1
                taken: set[str] = set()
                for oid in ids:
                    name = wanted[oid] if counts[wanted[oid]] == 1 else slug(oid)
                    base, n = name, 2
                    while name in taken:
                        name, n = f"{base[:46]}-{n}", n + 1
                    taken.add(name)
                    names[(kind, oid)] = name
        return names

    def _ref(self, gid: str, file: str, names: Mapping[tuple[str, str], str], group_files: Mapping[str, str]) -> str:
        """How ``file`` names group ``gid``: its name, or ``<app>/<name>`` from the admins'."""
        home = group_files[gid]
        name = names[("groups", gid)]
        return f"{home}/{name}" if file == ADMINS and home != ADMINS else name

    # --- groups ---

    def _group(
        self,
        entry: Entry,
        group: NsxObject,
        names: Mapping[tuple[str, str], str],
        group_files: Mapping[str, str],
        shared: bool,
        *,
        forced: bool,
    ) -> None:
        body = _wire(group)
        spec: dict[str, Any] = {}
        if entry.nsx_id != self._derived(entry):
            spec["id"] = entry.nsx_id
        display = body.pop("display_name", None)
        if display and display != entry.nsx_id:
            spec["display_name"] = display
        where = _Where(self.live.domain, entry.file, names, group_files)
        friendly = None if forced else _friendly_group(body, where)
        if friendly is None:
            entry.verbatim = "does not match NSX exactly in selectors" if forced else _group_reason(body)
            spec["nsx"] = body
        else:
            if body.get("description"):
                spec["description"] = body["description"]
            spec.update(friendly)
        if shared:
            spec["shared"] = True
        entry.spec = spec

    @staticmethod
    def _derived(entry: Entry) -> str:
        """The NSX id the compiler derives from the name (an app's objects get ``<app>-``)."""
        return entry.name if entry.file == ADMINS else f"{entry.file}-{entry.name}"

    # --- sections ---

    def _section(
        self,
        entry: Entry,
        policy: NsxObject,
        names: Mapping[tuple[str, str], str],
        group_files: Mapping[str, str],
        *,
        forced: bool,
    ) -> None:
        body = _wire(policy)
        category = body.pop("category", None)
        spec: dict[str, Any] = {}
        if entry.file == ADMINS:
            spec["category"] = category
        if entry.nsx_id != self._derived(entry):
            spec["id"] = entry.nsx_id
        display = body.pop("display_name", None)
        if display and display != entry.nsx_id:
            spec["display_name"] = display
        ref = {gid: self._ref(gid, entry.file, names, group_files) for gid in group_files}
        friendly = None if forced else _friendly_section(body, self.live, ref)
        if friendly is None:
            entry.verbatim = "does not match NSX exactly in rule fields" if forced else _section_reason(body)
            spec["nsx"] = body
        else:
            spec.update(friendly)
        entry.spec = spec


def _group_reason(body: Mapping[str, Any]) -> str:
    if body.get("group_type"):
        return f"group_type {body['group_type']}"
    kinds = sorted({str(e.get("resource_type")) for e in body.get("expression") or []} - {"ConjunctionOperator"})
    return f"its expression ({', '.join(kinds) or 'empty'}) has no selector here"


def _section_reason(body: Mapping[str, Any]) -> str:
    extra = sorted(set(body) - POLICY_FIELDS)
    if extra:
        return f"policy fields {', '.join(extra)}"
    return "rules use fields or references the rule schema cannot express"


# --- translation ------------------------------------------------------------------------


def _pairs(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
    """Operands and the conjunctions between them (None: not an alternation of the two)."""
    operands, operators = items[0::2], items[1::2]
    if any(op.get("resource_type") != "ConjunctionOperator" for op in operators):
        return None
    if any(op.get("resource_type") == "ConjunctionOperator" for op in operands):
        return None
    return operands, operators


def _vm_selector(conditions: Iterable[Mapping[str, Any]]) -> dict[str, Any] | None:
    tags: dict[str, str] = {}
    name: str | None = None
    for c in conditions:
        if c.get("resource_type") != "Condition" or c.get("member_type") != "VirtualMachine":
            return None
        if c.get("operator", "EQUALS") != "EQUALS" or c.get("scope_operator", "EQUALS") != "EQUALS":
            return None
        value = str(c.get("value", ""))
        if c.get("key") == "Tag":
            scope, _, tag = value.partition("|")
            if not scope or not tag or "|" in tag or scope in tags:
                return None
            tags[scope] = tag
        elif c.get("key") == "Name" and name is None:
            name = value
        else:
            return None
    selector: dict[str, Any] = {}
    if tags:
        selector["tags"] = tags
    if name is not None:
        selector["name"] = name
    return selector or None


@dataclass(frozen=True)
class _Where:
    """What a group's criteria may name: groups of the same file, by name."""

    domain: str
    file: str
    names: Mapping[tuple[str, str], str]
    group_files: Mapping[str, str]


def _friendly_group(body: Mapping[str, Any], where: _Where) -> dict[str, Any] | None:
    if set(body) - {"expression", "description", "tags"}:
        return None  # group_type ...: kept verbatim
    split = _pairs(list(body.get("expression") or []))
    if split is None or any(op.get("conjunction_operator") != "OR" for op in split[1]):
        return None
    spec: dict[str, list[Any]] = {}
    for criterion in split[0]:
        if not _add_criterion(spec, criterion, where):
            return None
    found: dict[str, Any] = {k: spec[k] for k in ("vms", "groups", "ips") if k in spec}
    if found and body.get("tags"):
        found["tags"] = body["tags"]
    return found or None


def _add_criterion(spec: dict[str, list[Any]], criterion: Mapping[str, Any], where: _Where) -> bool:
    """Add one OR-ed criterion of a group to ``spec``; False when no selector says it."""
    kind = criterion.get("resource_type")
    if kind == "IPAddressExpression":
        spec.setdefault("ips", []).extend(criterion.get("ip_addresses") or [])
        return True
    if kind == "PathExpression":
        prefix = f"/infra/domains/{where.domain}/groups/"
        for path in criterion.get("paths") or []:
            gid = str(path).removeprefix(prefix)
            if not str(path).startswith(prefix) or where.group_files.get(gid) != where.file:
                return False  # nested by name only within one file
            spec.setdefault("groups", []).append(where.names[("groups", gid)])
        return True
    conditions: list[dict[str, Any]] | None = [dict(criterion)] if kind == "Condition" else None
    if kind == "NestedExpression":
        inner = _pairs(list(criterion.get("expressions") or []))
        if inner is not None and all(op.get("conjunction_operator") == "AND" for op in inner[1]):
            conditions = inner[0]
    selector = _vm_selector(conditions) if conditions else None
    if selector is None:
        return False
    spec.setdefault("vms", []).append(selector)
    return True


def _service(entry: Mapping[str, Any]) -> str | None:
    kind = entry.get("resource_type")
    if kind == "L4PortSetServiceEntry" and not entry.get("source_ports"):
        ports = entry.get("destination_ports") or []
        if len(ports) == 1:
            return f"{str(entry.get('l4_protocol')).lower()}/{ports[0]}"
    plain_icmp = entry.get("icmp_type") is None and entry.get("icmp_code") is None
    if kind == "ICMPTypeServiceEntry" and entry.get("protocol") == "ICMPv4" and plain_icmp:
        return "icmp"
    return None


def _side(paths: list[str], ref: Mapping[str, str], domain: str) -> list[str] | str | None:
    if not paths or [p.upper() for p in paths] == ["ANY"]:
        return "any"
    prefix = f"/infra/domains/{domain}/groups/"
    out = []
    for path in paths:
        gid = path.removeprefix(prefix)
        if not path.startswith(prefix) or gid not in ref:
            return None  # an IP literal, another domain, a group not adopted
        out.append(ref[gid])
    return out


def _expressible(rule: Mapping[str, Any]) -> bool:
    """Whether the rule schema has a field for everything this rule says."""
    return not set(rule) - RULE_FIELDS and rule.get("action") in ACTIONS


def _services(rule: Mapping[str, Any]) -> list[str] | None:
    services = [str(s) for s in rule.get("services") or [] if str(s).upper() != "ANY"]
    for entry in rule.get("service_entries") or []:
        text = _service(entry)
        if text is None:
            return None
        services.append(text)
    return services


def _friendly_rule(rule: Mapping[str, Any], index: int, ref: Mapping[str, str], domain: str) -> dict[str, Any] | None:
    if not _expressible(rule):
        return None
    sources = _side(list(rule.get("source_groups") or []), ref, domain)
    destinations = _side(list(rule.get("destination_groups") or []), ref, domain)
    applied = _side(list(rule.get("scope") or []), ref, domain)
    services = _services(rule)
    if sources is None or destinations is None or applied is None or services is None:
        return None
    rule_id = str(rule.get("id"))
    spec: dict[str, Any] = {"name": slug(rule_id)}
    if spec["name"] != rule_id:
        spec["id"] = rule_id
    if rule.get("display_name") not in (None, rule_id):
        spec["display_name"] = rule["display_name"]
    if rule.get("sequence_number") != (index + 1) * 10:
        spec["sequence"] = rule.get("sequence_number")
    spec["from"], spec["to"] = sources, destinations
    if services:
        spec["services"] = services
    spec["action"] = ACTIONS[str(rule["action"])]
    optional = {
        "direction": DIRECTIONS.get(str(rule.get("direction"))),
        "log": True if rule.get("logged") else None,
        "disabled": True if rule.get("disabled") else None,
        "notes": rule.get("notes") or None,
        "log_label": rule.get("tag") or None,
        "applied_to": applied if applied != "any" else None,
    }
    spec.update({k: v for k, v in optional.items() if v is not None})
    return spec


def _friendly_section(body: Mapping[str, Any], live: LiveEstate, ref: Mapping[str, str]) -> dict[str, Any] | None:
    if set(body) - POLICY_FIELDS:
        return None
    spec: dict[str, Any] = {}
    if body.get("description"):
        spec["description"] = body["description"]
    if body.get("tags"):
        spec["tags"] = body["tags"]
    spec["sequence"] = body.get("sequence_number")
    scope = _side(list(body.get("scope") or []), ref, live.domain)
    if scope is None:
        return None
    if scope != "any":
        spec["applied_to"] = scope
    rules = sorted(body.get("rules") or [], key=lambda r: (r.get("sequence_number") is None, r.get("sequence_number")))
    translated = [_friendly_rule(rule, i, ref, live.domain) for i, rule in enumerate(rules)]
    if not translated or any(r is None for r in translated):
        return None
    if len({r["name"] for r in translated if r}) != len(translated):
        return None  # two rule ids spell the same name
    spec["rules"] = translated
    return spec


def plan_adoption(
    live: LiveEstate, *, owner: str, apps_by: str, verbatim: set[tuple[str, str]] | None = None
) -> Adoption:
    """The adoption of ``live`` by the stack ``owner`` (``<project>/<stack>``).

    ``verbatim``: (kind, NSX id) of objects to keep verbatim whatever they look like (what a
    previous round's verification found inexact).
    """
    return _Planner(live, owner=owner, apps_by=apps_by).run(verbatim or set())
