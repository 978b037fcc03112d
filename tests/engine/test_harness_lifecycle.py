"""The engine harness drives a real program through preview, up, refresh and destroy.

One engine run per step, many assertions per run: each step's change summary, the state the
engine stored, and the effect on the managed resource itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.pulumi_harness import EngineWorkspace, changes

pytestmark = pytest.mark.engine

PROGRAM = Path(__file__).parent / "programs" / "filestore"
TYPE = "pulumi-python:dynamic/test:ManagedFile"


def test_preview_up_refresh_destroy(tmp_path: Path) -> None:
    target = tmp_path / "greeting.txt"
    ws = EngineWorkspace.create(PROGRAM, tmp_path / "ws")
    ws.set_config({"path": str(target), "content": "hello"})

    preview = ws.preview()
    assert changes(preview.change_summary) == {"create": 2}  # the stack and the file
    assert not target.exists(), "preview must not touch the resource"

    up = ws.up()
    assert changes(up.summary.resource_changes) == {"create": 2}
    assert target.read_text() == "hello"
    assert up.outputs["content"].value == "hello"
    [stored] = ws.resources(TYPE)
    assert stored["outputs"]["content"] == "hello"

    assert changes(ws.preview().change_summary) == {}, "a second preview must be empty"

    target.write_text("edited by hand")  # drift made outside Pulumi
    refresh = ws.refresh()
    assert changes(refresh.summary.resource_changes) == {"update": 1}
    [stored] = ws.resources(TYPE)
    assert stored["outputs"]["content"] == "edited by hand"

    repair = ws.up()  # desired state wins again
    assert changes(repair.summary.resource_changes) == {"update": 1}
    assert target.read_text() == "hello"

    destroy = ws.destroy()
    assert changes(destroy.summary.resource_changes) == {"delete": 2}
    assert not target.exists()
    assert ws.resources(TYPE) == []
