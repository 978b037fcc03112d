"""100 random out-of-band edits across the small estate: all reported, all repaired.

Made by hand in NSX through its raw API, on 100 distinct objects: rule ports, rule actions,
group criteria, deleted rules, extra rules in owned sections. ``pulumi preview --refresh``
must report every one of them as its own field in the detailed diff (the path a reviewer
reads), ``pulumi up --refresh`` must repair them all, and the next refreshing preview is
empty. Marked slow (``make bench`` runs it): it is the benchmark's estate, 1,300 objects.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pulumi.automation import events

from tests.scale.estate import DOMAIN, Estate, Held, bench_workspace, scale_from_env
from tests.support.emulator_process import RunningEmulator, start_emulator
from tests.support.nsx_stack import raw
from tests.support.pulumi_harness import changes

pytestmark = pytest.mark.slow

EDITS = 100
SEED = 7

Edit = Callable[[httpx.Client], str]
"""Makes one change in NSX; returns the detailed-diff path prefix that must report it."""


def port_edit(policy: str, index: int, rule: dict[str, Any]) -> Edit:
    def edit(nsx: httpx.Client) -> str:
        rule["service_entries"][0]["destination_ports"] = ["1"]
        nsx.patch(f"{DOMAIN}/security-policies/{policy}/rules/{rule['id']}", json=rule).raise_for_status()
        return f'policies["{policy}"].rules[{index}].service_entries'

    return edit


def action_edit(policy: str, index: int, rule: dict[str, Any]) -> Edit:
    def edit(nsx: httpx.Client) -> str:
        rule["action"] = "REJECT"
        nsx.patch(f"{DOMAIN}/security-policies/{policy}/rules/{rule['id']}", json=rule).raise_for_status()
        return f'policies["{policy}"].rules[{index}].action'

    return edit


def deleted_rule(policy: str, index: int, rule: dict[str, Any]) -> Edit:
    def edit(nsx: httpx.Client) -> str:
        nsx.delete(f"{DOMAIN}/security-policies/{policy}/rules/{rule['id']}").raise_for_status()
        return f'policies["{policy}"].rules[{index}]'

    return edit


def extra_rule(policy: str, index: int, rule: dict[str, Any]) -> Edit:
    def edit(nsx: httpx.Client) -> str:
        body = {"action": "ALLOW", "sequence_number": 9999, "source_groups": ["ANY"], "destination_groups": ["ANY"]}
        nsx.patch(f"{DOMAIN}/security-policies/{policy}/rules/by-hand", json=body).raise_for_status()
        return f'policies["{policy}"].rules['

    return edit


def group_edit(group: str, body: dict[str, Any]) -> Edit:
    def edit(nsx: httpx.Client) -> str:
        condition = body["expression"][0]
        condition["value"] = condition["value"] + "-by-hand"
        nsx.patch(f"{DOMAIN}/groups/{group}", json=body).raise_for_status()
        return f'groups["{group}"].expression'

    return edit


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[RunningEmulator]:
    emulator = start_emulator(tmp_path / "emulator")
    yield emulator
    emulator.stop()


def plan_edits(held: Held, rng: random.Random) -> list[Edit]:
    """100 edits on distinct objects: 60 sections (one edit each), 40 groups."""
    policy_kinds = [port_edit, action_edit, deleted_rule, extra_rule]
    edits: list[Edit] = []
    for policy in rng.sample(sorted(held.policies), 60):
        rules = sorted(held.policies[policy]["rules"], key=lambda r: r["sequence_number"])
        kind = rng.choice(policy_kinds)
        with_ports = [i for i, r in enumerate(rules) if r.get("service_entries")]
        if kind is port_edit and not with_ports:
            kind = action_edit
        index = rng.choice(with_ports) if kind is port_edit else rng.randrange(len(rules))
        edits.append(kind(policy, index, rules[index]))
    for group in rng.sample(sorted(held.groups), EDITS - len(edits)):
        edits.append(group_edit(group, held.groups[group]))
    return edits


def test_every_out_of_band_edit_is_reported_and_repaired(tmp_path: Path, emu: RunningEmulator) -> None:
    scale = scale_from_env("ZT_DRIFT_SCALE", "small")
    ws = bench_workspace(tmp_path, emu, scale)
    ws.up()
    nsx = raw(emu)
    rng = random.Random(SEED)
    expected = [edit(nsx) for edit in plan_edits(Held.read(nsx), rng)]
    assert len(expected) == EDITS

    diffs: dict[str, Any] = {}

    def collect(event: events.EngineEvent) -> None:
        pre = event.resource_pre_event
        if pre is not None and pre.metadata.detailed_diff:
            diffs.update(pre.metadata.detailed_diff)

    preview = ws.preview(refresh=True, on_event=collect)
    assert changes(preview.change_summary) == {"update": 1}
    missing = [prefix for prefix in expected if not any(path.startswith(prefix) for path in diffs)]
    assert missing == [], f"{len(missing)} of {EDITS} edits not reported, e.g. {missing[:3]}"

    assert changes(ws.up(refresh=True).summary.resource_changes) == {"update": 1}
    assert Held.read(nsx).problems(Estate.of(scale)) == []
    assert changes(ws.preview(refresh=True).change_summary) == {}
    print(f"\ndrift at scale {scale}: {EDITS} out-of-band edits reported ({len(diffs)} diff paths) and repaired")
