"""The benchmark's estate (zerotrust/providers/bench/program) under the test harness.

The crash and drift tests run the very program `make bench` measures, at its sizes, against
an emulator over HTTPS, and judge what NSX holds through raw HTTP: the desired objects are
recomputed here from the same seeded generator the program uses, so "no orphan, no
duplicate" is checked against an independent list, not against the stack's own state.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.support.emulator_process import RunningEmulator
from tests.support.nsx_stack import configure_nsx
from tests.support.pulumi_harness import REPO, TOOLS, EngineWorkspace

PROGRAM = REPO / "zerotrust" / "providers" / "bench" / "program"
SCALES: Mapping[str, tuple[int, int, int]] = {"full": (2000, 1000, 10), "small": (200, 100, 10)}
DOMAIN = "/policy/api/v1/infra/domains/default"
STACK = "bench"
OWNER = {"scope": "zerotrust/managed-by", "tag": f"zerotrust-bench/{STACK}"}


def scale_from_env(variable: str, default: str) -> str:
    scale = os.environ.get(variable, default)
    if scale not in SCALES:
        raise ValueError(f"{variable}={scale!r}: use one of {sorted(SCALES)}")
    return scale


def bench_workspace(tmp: Path, emu: RunningEmulator, scale: str) -> EngineWorkspace:
    groups, policies, rules = SCALES[scale]
    ws = EngineWorkspace.create(PROGRAM, tmp / "ws", stack_name=STACK)
    configure_nsx(ws, emu, groups=str(groups), policies=str(policies), rulesPerPolicy=str(rules))
    return ws


@dataclass(frozen=True)
class Estate:
    """What NSX should hold: group ids, and the rule ids of each policy."""

    groups: frozenset[str]
    policies: Mapping[str, frozenset[str]]

    @classmethod
    def of(cls, scale: str) -> Estate:
        groups, policies, rules = SCALES[scale]
        return cls(
            frozenset(f"bench-g{i}" for i in range(groups)),
            {f"bench-p{p}": frozenset(f"r{r}" for r in range(rules)) for p in range(policies)},
        )


@dataclass(frozen=True)
class Held:
    """What NSX holds, read through one hierarchical GET of the domain."""

    groups: dict[str, dict[str, Any]]
    policies: dict[str, dict[str, Any]]

    @classmethod
    def read(cls, nsx: httpx.Client) -> Held:
        params = {"base_path": "/infra/domains/default", "filter": "Type-Domain|Group|SecurityPolicy|Rule"}
        tree = nsx.get("/policy/api/v1/infra", params=params, timeout=120).json()
        groups: dict[str, dict[str, Any]] = {}
        policies: dict[str, dict[str, Any]] = {}
        for domain in tree.get("children") or []:
            inner = domain.get("Domain") or domain  # ChildDomain, or a ChildResourceReference
            for wrapper in inner.get("children") or []:
                kind = wrapper.get("resource_type")
                if kind == "ChildGroup":
                    groups[wrapper["Group"]["id"]] = wrapper["Group"]
                elif kind == "ChildSecurityPolicy":
                    policy = wrapper["SecurityPolicy"]
                    rules = [c["Rule"] for c in policy.get("children") or [] if c.get("resource_type") == "ChildRule"]
                    policies[policy["id"]] = {**policy, "rules": policy.get("rules") or rules}
        return cls(groups, policies)

    def owned(self) -> tuple[set[str], dict[str, set[str]]]:
        """Groups and policies (with their rule ids) that carry the bench stack's tag."""
        groups = {g for g, body in self.groups.items() if OWNER in (body.get("tags") or [])}
        policies = {
            p: {r["id"] for r in body.get("rules") or []}
            for p, body in self.policies.items()
            if OWNER in (body.get("tags") or [])
        }
        return groups, policies

    def problems(self, estate: Estate | None) -> list[str]:
        """Orphans, missing objects and wrong rule sets (``estate`` None: nothing may be owned)."""
        groups, policies = self.owned()
        want_groups = set(estate.groups) if estate else set()
        want_policies = {p: set(r) for p, r in estate.policies.items()} if estate else {}
        found = []
        if groups != want_groups:
            found.append(f"groups: {len(groups - want_groups)} orphan(s), {len(want_groups - groups)} missing")
        if set(policies) != set(want_policies):
            found.append(
                f"policies: {len(set(policies) - set(want_policies))} orphan(s), "
                f"{len(set(want_policies) - set(policies))} missing"
            )
        wrong = [p for p, rules in want_policies.items() if p in policies and policies[p] != rules]
        if wrong:
            found.append(f"{len(wrong)} policies hold other rules than declared, e.g. {wrong[0]}")
        return found


def cli(ws: EngineWorkspace, *args: str) -> subprocess.Popen[bytes]:
    """``pulumi <args>`` on the workspace's stack in its own process group (to kill it whole)."""
    command = [str(TOOLS / "bin" / "pulumi"), *args, "--stack", STACK, "--non-interactive", "--color", "never"]
    log = open(ws.program.parent / "cli.log", "ab")  # noqa: SIM115  (closed with the process)
    return subprocess.Popen(
        command,
        cwd=ws.program,
        env={**os.environ, **ws.env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def run_killed(ws: EngineWorkspace, at: float, *args: str) -> bool:
    """Start ``pulumi <args>``; SIGKILL its whole process group after ``at`` seconds.

    False when it finished by itself before that (nothing was interrupted).
    """
    process = cli(ws, *args)
    try:
        process.wait(timeout=at)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return True


def run_to_end(ws: EngineWorkspace, *args: str) -> float:
    """``pulumi <args>`` to its end; its wall time. Fails with the CLI's log tail."""
    started = time.monotonic()
    process = cli(ws, *args)
    code = process.wait()
    if code != 0:
        tail = (ws.program.parent / "cli.log").read_text(errors="replace")[-4000:]
        raise AssertionError(f"pulumi {' '.join(args)} exited {code}:\n{tail}")
    return time.monotonic() - started


def clear_stale_lock(ws: EngineWorkspace) -> bool:
    """Remove the lock a killed CLI left in the file backend (``pulumi cancel``), if any.

    The file backend keeps one lock file per running update; a CLI killed with SIGKILL
    cannot remove its own, and the next command refuses to start until ``pulumi cancel``
    deletes it (Pulumi's documented recovery, docs/scale.md).
    """
    for torn in (ws.backend / ".pulumi" / "stacks").rglob("*.attrs"):
        # The file backend stores each checkpoint's metadata in a ``.attrs`` sidecar next to it;
        # a CLI killed while writing it leaves it empty, and every later command then fails with
        # "failed to load checkpoint: EOF". The sidecar is optional: an empty one is removed.
        if torn.stat().st_size == 0:
            torn.unlink()
    locks = list((ws.backend / ".pulumi" / "locks").rglob("*.json"))
    if locks:
        run_to_end(ws, "cancel", "--yes")
    return bool(locks)
