"""``adopt_s`` and ``adopt_api_calls``: adopting a generated brownfield at the bench's size.

The brownfield (tests/adopt/brownfield.py) is made through the raw API at 2,000 groups,
1,000 policies and 10,000 rules (``ZT_BENCH_SCALE=small``: a tenth); the figures are the
wall time of ``python -m zerotrust.adopt`` as a user runs it (process start, reads, the
compile-and-compare rounds, writing the files) and the API calls NSX served for it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.adopt.brownfield import make_brownfield
from tests.scale.estate import SCALES, scale_from_env
from tests.support.emulator_process import start_emulator
from tests.support.nsx_stack import raw, requests_since_reset, reset_counters
from tests.support.pulumi_harness import REPO

pytestmark = pytest.mark.slow


def test_adopt_figures(tmp_path: Path) -> None:
    scale = scale_from_env("ZT_BENCH_SCALE", "full")
    groups, policies, rules = SCALES[scale]
    emu = start_emulator(tmp_path / "emulator")
    try:
        made = make_brownfield(raw(emu), groups=groups, policies=policies, rules=policies * rules)
        reset_counters(emu)
        command = [sys.executable, "-m", "zerotrust.adopt", "--stack", "bench", "--nsx", emu.base_url]
        command += ["--ca-file", str(emu.ca_file), "--out", str(tmp_path / "stack"), "--apps-by", "tag:app"]
        started = time.perf_counter()
        done = subprocess.run(
            command,
            cwd=REPO,
            env={**os.environ, "NSX_PASSWORD": emu.admin_password},
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        assert done.returncode == 0, done.stderr[-3000:]
        calls = sum(n for _, path, n in requests_since_reset(emu) if not path.startswith("/emulator/"))
    finally:
        emu.stop()
    head = done.stdout.splitlines()[0]
    print(f"\n# adopt at scale {scale}: {len(made.groups)} groups, {len(made.policies)} policies, {made.rules} rules")
    print(f"# {head}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"BENCH adopt_s {seconds:.2f} s")
    print(f"BENCH adopt_api_calls {calls} calls")
    assert calls <= 10, "adoption reads NSX in a handful of calls, whatever its size"
