"""Services, service entries and context profiles (ref §5.5).

A Service needs at least one entry (ref §5.5, nsxlib "mandatory child").
Entries are stored as children ``<service>/service-entries/<id>`` and composed
into ``service_entries`` on GET; a PATCH/PUT of the service creates or
updates them (PUT replaces the set). Predefined services are system owned and
read-only; their ids are their names (``/infra/services/HTTPS``, ref §5.2).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..errors import bad_request, deserialization
from .common import COMMON_FIELDS, Obj, check_fields, expect

if TYPE_CHECKING:
    from .writer import Writer

ENTRY_FIELDS: dict[str, frozenset[str]] = {
    "L4PortSetServiceEntry": frozenset({"l4_protocol", "source_ports", "destination_ports"}),
    "ICMPTypeServiceEntry": frozenset({"protocol", "icmp_type", "icmp_code"}),
    "IPProtocolServiceEntry": frozenset({"protocol_number"}),
    "IGMPTypeServiceEntry": frozenset(),
    "EtherTypeServiceEntry": frozenset({"ether_type"}),
    "ALGTypeServiceEntry": frozenset({"alg", "source_ports", "destination_ports"}),
    "NestedServiceServiceEntry": frozenset({"nested_service_path"}),
}
ENTRY_TYPES = tuple(ENTRY_FIELDS)
ALGS = (
    "FTP",
    "TFTP",
    "ORACLE_TNS",
    "SUN_RPC_TCP",
    "SUN_RPC_UDP",
    "MS_RPC_TCP",
    "MS_RPC_UDP",
    "NBNS_BROADCAST",
    "NBDG_BROADCAST",
)
SERVICE_FIELDS = frozenset({"service_entries", "service_type", "is_default"})
PROFILE_FIELDS = frozenset({"attributes"})
PROFILE_KEYS = ("APP_ID", "DOMAIN_NAME", "URL_CATEGORY", "CUSTOM_URL")
MAX_PORTS = 15
_PORT = re.compile(r"^(\d{1,5})(-(\d{1,5}))?$")


def _ports(entry: Obj, field: str, where: str) -> None:
    ports = expect(entry, field, list, "an array")
    if ports is None:
        return
    if len(ports) > MAX_PORTS:
        raise bad_request(f"{where}: at most {MAX_PORTS} {field} are allowed.")
    for p in ports:
        m = _PORT.match(p) if isinstance(p, str) else None
        if m is None or int(m.group(1)) > 65535 or (m.group(3) and not int(m.group(1)) <= int(m.group(3)) <= 65535):
            raise bad_request(f"{where}: invalid port or port range {p!r} in {field}.")


def check_service_entry(entry: Any, where: str) -> None:  # noqa: PLR0912 - one branch per entry type
    """Validate one service entry (inline in a rule or a service, or standalone)."""
    if not isinstance(entry, dict):
        raise deserialization(f"{where} expects a ServiceEntry object.")
    rt = entry.get("resource_type")
    if rt not in ENTRY_FIELDS:
        raise bad_request(
            f"{where}: invalid service entry resource_type {rt!r}; allowed values are {', '.join(ENTRY_TYPES)}."
        )
    check_fields(entry, COMMON_FIELDS | ENTRY_FIELDS[rt])
    if rt == "L4PortSetServiceEntry":
        if entry.get("l4_protocol") not in ("TCP", "UDP"):
            raise bad_request(f"{where}: l4_protocol must be TCP or UDP.")
        _ports(entry, "source_ports", where)
        _ports(entry, "destination_ports", where)
    elif rt == "ICMPTypeServiceEntry":
        if entry.get("protocol") not in ("ICMPv4", "ICMPv6"):
            raise bad_request(f"{where}: protocol must be ICMPv4 or ICMPv6.")
        for name in ("icmp_type", "icmp_code"):
            value = expect(entry, name, int, "an integer")
            if value is not None and not 0 <= value <= 255:
                raise bad_request(f"{where}: {name} must be between 0 and 255.")
    elif rt == "IPProtocolServiceEntry":
        value = expect(entry, "protocol_number", int, "an integer")
        if value is None or not 0 <= value <= 255:
            raise bad_request(f"{where}: protocol_number must be between 0 and 255.")
    elif rt == "EtherTypeServiceEntry":
        if expect(entry, "ether_type", int, "an integer") is None:
            raise bad_request(f"{where}: ether_type is required.")
    elif rt == "ALGTypeServiceEntry":
        if entry.get("alg") not in ALGS:
            raise bad_request(f"{where}: invalid alg {entry.get('alg')!r}.")
        _ports(entry, "destination_ports", where)


def normalize_service(w: Writer, path: str, obj: Obj, existing: Obj | None) -> None:
    entries = obj.get("service_entries")
    if entries is not None and not isinstance(entries, list):
        raise deserialization("property service_entries expects an array.")
    obj["is_default"] = bool(existing.get("is_default")) if existing else w.system
    obj.setdefault("service_type", "NON_ETHER")


def check_service(w: Writer, path: str, obj: Obj) -> None:
    """Checked after the whole write so H-API ``ChildServiceEntry`` children count."""
    if not w.view.children(path, "service-entries"):
        raise bad_request(f"Service {path}: at least one service entry is required.")


def normalize_entry(w: Writer, path: str, obj: Obj, existing: Obj | None) -> None:
    check_service_entry(obj, f"ServiceEntry {path}")


def normalize_profile(w: Writer, path: str, obj: Obj, existing: Obj | None) -> None:
    attrs = expect(obj, "attributes", list, "an array")
    seen: set[str] = set()
    for a in attrs or []:
        if not isinstance(a, dict):
            raise deserialization("property attributes expects an array of objects.")
        key = a.get("key")
        if key not in PROFILE_KEYS:
            raise bad_request(f"PolicyContextProfile {path}: invalid attribute key {key!r}.")
        if key in seen:
            raise bad_request(f"PolicyContextProfile {path}: attribute {key} appears twice.")
        seen.add(str(key))
        values = a.get("value")
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise bad_request(f"PolicyContextProfile {path}: attribute {key} needs a list of values.")
        if a.get("sub_attributes") and len(values) != 1:
            raise bad_request(f"PolicyContextProfile {path}: attribute {key} with sub_attributes takes one value.")


def _l4(proto: str, *ports: str) -> Obj:
    return {
        "resource_type": "L4PortSetServiceEntry",
        "l4_protocol": proto,
        "source_ports": [],
        "destination_ports": list(ports),
    }


#: Predefined services, id -> entries (a useful subset of NSX's catalogue).
PREDEFINED_SERVICES: dict[str, list[Obj]] = {
    "HTTP": [_l4("TCP", "80")],
    "HTTPS": [_l4("TCP", "443")],
    "CIM-HTTP": [_l4("TCP", "5988")],
    "CIM-HTTPS": [_l4("TCP", "5989")],
    "SSH": [_l4("TCP", "22")],
    "DNS": [_l4("TCP", "53")],
    "DNS-UDP": [_l4("UDP", "53")],
    "MySQL": [_l4("TCP", "3306")],
    "PostgreSQL": [_l4("TCP", "5432")],
    "MS-SQL-S": [_l4("TCP", "1433")],
    "NTP": [_l4("UDP", "123")],
    "LDAP": [_l4("TCP", "389")],
    "LDAP-over-SSL": [_l4("TCP", "636")],
    "SMTP": [_l4("TCP", "25")],
    "RDP": [_l4("TCP", "3389")],
    "Redis": [_l4("TCP", "6379")],
    "Kubernetes-API": [_l4("TCP", "6443")],
    "ICMP-ALL": [{"resource_type": "ICMPTypeServiceEntry", "protocol": "ICMPv4"}],
    "ICMPv6-ALL": [{"resource_type": "ICMPTypeServiceEntry", "protocol": "ICMPv6"}],
    "ICMP Echo Request": [
        {"resource_type": "ICMPTypeServiceEntry", "protocol": "ICMPv4", "icmp_type": 8, "icmp_code": 0}
    ],
}

#: What ``GET /infra/context-profiles/attributes`` reports (a small subset of NSX's catalogue).
SUPPORTED_ATTRIBUTES: dict[str, list[str]] = {
    "APP_ID": ["HTTP", "SSL", "SSH", "DNS", "MYSQL", "POSTGRES", "LDAP", "NTP", "RDP"],
    "DOMAIN_NAME": ["*.example.com"],
    "URL_CATEGORY": ["Search Engines"],
    "CUSTOM_URL": [],
}

#: Predefined context profiles (APP_ID attribute), id -> app id.
PREDEFINED_PROFILES: dict[str, str] = {"HTTP": "HTTP", "SSL": "SSL", "SSH": "SSH", "DNS": "DNS"}
