"""When a Firewall writes its rule base, under the real engine (components/_program_end.py).

The policy set is registered once the program body has finished, with every member declared
in it. A body that fails (here: a misspelt service) registers no policy set, so an ``up``
cannot read a half-declared rule base as "delete the rest"; a member declared after the body
(inside an apply) fails with one clear line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pulumi.automation.errors import CommandError

from tests.support.emulator_process import RunningEmulator, start_emulator
from tests.support.nsx_stack import configure_nsx, domain_snapshot, raw
from tests.support.pulumi_harness import EngineWorkspace, changes

pytestmark = pytest.mark.engine

PROGRAM = Path(__file__).parent / "programs" / "typed_firewall"


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[RunningEmulator]:
    emulator = start_emulator(tmp_path / "emulator")
    yield emulator
    emulator.stop()


def test_a_failed_body_writes_nothing_and_a_late_member_is_refused(tmp_path: Path, emu: RunningEmulator) -> None:
    ws = EngineWorkspace.create(PROGRAM, tmp_path / "ws")
    configure_nsx(ws, emu)
    nsx = raw(emu)
    up = ws.up()
    # stack, NSX provider, Firewall and its ONE policy set: groups and sections are members, not resources
    assert changes(up.summary.resource_changes) == {"create": 4}
    assert up.outputs["sections"].value == ["web-db"]
    before = domain_snapshot(nsx)
    assert {"groups/web", "groups/db", "security-policies/web-db"} <= set(before)

    ws.set_config({"step": "typo"})
    with pytest.raises(CommandError) as failed:
        ws.up()
    assert "rules[0].services[0]: 'tpc/5432' is not a service" in str(failed.value)
    assert "Traceback" not in str(failed.value), "a bad argument is one line, not a Python traceback"
    assert domain_snapshot(nsx) == before, "a failed body must leave NSX as it was"

    ws.set_config({"step": "late"})
    with pytest.raises(CommandError) as late:
        ws.up()
    assert "SecurityGroup 'late': Firewall 'typed' is already complete" in str(late.value)
    assert "late" not in {key.rsplit("/", 1)[-1] for key in domain_snapshot(nsx)}

    ws.set_config({"step": "ok"})
    assert changes(ws.preview().change_summary) == {}
    ws.destroy()
    assert not {"groups/web", "groups/db", "security-policies/web-db"} & set(domain_snapshot(nsx))
