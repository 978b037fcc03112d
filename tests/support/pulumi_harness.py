"""Run real Pulumi programs under the real engine, isolated per test (Automation API).

Each `EngineWorkspace` gets its own file backend folder and its own copy of the program, so
tests can run in parallel (xdist) without sharing state, stack config files or locks. The CLI
is the one `make setup` provides (`.tools/bin/pulumi`); a missing CLI is an error, never a
skip, because a skipped engine test proves nothing.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / ".tools"
VENV = REPO / ".venv"
PASSPHRASE = "engine-tests"


def pulumi_command() -> auto.PulumiCommand:
    """The project's CLI; fails loudly when `make setup` has not provided it."""
    cli = TOOLS / "bin" / "pulumi"
    if not cli.exists():
        raise RuntimeError(f"{cli} is missing: run `make setup` (it builds or finds the Pulumi CLI)")
    return auto.PulumiCommand(root=str(TOOLS))


def offline_env(backend: Path) -> dict[str, str]:
    """The same offline-safe settings as toolchain/activate, with a private backend."""
    return {
        "PULUMI_BACKEND_URL": backend.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        # The home toolchain/activate chose (a user's own PULUMI_HOME is kept): where setup
        # installed the Kubernetes provider plugin.
        "PULUMI_HOME": os.environ.get("PULUMI_HOME") or str(TOOLS / "pulumi-home"),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_DISABLE_REGISTRY_RESOLVE": "true",
        "PATH": f"{TOOLS / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        # Programs and the provider plugin import the project's packages from the repo root.
        "PYTHONPATH": str(REPO),
    }


@dataclass
class EngineWorkspace:
    """One program copy + one backend + one stack, driven through the Automation API."""

    program: Path
    backend: Path
    stack_name: str = "test"
    env: dict[str, str] = field(default_factory=dict)
    _stack: auto.Stack | None = None

    @classmethod
    def create(
        cls,
        source: Path,
        workdir: Path,
        *,
        stack_name: str = "test",
        extra_env: Mapping[str, str] | None = None,
        include: tuple[str, ...] | None = None,
    ) -> EngineWorkspace:
        """Copy `source` (a folder with Pulumi.yaml) into `workdir` and point it at the project venv.

        ``include`` copies only those top-level entries (the repository's own program: its
        Pulumi.yaml, __main__.py and stacks/, not the whole tree).
        """
        program = workdir / "program"
        skip = shutil.ignore_patterns("__pycache__", "Pulumi.*.yaml")
        if include is None:
            shutil.copytree(source, program, ignore=skip)
        else:
            program.mkdir(parents=True)
            for entry in include:
                if (source / entry).is_dir():
                    shutil.copytree(source / entry, program / entry, ignore=skip)
                else:
                    shutil.copy2(source / entry, program / entry)
        project_file = program / "Pulumi.yaml"
        project = yaml.safe_load(project_file.read_text())
        project["runtime"] = {"name": "python", "options": {"toolchain": "pip", "virtualenv": str(VENV)}}
        for plugin in project.get("plugins", {}).get("providers", []):
            plugin["path"] = str((source / plugin["path"]).resolve())
        project.pop("stackConfigDir", None)
        project_file.write_text(yaml.safe_dump(project, sort_keys=False))
        backend = workdir / "backend"
        backend.mkdir()
        env = offline_env(backend) | dict(extra_env or {})
        return cls(program=program, backend=backend, stack_name=stack_name, env=env)

    @property
    def stack(self) -> auto.Stack:
        if self._stack is None:
            self._stack = auto.create_or_select_stack(
                stack_name=self.stack_name,
                work_dir=str(self.program),
                opts=auto.LocalWorkspaceOptions(
                    work_dir=str(self.program),
                    env_vars=self.env,
                    pulumi_command=pulumi_command(),
                    secrets_provider="passphrase",
                ),
            )
        return self._stack

    def set_config(self, values: Mapping[str, Any], *, secret: frozenset[str] = frozenset()) -> None:
        for key, value in values.items():
            self.stack.set_config(key, auto.ConfigValue(value=str(value), secret=key in secret))

    def preview(self, **kwargs: Any) -> auto.PreviewResult:
        return self.stack.preview(color="never", **kwargs)

    def up(self, **kwargs: Any) -> auto.UpResult:
        return self.stack.up(color="never", **kwargs)

    def refresh(self, **kwargs: Any) -> auto.RefreshResult:
        return self.stack.refresh(color="never", **kwargs)

    def destroy(self, **kwargs: Any) -> auto.DestroyResult:
        return self.stack.destroy(color="never", **kwargs)

    def state(self) -> dict[str, Any]:
        """The stack's deployment (resources with inputs/outputs), as the engine stored it."""
        deployment = self.stack.export_stack().deployment
        return dict(deployment or {})

    def stored_state_text(self) -> str:
        """The state files exactly as the backend stores them (secrets encrypted)."""
        files = sorted((self.backend / ".pulumi" / "stacks").rglob("*.json"))
        return "\n".join(f.read_text() for f in files)

    def resources(self, type_token: str) -> list[dict[str, Any]]:
        return [r for r in self.state().get("resources", []) if r.get("type") == type_token]


def changes(summary: Mapping[Any, int] | None) -> dict[str, int]:
    """An engine change summary without the 'same' bucket: what a reviewer cares about."""
    named = {str(getattr(op, "value", op)): n for op, n in (summary or {}).items()}
    return {op: n for op, n in named.items() if op != "same" and n}


ERROR_LINE = re.compile(r"^\s*error: (.*)$", re.MULTILINE)
ENGINE_SUMMARY = {"update failed", "preview failed", "destroy failed"}
"""The engine's own closing line on the stack after a resource failed (not a diagnostic)."""


def one_error_line(failed: auto.CommandError) -> str:
    """A failed run's one error line; fails the test on a traceback or a second error line."""
    text = str(failed)
    assert "Traceback" not in text, text[-4000:]
    assert 'File "' not in text, text[-4000:]
    lines = [line for line in ERROR_LINE.findall(text) if line not in ENGINE_SUMMARY]
    assert len(lines) == 1, "\n".join(lines) or text[-4000:]
    return str(lines[0])
