"""Endpoints, addresses as seen at an enforcement point, and flows.

Why translation lives here (verification.md §4.2.5, §4.5; antrea.md §4.5): a pod's
traffic that leaves its cluster reaches a VM with a translated source, the Egress IP
when an Antrea Egress selects the pod, else its node's IP. DFW at the VM must match on
that address. Inside the cluster, Antrea sees the pod itself (identity and pod IP).

[UNV] choices, conservative and documented:
* VM -> pod and pod -> pod of another cluster target the pod IP (routable pod
  addresses); NodePort / LoadBalancer / NodePortLocal ingress translation is not modelled.
* A VM with several IPs sends from, and is reached on, its first IP.
* A pod without a known node keeps its pod IP when leaving the cluster (reported as a caveat).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from zerotrust.evaluator.addresses import key_text
from zerotrust.evaluator.inventory import Inventory

__all__ = ["EPHEMERAL_PORT", "PROTOCOL_NUMBERS", "Address", "Endpoint", "Flow", "seen_destination", "seen_source"]

PROTOCOL_NUMBERS: dict[str, int] = {"TCP": 6, "UDP": 17, "SCTP": 132, "ICMPv4": 1, "ICMPv6": 58}
"""IANA protocol numbers of the protocols a flow may carry."""
EPHEMERAL_PORT = 49152
"""Source port of a flow when none is given (first IANA dynamic port)."""

EndpointKind = Literal["vm", "pod", "ip"]


@dataclass(frozen=True)
class Endpoint:
    """One end of a flow: a VM, a pod (``name`` = ``cluster/namespace/pod``) or a bare IP."""

    kind: EndpointKind
    name: str
    ip: int
    cluster: str | None = None

    @property
    def label(self) -> str:
        """``vm:orders-db``, ``pod:vks-prod-01/shop/frontend-1`` or ``ip:203.0.113.9``."""
        return f"{self.kind}:{self.name}"

    @property
    def address_text(self) -> str:
        """The endpoint's address, printable."""
        return key_text(self.ip)


@dataclass(frozen=True)
class Address:
    """A peer as an enforcement point sees it: an IP, plus the VM or pod identity if untranslated."""

    ip: int
    vm: str | None = None
    pod: str | None = None
    cluster: str | None = None
    translated_by: str | None = None
    """``egress:<name>`` or ``node:<name>`` when the source was SNATed."""


@dataclass(frozen=True)
class Flow:
    """The initiating packet of a new connection (replies are allowed: §4.6)."""

    src: Endpoint
    dst: Endpoint
    protocol: str = "TCP"
    port: int | None = None
    """Destination port (TCP/UDP/SCTP); ``None`` for ICMP or port-less protocols."""
    src_port: int = EPHEMERAL_PORT
    icmp_type: int | None = None
    icmp_code: int | None = None

    @property
    def protocol_number(self) -> int:
        """IANA number of ``protocol``."""
        return PROTOCOL_NUMBERS[self.protocol]

    @property
    def ip_version(self) -> int:
        """4 or 6, from the destination address."""
        return 4 if self.dst.ip < (1 << 32) else 6

    def describe(self) -> str:
        """``vm:a (192.0.2.5) -> pod:c/ns/p (10.0.0.1) TCP/5432``."""
        what = self.protocol if self.port is None else f"{self.protocol}/{self.port}"
        return f"{self.src.label} ({self.src.address_text}) -> {self.dst.label} ({self.dst.address_text}) {what}"


def seen_source(inventory: Inventory, flow: Flow) -> Address:  # noqa: PLR0911
    """The source as the destination's enforcement point sees it (translation applied)."""
    src, dst = flow.src, flow.dst
    if src.kind == "vm":
        return Address(src.ip, vm=src.name)
    if src.kind == "ip":
        return Address(src.ip)
    if dst.kind == "pod" and dst.cluster == src.cluster:
        return Address(src.ip, pod=src.name, cluster=src.cluster)
    cluster = inventory.cluster(src.cluster or "")
    pod = next((p for p in cluster.pods if p.key == src.name), None) if cluster else None
    if cluster is None or pod is None:
        return Address(src.ip)
    egress = cluster.egress_for(pod)
    if egress is not None:
        return Address(egress.egress_ip, translated_by=f"egress:{egress.name}")
    node = cluster.node(pod.node)
    if node is not None and node.ips:
        return Address(node.ips[0], translated_by=f"node:{node.name}")
    return Address(src.ip, translated_by="none:pod-without-node")


def seen_destination(flow: Flow) -> Address:
    """The destination as the source's enforcement point sees it (no DNAT modelled)."""
    src, dst = flow.src, flow.dst
    if dst.kind == "vm":
        return Address(dst.ip, vm=dst.name)
    if dst.kind == "pod" and src.kind == "pod" and src.cluster == dst.cluster:
        return Address(dst.ip, pod=dst.name, cluster=dst.cluster)
    return Address(dst.ip)
