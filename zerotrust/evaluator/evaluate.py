"""The public entry points: compile a configuration once, then answer flows and intents.

A connection is allowed iff egress is allowed at the source's enforcement point and
ingress at the destination's (verification.md §4, §4.5): DFW at a VM vNIC, the Antrea
pipeline at a pod; an external address has no enforcement point and allows its side.
Only the initiating packet is evaluated: policies are stateful, replies of an allowed
connection pass (§4.6). Claims are about new connections after apply.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from zerotrust.evaluator import flows as flow_module
from zerotrust.evaluator import nsx
from zerotrust.evaluator.addresses import IPSet, key_text
from zerotrust.evaluator.antrea import PIPELINE as ANTREA_PIPELINE
from zerotrust.evaluator.antrea import ClusterPolicies, compile_cluster_policies
from zerotrust.evaluator.antrea_match import Decision, Subject, antrea_steps, baseline_step
from zerotrust.evaluator.config import PolicyConfig
from zerotrust.evaluator.endpoints import EndpointError, representative_ips, resolve_endpoints
from zerotrust.evaluator.flows import Address, Endpoint, Flow
from zerotrust.evaluator.intents import Intent, IntentSyntaxError, ServiceSpec, parse_intent
from zerotrust.evaluator.inventory import Cluster, Pod
from zerotrust.evaluator.kubernetes import Peer, k8s_decision
from zerotrust.evaluator.membership import Members, MembershipResolver
from zerotrust.evaluator.verdict import Action, Side, SideVerdict, Step, Verdict, render_trace

__all__ = ["Evaluator", "IntentResult", "check_intents", "evaluate"]

EVALUATED_SIDES: tuple[Side, ...] = ("egress", "ingress")
PIPELINE: tuple[str, ...] = ANTREA_PIPELINE
"""Both enforcement points are consulted (a hook so mutation tests can drop one)."""


_ACTIONS: dict[str, Action] = {
    "ALLOW": "ALLOW", "DROP": "DROP", "REJECT": "REJECT", "ERROR": "ERROR", "UNKNOWN": "UNKNOWN",
    "Allow": "ALLOW", "Drop": "DROP", "Reject": "REJECT",
}  # fmt: skip


def _action(value: str | None) -> Action:
    """NSX and Antrea action spellings as a verdict action; anything else is an ERROR."""
    return _ACTIONS.get(value or "", "ERROR")


@dataclass(frozen=True)
class _PodContext:
    cluster: Cluster
    pod: Pod
    policies: ClusterPolicies


def _decided(side: Side, endpoint: Endpoint, decision: Decision, steps: list[Step]) -> SideVerdict:
    """A side decided by an Antrea tier: an action, an ERROR (tie conflict) or UNKNOWN (undecidable rule)."""
    action = _action(decision.action)
    errors = (decision.note,) if action == "ERROR" else ()
    unknowns = (f"{decision.rule}: {decision.note}",) if action == "UNKNOWN" else ()
    return SideVerdict(side, endpoint.label, action, decision.rule or "error", tuple(steps), errors, unknowns)


class Evaluator:
    """A compiled configuration: group members, ordered NSX rules, per-cluster Antrea/K8s policies."""

    def __init__(self, config: PolicyConfig) -> None:
        self.config = config
        self.inventory = config.inventory
        groups = {config.group_path(g): g for g in config.groups}
        services = {config.service_path(s): s for s in config.services}
        self.nsx = nsx.compile_nsx(config.policies, services, config.spans, config.domain)
        resolver = MembershipResolver(groups, self.inventory)
        referenced = set(groups)
        for rule in self.nsx.rules:
            referenced |= rule.sources.groups | rule.destinations.groups | (rule.scope_groups or frozenset())
        self.members: dict[str, Members] = {path: resolver.members(path) for path in sorted(referenced)}
        self.clusters: dict[str, ClusterPolicies] = {}
        for cluster in self.inventory.clusters:
            self.clusters[cluster.name] = compile_cluster_policies(config.kubernetes.get(cluster.name, ()))
        unknown = set(config.kubernetes) - set(self.clusters)
        self.problems: list[str] = resolver.problems + self.nsx.problems
        self.problems += [f"kubernetes manifests for unknown cluster {name}" for name in sorted(unknown)]
        for name, compiled in self.clusters.items():
            self.problems += [f"cluster {name}: {p}" for p in compiled.problems]
        self._index_members()
        self._other_ips: list[int] | None = None
        self._ports: list[int] | None = None

    # membership indexes ----------------------------------------------------------

    def _index_members(self) -> None:
        """Invert group members: which groups hold each VM, pod and address (§4.1.8)."""
        vm_ips = sorted((ip, vm.name) for vm in self.inventory.vms for ip in vm.ips)
        pod_ips = sorted((ip, pod.key) for pod in self.inventory.pods() for ip in pod.ips)
        vm_groups: dict[str, set[str]] = {vm.name: set() for vm in self.inventory.vms}
        pod_groups: dict[str, set[str]] = {pod.key: set() for pod in self.inventory.pods()}
        vm_by_name = {vm.name: vm for vm in self.inventory.vms}
        self._addresses: dict[str, IPSet] = {}
        for path, members in self.members.items():
            for name in members.vms:
                vm_groups[name].add(path)
            for key in members.pods:
                pod_groups[key].add(path)
            for low, high in members.ips.intervals:
                for table, target in ((vm_ips, vm_groups), (pod_ips, pod_groups)):
                    index = bisect.bisect_left(table, (low, ""))
                    while index < len(table) and table[index][0] <= high:
                        target[table[index][1]].add(path)
                        index += 1
            vm_spans = [(ip, ip) for name in members.vms for ip in vm_by_name[name].ips]
            address_set = members.ips.union(IPSet.of(vm_spans)) if vm_spans else members.ips
            if address_set:
                self._addresses[path] = address_set
        self._vm_groups = {k: frozenset(v) for k, v in vm_groups.items()}
        self._pod_groups = {k: frozenset(v) for k, v in pod_groups.items()}
        self._ip_cache: dict[int, frozenset[str]] = {}

    def groups_of_ip(self, ip: int) -> frozenset[str]:
        """Groups whose addresses (IP expressions, member VMs' IPs, Kubernetes IPs) hold ``ip``."""
        cached = self._ip_cache.get(ip)
        if cached is None:
            cached = frozenset(path for path, addresses in self._addresses.items() if ip in addresses)
            self._ip_cache[ip] = cached
        return cached

    def groups_of(self, address: Address, point_cluster: str | None) -> frozenset[str]:
        """Groups of a peer as a point sees it: by identity when untranslated, else by address."""
        if address.vm is not None:
            return self._vm_groups.get(address.vm, frozenset())
        if address.pod is not None and address.cluster == point_cluster:
            return self._pod_groups.get(address.pod, frozenset())
        return self.groups_of_ip(address.ip)

    # endpoints ------------------------------------------------------------------

    def _pod(self, endpoint: Endpoint) -> _PodContext:
        cluster = self.inventory.cluster(endpoint.cluster or "")
        pod = next((p for p in cluster.pods if p.key == endpoint.name), None) if cluster else None
        if cluster is None or pod is None:
            raise KeyError(f"{endpoint.label} is not in the inventory")
        return _PodContext(cluster, pod, self.clusters[cluster.name])

    def vm_endpoint(self, name: str) -> Endpoint:
        """The endpoint of a VM (its first IP)."""
        vm = self.inventory.vm(name)
        if vm is None or not vm.ips:
            raise KeyError(f"vm:{name} is not in the inventory or has no IP")
        return Endpoint("vm", vm.name, vm.ips[0])

    def pod_endpoint(self, pod: Pod) -> Endpoint:
        """The endpoint of a pod (its first IP)."""
        return Endpoint("pod", pod.key, pod.ips[0], pod.cluster)

    # evaluation -----------------------------------------------------------------

    def evaluate(self, flow: Flow) -> Verdict:
        """The verdict for the initiating packet of ``flow``, with both sides' chains."""
        if flow.src == flow.dst:
            itself = SideVerdict(
                "egress", flow.src.label, "ALLOW", "loopback", (Step("host", "ALLOW", None, "same endpoint"),)
            )
            return Verdict.combine(flow, (itself,))
        sides = []
        caveats: list[str] = []
        source_seen = flow_module.seen_source(self.inventory, flow)
        if source_seen.translated_by and source_seen.translated_by.startswith("none:"):
            caveats.append(f"{flow.src.label} has no node in the inventory; its pod IP is used as the source")
        for side in EVALUATED_SIDES:
            if side == "egress":
                sides.append(self._side("egress", flow.src, flow_module.seen_destination(flow), flow))
            else:
                sides.append(self._side("ingress", flow.dst, source_seen, flow))
        return Verdict.combine(flow, tuple(sides), tuple(caveats))

    def _side(self, side: Side, endpoint: Endpoint, peer: Address, flow: Flow) -> SideVerdict:
        direction = "OUT" if side == "egress" else "IN"
        prelude: list[Step] = []
        if peer.translated_by:
            prelude.append(
                Step("translation", "SNAT", None, f"source seen as {key_text(peer.ip)} ({peer.translated_by})")
            )
        if endpoint.kind == "ip":
            return SideVerdict(
                side,
                "none",
                "ALLOW",
                "no-enforcement-point",
                (*prelude, Step("none", "ALLOW", None, "address outside the inventory")),
            )
        if endpoint.kind == "vm":
            point = nsx.Point(endpoint.label, None, False, self._vm_groups.get(endpoint.name, frozenset()), endpoint.ip)
            walk = nsx.walk_nsx(self.nsx, point, direction, self.groups_of(peer, None), peer.ip, flow)
            steps = prelude + walk.steps
            if walk.action is None:
                if self.nsx.has_default_section:
                    message = "no rule matched, not even the default section's rules"
                else:
                    message = (
                        "no rule matched and the configuration has no default-layer3-section: "
                        "the default action is unknown"
                    )
                steps.append(Step("DFW default", "ERROR", None, message))
                return SideVerdict(side, endpoint.label, "ERROR", "no-default-rule", tuple(steps), (message,))
            action = _action(walk.action)
            return SideVerdict(side, endpoint.label, action, walk.rule or "error", tuple(steps), tuple(walk.errors))
        return self._pod_side(side, endpoint, peer, flow, prelude)

    def _pod_side(self, side: Side, endpoint: Endpoint, peer: Address, flow: Flow, steps: list[Step]) -> SideVerdict:  # noqa: PLR0912
        """The Antrea pipeline at a pod (verification.md §4.3)."""
        context = self._pod(endpoint)
        direction = "OUT" if side == "egress" else "IN"
        cluster, pod, policies = context.cluster, context.pod, context.policies
        peer_pod = None
        if peer.pod is not None and peer.cluster == cluster.name:
            peer_pod = next((p for p in cluster.pods if p.key == peer.pod), None)
        k8s_peer = Peer(peer.ip, peer_pod)
        destination = pod if direction == "IN" else peer_pod
        subject = Subject(cluster, pod, direction, k8s_peer, flow, destination, policies.groups)
        passed = False
        for stage in PIPELINE:
            if stage == "nsx" and not passed:
                if cluster.ccp_path is None:
                    continue
                point = nsx.Point(
                    endpoint.label, cluster.ccp_path, True, self._pod_groups.get(pod.key, frozenset()), endpoint.ip
                )
                walk = nsx.walk_nsx(self.nsx, point, direction, self.groups_of(peer, cluster.name), peer.ip, flow)
                steps += walk.steps
                if walk.action is not None:
                    return SideVerdict(
                        side,
                        endpoint.label,
                        _action(walk.action),
                        walk.rule or "error",
                        tuple(steps),
                        tuple(walk.errors),
                    )
            elif stage == "antrea" and not passed:
                decision = antrea_steps(policies, subject, steps)
                if decision is not None and decision.action == "Pass":
                    passed = True
                elif decision is not None:
                    return _decided(side, endpoint, decision, steps)
            elif stage == "k8s":
                isolated, allowing = k8s_decision(
                    policies.network_policies, cluster, pod, direction, k8s_peer, flow, destination
                )
                if allowing is not None:
                    steps.append(Step("K8s NetworkPolicy", "ALLOW", allowing))
                    return SideVerdict(side, endpoint.label, "ALLOW", allowing, tuple(steps))
                if isolated:
                    kind = "ingress" if direction == "IN" else "egress"
                    rule = f"k8s-isolation:{kind}:{pod.key}"
                    steps.append(
                        Step(
                            "K8s NetworkPolicy",
                            "DROP",
                            rule,
                            f"{kind.capitalize()}DefaultRule: isolated, no rule allows",
                        )
                    )
                    return SideVerdict(side, endpoint.label, "DROP", rule, tuple(steps))
                steps.append(Step("K8s NetworkPolicy", "no match", None, "pod not isolated for this direction"))
            elif stage == "baseline":
                decision = baseline_step(policies, subject, steps)
                if decision is not None:
                    return _decided(side, endpoint, decision, steps)
        steps.append(Step("antrea default", "ALLOW", None, "nothing matched and no isolation"))
        return SideVerdict(side, endpoint.label, "ALLOW", "antrea-default-allow", tuple(steps))

    def endpoints(self, selector: str) -> list[Endpoint]:
        """Resolve an endpoint selector (see :mod:`zerotrust.evaluator.endpoints`)."""
        return resolve_endpoints(selector, self.inventory, self.members, self.other_ips())

    def other_ips(self) -> list[int]:
        """Representative addresses outside the inventory (interval ends of every IP literal)."""
        if self._other_ips is None:
            sets = [m.ips for m in self.members.values()]
            sets += [r.sources.ips for r in self.nsx.rules] + [r.destinations.ips for r in self.nsx.rules]
            self._other_ips = representative_ips(sets)
        return self._other_ips

    def port_breakpoints(self) -> list[int]:
        """Ports where some rule's port set starts or ends (plus 0, 1, 65535): exact witnesses."""
        if self._ports is None:
            ports = {0, 1, 65535}
            for rule in self.nsx.rules:
                for entry in rule.services.entries:
                    for low, high in entry.dports or ():
                        ports |= {low, high, max(low - 1, 0), min(high + 1, 65535)}
            for compiled in self.clusters.values():
                tests = [t for np in compiled.network_policies for r in np.ingress + np.egress for t in r.ports or ()]
                tests += [t for p in compiled.antrea for r in p.rules for t in r.ports or ()]
                for test in tests:
                    if isinstance(test.port, int):
                        high = test.end_port if test.end_port is not None else test.port
                        ports |= {test.port, high, max(test.port - 1, 0), min(high + 1, 65535)}
            self._ports = sorted(ports)
        return self._ports

    def evaluate_all(self, flows: Iterable[Flow]) -> list[Verdict]:
        """Evaluate many flows."""
        return [self.evaluate(f) for f in flows]


def evaluate(config: PolicyConfig | Evaluator, flow: Flow) -> Verdict:
    """Evaluate one flow; pass an :class:`Evaluator` to reuse the compiled form."""
    evaluator = config if isinstance(config, Evaluator) else Evaluator(config)
    return evaluator.evaluate(flow)


@dataclass(frozen=True)
class IntentResult:
    """An intent's outcome: ``ok``, the flows checked, and the first counter-example.

    ``undecided`` holds the first UNKNOWN verdict when no flow broke the intent but some
    could not be decided offline: the intent is then neither holding nor broken (issue 17).
    """

    intent: Intent
    ok: bool
    checked: int
    witness: Verdict | None = None
    error: str | None = None
    undecided: Verdict | None = None

    @property
    def broken(self) -> bool:
        """A flow contradicts the intent (or it could not be parsed / resolved)."""
        return not self.ok and self.undecided is None

    def message(self) -> str:
        """One paragraph for a preview failure: witness, expected vs actual, decision chain."""
        if self.ok:
            return f"intent holds: {self.intent.text} ({self.checked} flows)"
        if self.undecided is not None:
            return f"intent not checked: {self.intent.text}: {'; '.join(self.undecided.unknowns)}"
        if self.witness is None:
            return f"intent broken: {self.intent.text}: {self.error}"
        return (
            f"intent broken: {self.intent.text}\n  expected {self.intent.expect.upper()}, "
            f"got {self.witness.action} for {self.witness.flow.describe()}\n" + render_trace(self.witness)
        )


def _service_ports(evaluator: Evaluator, spec: ServiceSpec) -> list[tuple[str, int | None]]:
    """(protocol, port) witnesses: the spec's ends plus every rule port boundary inside it."""
    if spec.protocol in {"ICMPv4", "ICMPv6"}:
        return [(spec.protocol, None)]
    bounds = evaluator.port_breakpoints()
    if spec.protocol is not None and spec.low is not None and spec.high is not None:
        low, high = spec.low, spec.high
        inside = sorted({low, high} | {p for p in bounds if low <= p <= high})
        return [(spec.protocol, p) for p in inside]
    return [(proto, p) for proto in ("TCP", "UDP") for p in bounds] + [("ICMPv4", None)]


def check_intents(config: PolicyConfig | Evaluator, intents: Sequence[str | Intent]) -> list[IntentResult]:
    """Check each intent over all its witness flows; parse errors become failed results."""
    evaluator = config if isinstance(config, Evaluator) else Evaluator(config)
    results = []
    for item in intents:
        try:
            intent = item if isinstance(item, Intent) else parse_intent(item)
        except IntentSyntaxError as exc:
            results.append(IntentResult(Intent(str(item), "", "", ServiceSpec(), "deny"), False, 0, error=str(exc)))
            continue
        try:
            sources = evaluator.endpoints(intent.source)
            destinations = evaluator.endpoints(intent.destination)
        except EndpointError as exc:
            results.append(IntentResult(intent, False, 0, error=str(exc)))
            continue
        checked, witness, undecided = 0, None, None
        for protocol, port in _service_ports(evaluator, intent.service):
            for src in sources:
                for dst in destinations:
                    if src == dst:
                        continue
                    verdict = evaluator.evaluate(Flow(src, dst, protocol, port))
                    checked += 1
                    good = (
                        verdict.action == "ALLOW" if intent.expect == "allow" else verdict.action in {"DROP", "REJECT"}
                    )
                    if verdict.action == "UNKNOWN":
                        undecided = undecided or verdict
                    elif not good:
                        witness = verdict
                        break
                if witness:
                    break
            if witness:
                break
        if witness is not None:
            undecided = None
        results.append(IntentResult(intent, witness is None and undecided is None, checked, witness, None, undecided))
    return results
