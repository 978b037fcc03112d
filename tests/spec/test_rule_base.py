"""Intents against the whole rule base NSX holds, with the stack's own members laid over it.

The emulator starts from the demo seed. The "admins" write an Emergency section isolating
quarantined VMs straight into NSX; the "app" stack under test only has its own section. An
intent that only the admins' section makes hold must hold, one the app's own rule makes
hold must hold, and the app's member replaces a live object of the same id.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.emulator_process import RunningEmulator, start_emulator
from tests.support.nsx_stack import raw
from zerotrust.nsx import NsxConfig
from zerotrust.spec.live_inventory import InventoryReadError
from zerotrust.spec.rule_base import check_against_nsx

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "nsx_emulator" / "seeds" / "demo.yaml"
DOMAIN = "/policy/api/v1/infra/domains/default"
GROUPS = "/infra/domains/default/groups"
QUARANTINED = {
    "expression": [
        {"resource_type": "Condition", "member_type": "VirtualMachine", "key": "Tag", "operator": "EQUALS",
         "value": "quarantine|malicious"}
    ]
}  # fmt: skip
ORDERS_DB = {
    "expression": [
        {"resource_type": "Condition", "member_type": "VirtualMachine", "key": "Tag", "operator": "EQUALS",
         "value": "tier|db"}
    ]
}  # fmt: skip


def rule(
    rule_id: str, seq: int, action: str, sources: list[str], destinations: list[str], **extra: Any
) -> dict[str, Any]:
    return {
        "resource_type": "Rule", "id": rule_id, "sequence_number": seq, "action": action,
        "source_groups": sources, "destination_groups": destinations, "services": ["ANY"], **extra,
    }  # fmt: skip


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    emulator = start_emulator(tmp_path_factory.mktemp("emulator"), seed=SEED)
    with raw(emulator) as nsx:
        nsx.patch(f"{DOMAIN}/groups/quarantined", json=QUARANTINED).raise_for_status()
        quarantine = {
            "category": "Emergency",
            "sequence_number": 10,
            "rules": [rule("isolate-in", 10, "DROP", ["ANY"], [f"{GROUPS}/quarantined"])],
        }
        nsx.patch(f"{DOMAIN}/security-policies/quarantine", json=quarantine).raise_for_status()
        old = {"category": "Application", "sequence_number": 500, "rules": [rule("old", 10, "DROP", ["ANY"], ["ANY"])]}
        nsx.patch(f"{DOMAIN}/security-policies/shop-orders", json=old).raise_for_status()
    yield emulator
    emulator.stop()


def config(emu: RunningEmulator, **settings: Any) -> NsxConfig:
    defaults = {"host": emu.base_url, "username": "admin", "password": emu.admin_password, "caFile": emu.ca_file}
    return NsxConfig.from_settings({**defaults, **settings})


APP_GROUPS = {"shop-orders-db": ORDERS_DB}
APP_POLICIES = {
    "shop-orders": {
        "category": "Application",
        "sequence_number": 500,
        "rules": [rule("jump-to-db", 10, "ALLOW", [f"{GROUPS}/jump-host-vm"], [f"{GROUPS}/shop-orders-db"])],
    }
}


def test_admins_sections_in_nsx_decide_with_the_apps_own(emu: RunningEmulator) -> None:
    with raw(emu) as nsx:
        jump = {"expression": [{"resource_type": "IPAddressExpression", "ip_addresses": ["192.0.2.5"]}]}
        nsx.patch(f"{DOMAIN}/groups/jump-host-vm", json=jump).raise_for_status()
    intents = [
        "vm:jump-host -> vm:legacy-web tcp/22 deny",  # only the admins' Emergency section (in NSX) says so
        "vm:jump-host -> vm:orders-db tcp/5432 allow",  # only the app's own rule says so
    ]
    check = check_against_nsx(config(emu), "default", intents, groups=APP_GROUPS, policies=APP_POLICIES)
    assert [(r.ok, r.broken) for r in check.results] == [(True, False), (True, False)], [
        r.message() for r in check.results
    ]
    assert emu.base_url in check.source


def test_the_apps_member_replaces_the_live_one_of_the_same_id(emu: RunningEmulator) -> None:
    """NSX holds an old 'shop-orders' that drops everything; the desired one under review decides."""
    intents = ["vm:jump-host -> vm:orders-db tcp/5432 allow"]
    without = check_against_nsx(config(emu), "default", intents, groups=APP_GROUPS, policies={})
    assert without.broken(), "the live 'shop-orders' drops it"
    with_own = check_against_nsx(config(emu), "default", intents, groups=APP_GROUPS, policies=APP_POLICIES)
    assert not with_own.broken()


def test_an_unreachable_nsx_is_one_line(emu: RunningEmulator) -> None:
    with pytest.raises(InventoryReadError, match=r"^rule base: .*Nothing was changed in NSX"):
        check_against_nsx(
            config(emu, password="wrong"), "default", ["vm:jump-host -> vm:orders-db allow"], groups={}, policies={}
        )
