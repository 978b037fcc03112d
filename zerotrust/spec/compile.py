"""Desired state -> the NSX objects that enforce it (pure; no API calls, no Pulumi).

Where a rule is enforced decides how it is written (ref §6.3, §6.5):

* **VMs (DFW).** A rule is written with the groups' VM side (tags, IPs, nested groups). Pods
  seen from a VM are not pod IPs: a connection from a pod reaches a VM from its node's IP, or
  from its Antrea Egress IP when the pods have one. So a pod group used as a *source* becomes
  its Egress group, which is exactly those pods. Without an Egress the only VM-side stand-in
  would be the node IPs, i.e. every pod of the cluster: too broad to allow and too broad to
  drop, so the pod group is left out at the VM side (write ``cluster:<name>`` to mean the
  whole cluster on purpose: its node IPs and every Egress IP declared for it). A pod group as
  a *destination* has no VM-side meaning either.
* **Pods (Antrea, per registered cluster).** The same section is also written as a policy
  spanned to each cluster whose pods it names, with the groups' pod side (Antrea groups:
  pod / namespace labels). VM-side groups are left out there.

A rule whose source or destination becomes empty at an enforcement point is not written
there (it cannot match anything); an ``applied_to`` with nothing at a point keeps the rule
(or section) off that point, never widens it to ANY. Leaving a value out is by design while
every pair the rule names still meets at some point; a named pair that meets nowhere changes
the rule's meaning and is reported with file, line and fix (``zerotrust/spec/landing.py``
has the rule): a warning in ``DesiredState.warnings``, a problem on a ``strict`` environment.
Sequence numbers are explicit everywhere (ref §5.4): sections by their ``sequence`` (else
file order, in tens), rules in tens in file order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zerotrust.models import Group, SecurityPolicy
from zerotrust.spec import wire
from zerotrust.spec._source import Source, SpecError, where
from zerotrust.spec.landing import Part, Points, describe, lost_pairs, unplaced
from zerotrust.spec.loader import StackSpec
from zerotrust.spec.schema import GroupSpec, NamespaceSelector, PodSelector, RuleSpec, SectionSpec, TagSpec, VmSelector

ADMINS = "admins"
APP_SECTION_BASE = 1000
"""Application sections start here so each app has its own block of sequence numbers."""


@dataclass(frozen=True)
class DesiredGroup:
    """One NSX group and who owns it (``admins`` or ``app:<name>``)."""

    key: str
    owner: str
    group: Group
    cluster: str | None = None
    name: str = ""
    """The group's name in the spec (both sides of a mixed group share it)."""
    may_be_empty: bool = False
    """Members arrive at run time (``may_be_empty`` in the spec): empty is not a defect."""


@dataclass(frozen=True)
class DesiredSection:
    """One NSX security policy; ``cluster`` set when it is enforced in an Antrea cluster."""

    key: str
    owner: str
    policy: SecurityPolicy
    cluster: str | None
    references: tuple[str, ...]
    """NSX ids of the groups its rules and scope name (for dependency order)."""


@dataclass(frozen=True)
class DesiredIntent:
    owner: str
    text: str
    where: str


@dataclass(frozen=True)
class DesiredEgress:
    app: str
    name: str
    cluster: str
    group_id: str
    pods: GroupSpec
    ip: str | None


@dataclass
class DesiredState:
    """Everything one stack asks NSX for, keyed by NSX id."""

    domain: str
    clusters: dict[str, str]
    """cluster name -> its cluster-control-plane name in NSX."""
    groups: dict[str, DesiredGroup] = field(default_factory=dict)
    sections: list[DesiredSection] = field(default_factory=list)
    intents: list[DesiredIntent] = field(default_factory=list)
    egress: list[DesiredEgress] = field(default_factory=list)
    apps: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Parts of rules enforced nowhere, with file, line and fix (problems instead when strict)."""

    def group_path(self, nsx_id: str) -> str:
        return wire.group_path(self.domain, nsx_id)

    def owned_by(self, owner: str) -> tuple[list[DesiredGroup], list[DesiredSection]]:
        return (
            [g for g in self.groups.values() if g.owner == owner],
            [s for s in self.sections if s.owner == owner],
        )


# --- groups ----------------------------------------------------------------------------


def _vm_criterion(selector: VmSelector) -> dict[str, Any]:
    return wire.vm_criterion(selector.tags, selector.name)


def _pod_criterion(selector: PodSelector | NamespaceSelector, namespace: str | None) -> dict[str, Any]:
    if isinstance(selector, NamespaceSelector):
        return wire.namespace_criterion(selector.labels, selector.name)
    return wire.pod_criterion(selector.labels, selector.namespace or namespace)


# --- the compiler ----------------------------------------------------------------------


@dataclass
class _Names:
    """How group names of one file map to NSX ids and sides."""

    vm_side: dict[str, str] = field(default_factory=dict)
    pod_side: dict[str, tuple[str, str]] = field(default_factory=dict)
    """name -> (NSX id of the Antrea group, cluster)."""
    source_for_vms: dict[str, list[str]] = field(default_factory=dict)
    """name -> NSX ids that stand for its pods when seen from a VM (Egress or node group)."""


class _Compiler:
    def __init__(self, stack: StackSpec) -> None:
        self.stack = stack
        env = stack.environment
        self.state = DesiredState(
            domain=env.domain, clusters={n: c.control_plane or n for n, c in env.clusters.items()}
        )
        self.problems: list[str] = []
        self.dropped: list[str] = []
        """Named pairs enforced nowhere (landing.py): warnings, or problems when strict."""
        self.names: dict[str, _Names] = {}
        for cluster in env.clusters:
            self._add(
                f"cluster-{cluster}-nodes",
                ADMINS,
                [wire.cluster_nodes_criterion(cluster)],
                description=f"Node IPs of {cluster}: how its pods look to VMs without an Egress IP",
            )

    def _add(
        self,
        nsx_id: str,
        owner: str,
        expression: list[dict[str, Any]],
        *,
        description: str | None = None,
        antrea: bool = False,
        cluster: str | None = None,
        name: str | None = None,
        display_name: str | None = None,
        tags: list[TagSpec] | None = None,
        where_: str | None = None,
        may_be_empty: bool = False,
    ) -> None:
        body = wire.group_body(
            nsx_id,
            expression,
            display_name=display_name,
            description=description,
            tags=[t.model_dump() for t in tags] if tags else None,
            antrea=antrea,
        )
        self._add_body(nsx_id, owner, body, cluster=cluster, name=name, where_=where_, may_be_empty=may_be_empty)

    def _add_body(
        self,
        nsx_id: str,
        owner: str,
        body: dict[str, Any],
        *,
        cluster: str | None = None,
        name: str | None = None,
        where_: str | None = None,
        may_be_empty: bool = False,
    ) -> None:
        at = where_ or f"group {nsx_id}"
        if nsx_id in self.state.groups:
            self.problems.append(
                f"{at}: the NSX id {nsx_id!r} is used twice ({self.state.groups[nsx_id].owner} and {owner}). "
                "Fix: give one of them another name or id."
            )
            return
        try:
            group = Group.model_validate(body)
        except ValueError as error:
            self.problems.append(f"{at}: {error}")
            return
        self.state.groups[nsx_id] = DesiredGroup(nsx_id, owner, group, cluster, name or nsx_id, may_be_empty)

    def _add_verbatim(self, nsx_id: str, owner: str, spec: GroupSpec, where_: str) -> None:
        """An adopted group kept as NSX has it (``nsx:``), with the spec's identity."""
        body: dict[str, Any] = {**(spec.nsx or {}), "resource_type": "Group", "id": nsx_id}
        body.setdefault("display_name", nsx_id)
        if spec.display_name:
            body["display_name"] = spec.display_name
        if spec.description:
            body["description"] = spec.description
        self._add_body(nsx_id, owner, body, where_=where_)

    def groups(
        self, scope: str, owner: str, groups: dict[str, GroupSpec], prefix: str, app: Any, *, source: Source
    ) -> _Names:
        names = self.names.setdefault(scope, _Names())
        ids = {name: spec.id or f"{prefix}{name}" for name, spec in groups.items()}
        for name, spec in groups.items():
            nsx_id = ids[name]
            where_ = where(source, ("groups", name))
            if spec.verbatim:
                self._add_verbatim(nsx_id, owner, spec, where_)
                names.vm_side[name] = nsx_id
                continue
            if spec.has_vm_side:
                criteria = [_vm_criterion(s) for s in spec.vms]
                nested = [self.state.group_path(ids[g]) for g in spec.groups if g in ids]
                if nested:
                    criteria.append(wire.paths_criterion(nested))
                criteria.extend(wire.ip_expressions(spec.ips))
                self._add(
                    nsx_id,
                    owner,
                    wire.any_of(criteria),
                    description=spec.description,
                    name=nsx_id,
                    display_name=spec.display_name,
                    tags=spec.tags,
                    where_=where_,
                    may_be_empty=spec.may_be_empty,
                )
                names.vm_side[name] = nsx_id
            if spec.has_pods:
                default_cluster = getattr(app, "cluster", None)
                selectors: list[PodSelector | NamespaceSelector] = [*spec.pods, *spec.namespaces]
                clusters = {s.cluster or default_cluster for s in selectors}
                cluster = sorted(c for c in clusters if c)[0]
                pod_id = f"{nsx_id}-pods" if spec.has_vm_side else nsx_id
                namespace = getattr(app, "namespace", None)
                criteria = [_pod_criterion(s, namespace) for s in selectors]
                self._add(
                    pod_id,
                    owner,
                    wire.any_of(criteria),
                    description=spec.description,
                    antrea=True,
                    cluster=cluster,
                    name=nsx_id,
                    display_name=None if spec.has_vm_side else spec.display_name,
                    where_=where_,
                    may_be_empty=spec.may_be_empty,
                )
                names.pod_side[name] = (pod_id, cluster)
        return names

    def egress(self, app_name: str, names: _Names) -> None:
        loaded = self.stack.apps[app_name]
        for egress_name, egress in loaded.spec.egress.items():
            pods = loaded.spec.groups[egress.pods]
            cluster = loaded.spec.cluster or next(s.cluster for s in pods.pods if s.cluster)
            nsx_id = egress_name if egress_name.startswith(f"{app_name}-") else f"{app_name}-{egress_name}"
            expression = [wire.egress_criterion(cluster, egress_name)]
            self._add(nsx_id, f"app:{app_name}", expression, description=f"Egress IP of {app_name}/{egress.pods}")
            names.vm_side[egress_name] = nsx_id
            names.source_for_vms[egress.pods] = [nsx_id]  # exactly these pods, by their Egress IP
            self.state.egress.append(DesiredEgress(app_name, egress_name, cluster, nsx_id, pods, egress.ip))

    # --- sections ---

    def _resolve(self, scope: str, value: str) -> tuple[str, str]:
        """(scope, name) of a reference: ``app/name`` from admins, shared env names from apps."""
        if "/" in value and scope == ADMINS:
            app, name = value.split("/", 1)
            return f"app:{app}", name
        names = self.names.get(scope)
        if names and (value in names.vm_side or value in names.pod_side):
            return scope, value
        return ADMINS, value

    def _side(self, scope: str, values: list[str], *, source: bool, cluster: str | None) -> list[str] | None:
        """NSX ids for one side of a rule at one enforcement point; None means 'any'."""
        if any(v.lower() == "any" for v in values):
            return None
        ids: list[str] = []
        for value in values:
            if value.startswith("cluster:"):
                if cluster is None:  # the whole cluster as VMs see it: node IPs and every Egress IP
                    name = value.removeprefix("cluster:")
                    ids.append(f"cluster-{name}-nodes")
                    ids.extend(e.group_id for e in self.state.egress if e.cluster == name)
                continue
            owner, name = self._resolve(scope, value)
            names = self.names.get(owner, _Names())
            if cluster is None:
                if name in names.vm_side:
                    ids.append(names.vm_side[name])
                if source and name in names.source_for_vms:
                    ids.extend(names.source_for_vms[name])
            elif name in names.pod_side and names.pod_side[name][1] == cluster:
                ids.append(names.pod_side[name][0])
        return sorted(set(ids))

    def _parts(self, scope: str, values: list[str], *, source: bool) -> list[Part]:
        """One rule side as the enforcement points can see it, value by value (landing.py)."""
        whole = {v.removeprefix("cluster:") for v in values if v.startswith("cluster:")}
        parts: list[Part] = []
        for index, value in enumerate(values):
            if value.lower() == "any":
                parts.append(Part(value, index, "any"))
                continue
            if value.startswith("cluster:"):
                parts.append(Part(value, index, "nodes", value.removeprefix("cluster:")))
                continue
            owner, name = self._resolve(scope, value)
            names = self.names.get(owner, _Names())
            if name in names.vm_side:
                parts.append(Part(value, index, "vms"))
            if name in names.pod_side:
                cluster = names.pod_side[name][1]
                seen = (source and name in names.source_for_vms) or cluster in whole
                app = None if owner == ADMINS else owner.removeprefix("app:")
                parts.append(Part(value, index, "pods", cluster, seen, app))
        return parts

    def _applied_at(self, scope: str, values: list[str], cluster: str | None) -> list[str] | None:
        """Applied-To NSX ids at one enforcement point: None = not narrowed, [] = none of it is here.

        Each value lands where its members are: a group's VM side at VMs, its pods in their
        cluster; ``cluster:<name>`` is that whole cluster. An Applied-To with nothing at a point
        keeps the rule (or section) off that point: an empty scope would mean ANY in NSX.
        """
        if not values:
            return None
        if cluster is not None and f"cluster:{cluster}" in values:
            return None
        ids: set[str] = set()
        for value in values:
            if value.startswith("cluster:"):
                continue
            owner, name = self._resolve(scope, value)
            names = self.names.get(owner, _Names())
            pod = names.pod_side.get(name)
            if cluster is None and name in names.vm_side:
                ids.add(names.vm_side[name])
            elif cluster is not None and pod is not None and pod[1] == cluster:
                ids.add(pod[0])
        return sorted(ids)

    def _rule(self, scope: str, rule: RuleSpec, seq: int, cluster: str | None) -> dict[str, Any] | None:
        sources = self._side(scope, rule.sources, source=True, cluster=cluster)
        destinations = self._side(scope, rule.destinations, source=False, cluster=cluster)
        applied = self._applied_at(scope, rule.applied_to, cluster)
        if sources == [] or destinations == [] or applied == []:
            return None
        rule_id = rule.id or rule.name
        return wire.rule_body(
            rule_id,
            display_name=rule.display_name,
            sequence=seq if rule.sequence is None else rule.sequence,
            action=rule.action,
            direction=rule.direction,
            sources=None if sources is None else [self.state.group_path(i) for i in sources],
            destinations=None if destinations is None else [self.state.group_path(i) for i in destinations],
            services=rule.services,
            log=rule.log,
            disabled=rule.disabled,
            notes=rule.notes,
            log_label=rule.log_label,
            scope=[self.state.group_path(i) for i in applied] if applied else None,
        )

    def section(
        self, scope: str, key: str, nsx_id: str, spec: SectionSpec, *, category: str, sequence: int, source: Source
    ) -> None:
        nsx_id = spec.id or nsx_id
        where_ = where(source, ("sections", key))
        if spec.nsx is not None:
            self._verbatim_section(scope, key, nsx_id, spec, category=category, where_=where_)
            return
        points = self._points(scope, spec)
        self._check_landing(scope, key, spec, points, source)
        for cluster in [*([None] if points.vms else []), *points.clusters]:
            section_scope = self._applied_at(scope, spec.applied_to, cluster)
            if section_scope == []:
                continue
            rules = [
                r
                for i, rule in enumerate(spec.rules)
                if (r := self._rule(scope, rule, (i + 1) * 10, cluster)) is not None
            ]
            if not rules:
                continue
            policy_id = nsx_id if cluster is None else f"{nsx_id}-{cluster}"
            body = wire.policy_body(
                policy_id,
                category=category,
                sequence=sequence,
                rules=rules,
                display_name=spec.display_name if cluster is None else None,
                description=spec.description,
                tags=[t.model_dump() for t in spec.tags] if spec.tags else None,
                scope=[self.state.group_path(i) for i in section_scope] if section_scope else None,
            )
            self._add_section(scope, key, body, cluster, where_)

    def _add_section(self, scope: str, key: str, body: dict[str, Any], cluster: str | None, where_: str) -> None:
        if any(s.policy.id == body["id"] for s in self.state.sections):
            self.problems.append(f"{where_}: the NSX id {body['id']!r} is used by another section. Fix: rename one.")
            return
        try:
            policy = SecurityPolicy.model_validate(body)
        except ValueError as error:
            self.problems.append(f"{where_}: {error}")
            return
        rules = [r for r in body.get("rules") or [] if isinstance(r, dict)]
        sides = [[*r.get("source_groups", []), *r.get("destination_groups", []), *r.get("scope", [])] for r in rules]
        paths = [p for side in sides for p in side] + list(body.get("scope") or [])
        refs = sorted({p.rsplit("/", 1)[-1] for p in paths if p.startswith("/infra/domains/")})
        owner = ADMINS if scope == ADMINS else scope
        self.state.sections.append(DesiredSection(key, owner, policy, cluster, tuple(refs)))

    def _verbatim_section(
        self, scope: str, key: str, nsx_id: str, spec: SectionSpec, *, category: str, where_: str
    ) -> None:
        """An adopted section kept as NSX has it (``nsx:``), with the spec's identity and category."""
        body: dict[str, Any] = {**(spec.nsx or {}), "resource_type": "SecurityPolicy", "id": nsx_id}
        body["category"] = category
        body.setdefault("display_name", nsx_id)
        if spec.display_name:
            body["display_name"] = spec.display_name
        clusters = [a.removeprefix("cluster:") for a in spec.applied_to]
        self._add_section(scope, key, body, clusters[0] if clusters else None, where_)

    def _points(self, scope: str, spec: SectionSpec) -> Points:
        """Where a section is enforced: at VMs unless its applied_to names clusters, and in every
        cluster it names or whose pods it names (rules' from, to and applied_to, its applied_to)."""
        named = {a.removeprefix("cluster:") for a in spec.applied_to if a.startswith("cluster:")}
        clusters = set(named)
        values = [*spec.applied_to, *(v for r in spec.rules for v in (*r.sources, *r.destinations, *r.applied_to))]
        for rule in spec.rules:
            clusters.update(a.removeprefix("cluster:") for a in rule.applied_to if a.startswith("cluster:"))
        for value in values:
            if value.lower() == "any" or value.startswith("cluster:"):
                continue
            owner, name = self._resolve(scope, value)
            pod = self.names.get(owner, _Names()).pod_side.get(name)
            if pod:
                clusters.add(pod[1])
        return Points(vms=not named, clusters=tuple(sorted(clusters)))

    def _check_landing(self, scope: str, key: str, spec: SectionSpec, points: Points, source: Source) -> None:
        """Every named pair of every rule must meet at some point of the section (landing.py)."""
        section_parts = self._parts(scope, spec.applied_to, source=False)
        for lost in unplaced(section_parts, points):
            at = where(source, ("sections", key, "applied_to", lost.culprit.index))
            self.dropped.append(describe(lost, at, f"section {key!r}"))
        for index, rule in enumerate(spec.rules):
            found = [
                *lost_pairs(
                    self._parts(scope, rule.sources, source=True),
                    self._parts(scope, rule.destinations, source=False),
                    points,
                ),
                *unplaced(self._parts(scope, rule.applied_to, source=False), points),
            ]
            for lost in found:
                at = where(source, ("sections", key, "rules", index, lost.side, lost.culprit.index))
                self.dropped.append(describe(lost, at, f"rule {rule.name!r}"))


def compile_stack(stack: StackSpec) -> DesiredState:
    """The NSX objects for a loaded stack; raises SpecError (no API call was made)."""
    compiler = _Compiler(stack)
    env = stack.environment
    compiler.state.apps = sorted(stack.apps)
    compiler.groups(ADMINS, ADMINS, env.groups, "", None, source=stack.env_source)
    for app_name, loaded in sorted(stack.apps.items()):
        names = compiler.groups(
            f"app:{app_name}", f"app:{app_name}", loaded.spec.groups, f"{app_name}-", loaded.spec, source=loaded.source
        )
        compiler.egress(app_name, names)
    problems = compiler.problems
    for index, (name, section) in enumerate(env.sections.items()):
        sequence = section.sequence if section.sequence is not None else (index + 1) * 10
        if env.strict:
            problems.extend(_strict_problems(stack.env_source, name, section))
        compiler.section(
            ADMINS, name, name, section, category=section.category, sequence=sequence, source=stack.env_source
        )
    for app_index, (app_name, loaded) in enumerate(sorted(stack.apps.items())):
        for index, (name, app_section) in enumerate(loaded.spec.sections.items()):
            base = APP_SECTION_BASE + app_index * 100
            sequence = app_section.sequence if app_section.sequence is not None else base + (index + 1) * 10
            if env.strict:
                problems.extend(_strict_problems(loaded.source, name, app_section))
            compiler.section(
                f"app:{app_name}",
                name,
                f"{app_name}-{name}",
                app_section,
                category="Application",
                sequence=sequence,
                source=loaded.source,
            )
    for text in env.intents:
        compiler.state.intents.append(DesiredIntent(ADMINS, text, str(stack.env_source.file)))
    for app_name, loaded in sorted(stack.apps.items()):
        compiler.state.intents.extend(
            DesiredIntent(f"app:{app_name}", text, str(loaded.source.file)) for text in loaded.spec.intents
        )
    if env.strict:
        problems.extend(
            f"{line} This environment is strict: a rule must be enforced as written." for line in compiler.dropped
        )
    else:
        compiler.state.warnings.extend(compiler.dropped)
    if problems:
        raise SpecError(problems)
    return compiler.state


def _strict_problems(source: Any, section: str, spec: SectionSpec) -> list[str]:
    """prod: a drop must leave a trace, so every drop/reject rule logs."""
    return [
        f"{where(source, ('sections', section, 'rules', i, 'log'))}: rule {rule.name!r} drops traffic without "
        "logging, which this environment forbids (strict). Fix: add log: true."
        for i, rule in enumerate(spec.rules)
        if rule.action in ("drop", "reject") and not rule.log
    ]
