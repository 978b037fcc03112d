"""Up of 500 objects completes while NSX answers 10% of calls with 429 / 503 / a dropped
connection, and the next preview is empty: retries converge, nothing is lost or doubled."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.emulator_process import RunningEmulator, start_emulator
from tests.support.nsx_stack import configure_nsx, raw
from tests.support.pulumi_harness import EngineWorkspace, changes

pytestmark = pytest.mark.engine

PROGRAM = Path(__file__).parent / "programs" / "nsx_objects"
SEED = Path(__file__).parent / "seed.yaml"
EXTRA_GROUPS = 494  # + 2 groups, 1 service, 1 policy, 1 VM-tags set, 1 provider = 500 objects


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[RunningEmulator]:
    emulator = start_emulator(tmp_path / "emulator", seed=SEED)
    yield emulator
    emulator.stop()


def test_up_of_500_objects_survives_injected_faults(tmp_path: Path, emu: RunningEmulator) -> None:
    ws = EngineWorkspace.create(PROGRAM, tmp_path / "ws")
    configure_nsx(ws, emu, vmId="vm-orders-db", extraGroups=str(EXTRA_GROUPS))
    nsx = raw(emu)
    faults = {
        "seed": 11,
        "rules": [
            {"rate": 0.10, "statuses": ["429", "503", "drop"], "path_regex": "^/(policy/)?api/", "retry_after": 1}
        ],
    }
    nsx.put("/emulator/admin/faults", json=faults).raise_for_status()

    up = ws.up(parallel=16)
    assert changes(up.summary.resource_changes) == {"create": EXTRA_GROUPS + 7}

    injected = nsx.get("/emulator/admin/faults").json()
    nsx.delete("/emulator/admin/faults").raise_for_status()
    assert injected, "the fault rule was in force"
    groups = nsx.get("/policy/api/v1/infra/domains/default/groups", params={"page_size": 1000}).json()
    assert sum(g["id"].startswith("zt-extra-") for g in groups["results"]) == EXTRA_GROUPS

    assert changes(ws.preview(refresh=True).change_summary) == {}
