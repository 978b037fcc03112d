"""Kubernetes NetworkPolicy (networking.k8s.io/v1): per-direction isolation, allow-only union.

Semantics (antrea.md §6, verification.md §4.4): a pod is isolated for a direction once
any policy selecting it lists that policyType (default: Ingress, plus Egress when the
policy has egress rules); an isolated pod's traffic passes iff some rule of some
selecting policy allows it (peers AND ports; empty ``from``/``to`` = any peer, no
``ports`` = any port); ``podSelector`` + ``namespaceSelector`` in one peer = AND;
``ipBlock`` = CIDR minus ``except``, matched against the peer's address as seen
(translated for traffic from outside the cluster); named ports resolve on the
destination pod; ``endPort`` makes a range.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zerotrust.evaluator.addresses import IPSet, parse_range
from zerotrust.evaluator.flows import Flow
from zerotrust.evaluator.inventory import Cluster, Pod
from zerotrust.evaluator.selectors import LabelSelector, selector_matches

__all__ = ["NetworkPolicy", "Peer", "PortTest", "compile_network_policy", "ip_block", "k8s_decision", "port_allows"]


@dataclass(frozen=True)
class Peer:
    """The other side of the flow as the pod sees it: an address, and the pod if in-cluster."""

    ip: int
    pod: Pod | None = None


@dataclass(frozen=True)
class PortTest:
    """One ``ports`` entry: protocol, number or name, optional ``endPort``.

    ``source_port`` / ``source_end_port`` exist in Antrea-native rules only (antrea.md §2.2).
    """

    protocol: str
    port: int | str | None
    end_port: int | None = None
    source_port: int | None = None
    source_end_port: int | None = None


@dataclass(frozen=True)
class PeerTest:
    """One ``from``/``to`` entry."""

    pod_selector: LabelSelector | None
    namespace_selector: LabelSelector | None
    ip_block: IPSet | None


@dataclass(frozen=True)
class NetPolRule:
    """Peers (``None`` = any) and ports (``None`` = any)."""

    peers: tuple[PeerTest, ...] | None
    ports: tuple[PortTest, ...] | None


@dataclass(frozen=True)
class NetworkPolicy:
    """A compiled NetworkPolicy; ``rules[direction]`` per ``ingress``/``egress``."""

    namespace: str
    name: str
    pod_selector: LabelSelector
    types: frozenset[str]
    ingress: tuple[NetPolRule, ...]
    egress: tuple[NetPolRule, ...]

    def selects(self, pod: Pod) -> bool:
        """Pods of the policy's namespace matching ``podSelector``."""
        return pod.namespace == self.namespace and selector_matches(self.pod_selector, pod.labels)


def ip_block(block: Mapping[str, Any]) -> IPSet:
    """``{cidr, except}`` as an exact address set."""
    return IPSet.of([parse_range(block["cidr"])]).difference(
        IPSet.of(parse_range(e) for e in block.get("except") or [])
    )


def port_tests(ports: Sequence[Mapping[str, Any]] | None) -> tuple[PortTest, ...] | None:
    """``ports`` entries; absent or empty = any port (antrea.md §6)."""
    if not ports:
        return None
    return tuple(
        PortTest(
            str(p.get("protocol", "TCP")),
            p.get("port"),
            _number(p.get("endPort")),
            _number(p.get("sourcePort")),
            _number(p.get("sourceEndPort")),
        )
        for p in ports
    )


def _number(value: Any) -> int | None:
    return int(value) if value is not None else None


def port_allows(test: PortTest, flow: Flow, destination: Pod | None) -> bool:
    """Protocol, source port range and destination port (range, or named port of the destination pod)."""
    if test.protocol != flow.protocol:
        return False
    if test.source_port is not None:
        high = test.source_end_port if test.source_end_port is not None else test.source_port
        if not test.source_port <= flow.src_port <= high:
            return False
    if test.port is None:
        return True
    if isinstance(test.port, str) and not test.port.isdigit():
        if destination is None or test.port not in destination.ports:
            return False
        number, protocol = destination.ports[test.port]
        return protocol == flow.protocol and flow.port == number
    low = int(test.port)
    high = test.end_port if test.end_port is not None else low
    return flow.port is not None and low <= flow.port <= high


def _peers(entries: Sequence[Mapping[str, Any]] | None) -> tuple[PeerTest, ...] | None:
    if not entries:
        return None
    out = []
    for entry in entries:
        block = entry.get("ipBlock")
        out.append(
            PeerTest(
                entry.get("podSelector"),
                entry.get("namespaceSelector"),
                ip_block(block) if block is not None else None,
            )
        )
    return tuple(out)


def compile_network_policy(manifest: Mapping[str, Any]) -> NetworkPolicy:
    """From a manifest dict; ``policyTypes`` defaulted as the API server does."""
    metadata = manifest.get("metadata") or {}
    spec = manifest.get("spec") or {}
    types = spec.get("policyTypes")
    if not types:
        types = ["Ingress"] + (["Egress"] if spec.get("egress") else [])
    ingress = tuple(NetPolRule(_peers(r.get("from")), port_tests(r.get("ports"))) for r in spec.get("ingress") or [])
    egress = tuple(NetPolRule(_peers(r.get("to")), port_tests(r.get("ports"))) for r in spec.get("egress") or [])
    return NetworkPolicy(
        namespace=str(metadata.get("namespace", "default")),
        name=str(metadata["name"]),
        pod_selector=spec.get("podSelector") or {},
        types=frozenset(str(t) for t in types),
        ingress=ingress,
        egress=egress,
    )


def _peer_matches(test: PeerTest, policy_namespace: str, peer: Peer, cluster: Cluster) -> bool:
    if test.ip_block is not None:
        return peer.ip in test.ip_block
    pod = peer.pod
    if pod is None:
        return False
    if test.namespace_selector is None:
        if pod.namespace != policy_namespace:
            return False
    elif not selector_matches(test.namespace_selector, cluster.namespace_labels(pod.namespace)):
        return False
    return test.pod_selector is None or selector_matches(test.pod_selector, pod.labels)


def k8s_decision(  # noqa: PLR0917
    policies: Sequence[NetworkPolicy],
    cluster: Cluster,
    pod: Pod,
    direction: str,
    peer: Peer,
    flow: Flow,
    destination: Pod | None,
) -> tuple[bool, str | None]:
    """(isolated, name of the first allowing rule) for ``pod`` in ``direction`` (IN/OUT)."""
    kind = "Ingress" if direction == "IN" else "Egress"
    isolated = False
    for policy in policies:
        if kind not in policy.types or not policy.selects(pod):
            continue
        isolated = True
        rules = policy.ingress if direction == "IN" else policy.egress
        for index, rule in enumerate(rules):
            peers_ok = rule.peers is None or any(_peer_matches(t, policy.namespace, peer, cluster) for t in rule.peers)
            ports_ok = rule.ports is None or any(port_allows(t, flow, destination) for t in rule.ports)
            if peers_ok and ports_ok:
                return True, f"k8s:{policy.namespace}/{policy.name}/{kind.lower()}[{index}]"
    return isolated, None
