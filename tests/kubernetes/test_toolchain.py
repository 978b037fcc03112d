"""toolchain/ensure-kubernetes.sh: pins that agree, clear failures, and a fast idempotent re-run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from importlib import resources
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = "toolchain/ensure-kubernetes.sh"


def _pins() -> dict[str, str]:
    text = (REPO / "toolchain/versions.env").read_text()
    return dict(re.findall(r"^([A-Z_]+)=(\S+)$", text, flags=re.MULTILINE))


def _run(root: Path, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(root / SCRIPT)], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A copy of what the script reads, so failures can be provoked without touching the repo."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "toolchain", root / "toolchain", ignore=shutil.ignore_patterns("pulumi-build"))
    shutil.copy(REPO / "requirements.txt", root / "requirements.txt")
    return root


def test_pins_agree_with_the_sdk_the_engine_will_load() -> None:
    pins = _pins()
    plugin = json.loads((resources.files("pulumi_kubernetes") / "pulumi-plugin.json").read_text())
    assert plugin["version"] == pins["PULUMI_KUBERNETES_VERSION"], "the engine matches plugin versions exactly"
    assert f"pulumi-kubernetes=={pins['PULUMI_KUBERNETES_VERSION']}" in (REPO / "requirements.txt").read_text()
    cluster = (REPO / "toolchain/kubernetes-build/cluster/go.mod").read_text()
    assert f"k8s.io/kubernetes v{pins['KUBERNETES_VERSION']}" in cluster
    staging = re.findall(r"^\s+(k8s\.io/\S+) => \1 (v\S+)$", cluster, flags=re.MULTILINE)
    assert len(staging) > 20
    assert {v for _, v in staging} == {"v0." + pins["KUBERNETES_VERSION"].split(".", 1)[1]}


def test_a_pin_mismatch_is_named(scratch: Path, tmp_path: Path) -> None:
    req = scratch / "requirements.txt"
    req.write_text(re.sub(r"pulumi-kubernetes==\S+", "pulumi-kubernetes==4.99.0", req.read_text()))
    done = _run(scratch, {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.returncode == 2
    assert "PULUMI_KUBERNETES_VERSION" in done.stderr
    assert "requirements.txt" in done.stderr


def test_without_go_or_a_cache_the_fix_is_explained(scratch: Path, tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "empty")}
    done = _run(scratch, env)
    assert done.returncode == 2
    assert "no Go toolchain" in done.stderr
    assert "make kubernetes" in done.stderr


def test_second_run_is_fast_and_links_the_tools() -> None:
    env = {**os.environ, "PATH": f"/usr/local/go/bin:{os.environ.get('PATH', '')}"}
    start = time.monotonic()
    done = _run(REPO, env)
    took = time.monotonic() - start
    assert done.returncode == 0, done.stderr
    assert took < 10, f"a cached run took {took:.1f}s"
    for tool in ("kube-apiserver", "etcd", "kubectl"):
        assert (REPO / ".tools/bin" / tool).resolve().is_file()
    home = Path(os.environ.get("PULUMI_HOME", REPO / ".tools/pulumi-home"))
    version = _pins()["PULUMI_KUBERNETES_VERSION"]
    assert (home / f"plugins/resource-kubernetes-v{version}/pulumi-resource-kubernetes").is_file()
