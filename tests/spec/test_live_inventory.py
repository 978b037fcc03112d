"""Intents against the live inventory: the dev stack checked against the emulator's NSX.

The emulator starts from the demo seed, so the live read and the snapshot must give the same
verdicts. Then a tag changed in NSX changes the next check and the next ``trace --live``,
with no file changed.
"""

from __future__ import annotations

import ipaddress
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.emulator_process import RunningEmulator, free_port, start_emulator
from tests.support.nsx_stack import raw
from zerotrust.nsx import NsxConfig, RetrySettings, Secret
from zerotrust.spec import compile_stack, load_stack
from zerotrust.spec.compile import DesiredState
from zerotrust.spec.live_inventory import LIVE, InventoryReadError, StackInventory, stack_inventory
from zerotrust.spec.trace import main as trace
from zerotrust.spec.verify import verify

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "nsx_emulator" / "seeds" / "demo.yaml"
FRONTEND_TO_ORDERS_DB = "pod:shop/frontend -> vm:orders-db tcp/5432 allow"
QUARANTINE = {"scope": "quarantine", "tag": "malicious"}


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[RunningEmulator]:
    emulator = start_emulator(tmp_path / "emulator", seed=SEED)
    yield emulator
    emulator.stop()


@pytest.fixture(scope="module")
def dev() -> DesiredState:
    return compile_stack(load_stack(REPO / "stacks" / "dev"))


def nsx_config(emu: RunningEmulator, **settings: Any) -> NsxConfig:
    defaults = {"host": emu.base_url, "username": "admin", "password": emu.admin_password, "caFile": emu.ca_file}
    return NsxConfig.from_settings({**defaults, **settings})


def live(emu: RunningEmulator) -> StackInventory:
    return stack_inventory(LIVE, lambda: nsx_config(emu), endpoint=emu.base_url)


def verdicts(desired: DesiredState, inventory: dict[str, Any]) -> dict[str, tuple[bool, bool]]:
    return {i.text: (r.ok, r.broken) for i, r in zip(desired.intents, verify(desired, inventory).intents, strict=True)}


def tag_vm(emu: RunningEmulator, name: str, tag: dict[str, str]) -> None:
    """Add a tag to a VM through the manager API, as an operator in the NSX UI would (ref §1.2)."""
    with raw(emu) as nsx:
        vms = nsx.get("/api/v1/fabric/virtual-machines", params={"display_name": name}).json()["results"]
        body = {"external_id": vms[0]["external_id"], "tags": [tag]}
        nsx.post("/api/v1/fabric/virtual-machines", params={"action": "add_tags"}, json=body).raise_for_status()


def test_live_and_snapshot_give_the_same_verdicts(emu: RunningEmulator, dev: DesiredState) -> None:
    inventory = live(emu)
    assert inventory.source == f"the live inventory of NSX at {emu.base_url} (11 API calls)"
    assert inventory.notes == ()
    snapshot = verdicts(dev, yaml.safe_load(SEED.read_text()))
    assert verdicts(dev, inventory.data) == snapshot
    assert all(ok for ok, _ in snapshot.values())


def test_each_pod_stands_in_with_its_own_address_of_its_node_pod_cidr(emu: RunningEmulator) -> None:
    (cluster,) = live(emu).data["clusters"]
    cidrs = {n["name"]: ipaddress.ip_network(n["pod_cidrs"][0]) for n in cluster["nodes"]}
    addresses = [ipaddress.ip_address(p["ip_addresses"][0]) for p in cluster["pods"]]
    assert len(set(addresses)) == len(cluster["pods"]) == len(yaml.safe_load(SEED.read_text())["clusters"][0]["pods"])
    for pod, address in zip(cluster["pods"], addresses, strict=True):
        network = cidrs[pod["node"]]
        assert address in network
        assert address not in (network[0], network[1])  # neither the network nor the node's gateway


def test_a_tag_changed_in_nsx_changes_the_next_check(emu: RunningEmulator, dev: DesiredState) -> None:
    assert verdicts(dev, live(emu).data)[FRONTEND_TO_ORDERS_DB] == (True, False)
    tag_vm(emu, "orders-db", QUARANTINE)  # the Emergency quarantine now isolates it
    ok, broken = verdicts(dev, live(emu).data)[FRONTEND_TO_ORDERS_DB]
    assert (ok, broken) == (False, True)
    result = verify(dev, live(emu).data).intents[[i.text for i in dev.intents].index(FRONTEND_TO_ORDERS_DB)]
    assert "quarantine/rules/isolate-in" in result.message()


def test_an_egress_without_its_resource_is_named(emu: RunningEmulator) -> None:
    with raw(emu) as nsx:
        cluster = {"name": "vks-dev-01", "egresses": [{"name": "orphan", "egress_ip": "198.51.100.19"}]}
        nsx.post("/emulator/admin/inventory", json={"clusters": [cluster]}).raise_for_status()
    (note,) = live(emu).notes
    assert note == (
        "live inventory: cluster 'vks-dev-01': NSX reports Egress 'orphan' (198.51.100.19) without "
        "its spec, so no pod is taken to leave through it"
    )


def test_nsx_out_of_reach_is_one_line_that_names_the_fix() -> None:
    silent = f"https://127.0.0.1:{free_port()}"
    config = NsxConfig(endpoint=silent, username="admin", password=Secret("x"), retry=RetrySettings(max_total=1.0))
    with pytest.raises(InventoryReadError) as failed:
        stack_inventory(None, lambda: config, endpoint=silent)
    line = str(failed.value)
    assert line.startswith(f"live inventory: NSX at {silent} is unreachable: the connection was refused")
    assert line.endswith("Fix: check the host and port in nsx.host. Nothing was changed in NSX.")
    assert "\n" not in line


def test_settings_that_cannot_work_are_one_line(tmp_path: Path) -> None:
    def settings() -> NsxConfig:
        return NsxConfig.from_settings(
            {"host": "https://nsx.example", "username": "a", "password": "p", "caFile": tmp_path}
        )

    with pytest.raises(InventoryReadError) as failed:
        stack_inventory(LIVE, settings, endpoint="https://nsx.example")
    assert str(failed.value) == (
        f"live inventory: NSX at https://nsx.example: the CA file {tmp_path} is a folder, not a PEM file. "
        "Fix: set nsx.caFile. Nothing was changed in NSX."
    )


@pytest.fixture
def stack_at(tmp_path: Path, emu: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the dev stack whose config points at ``emu`` and names the demo snapshot."""
    shutil.copy(REPO / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(REPO / "stacks" / "dev", tmp_path / "stacks" / "dev")
    config = {
        "zerotrust-dfw:nsx": {"host": emu.base_url, "username": "admin", "caFile": str(emu.ca_file)},
        "zerotrust-dfw:inventory": str(SEED),
    }
    (tmp_path / "stacks" / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}))
    monkeypatch.setenv("NSX_PASSWORD", emu.admin_password)  # as make doctor and CI jobs pass it
    monkeypatch.delenv("NSX_USERNAME", raising=False)
    return tmp_path / "stacks"


def test_trace_live_reads_nsx_and_sees_the_tag_change(
    stack_at: Path, emu: RunningEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    flow = ["--stack", "dev", "--stacks", str(stack_at), "--from", "pod:shop/frontend", "--to", "vm:orders-db"]
    assert trace([*flow, "--port", "5432", "--live"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"inventory: the live inventory of NSX at {emu.base_url} (11 API calls)\n")
    assert out.count("verdict ALLOW") == 2
    assert "source seen as 198.51.100.11" in out  # the frontend's Egress IP, from the Egress NSX reports

    tag_vm(emu, "orders-db", QUARANTINE)
    assert trace([*flow, "--port", "5432"]) == 0  # the stack's snapshot has not changed
    assert f"inventory: {SEED}" in capsys.readouterr().out
    assert trace([*flow, "--port", "5432", "--live"]) == 1
    out = capsys.readouterr().out
    assert "verdict DROP" in out
    assert "quarantine/rules/isolate-in" in out


def test_a_snapshot_that_is_not_there_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "inventory.yaml"
    with pytest.raises(InventoryReadError) as failed:
        stack_inventory(str(missing), lambda: pytest.fail("a snapshot needs no NSX"), endpoint="")
    assert str(failed.value).startswith(f"the inventory snapshot {missing} (stack config 'inventory') does not exist.")
