"""ExternalIPPool ranges: parsing, the addresses they cover, overlap and append-only updates.

Antrea's webhook rejects overlapping ranges (within a pool; across pools since 2.5) and any
change or removal of an existing range (only appending is allowed). Older Antrea builds on VKS
do not check overlap across pools at all and would hand the same address to two Egresses, so
this project checks both everywhere, before apply.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, model_validator

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class IPRange(BaseModel):
    """Either `cidr` or an inclusive `start`/`end` pair (the CRD's oneOf)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cidr: str | None = None
    start: str | None = None
    end: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if self.cidr is not None:
            if self.start is not None or self.end is not None:
                raise ValueError("set either cidr or start/end, not both")
            ipaddress.ip_network(self.cidr, strict=True)  # raises with a precise message
            return self
        if self.start is None or self.end is None:
            raise ValueError("set cidr, or both start and end")
        first, last = ipaddress.ip_address(self.start), ipaddress.ip_address(self.end)
        if first.version != last.version:
            raise ValueError(f"start {first} and end {last} are different IP families")
        if int(first) > int(last):
            raise ValueError(f"start {first} is after end {last}")
        return self

    @property
    def bounds(self) -> tuple[IPAddress, IPAddress]:
        """First and last address the range covers (a CIDR's whole block, as Antrea's overlap check)."""
        if self.cidr is not None:
            net = ipaddress.ip_network(self.cidr)
            return net.network_address, net.broadcast_address
        assert self.start is not None and self.end is not None  # noqa: PT018 - guaranteed by _one_form
        return ipaddress.ip_address(self.start), ipaddress.ip_address(self.end)

    def allocatable(self) -> tuple[IPAddress, IPAddress] | None:
        """What Antrea can hand out: a CIDR loses its first and (IPv4) broadcast address."""
        if self.cidr is None:
            return self.bounds
        net = ipaddress.ip_network(self.cidr)
        first = net.network_address + 1
        last = net.broadcast_address - (1 if net.version == 4 else 0)
        return (first, last) if int(first) <= int(last) else None

    def contains(self, address: IPAddress) -> bool:
        span = self.allocatable()
        return span is not None and span[0].version == address.version and int(span[0]) <= int(address) <= int(span[1])

    def overlaps(self, other: IPRange) -> bool:
        (a0, a1), (b0, b1) = self.bounds, other.bounds
        return a0.version == b0.version and int(a0) <= int(b1) and int(b0) <= int(a1)

    def __str__(self) -> str:
        return self.cidr if self.cidr is not None else f"{self.start}-{self.end}"

    def to_wire(self) -> dict[str, Any]:
        return {"cidr": self.cidr} if self.cidr is not None else {"start": self.start, "end": self.end}


def removed_or_changed(previous: list[str], current: list[IPRange]) -> list[str]:
    """Previously applied ranges that the new list no longer contains exactly.

    Antrea accepts an update only when every existing range is still there, unchanged; new
    ranges may only be added. Ranges are compared in their string form (`cidr` or `a-b`).
    """
    now = {str(r) for r in current}
    return [old for old in previous if old not in now]
