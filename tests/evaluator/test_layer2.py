"""Ethernet (layer 2) rules come first and can only stop a packet (verification.md §4.1.1).

NSX keeps a ``default-layer2-section`` with an ALLOW rule next to the layer-3 default
section; read from a real manager (or the emulator), it must not decide layer-3 flows.
"""

from __future__ import annotations

from typing import Any

from zerotrust.evaluator.config import default_section, load_config
from zerotrust.evaluator.evaluate import Evaluator
from zerotrust.evaluator.flows import Flow

L2 = "/infra/domains/default/security-policies/layer2"


def layer2(action: str) -> dict[str, Any]:
    rule = {"id": "l2", "sequence_number": 1, "action": action, "source_groups": ["ANY"], "destination_groups": ["ANY"]}
    return {"path": L2, "body": {"category": "Ethernet", "sequence_number": 1, "rules": [rule]}}


def verdict(l2_action: str, l3_default: str) -> tuple[str, tuple[str, ...]]:
    vms = [
        {"display_name": "a", "external_id": "a", "ip_addresses": ["192.0.2.1"]},
        {"display_name": "b", "external_id": "b", "ip_addresses": ["192.0.2.2"]},
    ]
    evaluator = Evaluator(
        load_config({"virtual_machines": vms, "objects": [layer2(l2_action), default_section(l3_default)]})
    )
    (a,) = evaluator.endpoints("vm:a")
    (b,) = evaluator.endpoints("vm:b")
    found = evaluator.evaluate(Flow(a, b, "TCP", 443))
    return found.action, found.deciding


def test_a_layer2_allow_hands_the_packet_to_layer3() -> None:
    action, deciding = verdict("ALLOW", "DROP")
    assert action == "DROP"
    assert deciding == ("/infra/domains/default/security-policies/default-layer3-section/rules/default-layer3-rule",)


def test_a_layer2_drop_stops_it() -> None:
    assert verdict("DROP", "ALLOW") == ("DROP", (f"{L2}/rules/l2",))
