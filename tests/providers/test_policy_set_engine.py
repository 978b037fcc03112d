"""A rule base as ONE PolicySet under the real engine, against the emulator over HTTPS.

One scenario shares its engine runs among many assertions, the way a user's day goes:
create, no-op, one-rule edit, drift by hand, a group removed with the rule that named it,
import of hand-made objects, a collision with an object this stack does not own, destroy.
What NSX holds is always read through raw HTTP, and API calls through the emulator's own
counters.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pulumi.automation import ConfigValue
from pulumi.automation.errors import CommandError

from tests.support.emulator_process import RunningEmulator, start_emulator
from tests.support.nsx_stack import configure_nsx, raw, requests_since_reset, reset_counters, writes
from tests.support.pulumi_harness import EngineWorkspace, changes

pytestmark = pytest.mark.engine

PROGRAM = Path(__file__).parent / "programs" / "policy_set"
SEED = Path(__file__).parent / "seed.yaml"
OWNER = {"scope": "zerotrust/managed-by", "tag": "policy-set/test"}
DOMAIN = "/policy/api/v1/infra/domains/default"
CLUSTER = "/infra/sites/default/enforcement-points/default/cluster-control-planes/vks-test"


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[RunningEmulator]:
    emulator = start_emulator(tmp_path / "emulator", seed=SEED)
    yield emulator
    emulator.stop()


def workspace(tmp_path: Path, emu: RunningEmulator, **config: str) -> EngineWorkspace:
    ws = EngineWorkspace.create(PROGRAM, tmp_path / "ws", stack_name="test")
    configure_nsx(ws, emu, **config)
    return ws


def served(emu: RunningEmulator) -> int:
    """Requests NSX served since the counters were reset (logins included, test hooks not)."""
    return sum(n for _, path, n in requests_since_reset(emu) if not path.startswith("/emulator/"))


def owned(nsx: httpx.Client, collection: str) -> set[str]:
    items = nsx.get(f"{DOMAIN}/{collection}", params={"page_size": 1000}).json()["results"]
    return {i["id"] for i in items if OWNER in (i.get("tags") or [])}


def rules_of(nsx: httpx.Client, policy: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in nsx.get(f"{DOMAIN}/security-policies/{policy}").json()["rules"]}


def test_a_rule_base_as_one_resource(tmp_path: Path, emu: RunningEmulator) -> None:
    ws = workspace(tmp_path, emu)
    nsx = raw(emu)

    # --- up from empty: every member written, tagged, in 3 API calls -------------------
    reset_counters(emu)
    assert changes(ws.up().summary.resource_changes) == {"create": 3}  # stack, provider, set
    assert served(emu) == 3, requests_since_reset(emu)  # login, one domain read, one PATCH
    assert owned(nsx, "groups") == {"zt-web", "zt-db", "zt-old", "zt-pods"}
    assert owned(nsx, "security-policies") == {"zt-app", "zt-cluster"}
    app = rules_of(nsx, "zt-app")
    assert [app[f"rule-{i}"]["sequence_number"] for i in range(1, 9)] == [i * 10 for i in range(1, 9)]
    assert app["rule-8"]["destination_groups"] == ["/infra/domains/default/groups/zt-old"]
    span = nsx.get(f"{DOMAIN}/security-policies/zt-cluster/container-cluster-span/cluster").json()
    assert span["container_cluster_path"] == CLUSTER
    assert OWNER in span["tags"]
    assert nsx.get(f"{DOMAIN}/groups/zt-pods").json()["group_type"] == ["ANTREA"]
    assert ws.stack.outputs()["adopted"].value == []

    # --- a second preview is empty and makes no API call -------------------------------
    reset_counters(emu)
    assert changes(ws.preview().change_summary) == {}
    assert served(emu) == 0

    # --- one changed port in rule 7: that field in the preview, that rule written -------
    ws.stack.set_config("port7", ConfigValue("9999"))
    preview = ws.preview(diff=True)
    assert changes(preview.change_summary) == {"update": 1}
    assert "~ zt-app: {" in preview.stdout
    assert "~ [6]: {" in preview.stdout
    assert '"8007" => "9999"' in preview.stdout
    assert preview.stdout.count("~ [") == 3  # rules[6] -> service_entries[0] -> ports[0]
    before = {k: r["_revision"] for k, r in rules_of(nsx, "zt-app").items()}
    reset_counters(emu)
    assert changes(ws.up().summary.resource_changes) == {"update": 1}
    assert [(m, p) for m, p, _ in writes(requests_since_reset(emu))] == [("PATCH", "/policy/api/v1/infra")]
    assert served(emu) <= 3  # login, the one policy read, the PATCH
    after = rules_of(nsx, "zt-app")
    assert after["rule-7"]["service_entries"][0]["destination_ports"] == ["9999"]
    assert after["rule-7"]["_revision"] == before["rule-7"] + 1
    assert {k: r["_revision"] for k, r in after.items() if k != "rule-7"} == {
        k: v for k, v in before.items() if k != "rule-7"
    }

    # --- drift made by hand: a port, a deleted rule, an extra rule, a group's criteria ---
    rule3 = after["rule-3"]
    rule3["service_entries"][0]["destination_ports"] = ["22"]
    nsx.patch(f"{DOMAIN}/security-policies/zt-app/rules/rule-3", json=rule3).raise_for_status()
    nsx.delete(f"{DOMAIN}/security-policies/zt-app/rules/rule-5").raise_for_status()
    extra = {"action": "ALLOW", "sequence_number": 95, "source_groups": ["ANY"], "destination_groups": ["ANY"]}
    nsx.patch(f"{DOMAIN}/security-policies/zt-app/rules/by-hand", json=extra).raise_for_status()
    web = nsx.get(f"{DOMAIN}/groups/zt-web").json()
    web["expression"][0]["value"] = "tier|anything"
    nsx.patch(f"{DOMAIN}/groups/zt-web", json=web).raise_for_status()
    drift = ws.preview(diff=True, refresh=True)
    assert changes(drift.change_summary) == {"update": 1}
    assert '"22" => "8003"' in drift.stdout
    assert '"tier|anything" => "tier|web"' in drift.stdout
    assert "rule-5" in drift.stdout
    assert "by-hand" in drift.stdout
    assert changes(ws.up(refresh=True).summary.resource_changes) == {"update": 1}
    repaired = rules_of(nsx, "zt-app")
    assert sorted(repaired) == [f"rule-{i}" for i in range(1, 9)]
    assert repaired["rule-3"]["service_entries"][0]["destination_ports"] == ["8003"]
    assert nsx.get(f"{DOMAIN}/groups/zt-web").json()["expression"][0]["value"] == "tier|web"
    assert changes(ws.preview(refresh=True).change_summary) == {}

    # --- a group removed with the rule that named it: both go, in NSX's order -----------
    ws.stack.set_config("dropOld", ConfigValue("true"))
    assert changes(ws.up().summary.resource_changes) == {"update": 1}
    assert nsx.get(f"{DOMAIN}/groups/zt-old").status_code == 404
    assert "rule-8" not in rules_of(nsx, "zt-app")

    # --- import adopts hand-made objects; the next preview is empty --------------------
    hand = {"expression": [{"resource_type": "IPAddressExpression", "ip_addresses": ["192.0.2.10"]}]}
    nsx.patch(f"{DOMAIN}/groups/hand-made", json={"display_name": "made by hand", **hand}).raise_for_status()
    hand_rule = {
        "id": "hand-rule",
        "action": "DROP",
        "sequence_number": 10,
        "source_groups": ["/infra/domains/default/groups/hand-made"],
        "destination_groups": ["ANY"],
    }
    policy = {"category": "Application", "sequence_number": 90, "rules": [hand_rule]}
    nsx.patch(f"{DOMAIN}/security-policies/hand-policy", json=policy).raise_for_status()
    ws.stack.set_config("adopt", ConfigValue("true"))
    taking = ws.preview(diff=True)
    assert changes(taking.change_summary) == {"import": 1, "update": 1}  # the import, then taking ownership
    assert "- adopted: [" in taking.stdout
    assert '"groups/hand-made"' in taking.stdout
    before = {
        path: nsx.get(f"{DOMAIN}/{path}").json() for path in ("groups/hand-made", "security-policies/hand-policy")
    }
    assert changes(ws.up().summary.resource_changes) == {"import": 1, "update": 1}
    assert changes(ws.preview().change_summary) == {}
    for path, old in before.items():
        new = nsx.get(f"{DOMAIN}/{path}").json()
        assert OWNER in new["tags"], f"{path}: taken over, so tagged"
        volatile = {"tags", "_revision", "_last_modified_time", "_last_modified_user", "rules"}
        assert {k: v for k, v in new.items() if k not in volatile} == {
            k: v for k, v in old.items() if k not in volatile
        }
    assert (
        rules_of(nsx, "hand-policy")["hand-rule"]["_revision"]
        == before["security-policies/hand-policy"]["rules"][0]["_revision"]
    ), "taking over a policy does not rewrite its rules"

    # --- an object this stack does not own is never overwritten, nothing else changes ---
    theirs = {"display_name": "someone else's", **hand}
    nsx.patch(f"{DOMAIN}/groups/zt-collide", json=theirs).raise_for_status()
    ws.stack.set_config("collide", ConfigValue("true"))
    ws.stack.set_config("port7", ConfigValue("7777"))
    with pytest.raises(CommandError) as refused:
        ws.up()
    message = str(refused.value)
    assert "refusing to change /infra/domains/default/groups/zt-collide" in message
    assert "pulumi import" in message
    assert "Traceback" not in message
    assert nsx.get(f"{DOMAIN}/groups/zt-collide").json()["display_name"] == "someone else's"
    assert rules_of(nsx, "zt-app")["rule-7"]["service_entries"][0]["destination_ports"] == ["9999"]
    ws.stack.remove_config("collide")
    ws.stack.remove_config("port7")

    # --- destroy removes what the stack owns or adopted, and only that -----------------
    destroyed = ws.destroy()
    assert changes(destroyed.summary.resource_changes) == {"delete": 4}
    assert nsx.get(f"{DOMAIN}/groups/zt-collide").status_code == 200
    for gone in ("groups/zt-web", "groups/zt-pods", "groups/hand-made", "security-policies/zt-app"):
        assert nsx.get(f"{DOMAIN}/{gone}").status_code == 404, gone
    assert owned(nsx, "groups") == set()


def test_bad_input_fails_before_any_api_call(tmp_path: Path, emu: RunningEmulator) -> None:
    ws = workspace(tmp_path, emu, badRule="true")
    reset_counters(emu)
    with pytest.raises(CommandError) as failed:
        ws.preview()
    message = str(failed.value)
    assert 'policies["zt-app"]' in message or "zt-app" in message
    assert "JUMP_TO_APPLICATION" in message
    assert "Fix:" in message
    assert served(emu) == 0
