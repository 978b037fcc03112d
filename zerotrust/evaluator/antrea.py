"""Antrea's per-pod, per-direction pipeline: NSX tiers, Antrea tiers, K8s NP, baseline.

Order (verification.md §4.3, antrea.md §2.3-2.4, §4.5):
1. NSX-realised tiers ``nsx-category-*`` (priorities 1-4) -- ahead of every Antrea tier;
2. Antrea-native ClusterNetworkPolicy / NetworkPolicy (crd.antrea.io) in non-baseline tiers
   by tier priority (emergency 50, securityops 100, networkops 150, platform 200,
   application 250, custom tiers), then policy ``priority``, then rule order; first match;
   ``Pass`` skips every remaining non-baseline rule;
3. Kubernetes NetworkPolicy isolation for this direction (drop here if isolated and no rule allows);
4. the ``baseline`` tier (253; ``Pass`` is invalid there and ignored);
5. nothing matched: allow (Antrea never isolates implicitly).
Equal tier + priority with two matching policies is reported as an error (nondeterministic).
Supported peers: podSelector, namespaceSelector, ``namespaces.match: Self``, ipBlock (with
except); ClusterGroup references, FQDN, toServices, ICMP ``protocols`` are reported as problems.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from zerotrust.evaluator.addresses import IPSet
from zerotrust.evaluator.flows import Flow
from zerotrust.evaluator.inventory import Cluster, Pod
from zerotrust.evaluator.kubernetes import (
    NetworkPolicy,
    Peer,
    PortTest,
    compile_network_policy,
    ip_block,
    port_allows,
    port_tests,
)
from zerotrust.evaluator.ordering import FirstMatch, first_match, tie_groups
from zerotrust.evaluator.selectors import LabelSelector, selector_matches
from zerotrust.evaluator.verdict import Step

__all__ = [
    "BASELINE_TIER",
    "DEFAULT_TIERS",
    "PIPELINE",
    "AntreaPolicy",
    "AntreaRule",
    "ClusterPolicies",
    "compile_cluster_policies",
]

DEFAULT_TIERS: Mapping[str, int] = {
    "emergency": 50,
    "securityops": 100,
    "networkops": 150,
    "platform": 200,
    "application": 250,
    "baseline": 253,
}
"""Tiers antrea-controller creates (antrea.md §2.3)."""
BASELINE_TIER = "baseline"
PIPELINE: tuple[str, ...] = ("nsx", "antrea", "k8s", "baseline")
"""Stage order of the pod pipeline (a hook so mutation tests can reorder it)."""


@dataclass(frozen=True)
class AppliedTo:
    """One appliedTo entry (policy- or rule-level)."""

    pod_selector: LabelSelector | None
    namespace_selector: LabelSelector | None


@dataclass(frozen=True)
class AntreaPeer:
    """One ``from``/``to`` entry."""

    pod_selector: LabelSelector | None
    namespace_selector: LabelSelector | None
    same_namespace: bool
    ip_block: IPSet | None


@dataclass(frozen=True)
class AntreaRule:
    """A rule in written order; ``peers``/``ports`` ``None`` = any."""

    name: str
    direction: str
    action: str
    peers: tuple[AntreaPeer, ...] | None
    ports: tuple[PortTest, ...] | None
    applied_to: tuple[AppliedTo, ...] | None
    path: str


@dataclass(frozen=True)
class AntreaPolicy:
    """ACNP (cluster-wide selectors) or ANNP (own namespace)."""

    kind: str
    namespace: str | None
    name: str
    tier: str
    priority: float
    applied_to: tuple[AppliedTo, ...] | None
    rules: tuple[AntreaRule, ...]

    @property
    def label(self) -> str:
        """``acnp/<name>`` or ``annp/<ns>/<name>`` as in ``kubectl get``."""
        return f"acnp/{self.name}" if self.namespace is None else f"annp/{self.namespace}/{self.name}"


@dataclass
class ClusterPolicies:
    """What one cluster enforces in-cluster, compiled from its manifests."""

    network_policies: list[NetworkPolicy] = field(default_factory=list)
    tiers: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_TIERS))
    antrea: list[AntreaPolicy] = field(default_factory=list)
    ordered: tuple[tuple[tuple[AntreaPolicy, ...], ...], ...] = ()
    """Non-baseline tiers in order, each as tie groups of policies by priority."""
    baseline: tuple[tuple[AntreaPolicy, ...], ...] = ()
    problems: list[str] = field(default_factory=list)


def _applied(
    entries: Sequence[Mapping[str, Any]] | None, where: str, problems: list[str]
) -> tuple[AppliedTo, ...] | None:
    if not entries:
        return None
    out = []
    for entry in entries:
        unsupported = set(entry) - {"podSelector", "namespaceSelector"}
        if unsupported:
            problems.append(f"{where}: appliedTo {sorted(unsupported)} is not modelled; entry selects nothing")
            continue
        out.append(AppliedTo(entry.get("podSelector"), entry.get("namespaceSelector")))
    return tuple(out)


def _antrea_peers(
    entries: Sequence[Mapping[str, Any]] | None, where: str, problems: list[str]
) -> tuple[AntreaPeer, ...] | None:
    if not entries:
        return None
    out = []
    for entry in entries:
        unsupported = set(entry) - {"podSelector", "namespaceSelector", "namespaces", "ipBlock"}
        if unsupported:
            problems.append(f"{where}: peer {sorted(unsupported)} is not modelled; it matches nothing")
            continue
        namespaces = entry.get("namespaces") or {}
        if namespaces and namespaces.get("match") != "Self":
            problems.append(f"{where}: namespaces {namespaces} is not modelled; it matches nothing")
            continue
        block = entry.get("ipBlock")
        out.append(
            AntreaPeer(
                entry.get("podSelector"),
                entry.get("namespaceSelector"),
                namespaces.get("match") == "Self",
                ip_block(block) if block is not None else None,
            )
        )
    return tuple(out)


def _antrea_policy(manifest: Mapping[str, Any], problems: list[str]) -> AntreaPolicy:
    metadata = manifest.get("metadata") or {}
    spec = manifest.get("spec") or {}
    cluster_wide = manifest.get("kind") == "ClusterNetworkPolicy"
    namespace = None if cluster_wide else str(metadata.get("namespace", "default"))
    name = str(metadata["name"])
    label = f"acnp/{name}" if cluster_wide else f"annp/{namespace}/{name}"
    rules = []
    for direction, peer_key in (("IN", "from"), ("OUT", "to")):
        for index, raw in enumerate(spec.get("ingress" if direction == "IN" else "egress") or []):
            where = f"{label}/{'ingress' if direction == 'IN' else 'egress'}[{index}]"
            for unsupported in ("toServices", "protocols", "l7Protocols"):
                if raw.get(unsupported):
                    problems.append(f"{where}: {unsupported} is not modelled; the rule matches nothing")
            if any(raw.get(k) for k in ("toServices", "protocols", "l7Protocols")):
                continue
            rule_name = str(raw.get("name") or f"{'ingress' if direction == 'IN' else 'egress'}-{index}")
            rules.append(
                AntreaRule(
                    name=rule_name,
                    direction=direction,
                    action=str(raw["action"]),
                    peers=_antrea_peers(raw.get(peer_key), where, problems),
                    ports=port_tests(raw.get("ports")),
                    applied_to=_applied(raw.get("appliedTo"), where, problems),
                    path=f"{label}/{rule_name}",
                )
            )
    return AntreaPolicy(
        kind="acnp" if cluster_wide else "annp",
        namespace=namespace,
        name=name,
        tier=str(spec.get("tier") or "application").lower(),
        priority=float(spec["priority"]),
        applied_to=_applied(spec.get("appliedTo"), label, problems),
        rules=tuple(rules),
    )


def compile_cluster_policies(manifests: Sequence[Mapping[str, Any]]) -> ClusterPolicies:
    """Split manifests by kind: NetworkPolicy (k8s), ClusterNetworkPolicy / NetworkPolicy (Antrea), Tier."""
    out = ClusterPolicies()
    for manifest in manifests:
        api = str(manifest.get("apiVersion", ""))
        kind = manifest.get("kind")
        if api.startswith("networking.k8s.io/") and kind == "NetworkPolicy":
            out.network_policies.append(compile_network_policy(manifest))
        elif api.startswith("crd.antrea.io/") and kind == "Tier":
            name = str(manifest["metadata"]["name"])
            priority = int(manifest["spec"]["priority"])
            if priority <= 4 or priority in out.tiers.values():
                out.problems.append(f"tier {name}: priority {priority} collides with an NSX or existing tier")
            out.tiers[name] = priority
        elif api.startswith("crd.antrea.io/") and kind in {"ClusterNetworkPolicy", "NetworkPolicy"}:
            out.antrea.append(_antrea_policy(manifest, out.problems))
        else:
            out.problems.append(f"manifest {api} {kind} {manifest.get('metadata', {}).get('name')} is not modelled")
    by_tier: dict[str, list[AntreaPolicy]] = {}
    for policy in out.antrea:
        if policy.tier not in out.tiers:
            out.problems.append(f"{policy.label}: tier {policy.tier} does not exist; the policy is not realised")
            continue
        if policy.tier == BASELINE_TIER and any(r.action == "Pass" for r in policy.rules):
            out.problems.append(f"{policy.label}: Pass is not allowed in the baseline tier; those rules are ignored")
        by_tier.setdefault(policy.tier, []).append(policy)
    tiers = sorted((t for t in by_tier if t != BASELINE_TIER), key=lambda t: out.tiers[t])
    out.ordered = tuple(tie_groups(by_tier[t], key=lambda p: p.priority) for t in tiers)
    out.baseline = tie_groups(by_tier.get(BASELINE_TIER, []), key=lambda p: p.priority)
    return out


def _selected(entries: tuple[AppliedTo, ...], policy: AntreaPolicy, pod: Pod, cluster: Cluster) -> bool:
    for entry in entries:
        if policy.namespace is not None:
            if pod.namespace != policy.namespace:
                continue
        elif entry.namespace_selector is not None and not selector_matches(
            entry.namespace_selector, cluster.namespace_labels(pod.namespace)
        ):
            continue
        if entry.pod_selector is None or selector_matches(entry.pod_selector, pod.labels):
            return True
    return False


def _peer_ok(test: AntreaPeer, policy: AntreaPolicy, local: Pod, peer: Peer, cluster: Cluster) -> bool:
    if test.ip_block is not None:
        return peer.ip in test.ip_block
    other = peer.pod
    if other is None:
        return False
    if test.same_namespace and other.namespace != local.namespace:
        return False
    if test.namespace_selector is not None:
        if not selector_matches(test.namespace_selector, cluster.namespace_labels(other.namespace)):
            return False
    elif policy.namespace is not None and not test.same_namespace and other.namespace != policy.namespace:
        return False
    return test.pod_selector is None or selector_matches(test.pod_selector, other.labels)


def antrea_rule_matches(  # noqa: PLR0917
    rule: AntreaRule,
    policy: AntreaPolicy,
    cluster: Cluster,
    pod: Pod,
    direction: str,
    peer: Peer,
    flow: Flow,
    destination: Pod | None,
) -> bool:
    """Does ``rule`` of ``policy`` match this pod, direction and peer."""
    if rule.direction != direction:
        return False
    applied = rule.applied_to if rule.applied_to is not None else policy.applied_to
    if applied is None or not _selected(applied, policy, pod, cluster):
        return False
    if rule.peers is not None and not any(_peer_ok(t, policy, pod, peer, cluster) for t in rule.peers):
        return False
    return rule.ports is None or any(port_allows(t, flow, destination) for t in rule.ports)


def first_antrea_rule(  # noqa: PLR0917
    groups: tuple[tuple[AntreaPolicy, ...], ...],
    cluster: Cluster,
    pod: Pod,
    direction: str,
    peer: Peer,
    flow: Flow,
    destination: Pod | None,
    baseline: bool,
) -> FirstMatch[AntreaRule]:
    """First matching rule over tie groups of policies of one tier."""

    def in_policy(policy: AntreaPolicy) -> FirstMatch[AntreaRule]:
        for rule in policy.rules:
            if baseline and rule.action == "Pass":
                continue
            if antrea_rule_matches(rule, policy, cluster, pod, direction, peer, flow, destination):
                return FirstMatch(item=rule)
        return FirstMatch()

    return first_match(groups, in_policy, lambda p: p.label)


def tier_name(policies: ClusterPolicies, groups: tuple[tuple[AntreaPolicy, ...], ...]) -> str:
    """The tier of a tier's tie groups, for the chain."""
    return f"antrea tier {groups[0][0].tier} ({policies.tiers[groups[0][0].tier]})" if groups else "antrea tier"


def antrea_steps(  # noqa: PLR0917
    policies: ClusterPolicies,
    cluster: Cluster,
    pod: Pod,
    direction: str,
    peer: Peer,
    flow: Flow,
    destination: Pod | None,
) -> tuple[str | None, str | None, list[Step], str | None]:
    """Non-baseline Antrea tiers: (action incl. ``Pass``, rule path, steps, error)."""
    steps: list[Step] = []
    for groups in policies.ordered:
        layer = tier_name(policies, groups)
        found = first_antrea_rule(groups, cluster, pod, direction, peer, flow, destination, baseline=False)
        if found.error is not None:
            steps.append(Step(layer, "ERROR", None, found.error))
            return "ERROR", None, steps, found.error
        if found.item is None:
            steps.append(Step(layer, "no match"))
            continue
        steps.append(Step(layer, found.item.action.upper(), found.item.path))
        return found.item.action, found.item.path, steps, None
    return None, None, steps, None
