"""examples/split-stacks under the real engine, with the library installed from a wheel.

Two projects, two states, two owners. The admins' stack comes up first; the shop's stack comes
up on the admins' groups (by StackReference). The shop's intents are checked against the whole
rule base NSX holds: when someone disables the admins' quarantine rule by hand in NSX, the
intent only that rule makes hold breaks the shop's next preview, before any write; once the
admins' stack puts it back, the shop previews clean. Each stack destroys only what it owns.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pulumi.automation.errors import CommandError

from tests.support.emulator_process import RunningEmulator, start_emulator
from tests.support.installed_library import InstalledLibrary
from tests.support.nsx_stack import configure_nsx, domain_snapshot, raw
from tests.support.pulumi_harness import REPO, changes

pytestmark = pytest.mark.engine

EXAMPLE = REPO / "examples" / "split-stacks"
SEED = REPO / "nsx_emulator" / "seeds" / "demo.yaml"
DOMAIN = "/policy/api/v1/infra/domains/default"
GROUPS = "/infra/domains/default/groups"


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[RunningEmulator]:
    emulator = start_emulator(tmp_path / "emulator", seed=SEED)
    yield emulator
    emulator.stop()


def test_split_stacks(tmp_path: Path, emu: RunningEmulator, installed: InstalledLibrary) -> None:
    admins = installed.workspace(EXAMPLE / "admins", tmp_path / "admins", stack_name="dev")
    shop = installed.workspace(EXAMPLE / "shop", tmp_path / "shop", stack_name="dev")
    shop.env = {**shop.env, "PULUMI_BACKEND_URL": admins.env["PULUMI_BACKEND_URL"]}  # one backend, two projects
    for ws in (admins, shop):
        configure_nsx(ws, emu)
        ws.stack.remove_config("inventory")  # not read by these programs; the check reads NSX
    shop.set_config({"adminsStack": "organization/zerotrust-split-admins/dev"})
    nsx = raw(emu)

    up = admins.up()
    assert up.outputs["groups"].value == {"orders-db": f"{GROUPS}/orders-db", "jump-host": f"{GROUPS}/jump-host"}
    assert changes(up.summary.resource_changes)["create"] > 0

    shop_up = shop.up()
    assert shop_up.outputs["sections"].value == ["orders"]
    orders = nsx.get(f"{DOMAIN}/security-policies/orders").json()
    jump_to_db, rest = orders["rules"]
    assert (jump_to_db["source_groups"], jump_to_db["destination_groups"]) == (
        [f"{GROUPS}/jump-host"],
        [f"{GROUPS}/orders-db"],
    )
    assert rest["action"] == "DROP"
    tags = {t["scope"]: t["tag"] for t in orders.get("tags", [])}
    assert tags["zerotrust/managed-by"].endswith("zerotrust-split-shop/dev")
    assert changes(shop.preview().change_summary) == {}

    # Someone disables the admins' quarantine rule in NSX: the shop's check sees it.
    rule = f"{DOMAIN}/security-policies/quarantine/rules/isolate-in"
    nsx.patch(rule, json={**nsx.get(rule).json(), "disabled": True}).raise_for_status()
    before = domain_snapshot(nsx)
    with pytest.raises(CommandError) as broken:
        shop.preview()
    assert "vm:jump-host -> vm:legacy-web tcp/22 deny" in str(broken.value)
    assert "Traceback" not in str(broken.value)
    assert domain_snapshot(nsx) == before
    admins.up(refresh=True)  # the admins' desired state wins again
    assert nsx.get(rule).json()["disabled"] is False
    assert changes(shop.refresh().summary.resource_changes) == {}
    assert changes(admins.preview().change_summary) == {}

    shop.destroy()
    assert nsx.get(f"{DOMAIN}/security-policies/orders").status_code == 404
    assert nsx.get(f"{DOMAIN}/groups/orders-db").status_code == 200, "the shop destroys only what it owns"
    admins.destroy()
    assert nsx.get(f"{DOMAIN}/groups/orders-db").status_code == 404
