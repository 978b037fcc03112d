"""Crash safety at scale: SIGKILL ``pulumi up`` and ``pulumi destroy`` at random points.

Benchmark-sized (the full estate, 13,000 NSX objects, unless ``ZT_BENCH_SCALE=small``), so
it is marked slow: ``make bench`` runs it, ``make test`` does not. Each kill takes down the
CLI, the program and the provider plugin at once (the process group), as a dead CI runner
would. After each kill: the lock the killed CLI left in the file backend is removed with
``pulumi cancel`` (the backend's documented recovery); a plain ``pulumi up`` (or ``destroy``)
then converges, the following preview is empty, and NSX holds exactly the declared objects:
no orphan, no duplicate, and the object this stack does not own untouched.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scale.estate import (
    DOMAIN,
    Estate,
    Held,
    bench_workspace,
    clear_stale_lock,
    run_killed,
    run_to_end,
    scale_from_env,
)
from tests.support.emulator_process import RunningEmulator, start_emulator
from tests.support.nsx_stack import raw
from tests.support.pulumi_harness import changes

pytestmark = pytest.mark.slow

KILLS = 5
SEED = 11
"""Kill points are random, but the same on every run (a failure can be replayed)."""


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[RunningEmulator]:
    emulator = start_emulator(tmp_path / "emulator")
    yield emulator
    emulator.stop()


def test_killed_create_and_destroy_converge(tmp_path: Path, emu: RunningEmulator) -> None:
    scale = scale_from_env("ZT_BENCH_SCALE", "full")
    estate = Estate.of(scale)
    ws = bench_workspace(tmp_path, emu, scale)
    nsx = raw(emu)
    theirs = {"expression": [{"resource_type": "IPAddressExpression", "ip_addresses": ["192.0.2.77"]}]}
    nsx.patch(f"{DOMAIN}/groups/not-ours", json=theirs).raise_for_status()
    sentinel = nsx.get(f"{DOMAIN}/groups/not-ours").json()["_revision"]
    rng = random.Random(SEED)
    report: list[str] = []
    interrupted = 0

    create_s = run_to_end(ws, "up", "--yes", "--skip-preview")
    destroy_s = run_to_end(ws, "destroy", "--yes", "--skip-preview")

    for kill in range(KILLS):
        at = rng.uniform(0.5, create_s)
        killed = run_killed(ws, at, "up", "--yes", "--skip-preview")
        lock = clear_stale_lock(ws)
        run_to_end(ws, "up", "--yes", "--skip-preview")
        assert changes(ws.preview().change_summary) == {}, f"create kill {kill} at {at:.1f}s"
        assert Held.read(nsx).problems(estate) == [], f"create kill {kill} at {at:.1f}s"
        interrupted += killed
        report.append(f"up SIGKILLed at {at:.1f}s of {create_s:.1f}s" + ("" if killed else " (had finished)"))
        report[-1] += ", stale lock removed" if lock else ""
        run_to_end(ws, "destroy", "--yes", "--skip-preview")

    for kill in range(KILLS):
        run_to_end(ws, "up", "--yes", "--skip-preview")
        at = rng.uniform(0.5, destroy_s)
        killed = run_killed(ws, at, "destroy", "--yes", "--skip-preview")
        lock = clear_stale_lock(ws)
        run_to_end(ws, "destroy", "--yes", "--skip-preview")
        assert Held.read(nsx).problems(None) == [], f"destroy kill {kill} at {at:.1f}s"
        interrupted += killed
        report.append(f"destroy SIGKILLed at {at:.1f}s of {destroy_s:.1f}s" + ("" if killed else " (had finished)"))
        report[-1] += ", stale lock removed" if lock else ""

    assert nsx.get(f"{DOMAIN}/groups/not-ours").json()["_revision"] == sentinel, "an unowned object was written"
    print("\n".join(["", f"crash safety at scale {scale}:", *report]))
    assert interrupted >= KILLS, f"too few runs were interrupted to prove anything: {report}"
