"""System-owned objects every NSX Manager has (ref §5.3, §12.6).

- domain ``default``, site ``default`` and enforcement point ``default``;
- ``default-layer3-section`` (Application, ``is_default``) with
  ``default-layer3-rule`` (rule_id 2, sequence 2147483647, ALLOW),
  ``default_rule_NDP`` (3, 25000) and ``default_rule_DHCP`` (4, 50000);
- ``default-layer2-section`` (Ethernet) with ``default-layer2-rule`` (rule_id 1);
- predefined services and context profiles (ids are their names).
The default policies and rules can be edited but not deleted.
"""

from __future__ import annotations

from typing import Any

from ..store import Store
from .common import INT32_MAX
from .services import PREDEFINED_PROFILES, PREDEFINED_SERVICES
from .writer import Writer

DEFAULT_L3 = "/infra/domains/default/security-policies/default-layer3-section"
DEFAULT_L2 = "/infra/domains/default/security-policies/default-layer2-section"
SYSTEM_USER = "system"

_EXTRA_SERVICES: dict[str, list[dict[str, Any]]] = {
    "IPv6-ICMP_Neighbor_Solicitation": [
        {"resource_type": "ICMPTypeServiceEntry", "protocol": "ICMPv6", "icmp_type": 135}
    ],
    "IPv6-ICMP_Neighbor_Advertisement": [
        {"resource_type": "ICMPTypeServiceEntry", "protocol": "ICMPv6", "icmp_type": 136}
    ],
    "DHCP-Client": [
        {
            "resource_type": "L4PortSetServiceEntry",
            "l4_protocol": "UDP",
            "source_ports": [],
            "destination_ports": ["68"],
        }
    ],
    "DHCP-Server": [
        {
            "resource_type": "L4PortSetServiceEntry",
            "l4_protocol": "UDP",
            "source_ports": [],
            "destination_ports": ["67"],
        }
    ],
}


def _rule(rid: str, rule_id: int, seq: int, display: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": rid,
        "display_name": display,
        "rule_id": rule_id,
        "sequence_number": seq,
        "action": "ALLOW",
        **extra,
    }


def install_defaults(store: Store) -> None:
    """Create whatever default object is missing (idempotent; runs at every start)."""
    w = Writer(store, SYSTEM_USER, system=True)

    def ensure(path: str, body: dict[str, Any]) -> None:
        if not w.view.exists(path):
            w.upsert(path, body, system_owned=True)

    ensure("/infra/domains/default", {"display_name": "default"})
    ensure("/infra/sites/default", {"display_name": "default"})
    ensure("/infra/sites/default/enforcement-points/default", {"display_name": "default"})
    for sid, entries in {**PREDEFINED_SERVICES, **_EXTRA_SERVICES}.items():
        entry_objs = [
            {**e, "id": sid if len(entries) == 1 else f"{sid}-{i}", "display_name": sid} for i, e in enumerate(entries)
        ]
        ensure(f"/infra/services/{sid}", {"display_name": sid, "service_entries": entry_objs})
    for pid, app in PREDEFINED_PROFILES.items():
        ensure(
            f"/infra/context-profiles/{pid}",
            {
                "display_name": pid,
                "attributes": [{"key": "APP_ID", "value": [app], "datatype": "STRING", "isALGType": False}],
            },
        )
    ensure(
        DEFAULT_L3,
        {
            "display_name": "Default Layer3 Section",
            "category": "Application",
            "sequence_number": INT32_MAX,
            "is_default": True,
            "stateful": True,
            "rules": [
                _rule(
                    "default_rule_NDP",
                    3,
                    25000,
                    "Default Rule NDP",
                    ip_protocol="IPV6",
                    services=[
                        "/infra/services/IPv6-ICMP_Neighbor_Solicitation",
                        "/infra/services/IPv6-ICMP_Neighbor_Advertisement",
                    ],
                ),
                _rule(
                    "default_rule_DHCP",
                    4,
                    50000,
                    "Default Rule DHCP",
                    services=["/infra/services/DHCP-Server", "/infra/services/DHCP-Client"],
                ),
                _rule("default-layer3-rule", 2, INT32_MAX, "Default Layer3 Rule", is_default=True),
            ],
        },
    )
    ensure(
        DEFAULT_L2,
        {
            "display_name": "Default Layer2 Section",
            "category": "Ethernet",
            "sequence_number": INT32_MAX,
            "is_default": True,
            "stateful": False,
            "rules": [_rule("default-layer2-rule", 1, INT32_MAX, "Default Layer2 Rule", is_default=True)],
        },
    )
    w.finish()
