"""``unreachable_preview_s``: how long ``pulumi preview`` takes to fail when NSX cannot be reached.

The dev stack's program, default timeouts and retry budget, NSX at a port whose connects never
complete (what a firewall dropping the traffic looks like). The figure is the whole command,
engine start included; the target is at most 30 s (docs/operations.md).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from pulumi.automation import ConfigValue
from pulumi.automation.errors import CommandError

from tests.support.emulator_process import start_emulator
from tests.support.faulty_endpoints import silent_port
from tests.support.nsx_stack import configure_nsx
from tests.support.pulumi_harness import REPO, EngineWorkspace

pytestmark = pytest.mark.slow

SEED = REPO / "nsx_emulator" / "seeds" / "demo.yaml"


def test_unreachable_nsx_fails_within_thirty_seconds(tmp_path: Path) -> None:
    emu = start_emulator(tmp_path / "emulator", seed=SEED)
    try:
        program = ("Pulumi.yaml", "__main__.py", "stacks")
        ws = EngineWorkspace.create(REPO, tmp_path / "ws", stack_name="dev", include=program)
        configure_nsx(ws, emu)
        with silent_port() as url:
            ws.stack.set_config("nsx.host", ConfigValue(url), path=True)
            started = time.perf_counter()
            with pytest.raises(CommandError) as failed:
                ws.preview()
            seconds = time.perf_counter() - started
    finally:
        emu.stop()
    assert "is unreachable: no connection within 5 s" in str(failed.value)
    print(f"\n# unreachable NSX: load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"BENCH unreachable_preview_s {seconds:.1f} s")
    assert seconds <= 30
