"""The report on real previews of the dev stack, under the real engine.

One emulator and one backend: the first preview (everything created), then `up`, then a
one-rule change by the shop team (the frontend may also use 6432). Both previews are run
with CI's command, normalised, rendered and (with ZT_UPDATE_EXPECTED=1) recorded under ``recorded/`` for the unit tests;
the report must equal ``expected/<case>.md`` (checked in, read by humans).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.policypack.ci_preview import ci_preview
from tests.report.recorded import EXPECTED, RECORDED, UPDATE, check_or_update, normalise, normalise_events
from tests.support.emulator_process import start_emulator
from tests.support.nsx_stack import configure_nsx
from tests.support.pulumi_harness import REPO, EngineWorkspace
from zerotrust.report import parse, render

pytestmark = pytest.mark.engine

SEED = REPO / "nsx_emulator" / "seeds" / "demo.yaml"


def test_reports_of_the_dev_stack_first_preview_and_a_one_rule_change(tmp_path: Path) -> None:
    emu = start_emulator(tmp_path / "emulator", seed=SEED)
    try:
        ws = EngineWorkspace.create(
            REPO, tmp_path / "ws", stack_name="dev", include=("Pulumi.yaml", "__main__.py", "stacks")
        )
        configure_nsx(ws, emu)
        first = ci_preview(ws)
        assert first.returncode == 0, first.output[-3000:] + first.stderr[-2000:]
        ws.up()
        shop = ws.program / "stacks" / "dev" / "apps" / "shop.yaml"
        shop.write_text(shop.read_text().replace("services: [tcp/5432]", "services: [tcp/5432, tcp/6432]", 1))
        change = ci_preview(ws)
        assert change.returncode == 0, change.output[-3000:] + change.stderr[-2000:]
    finally:
        emu.stop()

    for case, run in (("dev_first_preview", first), ("one_rule_change", change)):
        events = normalise_events(run.output, tmp=tmp_path)
        if UPDATE:  # event order varies between runs; only the report must be stable
            (RECORDED / f"{case}.jsonl").write_text(events)
        report = normalise(render(parse(run.output), stack="dev"), tmp=tmp_path)
        assert report == render(parse(events), stack="dev"), "normalising the events changed the report"
        check_or_update(EXPECTED / f"{case}.md", report)
