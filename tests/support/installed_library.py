"""The library installed the way a user installs it: a wheel built from the repository, in a venv of its own.

Why not the project venv: a program run from there imports the repository's packages through
PYTHONPATH and finds the provider through Pulumi.yaml ``plugins.providers``, so it would prove
nothing about the package. Here the wheel is built with pip (``pip wheel``, isolated build), a
fresh venv gets ``pip install <wheel>`` (dependencies resolved by pip, from its cache once warm),
and programs run with that venv's ``bin/`` on PATH, where the engine finds
``pulumi-resource-zerotrust`` (docs/library.md).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support.pulumi_harness import REPO, offline_env


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
    subprocess.run([*install, str(wheel)], check=True, cwd=workdir)
    return InstalledLibrary(venv, wheel)
