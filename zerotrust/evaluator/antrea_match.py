"""Does an Antrea rule match a flow at a pod, and which rule decides a tier.

Matching is three-valued (:class:`~zerotrust.evaluator.antrea_groups.Unknown`): a peer,
appliedTo or field the evaluator cannot decide offline answers UNKNOWN with its reason
instead of True or False (issue 17). Precedence inside a tier is (policy priority, rule
index) (antrea.md §2.4): rules of equal rank that match decide together: one action is the
verdict, conflicting actions are an ERROR naming them, and an undecided rule of equal or
better rank makes the tier UNKNOWN.
"""

from __future__ import annotations

from dataclasses import dataclass

from zerotrust.evaluator.antrea import (
    AntreaPeer,
    AntreaPolicy,
    AntreaRule,
    AppliedTo,
    ClusterPolicies,
    ProtocolTest,
    RankedRule,
    ServiceRef,
    TierOrder,
)
from zerotrust.evaluator.antrea_groups import Groups, Match, Unknown, any_of, group_has_peer, group_selects
from zerotrust.evaluator.flows import Flow
from zerotrust.evaluator.inventory import Cluster, Pod
from zerotrust.evaluator.kubernetes import Peer, port_allows
from zerotrust.evaluator.selectors import LabelSelector, selector_matches
from zerotrust.evaluator.verdict import Step

__all__ = ["Decision", "Subject", "antrea_steps", "baseline_step", "rule_matches"]


@dataclass(frozen=True)
class Subject:
    """What a rule is tested against: the pod, the direction, the peer and the flow."""

    cluster: Cluster
    pod: Pod
    direction: str
    peer: Peer
    flow: Flow
    destination: Pod | None
    groups: Groups


@dataclass(frozen=True)
class Decision:
    """A tier's outcome: ``Allow``/``Drop``/``Reject``/``Pass``, ``ERROR`` or ``UNKNOWN``, and why."""

    action: str
    rule: str | None
    note: str = ""


def _applied(entry: AppliedTo, policy: AntreaPolicy, s: Subject) -> Match:  # noqa: PLR0911 - one per entry kind
    pod, cluster = s.pod, s.cluster
    if entry.undecided is not None:
        return Unknown(entry.undecided)
    if policy.namespace is not None and pod.namespace != policy.namespace:
        return False
    if entry.selects_no_pod:
        return False
    if entry.group is not None:
        return group_selects(entry.group, policy.namespace, s.groups, pod, cluster)
    if entry.service_account is not None:
        return (pod.namespace, pod.service_account) == entry.service_account
    if entry.namespace_selector is not None and not selector_matches(
        entry.namespace_selector, cluster.namespace_labels(pod.namespace)
    ):
        return False
    return entry.pod_selector is None or selector_matches(entry.pod_selector, pod.labels)


def _node_ip(selector: LabelSelector, cluster: Cluster, ip: int) -> bool:
    return any(ip in node.ips for node in cluster.nodes if selector_matches(selector, node.labels))


def _peer(test: AntreaPeer, policy: AntreaPolicy, s: Subject) -> Match:  # noqa: PLR0911 - one per peer kind
    peer, cluster = s.peer, s.cluster
    if test.undecided is not None:
        return Unknown(test.undecided)
    if test.group is not None:
        return group_has_peer(test.group, policy.namespace, s.groups, peer, cluster)
    if test.ip_block is not None:
        return peer.ip in test.ip_block
    if test.node_selector is not None:
        return _node_ip(test.node_selector, cluster, peer.ip)
    other = peer.pod
    if other is None:
        return False
    if test.service_account is not None:
        return (other.namespace, other.service_account) == test.service_account
    if test.same_namespace and other.namespace != s.pod.namespace:
        return False
    if test.same_labels is not None:
        mine = cluster.namespace_labels(s.pod.namespace)
        theirs = cluster.namespace_labels(other.namespace)
        if any(key not in mine or theirs.get(key) != mine[key] for key in test.same_labels):
            return False
    if test.namespace_selector is not None:
        if not selector_matches(test.namespace_selector, cluster.namespace_labels(other.namespace)):
            return False
    elif policy.namespace is not None and other.namespace != policy.namespace:
        return False
    return test.pod_selector is None or selector_matches(test.pod_selector, other.labels)


def _service(ref: ServiceRef, s: Subject) -> Match:
    """``toServices``: the flow goes to the Service's ClusterIP on one of its ports."""
    if ref.undecided is not None:
        return Unknown(ref.undecided)
    service = next((x for x in s.cluster.services if (x.namespace, x.name) == (ref.namespace, ref.name)), None)
    if service is None:
        return Unknown(f"toServices: Service {ref.namespace}/{ref.name} is not in the inventory")
    if service.cluster_ip is None or s.peer.ip != service.cluster_ip:
        return False
    return not service.ports or (s.flow.protocol, s.flow.port) in service.ports


def _protocol(test: ProtocolTest, flow: Flow) -> bool:
    """ICMP type/code (absent = any); IGMP never matches: flows are TCP, UDP, SCTP or ICMP."""
    if test.kind != "icmp" or flow.protocol not in {"ICMPv4", "ICMPv6"}:
        return False
    return (test.icmp_type is None or test.icmp_type == flow.icmp_type) and (
        test.icmp_code is None or test.icmp_code == flow.icmp_code
    )


def rule_matches(rule: AntreaRule, policy: AntreaPolicy, s: Subject) -> Match:
    """Direction, appliedTo, peers and services, then ports/protocols; UNKNOWN when undecidable."""
    if rule.direction != s.direction:
        return False
    applied = rule.applied_to if rule.applied_to is not None else policy.applied_to
    if applied is None:
        return False
    selected = any_of([_applied(e, policy, s) for e in applied])
    if selected is False:
        return False
    results: list[Match] = [selected]
    if rule.peers is not None:
        tests = [_peer(t, policy, s) for t in rule.peers] + [_service(r, s) for r in rule.services or ()]
        results.append(any_of(tests))
    if rule.ports is not None or rule.protocols is not None:
        results.append(
            any(port_allows(t, s.flow, s.destination) for t in rule.ports or ())
            or any(_protocol(t, s.flow) for t in rule.protocols or ())
        )
    if False in results:
        return False
    for reason in (rule.undecided, policy.undecided):
        if reason is not None:
            results.append(Unknown(reason))
    return next((r for r in results if isinstance(r, Unknown)), True)


def _decide(rank: tuple[RankedRule, ...], s: Subject) -> Decision | None:
    """The outcome of rules of equal rank (tier, priority, index), or None when none matches."""
    decided: list[RankedRule] = []
    undecided: list[tuple[RankedRule, Unknown]] = []
    for entry in rank:
        result = rule_matches(entry.rule, entry.policy, s)
        if result is True:
            decided.append(entry)
        elif isinstance(result, Unknown):
            undecided.append((entry, result))
    if decided:
        first = decided[0].rule
        if len({e.rule.action for e in decided}) > 1:
            names = ", ".join(f"{e.rule.path} ({e.rule.action})" for e in decided)
            return Decision("ERROR", None, f"rules of equal rank (tier, priority, index) conflict: {names}")
        clash = [(e, u) for e, u in undecided if e.rule.action != first.action]
        if clash:
            entry, unknown = clash[0]
            return Decision("UNKNOWN", entry.rule.path, f"{unknown.reason} (ties with {first.path})")
        tied = ", ".join(e.rule.path for e in decided[1:])
        return Decision(first.action, first.path, f"tied with {tied}, same action" if tied else "")
    if undecided:
        entry, unknown = undecided[0]
        return Decision("UNKNOWN", entry.rule.path, unknown.reason)
    return None


def _tier(tier: TierOrder, s: Subject, steps: list[Step]) -> Decision | None:
    for rank in tier.ranks[s.direction]:
        decision = _decide(rank, s)
        if decision is not None:
            outcome = decision.action if decision.action in {"ERROR", "UNKNOWN"} else decision.action.upper()
            steps.append(Step(tier.layer, outcome, decision.rule, decision.note))
            return decision
    steps.append(Step(tier.layer, "no match"))
    return None


def antrea_steps(policies: ClusterPolicies, s: Subject, steps: list[Step]) -> Decision | None:
    """Non-baseline Antrea tiers in order: the first tier that decides (``Pass`` included)."""
    for tier in policies.ordered:
        decision = _tier(tier, s, steps)
        if decision is not None:
            return decision
    return None


def baseline_step(policies: ClusterPolicies, s: Subject, steps: list[Step]) -> Decision | None:
    """The baseline tier (its ``Pass`` rules were dropped at compile time)."""
    if policies.baseline is None:
        return None
    return _tier(policies.baseline, s, steps)
