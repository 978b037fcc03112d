"""Shared by the engine tests here: a workspace on the `vks` program with every cluster's kubeconfig."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from local_cluster.apiserver import KubeCluster
from tests.support.pulumi_harness import REPO, EngineWorkspace, changes

PROGRAM = Path(__file__).parent / "programs" / "vks"


def workspace(
    tmp_path: Path, clusters: Mapping[str, KubeCluster], env: Mapping[str, Any]
) -> tuple[EngineWorkspace, Path]:
    """The program reads `env` from a file (so tests can edit it between runs); kubeconfigs are secrets."""
    env_file = tmp_path / "environment.yaml"
    env_file.write_text(yaml.safe_dump(dict(env), sort_keys=False))
    ws = EngineWorkspace.create(PROGRAM, tmp_path / "ws", extra_env={"PYTHONPATH": str(REPO)})
    ws.set_config({"environmentFile": str(env_file)})
    kubeconfigs = {f"kubeconfig-{name}": cluster.kubeconfig for name, cluster in clusters.items()}
    ws.set_config(kubeconfigs, secret=frozenset(kubeconfigs))
    return ws, env_file


def without_reads(summary: Mapping[Any, int] | None) -> dict[str, int]:
    """Changes without `read`: the StackReference holding the last applied ranges is re-read on
    every run, which changes nothing (the engine does not count reads as changes either)."""
    return {op: n for op, n in changes(summary).items() if op != "read"}
