"""A stack's settings read from outside the engine, for the tools beside it (adopt, doctor, trace).

Plain values come from ``stacks/Pulumi.<stack>.yaml`` (the program's ``stackConfigDir``);
secrets (``nsxPassword``, kubeconfigs) through ``pulumi config get``, which decrypts them with
the stack's secrets provider, or from an environment variable when one is named. Nothing here
prints a secret.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from zerotrust.nsx.config import NsxConfig

__all__ = ["REPO", "StackSettings", "read_stack"]

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class StackSettings:
    project: str
    stack: str
    values: dict[str, Any]
    """Plain config values by key without the project prefix (``nsx``, ``specDir`` ...)."""
    repo: Path = REPO
    secrets: Mapping[str, str] | None = field(default=None, repr=False)
    """Secret values given directly (a caller that has them already, tests); None: ask pulumi."""

    @property
    def owner(self) -> str:
        """The ownership tag value of this stack's objects: ``<project>/<stack>``."""
        return f"{self.project}/{self.stack}"

    @property
    def nsx(self) -> dict[str, Any]:
        return dict(self.values.get("nsx") or {})

    @property
    def spec_dir(self) -> Path:
        return self.repo / str(self.values.get("specDir") or Path("stacks") / self.stack)

    def secret(self, key: str, *, env: str | None = None) -> str | None:
        """A secret config value (``env`` wins when set); None when the stack has none."""
        if env and os.environ.get(env):
            return os.environ[env]
        if self.secrets is not None:
            return self.secrets.get(key)
        got = subprocess.run(
            ["pulumi", "config", "get", key, "--stack", self.stack],
            cwd=self.repo,
            capture_output=True,
            text=True,
            check=False,
        )
        return got.stdout.rstrip("\n") if got.returncode == 0 else None

    def nsx_config(self, **overrides: Any) -> NsxConfig:
        """The stack's NSX settings; ``overrides`` win, then the account in ``NSX_USERNAME`` /
        ``NSX_PASSWORD`` (what CI jobs set), then the stack config and its secret
        ``nsxPassword``. Raises ConfigError naming a missing setting."""
        settings = {**self.nsx, **{k: v for k, v in overrides.items() if v not in (None, "", False)}}
        if os.environ.get("NSX_USERNAME") and not overrides.get("username"):
            settings["username"] = os.environ["NSX_USERNAME"]
        if not settings.get("password"):
            settings["password"] = self.secret("nsxPassword", env="NSX_PASSWORD")
        return NsxConfig.from_settings(settings, base=self.repo)


def read_stack(stack: str, repo: Path = REPO) -> StackSettings:
    project = str(yaml.safe_load((repo / "Pulumi.yaml").read_text())["name"])
    path = repo / "stacks" / f"Pulumi.{stack}.yaml"
    config = (yaml.safe_load(path.read_text()) or {}).get("config", {}) if path.exists() else {}
    prefix = f"{project}:"
    values = {k.removeprefix(prefix): v for k, v in config.items() if k.startswith(prefix)}
    return StackSettings(project, stack, values, repo)
