"""The library installed the way a user installs it: a wheel built from the repository, in a venv of its own.

Why not the project venv: a program run from there imports the repository's packages through
PYTHONPATH and finds the provider through Pulumi.yaml ``plugins.providers``, so it would prove
nothing about the package. Here the wheel is built with pip (``pip wheel``, isolated build), a
fresh venv gets ``pip install <wheel>`` (dependencies resolved by pip, from its cache once warm),
and programs run with that venv's ``bin/`` on PATH, where the engine finds
``pulumi-resource-zerotrust`` (docs/library.md).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.support.pulumi_harness import REPO, EngineWorkspace, offline_env


@dataclass(frozen=True)
class InstalledLibrary:
    """A venv holding the installed wheel."""

    venv: Path
    wheel: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def env(self, backend: Path) -> dict[str, str]:
        """Engine settings with this venv's bin/ on PATH and no repository on PYTHONPATH."""
        env = offline_env(backend)
        env.pop("PYTHONPATH", None)
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env['PATH']}"
        env["VIRTUAL_ENV"] = str(self.venv)
        return env

    def workspace(self, program: Path, workdir: Path, *, stack_name: str = "test") -> EngineWorkspace:
        """A copy of ``program`` whose Pulumi.yaml uses this venv, run with this venv's bin/ on PATH.

        The copy keeps no ``plugins.providers`` entry: the engine must find the provider on PATH.
        """
        ws = EngineWorkspace.create(program, workdir, stack_name=stack_name)
        project_file = ws.program / "Pulumi.yaml"
        project = yaml.safe_load(project_file.read_text())
        project["runtime"] = {"name": "python", "options": {"toolchain": "pip", "virtualenv": str(self.venv)}}
        project.pop("plugins", None)
        project_file.write_text(yaml.safe_dump(project, sort_keys=False))
        ws.env = self.env(ws.backend)
        return ws


SOURCES = ("pyproject.toml", "CHANGELOG.md", "docs/library.md", "zerotrust", "components")
"""What the wheel is built from (copied, so builds never write into the repository or collide)."""


def build_and_install(workdir: Path) -> InstalledLibrary:
    """``pip wheel`` a copy of the package sources, then ``pip install`` the wheel into a new venv."""
    source = workdir / "source"
    for entry in SOURCES:
        target = source / entry
        target.parent.mkdir(parents=True, exist_ok=True)
        if (REPO / entry).is_dir():
            shutil.copytree(REPO / entry, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(REPO / entry, target)
    dist = workdir / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "wheel", "--no-deps", "-q", "-w", str(dist), str(source)], check=True, cwd=workdir)
    [wheel] = sorted(dist.glob("zerotrust_dfw-*.whl"))
    venv = workdir / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    install = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "install", "-q"]
    # The project's pins as constraints (a user's lock file): the Kubernetes provider plugin the
    # toolchain built is the exact version pulumi-kubernetes asks for.
    subprocess.run([*install, str(wheel), "-c", str(REPO / "requirements.txt")], check=True, cwd=workdir)
    return InstalledLibrary(venv, wheel)


def shared_install(root: Path) -> InstalledLibrary:
    """One install for every pytest worker of a run: the first builds it under a file lock."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ready = root / "ready"
        if ready.exists():
            return InstalledLibrary(root / "venv", Path(ready.read_text()))
        installed = build_and_install(root)
        ready.write_text(str(installed.wheel))
        return installed
