"""Run the PR preview exactly as CI does (zerotrust.report.commands), under the real engine.

The engine tests of the policy pack and of the report both go through here, so what they
prove is what .github/workflows/preview.yml runs: the same argument list, the streaming JSON
events, the guardrails pack at the environment's enforcement levels.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from typing import Any

from tests.support.pulumi_harness import REPO, EngineWorkspace
from zerotrust.report import Preview, parse
from zerotrust.report.commands import STREAMING_ENV, preview_command

PACK = REPO / "policypack"
SECTION_NAMED = re.compile(r"section '([^']+)'")


@dataclass(frozen=True)
class CiPreview:
    returncode: int
    output: str
    stderr: str

    @property
    def preview(self) -> Preview:
        return parse(self.output)

    def events(self, name: str) -> list[dict[str, Any]]:
        return [e[name] for line in self.output.splitlines() if line.strip() and name in (e := json.loads(line))]

    def mandatory(self) -> set[tuple[str, str]]:
        """(policy, subject) of every mandatory violation: the section its message names,
        else the resource it is reported on (the rule base itself, for a missing section)."""
        return {(v.policy, subject(v.message, v.urn)) for v in self.preview.violations if v.blocking}

    def advisory(self) -> set[tuple[str, str]]:
        return {(v.policy, subject(v.message, v.urn)) for v in self.preview.violations if not v.blocking}


def subject(message: str, urn: str | None) -> str:
    named = SECTION_NAMED.search(message)
    return named.group(1) if named else (urn or "").rsplit("::", 1)[-1]


def ci_preview(ws: EngineWorkspace, *, config: str | None = None) -> CiPreview:
    """`pulumi preview --json --policy-pack ...` in the workspace, with the stack's (or ``config``'s) levels."""
    command = preview_command(ws.stack_name, pack=str(PACK))
    if config is not None:
        command[-1] = str(PACK / "config" / f"{config}.json")
    ws.stack  # noqa: B018  (creates/selects the stack before the CLI runs)
    done = subprocess.run(
        command,
        cwd=ws.program,
        env={**os.environ, **ws.env, **STREAMING_ENV},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return CiPreview(done.returncode, done.stdout, done.stderr)
