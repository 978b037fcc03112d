"""NSX DFW policies compiled to ordered rule lists, and the first-match walk.

Semantics (verification.md §4.1, §4.2; nsx-policy-api.md §5, §6.3):
* Categories in order Ethernet, Emergency, Infrastructure, Environment, Application, then
  policies without a category; policies by ``sequence_number``, rules by ``sequence_number``;
  first match wins; disabled rules are skipped; equal numbers that both match are an error.
  Ethernet (layer 2) comes first and can only stop a packet: its ALLOW hands the packet to the
  layer-3 categories (§4.1.1), which decide.
* Applied-To: the policy ``scope`` overrides the rule ``scope`` when it is not ANY.
* Where: a rule's OUT part is evaluated at the source for sources in
  ``source_groups`` and its IN part at the destination for destinations in
  ``destination_groups``, both restricted to the Applied-To and to ``direction``.
* JUMP_TO_APPLICATION (Environment only) ends the Environment category and continues
  with Application. On an Antrea-spanned policy it is refused ([UNV] §4.2.3): ERROR.
* The default rule is whatever the configuration's ``default-layer3-section`` says; with
  no such section and no match, the verdict is ERROR (the action is never assumed).
* A policy spanned to a registered Antrea cluster (a cluster-control-plane path in its
  scope, a rule's scope, or a container-cluster-span child) is realised in the cluster
  (tiers ``nsx-category-*``) and is evaluated for that cluster's pods, not at VMs. Its
  rules follow the realisation (§6.3): sources only -> ingress, destinations only ->
  egress, any-any -> both. Pods never see the default-layer3-section ([UNV] §4.2.4).
* Rules with L7 context profiles cannot be decided from L3/L4: skipped, noted in the chain.
* ``connectivity_strategy``/``connectivity_preference`` other than NONE adds an any-any
  rule after the policy's rules within its scope: ALLOWLIST/WHITELIST drop, DENYLIST/BLACKLIST
  allow ([INF] from the names, §5.1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from zerotrust.evaluator.addresses import IPSet, parse_range
from zerotrust.evaluator.flows import Flow
from zerotrust.evaluator.ordering import FirstMatch, first_match, tie_groups
from zerotrust.evaluator.services import ServiceTest, compile_entries
from zerotrust.evaluator.verdict import Step
from zerotrust.models import Rule, SecurityPolicy, Service

__all__ = [
    "ANTREA_TIER_OF",
    "CATEGORY_ORDER",
    "NsxPolicy",
    "NsxRule",
    "NsxRules",
    "Point",
    "SideTest",
    "WalkOutcome",
    "compile_nsx",
    "rule_action",
    "scope_applies",
    "walk_nsx",
]

CATEGORY_ORDER: tuple[str, ...] = ("Ethernet", "Emergency", "Infrastructure", "Environment", "Application", "")
"""DFW evaluation order; ``""`` = policies without a category, after all four (§5.4)."""
ANTREA_TIER_OF: Mapping[str, str] = {
    "Emergency": "nsx-category-emergency",
    "Infrastructure": "nsx-category-infrastructure",
    "Environment": "nsx-category-environment",
    "Application": "nsx-category-application",
}
"""Antrea tiers (priorities 1-4) NSX policies are realised in (antrea.md §4.5)."""
DEFAULT_SECTION_ID = "default-layer3-section"
_ALLOWLIST = frozenset({"WHITELIST", "WHITELIST_ENABLE_LOGGING", "ALLOWLIST", "ALLOWLIST_ENABLE_LOGGING"})
_DENYLIST = frozenset({"BLACKLIST", "BLACKLIST_ENABLE_LOGGING", "DENYLIST", "DENYLIST_ENABLE_LOGGING"})
_CCP = "/cluster-control-planes/"


@dataclass(frozen=True)
class SideTest:
    """Sources or destinations of a rule: ANY, group paths, IP literals; optionally negated."""

    any: bool
    groups: frozenset[str] = frozenset()
    ips: IPSet = field(default_factory=IPSet)
    excluded: bool = False

    def matches(self, groups: frozenset[str], ip: int) -> bool:
        """Membership by group or address, then the ``*_excluded`` negation."""
        hit = self.any or not self.groups.isdisjoint(groups) or (bool(self.ips) and ip in self.ips)
        return hit != self.excluded


@dataclass(frozen=True)
class NsxRule:
    """A rule ready to match; ``clusters`` non-empty = realised in those Antrea clusters."""

    path: str
    name: str
    policy_path: str
    category: str
    sequence: int
    action: str
    disabled: bool
    sources: SideTest
    destinations: SideTest
    services: ServiceTest
    directions: frozenset[str]
    ip_versions: frozenset[int]
    has_profiles: bool
    scope_groups: frozenset[str] | None
    """Applied-To groups in effect; ``None`` = everywhere (ANY)."""
    clusters: frozenset[str]
    is_default: bool = False


@dataclass(frozen=True)
class NsxPolicy:
    """A policy with its rules grouped by sequence number (ties grouped together)."""

    path: str
    category: str
    sequence: int
    rule_groups: tuple[tuple[NsxRule, ...], ...]


@dataclass
class NsxRules:
    """All policies by category, plus what the compiler could not model."""

    by_category: dict[str, tuple[tuple[NsxPolicy, ...], ...]]
    rules: list[NsxRule]
    has_default_section: bool
    problems: list[str]
    local_cache: dict[tuple[str, str], dict[str, tuple[tuple[NsxPolicy, ...], ...]]] = field(default_factory=dict)
    _index: dict[str, dict[str, set[int]]] = field(default_factory=dict)

    def _build_index(self) -> None:
        """Rule ids by the groups of their own side; ``""`` = rules any point may hold (ANY, IPs, negation)."""
        for direction in ("IN", "OUT"):
            table: dict[str, set[int]] = {"": set()}
            for rule in self.rules:
                own = rule.sources if direction == "OUT" else rule.destinations
                if own.any or own.excluded or own.ips or (rule.scope_groups is None and not own.groups):
                    table[""].add(id(rule))
                for group in own.groups:
                    table.setdefault(group, set()).add(id(rule))
                if scope_applies is not _SCOPE_APPLIES:  # a mutated Applied-To test: no index shortcut
                    table[""].add(id(rule))
            self._index[direction] = table

    """Per (point, direction): the policies and rules whose Applied-To and own side hold there."""

    def at_point(self, point: Point, direction: str) -> dict[str, tuple[tuple[NsxPolicy, ...], ...]]:
        """Rules filtered by what depends only on the enforcement point (cached): keeps queries fast."""
        key = (point.label, direction)
        cached = self.local_cache.get(key)
        if cached is None:
            if not self._index:
                self._build_index()
            index = self._index[direction]
            candidates = set(index.get("", ()))
            for member_of in point.groups:
                candidates |= index.get(member_of, set())
            cached = {}
            for category, groups in self.by_category.items():
                kept_groups = []
                for group in groups:
                    kept = []
                    for policy in group:
                        rule_groups = tuple(
                            tie
                            for tie in (
                                tuple(r for r in g if id(r) in candidates and _local_ok(r, point, direction))
                                for g in policy.rule_groups
                            )
                            if tie
                        )
                        if rule_groups:
                            kept.append(NsxPolicy(policy.path, policy.category, policy.sequence, rule_groups))
                    if kept:
                        kept_groups.append(tuple(kept))
                cached[category] = tuple(kept_groups)
            self.local_cache[key] = cached
        return cached


@dataclass(frozen=True)
class Point:
    """An enforcement point and its own side of the flow: a VM vNIC or a pod's OVS port."""

    label: str
    ccp: str | None
    """Cluster-control-plane path for a pod of a registered cluster; ``None`` for VMs."""
    is_pod: bool
    groups: frozenset[str]
    ip: int


@dataclass
class WalkOutcome:
    """Result of walking the NSX layers at one point for one direction."""

    action: str | None = None
    rule: str | None = None
    steps: list[Step] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def rule_action(rule: NsxRule) -> str:
    """The configured action (a hook so mutation tests can break it)."""
    return rule.action


def scope_applies(rule: NsxRule, point: Point) -> bool:
    """Applied-To test (a hook so mutation tests can break it)."""
    return rule.scope_groups is None or not rule.scope_groups.isdisjoint(point.groups)


def _side(values: Sequence[str], excluded: bool | None, problems: list[str], where: str) -> SideTest:
    if not values or (len(values) == 1 and values[0].upper() == "ANY"):
        return SideTest(True, excluded=bool(excluded))
    groups, spans = set(), []
    for value in values:
        if value.startswith("/"):
            if _CCP in value:
                problems.append(f"{where}: cluster path {value} in sources/destinations matches nothing")
            else:
                groups.add(value)
        else:
            spans.append(parse_range(value))
    return SideTest(False, frozenset(groups), IPSet.of(spans), bool(excluded))


def _split_scope(values: Sequence[str]) -> tuple[frozenset[str] | None, frozenset[str]]:
    """(Applied-To groups or None for ANY, cluster-control-plane paths)."""
    if not values or (len(values) == 1 and values[0].upper() == "ANY"):
        return None, frozenset()
    clusters = frozenset(v for v in values if _CCP in v)
    groups = frozenset(v for v in values if _CCP not in v)
    return (groups or None), clusters


def compile_nsx(
    policies: Sequence[SecurityPolicy],
    services: Mapping[str, Service],
    spans: Mapping[str, Sequence[str]],
    domain: str = "default",
) -> NsxRules:
    """Order every policy and rule and precompute their tests."""
    problems: list[str] = []
    compiled: dict[str, list[NsxPolicy]] = {c: [] for c in CATEGORY_ORDER}
    all_rules: list[NsxRule] = []
    has_default = False
    for policy in policies:
        path = policy.path or f"/infra/domains/{domain}/security-policies/{policy.id}"
        category = policy.category or ""
        is_default = bool(policy.is_default) or policy.id == DEFAULT_SECTION_ID
        has_default = has_default or is_default
        policy_groups, policy_clusters = _split_scope(policy.scope)
        policy_clusters = policy_clusters | frozenset(spans.get(path, ()))
        policy_scoped = policy_groups is not None or bool(policy_clusters)
        rules: list[NsxRule] = []
        for rule in policy.rules or []:
            rules.append(
                _rule(
                    rule, path, category, policy_scoped, policy_groups, policy_clusters, services, problems, is_default
                )
            )
        strategy = str(
            (policy.model_extra or {}).get("connectivity_preference")
            or (policy.model_extra or {}).get("connectivity_strategy")
            or "NONE"
        ).upper()
        if strategy in _ALLOWLIST | _DENYLIST:
            rules.append(
                NsxRule(
                    path=f"{path}/default-rule",
                    name="default-rule",
                    policy_path=path,
                    category=category,
                    sequence=2**31,
                    action="DROP" if strategy in _ALLOWLIST else "ALLOW",
                    disabled=False,
                    sources=SideTest(True),
                    destinations=SideTest(True),
                    services=ServiceTest(True),
                    directions=frozenset({"IN", "OUT"}),
                    ip_versions=frozenset({4, 6}),
                    has_profiles=False,
                    scope_groups=policy_groups,
                    clusters=policy_clusters,
                    is_default=True,
                )
            )
        if policy_clusters and category == "Ethernet":
            problems.append(f"{path}: Ethernet policies cannot be applied to Antrea clusters (ref §6.3); ignored")
            rules = []
        for rule_ in rules:
            if rule_.action == "JUMP_TO_APPLICATION" and category != "Environment":
                problems.append(f"{rule_.path}: JUMP_TO_APPLICATION outside Environment is invalid (ref §5.2)")
        all_rules.extend(rules)
        groups = tie_groups(rules, key=lambda r: r.sequence)
        compiled.setdefault(category, []).append(NsxPolicy(path, category, policy.sequence_number or 0, groups))
    by_category = {c: tie_groups(items, key=lambda p: p.sequence) for c, items in compiled.items()}
    compiled_rules = NsxRules(by_category, all_rules, has_default, problems)
    compiled_rules._build_index()
    return compiled_rules


def _rule(  # noqa: PLR0917
    rule: Rule,
    policy_path: str,
    category: str,
    policy_scoped: bool,
    policy_groups: frozenset[str] | None,
    policy_clusters: frozenset[str],
    services: Mapping[str, Service],
    problems: list[str],
    is_default: bool,
) -> NsxRule:
    path = rule.path or f"{policy_path}/rules/{rule.id}"
    if policy_scoped:
        scope_groups, clusters = policy_groups, policy_clusters
    else:
        scope_groups, clusters = _split_scope(rule.scope)
        clusters = clusters | policy_clusters
    sources = _side(rule.source_groups, rule.sources_excluded, problems, path)
    destinations = _side(rule.destination_groups, rule.destinations_excluded, problems, path)
    direction = rule.direction or "IN_OUT"
    directions = {"IN_OUT": {"IN", "OUT"}, "IN": {"IN"}, "OUT": {"OUT"}}[direction]
    if clusters:
        # Antrea realisation (ref §6.3): sources -> ingress rule, destinations -> egress rule.
        if not sources.any and destinations.any:
            directions &= {"IN"}
        elif sources.any and not destinations.any:
            directions &= {"OUT"}
        elif not sources.any and not destinations.any:
            problems.append(f"{path}: an Antrea-spanned rule with both sources and destinations is not realisable")
        if rule.sources_excluded or rule.destinations_excluded:
            problems.append(f"{path}: negation is not supported on Antrea-spanned rules (ref §6.3)")
    entries = []
    any_service = not rule.services or (len(rule.services) == 1 and rule.services[0].upper() == "ANY")
    if not any_service:
        for service_path in rule.services:
            service = services.get(service_path)
            if service is None:
                problems.append(f"{path}: service {service_path} is not defined; it matches nothing")
                continue
            entries += compile_entries(service.service_entries, problems, service_path)
    entries += compile_entries(rule.service_entries or [], problems, path)
    service_test = ServiceTest(any_service and not rule.service_entries, tuple(entries))
    ip_versions = {"IPV4": {4}, "IPV6": {6}, "IPV4_IPV6": {4, 6}}[rule.ip_protocol or "IPV4_IPV6"]
    has_profiles = bool(rule.profiles) and not (
        len(rule.profiles or []) == 1 and (rule.profiles or [""])[0].upper() == "ANY"
    )
    return NsxRule(
        path=path,
        name=str(rule.rule_id or rule.id),
        policy_path=policy_path,
        category=category,
        sequence=rule.sequence_number or 0,
        action=rule.action,
        disabled=bool(rule.disabled),
        sources=sources,
        destinations=destinations,
        services=service_test,
        directions=frozenset(directions),
        ip_versions=frozenset(ip_versions),
        has_profiles=has_profiles,
        scope_groups=scope_groups,
        clusters=clusters,
        is_default=is_default or bool(rule.is_default),
    )


_SCOPE_APPLIES = scope_applies


def _local_ok(rule: NsxRule, point: Point, direction: str) -> bool:
    """The point-only part of :func:`rule_matches` (enforcement point, Applied-To, own side)."""
    if point.is_pod:
        if point.ccp is None or point.ccp not in rule.clusters:
            return False
    elif rule.clusters:
        return False
    if not scope_applies(rule, point):
        return False
    own = rule.sources if direction == "OUT" else rule.destinations
    return own.matches(point.groups, point.ip)


def rule_matches(  # noqa: PLR0917
    rule: NsxRule, point: Point, direction: str, peer_groups: frozenset[str], peer_ip: int, flow: Flow
) -> bool:
    """Everything but ``disabled`` and profiles: does this rule see this packet here."""
    if point.is_pod:
        if point.ccp is None or point.ccp not in rule.clusters:
            return False
    elif rule.clusters:
        return False
    if direction not in rule.directions or flow.ip_version not in rule.ip_versions:
        return False
    if not scope_applies(rule, point):
        return False
    if direction == "OUT":
        local_ok = rule.sources.matches(point.groups, point.ip)
        peer_ok = rule.destinations.matches(peer_groups, peer_ip)
    else:
        local_ok = rule.destinations.matches(point.groups, point.ip)
        peer_ok = rule.sources.matches(peer_groups, peer_ip)
    return local_ok and peer_ok and rule.services.matches(flow)


def walk_nsx(  # noqa: PLR0917
    compiled: NsxRules,
    point: Point,
    direction: str,
    peer_groups: frozenset[str],
    peer_ip: int,
    flow: Flow,
) -> WalkOutcome:
    """First match across categories at one point; steps name each category crossed."""
    out = WalkOutcome()
    filtered = compiled.at_point(point, direction)
    for category in CATEGORY_ORDER:
        if point.is_pod and category not in ANTREA_TIER_OF:
            continue
        layer = ANTREA_TIER_OF[category] if point.is_pod else f"DFW {category or '(no category)'}"
        policy_groups = filtered.get(category, ())
        notes: list[Step] = []

        def find_rule(rule: NsxRule, notes: list[Step] = notes, layer: str = layer) -> FirstMatch[NsxRule]:
            if not rule_matches(rule, point, direction, peer_groups, peer_ip, flow):
                return FirstMatch()
            if rule.disabled:
                notes.append(Step(layer, "skipped (disabled)", rule.path))
                return FirstMatch()
            if rule.has_profiles:
                notes.append(Step(layer, "skipped (L7 context profile, undecidable offline)", rule.path))
                return FirstMatch()
            return FirstMatch(item=rule)

        def find_in_policy(policy: NsxPolicy) -> FirstMatch[NsxRule]:
            return first_match(policy.rule_groups, find_rule, lambda r: r.path)

        found = first_match(policy_groups, find_in_policy, lambda p: p.path)
        out.steps.extend(notes)
        if found.error is not None:
            out.steps.append(Step(layer, "ERROR", None, found.error))
            out.errors.append(found.error)
            out.action = "ERROR"
            return out
        rule = found.item
        if rule is None:
            if policy_groups:
                out.steps.append(Step(layer, "no match"))
            continue
        action = rule_action(rule)
        if action == "JUMP_TO_APPLICATION":
            if point.is_pod:
                message = f"{rule.path}: JUMP_TO_APPLICATION on an Antrea-spanned policy has no Antrea equivalent [UNV]"
                out.steps.append(Step(layer, "ERROR", rule.path, message))
                out.errors.append(message)
                out.action, out.rule = "ERROR", rule.path
                return out
            out.steps.append(Step(layer, "JUMP_TO_APPLICATION", rule.path, "rest of Environment skipped"))
            continue
        if category == "Ethernet" and action == "ALLOW":  # layer 2 passed it on: layer 3 decides (§4.1.1)
            out.steps.append(Step(layer, "ALLOW", rule.path, "layer 2 allows; the layer-3 categories decide"))
            continue
        out.steps.append(Step(layer, action, rule.path))
        out.action, out.rule = action, rule.path
        return out
    return out
