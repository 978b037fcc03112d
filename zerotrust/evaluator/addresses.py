"""IP addresses as integers and sets of them as sorted disjoint intervals.

Why intervals: group IP expressions, ipBlocks, Egress pools and rule literals are
CIDRs and ``a-b`` ranges (nsx-policy-api.md §4.2, §5.2; antrea.md §2.2); interval
sets give exact membership, union and intersection without enumerating addresses.
IPv6 keys are offset past the IPv4 space so one integer line holds both families.
"""

from __future__ import annotations

import bisect
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["V6_OFFSET", "IPSet", "ip_key", "key_text", "parse_ip", "parse_range"]

V6_OFFSET = 1 << 32
"""IPv6 address ``a`` has key ``V6_OFFSET + int(a)``; IPv4 keys stay below it."""
_V6_TOP = V6_OFFSET + (1 << 128) - 1


def parse_ip(text: str) -> int:
    """The key of a single address; ``ValueError`` if ``text`` is not one."""
    address = ipaddress.ip_address(text.strip())
    return int(address) if address.version == 4 else V6_OFFSET + int(address)


def ip_key(text: str) -> int:
    """Alias of :func:`parse_ip` for readability at call sites that build flows."""
    return parse_ip(text)


def key_text(key: int) -> str:
    """The printable address of a key."""
    if key < V6_OFFSET:
        return str(ipaddress.IPv4Address(key))
    return str(ipaddress.IPv6Address(key - V6_OFFSET))


def parse_range(text: str) -> tuple[int, int]:
    """An IP, CIDR (host bits allowed, as ipBlock does) or ``a-b`` range as inclusive keys."""
    value = text.strip()
    if "/" in value:
        network = ipaddress.ip_network(value, strict=False)
        base = 0 if network.version == 4 else V6_OFFSET
        return base + int(network.network_address), base + int(network.broadcast_address)
    if "-" in value:
        low, _, high = value.partition("-")
        start, end = parse_ip(low), parse_ip(high)
        if (start < V6_OFFSET) != (end < V6_OFFSET) or start > end:
            raise ValueError(f"invalid IP range {text!r}")
        return start, end
    key = parse_ip(value)
    return key, key


@dataclass(frozen=True)
class IPSet:
    """An exact set of addresses: sorted, disjoint, non-adjacent inclusive intervals."""

    intervals: tuple[tuple[int, int], ...] = ()

    @classmethod
    def of(cls, ranges: Iterable[tuple[int, int]]) -> IPSet:
        """Normalise arbitrary (possibly overlapping) intervals."""
        merged: list[tuple[int, int]] = []
        for low, high in sorted(ranges):
            if merged and low <= merged[-1][1] + 1:
                if high > merged[-1][1]:
                    merged[-1] = (merged[-1][0], high)
            else:
                merged.append((low, high))
        return cls(tuple(merged))

    @classmethod
    def parse(cls, texts: Iterable[str]) -> IPSet:
        """From IP / CIDR / range literals."""
        return cls.of(parse_range(text) for text in texts)

    @classmethod
    def everything(cls) -> IPSet:
        """Every IPv4 and IPv6 address."""
        return cls(((0, _V6_TOP),))

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, int) or not self.intervals:
            return False
        index = bisect.bisect_right(self.intervals, (key, _V6_TOP + 1)) - 1
        return index >= 0 and self.intervals[index][0] <= key <= self.intervals[index][1]

    def __bool__(self) -> bool:
        return bool(self.intervals)

    def union(self, other: IPSet) -> IPSet:
        """Addresses in either set."""
        if not other.intervals:
            return self
        if not self.intervals:
            return other
        return IPSet.of(self.intervals + other.intervals)

    def intersection(self, other: IPSet) -> IPSet:
        """Addresses in both sets (two-pointer sweep)."""
        out: list[tuple[int, int]] = []
        i = j = 0
        a, b = self.intervals, other.intervals
        while i < len(a) and j < len(b):
            low, high = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
            if low <= high:
                out.append((low, high))
            if a[i][1] < b[j][1]:
                i += 1
            else:
                j += 1
        return IPSet(tuple(out))

    def difference(self, other: IPSet) -> IPSet:
        """Addresses in this set but not in ``other``."""
        out: list[tuple[int, int]] = []
        for low, high in self.intervals:
            start = low
            for o_low, o_high in other.intervals:
                if o_high < start or o_low > high:
                    continue
                if o_low > start:
                    out.append((start, o_low - 1))
                start = max(start, o_high + 1)
                if start > high:
                    break
            if start <= high:
                out.append((start, high))
        return IPSet(tuple(out))
