"""NSX services as packet tests: protocol, destination/source port ranges, ICMP type/code.

Why (nsx-policy-api.md §5.5): a rule matches a flow's service when any of its Service
entries or inline ``service_entries`` matches; ``["ANY"]`` without inline entries
matches every service. [UNV] ``["ANY"]`` *with* inline entries matches the entries only.
ALG entries match their transport protocol and destination ports; EtherType entries
match IPv4 (0x0800) / IPv6 (0x86DD) flows of their type (Ethernet category).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from zerotrust.evaluator.flows import Flow
from zerotrust.models import (
    ALGTypeServiceEntry,
    EtherTypeServiceEntry,
    ICMPTypeServiceEntry,
    IPProtocolServiceEntry,
    L4PortSetServiceEntry,
    ServiceEntry,
)

__all__ = ["EntryTest", "ServiceTest", "compile_entries", "port_ranges"]

_UDP_ALGS = frozenset({"TFTP", "SUN_RPC_UDP", "MS_RPC_UDP", "NBNS_BROADCAST", "NBDG_BROADCAST"})
_ETHER_IPV4, _ETHER_IPV6 = 0x0800, 0x86DD

Ranges = tuple[tuple[int, int], ...] | None
"""Inclusive port ranges; ``None`` = any port."""


def port_ranges(ports: Sequence[str] | None) -> Ranges:
    """``["443", "8000-8080"]`` -> ((443, 443), (8000, 8080)); empty -> any."""
    if not ports:
        return None
    out = []
    for text in ports:
        low, sep, high = text.partition("-")
        out.append((int(low), int(high) if sep else int(low)))
    return tuple(out)


def _in(ranges: Ranges, value: int | None) -> bool:
    if ranges is None:
        return True
    return value is not None and any(low <= value <= high for low, high in ranges)


@dataclass(frozen=True)
class EntryTest:
    """One service entry as a test on a flow."""

    protocol: int | None
    """IANA number; ``None`` only for EtherType entries."""
    dports: Ranges = None
    sports: Ranges = None
    icmp_type: int | None = None
    icmp_code: int | None = None
    ether_type: int | None = None

    def matches(self, flow: Flow) -> bool:
        """Does the flow's initiating packet match this entry."""
        if self.ether_type is not None:
            return self.ether_type == (_ETHER_IPV4 if flow.ip_version == 4 else _ETHER_IPV6)
        if self.protocol != flow.protocol_number:
            return False
        if self.protocol in (1, 58):
            return (self.icmp_type is None or self.icmp_type == flow.icmp_type) and (
                self.icmp_code is None or self.icmp_code == flow.icmp_code
            )
        return _in(self.dports, flow.port) and _in(self.sports, flow.src_port)


@dataclass(frozen=True)
class ServiceTest:
    """The services of a rule: any, or a union of entry tests."""

    any: bool
    entries: tuple[EntryTest, ...] = ()

    def matches(self, flow: Flow) -> bool:
        """Any entry matches (or the rule takes any service)."""
        return self.any or any(entry.matches(flow) for entry in self.entries)


def compile_entries(entries: Sequence[ServiceEntry], problems: list[str], where: str) -> list[EntryTest]:
    """Entry models -> tests; kinds that cannot be decided are reported and never match."""
    tests: list[EntryTest] = []
    for entry in entries:
        if isinstance(entry, L4PortSetServiceEntry):
            number = 6 if entry.l4_protocol == "TCP" else 17
            tests.append(EntryTest(number, port_ranges(entry.destination_ports), port_ranges(entry.source_ports)))
        elif isinstance(entry, ICMPTypeServiceEntry):
            tests.append(
                EntryTest(1 if entry.protocol == "ICMPv4" else 58, None, None, entry.icmp_type, entry.icmp_code)
            )
        elif isinstance(entry, IPProtocolServiceEntry):
            tests.append(EntryTest(entry.protocol_number))
        elif isinstance(entry, ALGTypeServiceEntry):
            number = 17 if entry.alg in _UDP_ALGS else 6
            tests.append(EntryTest(number, port_ranges(entry.destination_ports), port_ranges(entry.source_ports)))
        elif isinstance(entry, EtherTypeServiceEntry):
            tests.append(EntryTest(None, ether_type=entry.ether_type))
        else:
            problems.append(f"{where}: service entry {entry.resource_type} is not modelled; it matches nothing")
    return tests
