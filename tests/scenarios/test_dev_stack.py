"""The dev stack end to end: the repository's own program and stacks/dev against the emulator's
demo seed, under the real engine. One run shared by the scenario checks, each read through the
emulator's raw API (objects and the group memberships it computes):

* quarantine: tagging a VM or labelling a pod ``quarantine=malicious`` moves it into the
  Emergency isolation (a tag change only; the next preview is still empty);
* egress hardening: only the payments Egress IP may reach the external database;
* mixed mode: the shop frontend (by its Egress IP) reaches orders-db on 5432, nothing else does;
* changing one app's file changes only that app's objects; destroy leaves the rest alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pulumi.automation.errors import CommandError

from tests.support.emulator_process import RunningEmulator, start_emulator
from tests.support.nsx_stack import configure_nsx, raw, requests_since_reset, reset_counters
from tests.support.pulumi_harness import REPO, EngineWorkspace, changes
from zerotrust.nsx.group_members import effective_ips

pytestmark = pytest.mark.engine

SEED = REPO / "nsx_emulator" / "seeds" / "demo.yaml"
OWNER = {"scope": "zerotrust/managed-by", "tag": "zerotrust-dfw/dev"}
DOMAIN = "/policy/api/v1/infra/domains/default"
GROUPS = {
    "cluster-vks-dev-01-nodes",
    "external-db",
    "forensics-forensic",
    "forensics-forensic-egress",
    "jump-host",
    "payments-egress",
    "payments-payments",
    "quarantined",
    "quarantined-pods",
    "quarantined-vms",
    "shop-frontend",
    "shop-frontend-egress",
    "shop-orders-db",
}
SECTIONS = {"cluster-egress", "quarantine", "quarantine-vks-dev-01", "shop-orders"}


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[RunningEmulator]:
    emulator = start_emulator(tmp_path / "emulator", seed=SEED)
    yield emulator
    emulator.stop()


def members(nsx: httpx.Client, group: str) -> list[str]:
    reply = nsx.get(f"{DOMAIN}/groups/{group}/members/consolidated-effective-ip-addresses")
    reply.raise_for_status()
    return effective_ips(reply.json())


def owned(nsx: httpx.Client, collection: str) -> set[str]:
    items = nsx.get(f"{DOMAIN}/{collection}", params={"page_size": 1000}).json()["results"]
    return {i["id"] for i in items if OWNER in (i.get("tags") or [])}


def rules_of(nsx: httpx.Client, policy: str) -> dict[str, dict[str, Any]]:
    body = nsx.get(f"{DOMAIN}/security-policies/{policy}").json()
    return {r["id"]: r for r in body["rules"]}


def revisions(nsx: httpx.Client, policy: str) -> tuple[int, ...]:
    """The policy's _revision and its rules' (a surgical rule update bumps only the rule)."""
    body = nsx.get(f"{DOMAIN}/security-policies/{policy}").json()
    return (body["_revision"], *(r["_revision"] for r in body["rules"]))


def short(paths: object) -> list[str]:
    assert isinstance(paths, list)
    return sorted(str(p).rsplit("/", 1)[-1] for p in paths)


def test_dev_stack_scenarios(tmp_path: Path, emu: RunningEmulator) -> None:
    ws = EngineWorkspace.create(
        REPO, tmp_path / "ws", stack_name="dev", include=("Pulumi.yaml", "__main__.py", "stacks")
    )
    configure_nsx(ws, emu)
    nsx = raw(emu)
    hand_made = {
        "display_name": "made by hand",
        "expression": [{"resource_type": "IPAddressExpression", "ip_addresses": ["192.0.2.99"]}],
    }
    nsx.patch(f"{DOMAIN}/groups/hand-made", json=hand_made).raise_for_status()

    # --- up from empty: exactly the expected objects, then an empty preview -------------
    up = ws.up()
    # The stack, the NSX provider, the cluster, and the rule base: one Firewall holding ONE
    # policy set for all 17 groups and sections (docs/scale.md).
    assert changes(up.summary.resource_changes) == {"create": 5}
    assert owned(nsx, "groups") == GROUPS
    assert owned(nsx, "security-policies") == SECTIONS
    assert changes(ws.preview().change_summary) == {}
    span = nsx.get(f"{DOMAIN}/security-policies/quarantine-vks-dev-01/container-cluster-span").json()
    assert [s["container_cluster_path"] for s in span["results"]] == [
        "/infra/sites/default/enforcement-points/default/cluster-control-planes/vks-dev-01"
    ]

    # --- egress hardening: only the payments Egress IP reaches the external database ----
    assert members(nsx, "payments-egress") == ["198.51.100.10"]
    assert members(nsx, "external-db") == ["203.0.113.10"]
    egress = nsx.get(f"{DOMAIN}/security-policies/cluster-egress").json()
    assert egress["category"] == "Environment"
    allow, drop = egress["rules"]
    assert (allow["action"], short(allow["source_groups"]), short(allow["destination_groups"])) == (
        "ALLOW",
        ["payments-egress"],
        ["external-db"],
    )
    assert allow["service_entries"][0]["destination_ports"] == ["5432"]
    # "the rest of the cluster": its node IPs and every other Egress IP declared for it
    assert (drop["action"], short(drop["source_groups"])) == (
        "DROP",
        ["cluster-vks-dev-01-nodes", "forensics-forensic-egress", "payments-egress", "shop-frontend-egress"],
    )
    assert members(nsx, "cluster-vks-dev-01-nodes") == ["192.0.2.101", "192.0.2.102"]

    # --- mixed mode: the frontend (by its Egress IP) reaches orders-db, nothing else ----
    orders = rules_of(nsx, "shop-orders")
    assert short(orders["frontend-to-orders-db"]["source_groups"]) == ["shop-frontend-egress"]
    assert members(nsx, "shop-frontend-egress") == ["198.51.100.11"]
    assert members(nsx, "shop-orders-db") == ["192.0.2.20"]
    assert orders["nothing-else-to-orders-db"]["source_groups"] == ["ANY"]
    assert orders["nothing-else-to-orders-db"]["action"] == "DROP"
    assert orders["frontend-to-orders-db"]["sequence_number"] < orders["nothing-else-to-orders-db"]["sequence_number"]

    # --- quarantine by tag: no policy change, membership follows the tag ---------------
    assert members(nsx, "quarantined") == ["192.0.2.30"]  # legacy-web, quarantined in the seed
    [vm] = nsx.get("/api/v1/fabric/virtual-machines", params={"display_name": "orders-db"}).json()["results"]
    tags = [*vm["tags"], {"scope": "quarantine", "tag": "malicious"}]
    nsx.post(f"/policy/api/v1/infra/realized-state/virtual-machines/{vm['external_id']}/tags", json={"tags": tags})
    assert members(nsx, "quarantined") == ["192.0.2.20", "192.0.2.30"]
    pods = nsx.get("/api/v1/fabric/container-application-instances", params={"page_size": 1000}).json()["results"]
    [payments_pod] = [p for p in pods if p["display_name"].startswith("payments-")]
    labels = {**{t["scope"]: t["tag"] for t in payments_pod.get("tags", [])}, "quarantine": "malicious"}
    nsx.patch(
        f"/emulator/admin/inventory/pods/{payments_pod['external_id']}", json={"labels": labels}
    ).raise_for_status()
    assert members(nsx, "quarantined-pods") == ["10.244.1.20"]
    emergency = nsx.get(f"{DOMAIN}/security-policies/quarantine").json()
    assert emergency["category"] == "Emergency"
    assert [(r["id"], r["action"]) for r in emergency["rules"]] == [
        ("forensics-in", "ALLOW"),
        ("jump-host-in", "ALLOW"),
        ("isolate-in", "DROP"),
        ("isolate-out", "DROP"),
    ]
    in_cluster = rules_of(nsx, "quarantine-vks-dev-01")
    assert short(in_cluster["forensics-in"]["source_groups"]) == ["forensics-forensic"]
    assert members(nsx, "forensics-forensic") == ["10.244.2.30"]
    # at VMs the forensic pod is its Egress IP, so a quarantined VM tells it from the cluster
    assert short(emergency["rules"][0]["source_groups"]) == ["forensics-forensic-egress"]
    assert members(nsx, "forensics-forensic-egress") == ["198.51.100.12"]
    assert changes(ws.preview().change_summary) == {}, "quarantine is a tag change, not a policy change"

    # --- one app's change touches only that app's objects ------------------------------
    before = {p: revisions(nsx, p) for p in SECTIONS}
    shop = ws.program / "stacks" / "dev" / "apps" / "shop.yaml"
    shop.write_text(shop.read_text().replace("tcp/5432", "tcp/5433"))  # the rule and its intent
    preview = ws.preview(diff=True)
    assert changes(preview.change_summary) == {"update": 1}
    assert "shop-orders" in preview.stdout
    ws.up()
    after = {p: revisions(nsx, p) for p in SECTIONS}
    assert {p for p in SECTIONS if after[p] != before[p]} == {"shop-orders"}

    # --- destroy: what the stack owns goes; system and unowned objects stay --------------
    ws.destroy()
    assert owned(nsx, "groups") == set()
    assert owned(nsx, "security-policies") == set()
    assert nsx.get(f"{DOMAIN}/groups/hand-made").status_code == 200
    assert nsx.get(f"{DOMAIN}/security-policies/default-layer3-section").status_code == 200
    ccp = "/policy/api/v1/infra/sites/default/enforcement-points/default/cluster-control-planes/vks-dev-01"
    assert nsx.get(ccp).status_code == 200


def test_a_malformed_spec_fails_the_preview_before_any_api_call(tmp_path: Path, emu: RunningEmulator) -> None:
    ws = EngineWorkspace.create(
        REPO, tmp_path / "ws", stack_name="dev", include=("Pulumi.yaml", "__main__.py", "stacks")
    )
    configure_nsx(ws, emu)
    shop = ws.program / "stacks" / "dev" / "apps" / "shop.yaml"
    shop.write_text(shop.read_text().replace("  orders:\n", "  orders:\n    category: Emergency\n"))
    reset_counters(emu)
    with pytest.raises(CommandError) as failed:
        ws.preview()
    message = str(failed.value)
    assert "apps/shop.yaml:" in message
    assert "'category' is not allowed in an app spec" in message
    assert [r for r in requests_since_reset(emu) if not r[1].startswith("/emulator/")] == []


def test_a_broken_intent_fails_the_preview_with_its_witness(tmp_path: Path, emu: RunningEmulator) -> None:
    ws = EngineWorkspace.create(
        REPO, tmp_path / "ws", stack_name="dev", include=("Pulumi.yaml", "__main__.py", "stacks")
    )
    configure_nsx(ws, emu)
    shop = ws.program / "stacks" / "dev" / "apps" / "shop.yaml"
    text = shop.read_text().replace("services: [tcp/5432], action: allow", "services: [tcp/5432], action: drop")
    shop.write_text(text)
    with pytest.raises(CommandError) as failed:
        ws.preview()
    message = str(failed.value)
    assert "intent broken: pod:shop/frontend -> vm:orders-db tcp/5432 allow" in message
    assert "expected ALLOW, got DROP" in message
    assert "apps/shop.yaml" in message
    assert "shop-orders" in message  # the deciding section is named in the chain
