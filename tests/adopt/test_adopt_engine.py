"""Brownfield adoption end to end: an NSX nobody here shaped, adopted, imported, owned.

``make adopt`` (``python -m zerotrust.adopt``) writes the stack's files and import plan; the
repository's own program imports the estate on the next ``up``. The checks, under the real
engine against the emulator over HTTPS:

* the first preview shows the import and the taking of ownership, and no change to any
  group, section or rule (the set's detailed diff names only ``adopted`` and ``owners``);
* the ``up`` writes nothing in NSX but the ownership tags; the next preview is empty;
* editing one rule's port in the generated YAML shows exactly that field;
* the same holds for the demo seed with the dev stack applied (the "lost my state" case).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.adopt.brownfield import make_brownfield
from tests.support.emulator_process import RunningEmulator, start_emulator
from tests.support.nsx_stack import configure_nsx, domain_snapshot, raw, set_diff_paths
from tests.support.pulumi_harness import REPO, EngineWorkspace, changes

pytestmark = pytest.mark.engine

DOMAIN = "/policy/api/v1/infra/domains/default"
VOLATILE = {"tags", "_revision", "_last_modified_time", "_last_modified_user", "rules", "children"}
SEED = REPO / "nsx_emulator" / "seeds" / "demo.yaml"


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[RunningEmulator]:
    emulator = start_emulator(tmp_path / "emulator")
    yield emulator
    emulator.stop()


def adopt(emu: RunningEmulator, ws: EngineWorkspace, stack: str, *extra: str) -> str:
    """``python -m zerotrust.adopt`` into the workspace's stack folder; its printed summary."""
    out = ws.program / "stacks" / stack
    command = [sys.executable, "-m", "zerotrust.adopt", "--stack", stack, "--nsx", emu.base_url]
    command += ["--ca-file", str(emu.ca_file), "--out", str(out), *extra]
    env = {**os.environ, "NSX_PASSWORD": emu.admin_password}
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    return done.stdout


def workspace(tmp_path: Path, emu: RunningEmulator, stack: str) -> EngineWorkspace:
    ws = EngineWorkspace.create(REPO, tmp_path / "ws", stack_name=stack, include=("Pulumi.yaml", "__main__.py"))
    (ws.program / "stacks").mkdir()
    return ws


def only_tags_changed(before: dict[str, Any], after: dict[str, Any]) -> None:
    for key in sorted(before):
        old, new = before[key], after[key]
        assert {k: v for k, v in new.items() if k not in VOLATILE} == {
            k: v for k, v in old.items() if k not in VOLATILE
        }, key
        old_rules = {r["id"]: {k: v for k, v in r.items() if k not in VOLATILE} for r in old.get("rules") or []}
        new_rules = {r["id"]: {k: v for k, v in r.items() if k not in VOLATILE} for r in new.get("rules") or []}
        assert new_rules == old_rules, key
        old_revisions = {r["id"]: r["_revision"] for r in old.get("rules") or []}
        assert {r["id"]: r["_revision"] for r in new.get("rules") or []} == old_revisions, f"{key}: rules rewritten"


def test_a_brownfield_round_trips_and_only_gains_ownership_tags(tmp_path: Path, emu: RunningEmulator) -> None:
    nsx = raw(emu)
    made = make_brownfield(nsx, groups=300, policies=150, rules=1500)
    assert made.rules == 1500
    before = domain_snapshot(nsx)
    ws = workspace(tmp_path, emu, "adopted")
    summary = adopt(emu, ws, "adopted", "--apps-by", "tag:app")
    assert "skipped | domain | `partner`" in summary
    assert "NSX's own (system-owned)" in summary
    assert re.search(r"\d+ adopted, \d+ kept verbatim, \d+ skipped", summary)
    files = sorted(p.name for p in (ws.program / "stacks" / "adopted" / "apps").glob("*.yaml"))
    assert {"shop.yaml", "billing.yaml", "unassigned.yaml"} <= set(files)
    configure_nsx(ws, emu)

    planned, paths, _ = set_diff_paths(ws)
    assert planned == {"create": 3, "import": 1, "update": 1}  # stack, provider, firewall; the set
    assert paths <= {"adopted", "owners"}, sorted(paths)[:10]
    assert changes(ws.up().summary.resource_changes) == planned
    assert changes(ws.preview().change_summary) == {}

    after = domain_snapshot(nsx)
    adopted = {
        k
        for k, v in after.items()
        if {"scope": "zerotrust/managed-by", "tag": "zerotrust-dfw/adopted"} in (v.get("tags") or [])
    }
    assert len([k for k in adopted if k.startswith("groups/")]) == 300
    assert len([k for k in adopted if k.startswith("security-policies/")]) == 150
    only_tags_changed(before, after)

    # one port of one rule, edited in the generated YAML: that field, nothing else
    app = ws.program / "stacks" / "adopted" / "apps"
    edited = next(f for f in sorted(app.glob("*.yaml")) if re.search(r"services: \[tcp/9\d\d\d\]", f.read_text()))
    text = edited.read_text()
    port = re.search(r"services: \[tcp/(9\d\d\d)\]", text)
    assert port is not None
    edited.write_text(text.replace(f"tcp/{port.group(1)}]", "tcp/19999]", 1))
    planned, paths, stdout = set_diff_paths(ws, diff=True)
    assert planned == {"update": 1}
    assert len(paths) == 1, paths
    [path] = paths
    assert re.fullmatch(r'policies\["[^"]+"\]\.rules\[\d+\]\.service_entries\[0\]\.destination_ports', path), path
    assert f'"{port.group(1)}" => "19999"' in stdout


def test_the_dev_stack_on_the_demo_seed_adopts_back_exactly(tmp_path: Path) -> None:
    emu = start_emulator(tmp_path / "emulator", seed=SEED)
    try:
        first = EngineWorkspace.create(
            REPO, tmp_path / "first", stack_name="dev", include=("Pulumi.yaml", "__main__.py", "stacks")
        )
        configure_nsx(first, emu)
        first.up()
        before = domain_snapshot(raw(emu))
        ws = workspace(tmp_path, emu, "dev")  # the state is lost; the stack's files too
        summary = adopt(emu, ws, "dev", "--apps-by", "prefix")
        assert "spanned to an Antrea cluster" in summary  # quarantine-vks-dev-01 stays out, said so
        configure_nsx(ws, emu)
        ws.stack.remove_config("inventory")
        planned, paths, _ = set_diff_paths(ws)
        assert planned == {"create": 3, "import": 1, "update": 1}
        assert paths == {"owners"}, paths  # already this stack's: nothing to take over
        ws.up()
        assert changes(ws.preview().change_summary) == {}
        after = domain_snapshot(raw(emu))
        assert {k: v["_revision"] for k, v in after.items()} == {k: v["_revision"] for k, v in before.items()}
    finally:
        emu.stop()
