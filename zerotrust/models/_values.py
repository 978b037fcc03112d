"""Value checks shared by several kinds: IP literals, the "ANY" list, policy paths.

NSX accepts an IP, a CIDR or an ``a-b`` range in groups and rules (ref §4.2, §5.2);
it rejects malformed ones and an IPAddressExpression mixing IPv4 and IPv6.
``["ANY"]`` means "any" and must stand alone, case-insensitively (ref §5.2, §12.5).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

__all__ = ["ANY", "any_problem", "ip_family", "is_any", "is_ip_literal", "is_path"]

ANY = "ANY"

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_any(values: Sequence[str] | None) -> bool:
    """True for ``None``, ``[]`` or ``["ANY"]`` in any case: all mean "any" on the wire."""
    if not values:
        return True
    return len(values) == 1 and values[0].upper() == ANY


def any_problem(values: Sequence[str] | None) -> str | None:
    """Say what is wrong when "ANY" is mixed with other entries, else ``None``."""
    if not values or len(values) == 1:
        return None
    if any(value.upper() == ANY for value in values):
        return f"'ANY' must be the only element, got {list(values)}"
    return None


def is_path(value: str) -> bool:
    """Policy paths are absolute, e.g. ``/infra/domains/default/groups/web`` (ref §2.2)."""
    return value.startswith("/")


def ip_family(value: str) -> int:
    """The IP version (4 or 6) of an IP, CIDR or ``a-b`` range; ``ValueError`` if invalid.

    A CIDR must have no host bits set (``10.0.0.1/24`` is refused, as NSX does); a range
    must have both ends in the same family and the start not after the end.
    """
    text = value.strip()
    if text != value or not text:
        raise ValueError(f"{value!r} has surrounding spaces or is empty")
    if "/" in text:
        network = ipaddress.ip_network(text, strict=True)
        return network.version
    if "-" in text:
        start_text, _, end_text = text.partition("-")
        start = _address(start_text)
        end = _address(end_text)
        if start.version != end.version:
            raise ValueError(f"range {value!r} mixes IPv4 and IPv6")
        if int(start) > int(end):
            raise ValueError(f"range {value!r} starts after it ends")
        return start.version
    return _address(text).version


def is_ip_literal(value: str) -> bool:
    """True when ``value`` is a valid IP, CIDR or range."""
    try:
        ip_family(value)
    except ValueError:
        return False
    return True


def _address(text: str) -> IpAddress:
    return ipaddress.ip_address(text)
