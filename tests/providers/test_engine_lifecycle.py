"""The zerotrust provider under the real engine, against the emulator over HTTPS.

One long scenario shares its engine runs among many assertions (each step builds on the
last, as a user's day would): create, no-op, one-rule edit, drift, import, collision with an
object this stack does not own, destroy. What NSX holds is always read through raw HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pulumi.automation import ConfigValue
from pulumi.automation.errors import CommandError

from tests.support.emulator_process import RunningEmulator, start_emulator
from tests.support.nsx_stack import configure_nsx, raw, requests_since_reset, reset_counters, writes
from tests.support.pulumi_harness import EngineWorkspace, changes

pytestmark = pytest.mark.engine

PROGRAM = Path(__file__).parent / "programs" / "nsx_objects"
SEED = Path(__file__).parent / "seed.yaml"
OWNER = {"scope": "zerotrust/managed-by", "tag": "nsx-objects/test"}
DOMAIN = "/policy/api/v1/infra/domains/default"


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[RunningEmulator]:
    emulator = start_emulator(tmp_path / "emulator", seed=SEED)
    yield emulator
    emulator.stop()


def workspace(tmp_path: Path, emu: RunningEmulator, **config: str) -> EngineWorkspace:
    ws = EngineWorkspace.create(PROGRAM, tmp_path / "ws")
    configure_nsx(ws, emu, vmId="vm-orders-db", **config)
    return ws


def test_lifecycle_against_nsx(tmp_path: Path, emu: RunningEmulator) -> None:
    ws = workspace(tmp_path, emu)
    nsx = raw(emu)

    # --- up from empty creates exactly the declared objects ----------------------------
    assert changes(ws.preview().change_summary) == {"create": 7}
    assert changes(ws.up().summary.resource_changes) == {"create": 7}
    web = nsx.get(f"{DOMAIN}/groups/zt-web").json()
    assert web["expression"][0]["value"] == "tier|web"
    assert OWNER in web["tags"]
    assert nsx.get("/policy/api/v1/infra/services/zt-postgres").json()["service_entries"][0]["destination_ports"] == [
        "5432"
    ]
    policy = nsx.get(f"{DOMAIN}/security-policies/zt-app").json()
    assert policy["category"] == "Application"
    assert [r["id"] for r in policy["rules"]] == [f"rule-{i}" for i in range(1, 9)]
    assert policy["rules"][0]["services"] == ["/infra/services/zt-postgres"]
    [vm] = nsx.get("/api/v1/fabric/virtual-machines", params={"display_name": "orders-db"}).json()["results"]
    assert {"scope": "tier", "tag": "db"} in vm["tags"]
    assert {"scope": "app", "tag": "shop"} in vm["tags"], "tags set by others survive"
    managed = [g["id"] for g in nsx.get(f"{DOMAIN}/groups").json()["results"] if OWNER in (g.get("tags") or [])]
    assert sorted(managed) == ["zt-db", "zt-web"]

    # --- the password never reaches the state in clear ---------------------------------
    stored = ws.stored_state_text()
    assert "pulumi:providers:zerotrust" in stored
    assert "ciphertext" in stored
    assert emu.admin_password not in stored

    # --- a second preview is empty -----------------------------------------------------
    assert changes(ws.preview().change_summary) == {}

    # --- one changed port in rule 7: one field in the preview, one rule written ---------
    ws.stack.set_config("port7", ConfigValue("9999"))
    preview = ws.preview(diff=True)
    assert changes(preview.change_summary) == {"update": 1}
    assert "~ [6]: {" in preview.stdout
    assert '"8007" => "9999"' in preview.stdout
    assert preview.stdout.count("~ [") == 3  # rules[6] -> service_entries[0] -> ports[0]
    before = {r["id"]: r["_revision"] for r in policy["rules"]}
    reset_counters(emu)
    assert changes(ws.up().summary.resource_changes) == {"update": 1}
    assert [(m, p) for m, p, _ in writes(requests_since_reset(emu))] == [("PATCH", "/policy/api/v1/infra")]
    after = {r["id"]: r for r in nsx.get(f"{DOMAIN}/security-policies/zt-app").json()["rules"]}
    assert after["rule-7"]["service_entries"][0]["destination_ports"] == ["9999"]
    assert after["rule-7"]["_revision"] == before["rule-7"] + 1
    assert {k: r["_revision"] for k, r in after.items() if k != "rule-7"} == {
        k: v for k, v in before.items() if k != "rule-7"
    }

    # --- drift made by hand in NSX shows on preview --refresh and up repairs it ---------
    rule3 = after["rule-3"]
    rule3["service_entries"][0]["destination_ports"] = ["22"]
    nsx.patch(f"{DOMAIN}/security-policies/zt-app/rules/rule-3", json=rule3).raise_for_status()
    drift = ws.preview(diff=True, refresh=True)
    assert changes(drift.change_summary) == {"update": 1}
    assert '"22" => "8003"' in drift.stdout
    assert changes(ws.up(refresh=True).summary.resource_changes) == {"update": 1}
    live3 = nsx.get(f"{DOMAIN}/security-policies/zt-app/rules/rule-3").json()
    assert live3["service_entries"][0]["destination_ports"] == ["8003"]

    # --- import adopts a hand-made group; the next preview is empty --------------------
    hand = {
        "display_name": "made by hand",
        "expression": [{"resource_type": "IPAddressExpression", "ip_addresses": ["192.0.2.10"]}],
    }
    nsx.patch(f"{DOMAIN}/groups/hand-made", json=hand).raise_for_status()
    ws.stack.set_config("adopt", ConfigValue("true"))
    assert changes(ws.up().summary.resource_changes) == {"import": 1}
    assert changes(ws.preview().change_summary) == {}

    # --- an object this stack does not own is never overwritten ------------------------
    theirs = {"display_name": "someone else's", "expression": hand["expression"]}
    nsx.patch(f"{DOMAIN}/groups/zt-collide", json=theirs).raise_for_status()
    ws.stack.set_config("collide", ConfigValue("true"))
    with pytest.raises(CommandError) as refused:
        ws.up()
    assert "refusing to update /infra/domains/default/groups/zt-collide" in str(refused.value)
    assert "pulumi import" in str(refused.value)
    assert "Traceback" not in str(refused.value)
    assert nsx.get(f"{DOMAIN}/groups/zt-collide").json()["display_name"] == "someone else's"
    ws.stack.remove_config("collide")

    # --- destroy removes what the stack owns, and only that ----------------------------
    destroyed = ws.destroy()
    assert changes(destroyed.summary.resource_changes) == {"delete": 8}
    assert nsx.get(f"{DOMAIN}/groups/zt-collide").status_code == 200
    for gone in ("groups/zt-web", "groups/zt-db", "groups/hand-made", "security-policies/zt-app"):
        assert nsx.get(f"{DOMAIN}/{gone}").status_code == 404, gone
    [vm] = nsx.get("/api/v1/fabric/virtual-machines", params={"display_name": "orders-db"}).json()["results"]
    assert vm["tags"] == [{"scope": "app", "tag": "shop"}]


def test_bad_input_fails_before_any_api_call(tmp_path: Path, emu: RunningEmulator) -> None:
    ws = workspace(tmp_path, emu, badRule="true")
    reset_counters(emu)
    with pytest.raises(CommandError) as failed:
        ws.preview()
    message = str(failed.value)
    assert "JUMP_TO_APPLICATION" in message
    assert "Environment" in message
    assert "Fix:" in message
    assert requests_since_reset(emu) == [] or all(p.startswith("/emulator/") for _, p, _ in requests_since_reset(emu))
