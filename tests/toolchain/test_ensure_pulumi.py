"""toolchain/ensure-pulumi.sh: which CLI the project uses, and how a bad setup is explained.

Each case runs the script from a scratch copy of toolchain/ with a controlled PATH and an empty
build cache, so nothing here touches the real .tools folder or builds Go.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PIN = re.search(r"^PULUMI_VERSION=(\S+)$", (REPO / "toolchain/versions.env").read_text(), re.M)
assert PIN is not None
PINNED = PIN.group(1)


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(REPO / "toolchain", root / "toolchain")
    return root


def fake_cli(folder: Path, version: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    cli = folder / "pulumi"
    cli.write_text(f'#!/bin/sh\n[ "$1" = version ] && echo v{version}\n')
    cli.chmod(0o755)
    return cli


def run(root: Path, path_dirs: list[Path], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # Only the basics on PATH: no Go (it lives in /usr/local/go/bin) and no real pulumi.
    path = os.pathsep.join([*map(str, path_dirs), "/usr/bin", "/bin"])
    env = {"PATH": path, "HOME": str(tmp_path / "home"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    return subprocess.run(
        ["bash", str(root / "toolchain/ensure-pulumi.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_no_cli_and_no_go_is_one_clear_message(scratch: Path, tmp_path: Path) -> None:
    assert shutil.which("go", path="/usr/bin:/bin") is None, "this test needs a PATH without Go"
    result = run(scratch, [], tmp_path)
    assert result.returncode == 2
    assert "install the Pulumi CLI" in result.stderr
    assert "install Go" in result.stderr
    assert f"v{PINNED}" in result.stderr
    assert not (scratch / ".tools/bin/pulumi").exists()


def test_a_cli_on_path_that_satisfies_the_pin_is_used(scratch: Path, tmp_path: Path) -> None:
    major, minor, _ = PINNED.split(".")
    newer = fake_cli(tmp_path / "installed", f"{major}.{int(minor) + 1}.0")
    result = run(scratch, [newer.parent], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (scratch / ".tools/bin/pulumi").resolve() == newer.resolve()


def test_an_older_cli_on_path_is_ignored_with_a_reason(scratch: Path, tmp_path: Path) -> None:
    older = fake_cli(tmp_path / "installed", "3.100.0")
    result = run(scratch, [older.parent], tmp_path)
    assert "ignoring pulumi on PATH" in result.stderr
    assert result.returncode == 2  # no Go either: explained, not hung
    assert not (scratch / ".tools/bin/pulumi").exists()


def test_the_project_cli_reports_the_pinned_version_with_a_leading_v() -> None:
    cli = REPO / ".tools/bin/pulumi"
    assert cli.exists(), "run `make setup` first"
    out = subprocess.run([str(cli), "version"], capture_output=True, text=True, check=True).stdout.strip()
    assert out.startswith("v")
    have = tuple(int(p) for p in out[1:].split("-")[0].split("."))
    assert have >= tuple(int(p) for p in PINNED.split("."))


def test_python_sdk_pin_matches_the_cli_pin() -> None:
    reqs = (REPO / "requirements.txt").read_text()
    assert f"\npulumi=={PINNED}\n" in f"\n{reqs}"
