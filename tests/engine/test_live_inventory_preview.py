"""``pulumi preview`` of the dev stack with no ``inventory`` in its config: the program reads the
inventory from NSX (the emulator, started from the demo seed) as the read-only auditor, and a
tag changed in NSX breaks an intent at the next preview without any file changing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pulumi.automation import ConfigValue
from pulumi.automation.errors import CommandError

from tests.support.emulator_process import RunningEmulator, start_emulator
from tests.support.nsx_stack import configure_nsx, raw, requests_since_reset, reset_counters, writes
from tests.support.pulumi_harness import REPO, EngineWorkspace

pytestmark = pytest.mark.engine

SEED = REPO / "nsx_emulator" / "seeds" / "demo.yaml"


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[RunningEmulator]:
    emulator = start_emulator(tmp_path / "emulator", seed=SEED)
    yield emulator
    emulator.stop()


def test_the_preview_checks_intents_against_nsx_and_sees_a_tag_change(tmp_path: Path, emu: RunningEmulator) -> None:
    ws = EngineWorkspace.create(
        REPO, tmp_path / "ws", stack_name="dev", include=("Pulumi.yaml", "__main__.py", "stacks")
    )
    configure_nsx(ws, emu)
    ws.stack.remove_config("inventory")  # the default: live
    assert emu.auditor_password is not None
    ws.stack.set_config("nsx.username", ConfigValue("auditor"), path=True)
    ws.stack.set_config("nsxPassword", ConfigValue(emu.auditor_password, secret=True))

    reset_counters(emu)
    preview = ws.preview()
    assert f"intents hold (checked against the live inventory of NSX at {emu.base_url} (11 API calls))" in (
        preview.stdout
    )
    served = requests_since_reset(emu)
    assert writes(served) == []
    assert ("GET", "/api/v1/fabric/vifs", 1) in served

    with raw(emu) as nsx:  # quarantine orders-db by tag, as an operator would in the NSX UI
        vm = nsx.get("/api/v1/fabric/virtual-machines", params={"display_name": "orders-db"}).json()["results"][0]
        body = {"external_id": vm["external_id"], "tags": [{"scope": "quarantine", "tag": "malicious"}]}
        nsx.post("/api/v1/fabric/virtual-machines", params={"action": "add_tags"}, json=body).raise_for_status()
    with pytest.raises(CommandError) as failed:
        ws.preview()
    message = str(failed.value)
    assert "intent broken: pod:shop/frontend -> vm:orders-db tcp/5432 allow" in message
    assert "expected ALLOW, got DROP" in message
    assert "isolate-in" in message
