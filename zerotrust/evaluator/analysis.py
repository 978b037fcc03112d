"""Rule analysis of the NSX DFW rules, named as vDefend's own rule analysis names anomalies.

Why (issue 7 deliverable 4, verification.md §1.1, §1.8, §1.11, §3.1 item 4): preview should warn
about rules that never decide anything, or decide less than they say, before they are applied.
The names follow the vDefend firewall-rule-analysis API (``SHADOW``, ``REDUNDANCY``,
``DUPLICATE``, ``CONTRADICTION``, ``IRRELEVANCE``); every finding names its *anchor* rule(s),
the earlier rules that cause it, as vDefend's anomaly rule-sets do.

Method (Batfish ``filterLineReachability``, exact set semantics). The match set of a rule is,
per direction, the product

    enforcement points x peers x (IP version x protocol x port/type x source-port/code)

computed over the evaluator's compiled form and the inventory snapshot: enforcement points are
the VMs (or, for Antrea-spanned rules, the pods of the spanned clusters) that hold the rule for
that direction (own side and Applied-To); peers are every VM and pod identity plus the whole
IPv4/IPv6 address line, matched exactly as :func:`zerotrust.evaluator.nsx.rule_matches` matches
them (identity groups, group addresses, IP literals, negation). Each factor is an exact interval
set (:class:`~zerotrust.evaluator.addresses.IPSet`); a rule is a union of such boxes, one per
service entry, and covering is computed by subtracting boxes (exact, no sampling). Combinations
the walk can never produce (a pod identity seen from a VM, an IPv6 version with an IPv4
destination) may be inside a box; they are inside *every* rule's box in the same way, so every
claim below still holds for the flows that do occur.

Order is the evaluator's: categories, then policies by sequence number, then rules by sequence
number, first match wins. For rule R, an earlier rule E is a *stopper* when a packet matching E
can never reach R: E strictly earlier in R's own category (any action, a JUMP_TO_APPLICATION
ends Environment), or E in an earlier category with an action that decides (not a JUMP), and,
when E is in Environment and R after it, E strictly ahead of every JUMP_TO_APPLICATION rule that
overlaps R (otherwise a jump may carry the packet past E). Rules with equal sequence numbers are
never taken as ordered. Earlier rules whose effect cannot be decided exactly (L7 context
profiles, groups or services the evaluator cannot model, Environment rules behind a jump) are
*uncertain*: if one of them can touch the part of R still undecided at its position, R is not
reported at all. Definitions, with D(f) the first stopper that matches packet f:

* ``irrelevant``: R can match nothing: it is disabled, or its match set is empty (no
  enforcement point holds it, its sources/destinations have no members in the inventory, its
  Applied-To is empty, its services are empty). Groups whose members arrive at run time (a
  quarantine group, filled by a tag set during an incident) are empty in most snapshots by
  design; the caller names them (``may_be_empty``: group path -> the cluster-control-plane
  path of its pods, or None for VMs) and each gets one stand-in member for this test only, so
  a rule that will match once they fill is not reported, while a rule that could match nothing
  even then still is. A selector that matches nothing because of a typo is a defect, which is
  why emptiness is excused per group, by name, and not for every tag-based group.
* ``duplicate``: an earlier stopper E has exactly the same match set (every factor equal, every
  direction) and the same action. R never decides; anchor = E.
* ``shadowed``: every packet R matches is decided by an earlier stopper (R never decides), and
  some of them by a stopper with a different action than R (or a JUMP). Anchors = a minimal
  covering set of earlier stoppers that always includes the largest different-action one
  (Batfish's blocking lines).
* ``redundant``: every packet R matches is decided earlier, always by stoppers with R's own
  action: removing R changes no verdict; anchors = a minimal covering set. Also (the
  Al-Shaer "downward" redundancy) when the packets R does decide would all, without R, be decided
  by later rules of R's category with R's action: anchors = those later rules.
* ``contradiction``: R does decide some packets, but part of what it matches is decided earlier
  by a stopper E of the opposite polarity (ALLOW vs DROP/REJECT) that is *not* contained in R.
  A contained E is a deliberate exception carved out of R (Al-Shaer's *generalization*, e.g.
  specific allows ahead of a default drop) and is not reported; this keeps the kind to the
  partial, order-dependent overlaps (Al-Shaer's *correlation*) where the later rule is partly
  overridden. Anchors = those earlier rules.

Scope and limits: NSX DFW rules only (Antrea-native and Kubernetes policies are not analysed);
each finding is about the rule as a whole, across all enforcement points and both directions.
Rules the evaluator reports problems for (unmodelled member types, undefined groups or services,
invalid JUMP) and rules with L7 profiles are never reported and never used as anchors.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from zerotrust.evaluator.addresses import V6_OFFSET, IPSet
from zerotrust.evaluator.config import PolicyConfig
from zerotrust.evaluator.evaluate import Evaluator
from zerotrust.evaluator.nsx import ANTREA_TIER_OF, CATEGORY_ORDER, NsxRule, SideTest
from zerotrust.evaluator.services import ServiceTest
from zerotrust.models import PathExpression

__all__ = ["Finding", "FindingKind", "analyse", "findings_report"]

FindingKind = Literal["shadowed", "redundant", "duplicate", "contradiction", "irrelevant"]

Box = tuple[IPSet, ...]
"""(direction, point, peer, IP version, protocol, port or ICMP type, source port or ICMP code)."""
Packet = tuple[IPSet, IPSet, IPSet, IPSet]
"""The service part of a box: (IP version, protocol, port or ICMP type, source port or ICMP code)."""

_IN, _OUT = 0, 1
_DIRECTIONS = {"IN": _IN, "OUT": _OUT}
_BOTH = IPSet(((_IN, _OUT),))
_IP_VERSIONS = IPSet(((4, 4), (6, 6)))
_PROTOCOLS = IPSet(((0, 255),))
_PORTS = IPSet(((-1, 65535),))
"""Ports and ICMP type/code; ``-1`` stands for "absent" (a flow without a port)."""
_ANY_PACKET: Packet = (_IP_VERSIONS, _PROTOCOLS, _PORTS, _PORTS)
_ETHER_VERSION = {0x0800: 4, 0x86DD: 6}
_IDENTITY_BASE = V6_OFFSET + (1 << 128)
"""Keys at and above this stand for VM and pod identities; below it, addresses."""
_POLARITY = {"ALLOW": 1, "DROP": -1, "REJECT": -1}
_MAX_PIECES = 4096
"""Give up on a rule (report nothing) when its undecided remainder fragments beyond this."""
_WIDE = 256
"""Rules holding more enforcement points than this are not indexed point by point."""
_MAX_ANCHORS = 8
_DOWNWARD = "every packet it decides"
"""Message prefix of downward redundancy (anchors are later rules)."""


@dataclass(frozen=True)
class Finding:
    """One rule-analysis warning: the kind, the rule (path) and the anchor rule(s) that cause it."""

    kind: FindingKind
    rule: str
    anchors: tuple[str, ...]
    message: str


def findings_report(findings: Iterable[Finding]) -> list[str]:
    """One line per finding, for ``pulumi preview`` warnings: kind, rule path, anchors, why."""
    lines = []
    for finding in findings:
        anchors = f" (anchors: {', '.join(finding.anchors)})" if finding.anchors else ""
        lines.append(f"rule analysis: {finding.kind}: {finding.rule}{anchors}: {finding.message}")
    return lines


# box algebra ---------------------------------------------------------------------------------


def _size(values: IPSet) -> int:
    return sum(high - low + 1 for low, high in values.intervals)


def _meet(a: Box, b: Box) -> Box | None:
    """The intersection of two boxes, or None when empty."""
    for x, y in zip(a, b, strict=True):
        if not x.intervals or not y.intervals:
            return None
        if x.intervals[0][0] > y.intervals[-1][1] or y.intervals[0][0] > x.intervals[-1][1]:
            return None
    out = []
    for x, y in zip(a, b, strict=True):
        both = x.intersection(y)
        if not both:
            return None
        out.append(both)
    return tuple(out)


def _minus(a: Box, b: Box) -> list[Box]:
    """``a - b`` as disjoint boxes: peel one dimension at a time (exact)."""
    if _meet(a, b) is None:
        return [a]
    pieces: list[Box] = []
    head: list[IPSet] = []
    for index, (x, y) in enumerate(zip(a, b, strict=True)):
        outside = x.difference(y)
        if outside:
            pieces.append((*head, outside, *a[index + 1 :]))
        head.append(x.intersection(y))
    return pieces


def _subtract(boxes: list[Box], minus: Sequence[Box]) -> list[Box] | None:
    """``boxes - union(minus)``; None when the pieces exceed the budget."""
    for b in minus:
        nxt: list[Box] = []
        for a in boxes:
            nxt.extend(_minus(a, b))
        boxes = nxt
        if len(boxes) > _MAX_PIECES:
            return None
    return boxes


def _overlaps(a: Sequence[Box], b: Sequence[Box]) -> bool:
    return any(_meet(x, y) is not None for x in a for y in b)


def _volume(a: Sequence[Box], b: Sequence[Box]) -> int:
    """Overlap weight for ordering anchors (a heuristic: pairwise overlaps may count twice)."""
    total = 0
    for x in a:
        for y in b:
            both = _meet(x, y)
            if both is not None:
                product = 1
                for values in both:
                    product *= _size(values)
                total += product
    return total


# the universe: enforcement points and peers -------------------------------------------------


class _Space:
    """Keys for VMs and pods, each group's identities and addresses, per-rule factor sets."""

    def __init__(self, evaluator: Evaluator) -> None:
        inventory = evaluator.inventory
        self.vm_key: dict[str, int] = {}
        self.pod_key: dict[str, int] = {}
        key = _IDENTITY_BASE
        by_ip: list[tuple[int, int]] = []
        group_keys: dict[str, list[tuple[int, int]]] = {}
        vm_points: list[tuple[int, int]] = []
        for vm in inventory.vms:
            self.vm_key[vm.name] = key
            for group in evaluator._vm_groups.get(vm.name, frozenset()):
                group_keys.setdefault(group, []).append((key, key))
            if vm.ips:
                by_ip.append((vm.ips[0], key))
                vm_points.append((key, key))
            key += 1
        self.vm_points = IPSet.of(vm_points)
        self.peers_of_vms = IPSet.of([(0, _IDENTITY_BASE - 1), *vm_points])
        self.cluster_points: dict[str, IPSet] = {}
        for cluster in inventory.clusters:
            spans = []
            for pod in cluster.pods:
                self.pod_key[pod.key] = key
                for group in evaluator._pod_groups.get(pod.key, frozenset()):
                    group_keys.setdefault(group, []).append((key, key))
                if pod.ips:
                    by_ip.append((pod.ips[0], key))
                    spans.append((key, key))
                key += 1
            if cluster.ccp_path is not None:
                self.cluster_points[cluster.ccp_path] = IPSet.of(spans)
        self._next_key = key
        by_ip.sort()
        self.by_ip = by_ip
        self.group_ids = {g: IPSet.of(spans) for g, spans in group_keys.items()}
        self.group_addresses: dict[str, IPSet] = dict(evaluator._addresses)
        self._cache: dict[tuple[SideTest, IPSet, bool], IPSet] = {}

    def add_stand_ins(self, groups: Mapping[str, str | None]) -> None:
        """One stand-in member per group: a VM (None), or a pod of the cluster it names (when in the inventory)."""
        for path, ccp in sorted(groups.items()):
            if ccp is not None and ccp not in self.cluster_points:
                continue
            member = IPSet(((self._next_key, self._next_key),))
            self._next_key += 1
            self.group_ids[path] = self.group_ids.get(path, IPSet()).union(member)
            if ccp is None:
                self.vm_points = self.vm_points.union(member)
                self.peers_of_vms = self.peers_of_vms.union(member)
            else:
                self.cluster_points[ccp] = self.cluster_points[ccp].union(member)
        self._cache.clear()

    def points_universe(self, rule: NsxRule) -> IPSet:
        """Where the rule can be evaluated at all: VMs, or the pods of its spanned clusters."""
        if not rule.clusters:
            return self.vm_points
        if rule.category not in ANTREA_TIER_OF:
            return IPSet()
        out = IPSet()
        for ccp in sorted(rule.clusters):
            out = out.union(self.cluster_points.get(ccp, IPSet()))
        return out

    def peers_universe(self, points: IPSet) -> IPSet:
        """Every address and every VM identity, plus the pod identities among ``points``.

        A pod is seen by identity only from its own cluster (``Evaluator.groups_of``); elsewhere by address.
        """
        return self.peers_of_vms.union(points)

    def _identities_at(self, ips: IPSet) -> list[tuple[int, int]]:
        """Identity keys whose endpoint address (first IP) is in ``ips``."""
        out = []
        for low, high in ips.intervals:
            index = bisect.bisect_left(self.by_ip, (low, -1))
            while index < len(self.by_ip) and self.by_ip[index][0] <= high:
                out.append((self.by_ip[index][1], self.by_ip[index][1]))
                index += 1
        return out

    def side(self, test: SideTest, universe: IPSet, addresses: bool) -> IPSet:
        """The keys (and, for peers, addresses) a side test accepts, exactly as ``SideTest.matches``."""
        cache_key = (test, universe, addresses)
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        if test.any:
            positive = universe
        else:
            spans: list[tuple[int, int]] = self._identities_at(test.ips)
            for group in test.groups:
                spans.extend(self.group_ids.get(group, IPSet()).intervals)
                if addresses:
                    spans.extend(self.group_addresses.get(group, IPSet()).intervals)
            if addresses:
                spans.extend(test.ips.intervals)
            positive = IPSet.of(spans).intersection(universe)
        result = universe.difference(positive) if test.excluded else positive
        self._cache[cache_key] = result
        return result

    def scope(self, rule: NsxRule, universe: IPSet) -> IPSet:
        """Points whose groups meet the Applied-To (``scope_applies``)."""
        if rule.scope_groups is None:
            return universe
        spans = [s for g in rule.scope_groups for s in self.group_ids.get(g, IPSet()).intervals]
        return IPSet.of(spans).intersection(universe)


def _packets(services: ServiceTest, versions: frozenset[int]) -> list[Packet]:
    """Service entries as packet boxes, exactly as ``EntryTest.matches``."""
    allowed = IPSet.of((v, v) for v in versions)
    if services.any:
        return [(allowed, _PROTOCOLS, _PORTS, _PORTS)]
    out: list[Packet] = []
    for entry in services.entries:
        if entry.ether_type is not None:
            version = _ETHER_VERSION.get(entry.ether_type)
            if version is not None and version in versions:
                out.append((IPSet(((version, version),)), _PROTOCOLS, _PORTS, _PORTS))
            continue
        if entry.protocol is None:
            continue
        protocol = IPSet(((entry.protocol, entry.protocol),))
        if entry.protocol in (1, 58):
            first = _PORTS if entry.icmp_type is None else IPSet(((entry.icmp_type, entry.icmp_type),))
            second = _PORTS if entry.icmp_code is None else IPSet(((entry.icmp_code, entry.icmp_code),))
        else:
            first = _PORTS if entry.dports is None else IPSet.of(r for r in entry.dports if r[0] <= r[1])
            second = _PORTS if entry.sports is None else IPSet.of(r for r in entry.sports if r[0] <= r[1])
        if allowed and first and second:
            out.append((allowed, protocol, first, second))
    return out


# rules as positioned match sets ----------------------------------------------------------------


@dataclass
class _Item:
    """A rule with its position in the walk and its match set."""

    rule: NsxRule
    order: tuple[int, int, str, int]
    """(category index, policy tie-group index, policy path, rule tie-group index)."""
    exact: bool
    sides: dict[int, tuple[IPSet, IPSet]] = field(default_factory=dict)
    """Direction -> (points, peers), only non-empty directions."""
    packets: list[Packet] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    """The match set (exact), or a superset (inexact)."""
    index: int = 0

    @property
    def certain(self) -> bool:
        return self.exact and not self.rule.has_profiles


def _before(a: _Item, b: _Item) -> bool:
    """``a`` is consulted strictly before ``b`` whatever the order of equal sequence numbers."""
    if a.order[0] != b.order[0]:
        return a.order[0] < b.order[0]
    if a.order[1] != b.order[1]:
        return a.order[1] < b.order[1]
    return a.order[2] == b.order[2] and a.order[3] < b.order[3]


def _tied(a: _Item, b: _Item) -> bool:
    return a is not b and not _before(a, b) and not _before(b, a)


def _tainted_paths(evaluator: Evaluator) -> set[str]:
    """Groups, services and rules the evaluator reported a problem for, and groups nesting them."""
    tainted: set[str] = set()
    for problem in evaluator.problems:
        text = problem.removeprefix("group ")
        if text.startswith("/"):
            tainted.add(text.split(" ", 1)[0].rstrip(":"))
    nested: dict[str, set[str]] = {}
    for group in evaluator.config.groups:
        path = evaluator.config.group_path(group)
        for expression in group.expression or []:
            if isinstance(expression, PathExpression):
                nested.setdefault(path, set()).update(expression.paths)
    changed = True
    while changed:
        changed = False
        for path, members in nested.items():
            if path not in tainted and members & tainted:
                tainted.add(path)
                changed = True
    return tainted


def _rule_services(evaluator: Evaluator) -> dict[str, list[str]]:
    """Rule path -> the service paths it references (the compiled rule does not keep them)."""
    out: dict[str, list[str]] = {}
    config = evaluator.config
    for policy in config.policies:
        policy_path = policy.path or f"/infra/domains/{config.domain}/security-policies/{policy.id}"
        for rule in policy.rules or []:
            out[rule.path or f"{policy_path}/rules/{rule.id}"] = list(rule.services or [])
    return out


def _items(evaluator: Evaluator, space: _Space) -> list[_Item]:
    """Every walked NSX rule with its position and match set."""
    tainted = _tainted_paths(evaluator)
    services = _rule_services(evaluator)
    items: list[_Item] = []
    for category_index, category in enumerate(CATEGORY_ORDER):
        for group_index, policies in enumerate(evaluator.nsx.by_category.get(category, ())):
            for policy in policies:
                for rule_index, ties in enumerate(policy.rule_groups):
                    for rule in ties:
                        if rule.clusters and category not in ANTREA_TIER_OF:
                            continue  # never walked at a pod (ANTREA_TIER_OF), never at a VM: a no-op
                        names = rule.sources.groups | rule.destinations.groups | (rule.scope_groups or frozenset())
                        exact = not (
                            rule.path in tainted
                            or names & tainted
                            or tainted.intersection(services.get(rule.path, ()))
                            or (rule.action == "JUMP_TO_APPLICATION" and category != "Environment")
                        )
                        item = _Item(rule, (category_index, group_index, policy.path, rule_index), exact)
                        _match_set(item, space)
                        items.append(item)
    for number, item in enumerate(items):
        item.index = number
    return items


def _match_set(item: _Item, space: _Space) -> None:
    rule = item.rule
    universe = space.points_universe(rule)
    peers = space.peers_universe(universe)
    if not item.exact:
        item.packets = [_ANY_PACKET]
        item.sides = {_IN: (universe, peers), _OUT: (universe, peers)} if universe else {}
    else:
        item.packets = _packets(rule.services, rule.ip_versions)
        scoped = space.scope(rule, universe)
        for direction in sorted(rule.directions):
            own, other = (rule.sources, rule.destinations) if direction == "OUT" else (rule.destinations, rule.sources)
            points = space.side(own, scoped, addresses=False)
            peer_set = space.side(other, peers, addresses=True)
            if points and peer_set:
                item.sides[_DIRECTIONS[direction]] = (points, peer_set)
    disjoint: list[Packet] = []
    for packet in item.packets:
        pieces = _subtract([packet], disjoint) or []
        disjoint.extend((p[0], p[1], p[2], p[3]) for p in pieces)
    item.packets = disjoint
    if not item.packets:
        item.sides = {}
    for way_key, (points, peer_set) in item.sides.items():
        way = IPSet(((way_key, way_key),))
        item.boxes.extend((way, points, peer_set, *packet) for packet in item.packets)


# the analysis -------------------------------------------------------------------------------------


class _Index:
    """Earlier rules by enforcement point and direction, so only rules that can overlap are compared."""

    def __init__(self, items: list[_Item]) -> None:
        self.items = items
        self.by_point: dict[tuple[int, int], list[int]] = {}
        self.wide: list[int] = []
        for item in items:
            if not item.boxes:
                continue
            if any(_size(points) > _WIDE for points, _ in item.sides.values()):
                self.wide.append(item.index)
                continue
            for direction, (points, _) in item.sides.items():
                for low, high in points.intervals:
                    for key in range(low, high + 1):
                        self.by_point.setdefault((direction, key), []).append(item.index)

    def overlapping(self, item: _Item) -> list[_Item]:
        """Other rules whose match sets meet ``item``'s, in walk order."""
        if any(_size(points) > _WIDE for points, _ in item.sides.values()):
            found: Iterable[int] = range(len(self.items))
        else:
            seen: set[int] = set(self.wide)
            for direction, (points, _) in item.sides.items():
                for low, high in points.intervals:
                    for key in range(low, high + 1):
                        seen.update(self.by_point.get((direction, key), ()))
            found = sorted(seen)
        out = []
        for number in found:
            other = self.items[number]
            if other is item or not other.boxes:
                continue
            if _overlaps(item.boxes, other.boxes):
                out.append(other)
        return out


_ENVIRONMENT = CATEGORY_ORDER.index("Environment")
_JUMP = "JUMP_TO_APPLICATION"


def _roles(item: _Item, overlapping: list[_Item]) -> list[tuple[_Item, bool]] | None:
    """Earlier overlapping rules as (rule, is_stopper); transparent jumps dropped; None = give up."""
    rule = item.rule
    category = item.order[0]
    jumps = [o for o in overlapping if o.order[0] == _ENVIRONMENT and o.rule.action == _JUMP and not o.rule.disabled]
    if rule.clusters and any(o.order[0] < category and o.order[0] == _ENVIRONMENT for o in jumps):
        return None  # a jump on an Antrea-spanned policy is an ERROR in the walk [UNV]: do not reason about it
    out = []
    for other in overlapping:
        if other.rule.disabled or not _before(other, item):
            continue
        if other.order[0] == category:
            out.append((other, other.certain))
            continue
        if other.rule.action == _JUMP:
            continue  # a jump out of an earlier Environment never decides R's packets
        if other.order[0] == _ENVIRONMENT and not all(_before(other, jump) for jump in jumps):
            out.append((other, False))
            continue
        out.append((other, other.certain))
    out.sort(key=lambda pair: (pair[0].order, pair[0].rule.path))
    return out


@dataclass
class _Walk:
    """Outcome of walking R's earlier rules over R's match set."""

    remaining: list[Box]
    deciders: list[_Item]
    stoppers: list[_Item]


def _walk(item: _Item, roles: list[tuple[_Item, bool]]) -> _Walk | None:
    """First match over R's match set: which earlier stoppers decide which part (None = give up)."""
    remaining = list(item.boxes)
    deciders: list[_Item] = []
    for other, certain in roles:
        if not remaining:
            break
        if not _overlaps(remaining, other.boxes):
            continue
        if not certain:
            return None
        deciders.append(other)
        cut = _subtract(remaining, other.boxes)
        if cut is None:
            return None
        remaining = cut
    return _Walk(remaining, deciders, [o for o, certain in roles if certain])


def _tie_conflict(item: _Item, earlier: list[_Item]) -> bool:
    """Two earlier rules with equal sequence numbers both matching a packet of R: the walk says ERROR there."""
    buckets: dict[tuple[int, int], list[_Item]] = {}
    for other in earlier:
        buckets.setdefault(other.order[:2], []).append(other)
    for bucket in buckets.values():
        for index, first in enumerate(bucket):
            for second in bucket[index + 1 :]:
                if not _tied(first, second):
                    continue
                for a in first.boxes:
                    for b in second.boxes:
                        both = _meet(a, b)
                        if both is not None and _overlaps([both], item.boxes):
                            return True
    return False


def _covers(boxes: Sequence[Box], minus: Sequence[Box]) -> bool:
    """Is every packet of ``boxes`` in ``minus`` (False when undecidable within the budget)."""
    rest = _subtract(list(boxes), minus)
    return rest is not None and not rest


def _cover(item: _Item, deciders: list[_Item], forced: _Item | None) -> list[_Item]:
    """A minimal covering set (Batfish blocking lines): greedy by overlap, then drop the superfluous."""
    weights = {d.index: _volume(item.boxes, d.boxes) for d in deciders}
    order = sorted(deciders, key=lambda d: (-weights[d.index], d.index))
    if forced is not None:
        order.remove(forced)
        order.insert(0, forced)
    chosen: list[_Item] = []
    rest: list[Box] | None = list(item.boxes)
    for candidate in order:
        if rest is None or not rest:
            break
        if _overlaps(rest, candidate.boxes):
            chosen.append(candidate)
            rest = _subtract(rest, candidate.boxes)
    for candidate in list(reversed(chosen)):
        if candidate is forced or len(chosen) == 1:
            continue
        others = [c for c in chosen if c is not candidate]
        if _covers(item.boxes, [b for c in others for b in c.boxes]):
            chosen = others
    return sorted(chosen, key=lambda c: c.index)


def _same_set(a: _Item, b: _Item) -> bool:
    """Equal match sets: non-empty products are equal iff their factors are."""
    if a.sides != b.sides:
        return False
    ours = [(_BOTH, *p) for p in a.packets]
    theirs = [(_BOTH, *p) for p in b.packets]
    return _covers(ours, theirs) and _covers(theirs, ours)


def _paths(items: Iterable[_Item]) -> tuple[str, ...]:
    return tuple(i.rule.path for i in items)


def _irrelevant(item: _Item, space: _Space) -> Finding | None:
    rule = item.rule
    if rule.disabled:
        return Finding("irrelevant", rule.path, (), "the rule is disabled: it matches nothing")
    if not item.certain or item.boxes:
        return None
    universe = space.points_universe(rule)
    if not universe:
        why = "no enforcement point holds it (no VM, or no pod of a spanned cluster, in the inventory)"
    elif not item.packets:
        why = "its services match no packet of an allowed IP version"
    elif rule.scope_groups is not None and not space.scope(rule, universe):
        why = "its Applied-To has no members in the inventory"
    else:
        why = "in every direction, its own side holds no enforcement point or its other side no peer"
    return Finding("irrelevant", rule.path, (), f"the rule can match no packet: {why}")


def _later_cover(item: _Item, rest: list[Box], overlapping: list[_Item]) -> list[_Item] | None:
    """Downward redundancy: later rules of R's category, same action, decide all R decides."""
    remaining = rest
    used: list[_Item] = []
    later = sorted(
        (o for o in overlapping if not o.rule.disabled and o.order[0] == item.order[0] and not _before(o, item)),
        key=lambda o: (o.order, o.rule.path),
    )
    for other in later:
        if not remaining:
            break
        if not _overlaps(remaining, other.boxes):
            continue
        if not _before(item, other) or not other.certain or other.rule.action != item.rule.action:
            return None  # tied with R, uncertain, or a different verdict after removal
        used.append(other)
        cut = _subtract(remaining, other.boxes)
        if cut is None:
            return None
        remaining = cut
    if remaining:
        return None
    return used


def _decides_part(item: _Item, other: _Item, roles: list[tuple[_Item, bool]]) -> bool:
    """Is ``other`` provably the first match for some packet of R (nothing earlier, nothing uncertain)?"""
    region = [m for a in item.boxes for b in other.boxes if (m := _meet(a, b)) is not None]
    earlier = [(o, c) for o, c in roles if _before(o, other) and _overlaps(region, o.boxes)]
    rest = _subtract(region, [b for o, c in earlier if c for b in o.boxes])
    if not rest:
        return False
    return not any(not c and _overlaps(rest, o.boxes) for o, c in earlier)


def _undecided(item: _Item, stoppers: list[_Item]) -> list[Box] | None:
    """The part of R no earlier stopper matches (None when it fragments beyond the budget)."""
    return _subtract(list(item.boxes), [b for o in stoppers for b in o.boxes])


def _judge(item: _Item, index: _Index) -> Finding | None:  # noqa: PLR0911
    """The finding for one rule with a non-empty, exact match set, if any."""
    rule = item.rule
    overlapping = index.overlapping(item)
    roles = _roles(item, overlapping)
    if roles is None or _tie_conflict(item, [o for o, _ in roles]):
        return None
    stoppers = [o for o, certain in roles if certain]
    for other in stoppers:
        if other.rule.action == rule.action and _same_set(item, other):
            return Finding(
                "duplicate",
                rule.path,
                (other.rule.path,),
                f"same match set and action ({rule.action}) as an earlier rule; it never decides",
            )
    remaining: list[Box] | None = None
    total = sum(_volume([box], [box]) for box in item.boxes)
    if sum(_volume(item.boxes, o.boxes) for o in stoppers) >= total:  # else surely not covered: skip the work
        walk = _walk(item, roles)
        if walk is None:
            return None
        if not walk.remaining:
            return _never_decides(item, walk)
        remaining = walk.remaining
    polarity = _POLARITY.get(rule.action, 0)
    opposed = [
        o
        for o in stoppers
        if polarity
        and _POLARITY.get(o.rule.action, 0) == -polarity
        and not _covers(o.boxes, item.boxes)
        and _decides_part(item, o, roles)
    ]
    if opposed:
        return Finding(
            "contradiction",
            rule.path,
            _paths(opposed[:_MAX_ANCHORS]),
            f"part of what it matches is decided earlier with the opposite action by rule(s) that overlap it "
            f"only partly; there the {rule.action} of this rule is overridden",
        )
    same_later = any(
        o.order[0] == item.order[0] and _before(item, o) and o.rule.action == rule.action for o in overlapping
    )
    if rule.action == _JUMP or not same_later:
        return None
    if remaining is None:
        remaining = _undecided(item, stoppers)
        if remaining is None or any(not c and _overlaps(remaining, o.boxes) for o, c in roles):
            return None
    later = _later_cover(item, remaining, overlapping)
    if later:
        return Finding(
            "redundant",
            rule.path,
            _paths(later[:_MAX_ANCHORS]),
            f"{_DOWNWARD} would be decided by later {rule.action} rule(s) of the same category "
            "with nothing different in between; removing it changes nothing",
        )
    return None


def _never_decides(item: _Item, walk: _Walk) -> Finding:
    """Shadowed or redundant, with a minimal covering anchor set."""
    rule = item.rule
    different = [d for d in walk.deciders if d.rule.action != rule.action]
    if different:
        forced = max(different, key=lambda d: (_volume(item.boxes, d.boxes), -d.index))
        anchors = _cover(item, walk.deciders, forced)
        actions = sorted({d.rule.action for d in different})
        return Finding(
            "shadowed",
            rule.path,
            _paths(anchors),
            f"every packet it matches is decided earlier; some by {'/'.join(actions)} instead of {rule.action}",
        )
    anchors = _cover(item, walk.deciders, None)
    return Finding(
        "redundant",
        rule.path,
        _paths(anchors),
        f"every packet it matches is decided earlier by {rule.action} rules; removing it changes nothing",
    )


def _matches_once_filled(item: _Item, filled: _Space) -> bool:
    """Would the rule match something if every may-be-empty group had a member?"""
    probe = _Item(item.rule, item.order, item.exact)
    _match_set(probe, filled)
    return bool(probe.boxes)


def analyse(
    config_or_evaluator: PolicyConfig | Evaluator, *, may_be_empty: Mapping[str, str | None] | None = None
) -> list[Finding]:
    """Rule analysis of every NSX DFW rule, in walk order (see the module docstring for the kinds).

    ``may_be_empty``: groups whose members arrive at run time (path -> the cluster-control-plane
    path of its pods, None for VMs); a rule empty only because they are is not ``irrelevant``.
    """
    evaluator = config_or_evaluator if isinstance(config_or_evaluator, Evaluator) else Evaluator(config_or_evaluator)
    space = _Space(evaluator)
    items = _items(evaluator, space)
    index = _Index(items)
    findings: list[Finding] = []
    filled: _Space | None = None
    for item in items:
        irrelevant = _irrelevant(item, space)
        if irrelevant is not None and may_be_empty and not item.rule.disabled:
            if filled is None:
                filled = _Space(evaluator)
                filled.add_stand_ins(may_be_empty)
            if _matches_once_filled(item, filled):
                continue
        if irrelevant is not None:
            findings.append(irrelevant)
            continue
        if not item.certain or not item.boxes:
            continue
        found = _judge(item, index)
        if found is not None:
            findings.append(found)
    # Findings are individual (true with every other rule in place). A downward-redundant rule whose
    # later anchor itself never decides would invite deleting both: drop that one.
    never = {f.rule for f in findings if f.kind in {"shadowed", "redundant", "duplicate"}}
    never -= {f.rule for f in findings if f.message.startswith(_DOWNWARD)}
    return [f for f in findings if not (f.message.startswith(_DOWNWARD) and never.intersection(f.anchors))]
