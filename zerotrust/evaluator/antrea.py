"""Antrea's in-cluster policies compiled for the per-pod pipeline: tiers, policies, rules, groups.

Order (verification.md §4.3, antrea.md §2.3-2.4, §4.5):
1. NSX-realised tiers ``nsx-category-*`` (priorities 1-4) -- ahead of every Antrea tier;
2. Antrea-native ClusterNetworkPolicy / NetworkPolicy (crd.antrea.io) in non-baseline tiers
   by tier priority (emergency 50, securityops 100, networkops 150, platform 200,
   application 250, custom tiers), then policy ``priority``, then the rule's index in its
   policy's ingress or egress list: two policies at the same priority interleave by rule
   index. Only rules tied on all three that match with different actions are
   nondeterministic (ERROR naming both); tied rules that agree give their shared action.
   ``Pass`` skips every remaining non-baseline rule;
3. Kubernetes NetworkPolicy isolation for this direction (drop here if isolated and no rule allows);
4. the ``baseline`` tier (253; ``Pass`` is invalid there and ignored);
5. nothing matched: allow (Antrea never isolates implicitly).
Every manifest field is modelled or named (:mod:`zerotrust.evaluator.antrea_fields`); a named
one makes the rules it touches answer UNKNOWN with the reason, never a guess.
Matching lives in :mod:`zerotrust.evaluator.antrea_match`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from zerotrust.evaluator.addresses import IPSet
from zerotrust.evaluator.antrea_fields import (
    APPLIED_TO,
    EGRESS_RULE,
    INGRESS_RULE,
    PEER,
    POLICY_SPEC,
    TIER_SPEC,
    Node,
    unmodelled,
)
from zerotrust.evaluator.antrea_groups import AntreaGroup, compile_group
from zerotrust.evaluator.kubernetes import NetworkPolicy, PortTest, compile_network_policy, ip_block, port_tests
from zerotrust.evaluator.ordering import tie_groups
from zerotrust.evaluator.selectors import LabelSelector

__all__ = [
    "BASELINE_TIER",
    "DEFAULT_TIERS",
    "PIPELINE",
    "AntreaPeer",
    "AntreaPolicy",
    "AntreaRule",
    "AppliedTo",
    "ClusterPolicies",
    "ProtocolTest",
    "RankedRule",
    "ServiceRef",
    "TierOrder",
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

    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None
    group: str | None = None
    service_account: tuple[str, str] | None = None
    """(namespace, name)."""
    selects_no_pod: bool = False
    """``nodeSelector`` / ``externalEntitySelector``: they protect Nodes or ExternalEntities."""
    undecided: str | None = None


@dataclass(frozen=True)
class AntreaPeer:
    """One ``from``/``to`` entry."""

    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None
    same_namespace: bool = False
    same_labels: tuple[str, ...] | None = None
    ip_block: IPSet | None = None
    group: str | None = None
    service_account: tuple[str, str] | None = None
    node_selector: LabelSelector | None = None
    undecided: str | None = None


@dataclass(frozen=True)
class ProtocolTest:
    """One ``protocols`` entry: ``icmp`` with optional type/code, or ``igmp`` (never a flow's protocol)."""

    kind: str
    icmp_type: int | None = None
    icmp_code: int | None = None


@dataclass(frozen=True)
class ServiceRef:
    """One ``toServices`` entry."""

    namespace: str
    name: str
    undecided: str | None = None


@dataclass(frozen=True)
class AntreaRule:
    """A rule; ``index`` is its position in its policy's ingress or egress list (its rule priority)."""

    name: str
    direction: str
    action: str
    index: int
    peers: tuple[AntreaPeer, ...] | None
    """``None`` = any peer (no ``from``/``to`` and no ``toServices``)."""
    services: tuple[ServiceRef, ...] | None
    ports: tuple[PortTest, ...] | None
    protocols: tuple[ProtocolTest, ...] | None
    applied_to: tuple[AppliedTo, ...] | None
    path: str
    undecided: str | None = None


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
    undecided: str | None = None

    @property
    def label(self) -> str:
        """``acnp/<name>`` or ``annp/<ns>/<name>`` as in ``kubectl get``."""
        return f"acnp/{self.name}" if self.namespace is None else f"annp/{self.namespace}/{self.name}"


@dataclass(frozen=True)
class RankedRule:
    """A rule with its policy, ranked by (policy priority, rule index) inside a tier."""

    policy: AntreaPolicy
    rule: AntreaRule


@dataclass(frozen=True)
class TierOrder:
    """One tier's rules per direction, as groups of equal rank (tier, priority, index)."""

    name: str
    priority: int
    ranks: Mapping[str, tuple[tuple[RankedRule, ...], ...]]

    @property
    def layer(self) -> str:
        """The tier as a step of the chain."""
        return f"antrea tier {self.name} ({self.priority})"


@dataclass
class ClusterPolicies:
    """What one cluster enforces in-cluster, compiled from its manifests."""

    network_policies: list[NetworkPolicy] = field(default_factory=list)
    tiers: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_TIERS))
    antrea: list[AntreaPolicy] = field(default_factory=list)
    groups: dict[tuple[str | None, str], AntreaGroup] = field(default_factory=dict)
    """(namespace or None for a ClusterGroup, name) -> group."""
    ordered: tuple[TierOrder, ...] = ()
    """Non-baseline tiers in order."""
    baseline: TierOrder | None = None
    problems: list[str] = field(default_factory=list)


class _Compiler:
    """Compiles one manifest's rules, collecting problems; named fields become ``undecided``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems

    def named(self, value: Any, node: Node, path: str, what: str) -> str | None:
        """Record every unmodelled field under ``path``; the first one's reason, or None."""
        missing = list(unmodelled(value, node, path))
        for where, why in missing:
            self.problems.append(f"{where} is not modelled ({why}); verdicts reaching {what} are UNKNOWN")
        return f"{missing[0][0]}: {missing[0][1]}" if missing else None

    def applied(
        self, entries: Sequence[Mapping[str, Any]] | None, path: str, what: str
    ) -> tuple[AppliedTo, ...] | None:
        if not entries:
            return None
        out = []
        for index, entry in enumerate(entries):
            undecided = self.named(entry, APPLIED_TO, f"{path}.appliedTo[{index}]", what)
            account = entry.get("serviceAccount")
            out.append(
                AppliedTo(
                    pod_selector=entry.get("podSelector"),
                    namespace_selector=entry.get("namespaceSelector"),
                    group=str(entry["group"]) if entry.get("group") else None,
                    service_account=(str(account.get("namespace", "")), str(account.get("name", "")))
                    if account
                    else None,
                    selects_no_pod=entry.get("nodeSelector") is not None
                    or entry.get("externalEntitySelector") is not None,
                    undecided=undecided,
                )
            )
        return tuple(out)

    def peer(self, entry: Mapping[str, Any], path: str, what: str) -> AntreaPeer:
        undecided = self.named(entry, PEER, path, what)
        if undecided is None and entry.get("scope", "Cluster") != "Cluster":
            undecided = f"{path}.scope: {entry['scope']} spans a ClusterSet (multi-cluster), which is not modelled"
            self.problems.append(f"{undecided}; verdicts reaching {what} are UNKNOWN")
        namespaces = entry.get("namespaces") or {}
        if undecided is None and namespaces.get("match") not in (None, "Self"):
            undecided = f"{path}.namespaces.match: {namespaces['match']!r} is not modelled"
            self.problems.append(f"{undecided}; verdicts reaching {what} are UNKNOWN")
        block = None
        if entry.get("ipBlock") is not None:
            try:
                block = ip_block(entry["ipBlock"])
            except (KeyError, ValueError) as exc:
                undecided = f"{path}.ipBlock: {exc}"
                self.problems.append(f"{undecided}; verdicts reaching {what} are UNKNOWN")
        account = entry.get("serviceAccount")
        same_labels = namespaces.get("sameLabels")
        return AntreaPeer(
            pod_selector=entry.get("podSelector"),
            namespace_selector=entry.get("namespaceSelector"),
            same_namespace=namespaces.get("match") == "Self",
            same_labels=tuple(str(k) for k in same_labels) if same_labels is not None else None,
            ip_block=block,
            group=str(entry["group"]) if entry.get("group") else None,
            service_account=(str(account.get("namespace", "")), str(account.get("name", ""))) if account else None,
            node_selector=entry.get("nodeSelector"),
            undecided=undecided,
        )

    def rule(self, raw: Mapping[str, Any], direction: str, index: int, label: str, namespace: str | None) -> AntreaRule:
        kind = "ingress" if direction == "IN" else "egress"
        path = f"{label}/{kind}[{index}]"
        name = str(raw.get("name") or f"{kind}-{index}")
        what = f"{label}/{name}"
        peer_key = "from" if direction == "IN" else "to"
        rest = {k: v for k, v in raw.items() if k not in (peer_key, "appliedTo")}
        undecided = self.named(rest, INGRESS_RULE if direction == "IN" else EGRESS_RULE, path, what)
        peers = raw.get(peer_key) or []
        services = None
        if direction == "OUT" and raw.get("toServices"):
            services = tuple(
                ServiceRef(
                    str(s.get("namespace", namespace or "default")),
                    str(s["name"]),
                    None if s.get("scope", "Cluster") == "Cluster" else f"{path}.toServices: ClusterSet scope",
                )
                for s in raw["toServices"]
            )
        protocols = None
        if raw.get("protocols"):
            protocols = tuple(
                ProtocolTest("icmp", p["icmp"].get("icmpType"), p["icmp"].get("icmpCode"))
                if p.get("icmp") is not None
                else ProtocolTest("igmp")
                for p in raw["protocols"]
            )
        return AntreaRule(
            name=name,
            direction=direction,
            action=str(raw["action"]),
            index=index,
            peers=tuple(self.peer(e, f"{path}.{peer_key}[{i}]", what) for i, e in enumerate(peers))
            if peers
            else (() if services else None),
            services=services,
            ports=port_tests(raw.get("ports")),
            protocols=protocols,
            applied_to=self.applied(raw.get("appliedTo"), path, what),
            path=what,
            undecided=undecided,
        )

    def policy(self, manifest: Mapping[str, Any]) -> AntreaPolicy:
        metadata = manifest.get("metadata") or {}
        spec = manifest.get("spec") or {}
        cluster_wide = manifest.get("kind") == "ClusterNetworkPolicy"
        namespace = None if cluster_wide else str(metadata.get("namespace", "default"))
        name = str(metadata["name"])
        label = f"acnp/{name}" if cluster_wide else f"annp/{namespace}/{name}"
        top = {k: v for k, v in spec.items() if k not in ("ingress", "egress", "appliedTo")}
        undecided = self.named(top, POLICY_SPEC, f"{label}.spec", f"every rule of {label}")
        rules = [
            self.rule(raw, direction, index, label, namespace)
            for direction, key in (("IN", "ingress"), ("OUT", "egress"))
            for index, raw in enumerate(spec.get(key) or [])
        ]
        return AntreaPolicy(
            kind="acnp" if cluster_wide else "annp",
            namespace=namespace,
            name=name,
            tier=str(spec.get("tier") or "application").lower(),
            priority=float(spec["priority"]),
            applied_to=self.applied(spec.get("appliedTo"), f"{label}.spec", f"every rule of {label}"),
            rules=tuple(rules),
            undecided=undecided,
        )


def _tier_order(name: str, priority: int, policies: Sequence[AntreaPolicy], baseline: bool) -> TierOrder:
    ranks = {}
    for direction in ("IN", "OUT"):
        ranked = [
            RankedRule(policy, rule)
            for policy in policies
            for rule in policy.rules
            if rule.direction == direction and not (baseline and rule.action == "Pass")
        ]
        ranks[direction] = tie_groups(ranked, key=lambda r: (r.policy.priority, r.rule.index))
    return TierOrder(name, priority, ranks)


def compile_cluster_policies(manifests: Sequence[Mapping[str, Any]]) -> ClusterPolicies:
    """Split manifests by kind: NetworkPolicy (k8s), Antrea policies, groups and Tiers."""
    out = ClusterPolicies()
    compiler = _Compiler(out.problems)
    for manifest in manifests:
        api = str(manifest.get("apiVersion", ""))
        kind = manifest.get("kind")
        if api.startswith("networking.k8s.io/") and kind == "NetworkPolicy":
            out.network_policies.append(compile_network_policy(manifest))
        elif api.startswith("crd.antrea.io/") and kind == "Tier":
            name = str(manifest["metadata"]["name"])
            compiler.named(manifest.get("spec") or {}, TIER_SPEC, f"tier/{name}.spec", f"tier {name}")
            priority = int(manifest["spec"]["priority"])
            if priority <= 4 or priority in out.tiers.values():
                out.problems.append(f"tier {name}: priority {priority} collides with an NSX or existing tier")
            out.tiers[name] = priority
        elif api.startswith("crd.antrea.io/") and kind in {"ClusterNetworkPolicy", "NetworkPolicy"}:
            out.antrea.append(compiler.policy(manifest))
        elif api.startswith("crd.antrea.io/") and kind in {"ClusterGroup", "Group"}:
            group = compile_group(manifest, out.problems)
            out.groups[(group.namespace, group.name)] = group
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
    out.ordered = tuple(_tier_order(t, out.tiers[t], by_tier[t], baseline=False) for t in tiers)
    if BASELINE_TIER in by_tier:
        out.baseline = _tier_order(BASELINE_TIER, out.tiers[BASELINE_TIER], by_tier[BASELINE_TIER], baseline=True)
    return out
