"""Provider benchmark: ``python -m zerotrust.providers.bench --scale small|full``.

Runs ``program/`` (N groups, M policies with R rules each, declared as one ``PolicySet``
the way the stack program declares its rule base) under the real engine against a fresh
NSX emulator and prints, one line per figure::

    BENCH scale_objects <n> objects        NSX objects declared (groups + policies + rules)
    BENCH up_empty_api_calls <n> calls     API calls NSX served for ``up`` from nothing
    BENCH up_empty_s <s> s                 wall time of that ``up``
    BENCH noop_preview_s <s> s             wall time of a ``preview`` with nothing to do
    BENCH refresh_api_calls <n> calls      API calls of ``preview --refresh``
    BENCH refresh_s <s> s                  wall time of that preview
    BENCH one_rule_up_api_calls <n> calls  API calls of ``up`` after one port of one rule changed
    BENCH one_rule_up_s <s> s              wall time of that ``up``
    BENCH destroy_s <s> s                  wall time of ``destroy`` of the whole estate

Then the same figures again with an ``_nsx`` suffix, against an emulator set up like a
real NSX Manager under load (ref §3.3): 100 requests/s and 40 requests in flight per
client (429 beyond), and 30 ms added to every call.

Lines starting with ``#`` describe the setup, the load average before each step, and what
each step changed. API calls are counted by the emulator itself (its
``/emulator/admin/counters``), so logins and retries count and nothing the provider does
can hide; the admin calls of this runner are left out. Times are wall-clock seconds of the
whole Automation API call, i.e. what a user waits for (CLI start, program run, engine,
provider, emulator).

Why this module re-implements the emulator start and the engine workspace instead of using
``tests/support``: ``zerotrust`` must not import ``tests`` or ``nsx_emulator`` (import-linter
contracts); the emulator is started as a subprocess, which imports nothing from here.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import yaml
from pulumi import automation as auto

REPO = Path(__file__).resolve().parents[3]
PROGRAM = Path(__file__).resolve().parent / "program"
TOOLS = REPO / ".tools"

SCALES: Mapping[str, tuple[int, int, int]] = {
    "full": (2000, 1000, 10),
    "small": (200, 100, 10),
}
"""groups, policies, rules per policy (issue 4: 2,000 / 1,000 / 10,000 rules; small = 1/10)."""
PARALLEL = 32
"""Engine parallelism for ``up``: enough to keep the provider's 20 NSX connections busy."""
HEALTH_PATH = "/api/v1/reverse-proxy/node/health"
COUNTERS_PATH = "/emulator/admin/counters"
RATE_PATH = "/emulator/admin/rate-limit"
CONCURRENCY_PATH = "/emulator/admin/concurrency-limit"
FAULTS_PATH = "/emulator/admin/faults"
STARTUP_TIMEOUT_S = 60.0
STACK = "bench"

T = TypeVar("T")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Emulator:
    """A running ``python -m nsx_emulator`` subprocess on loopback, over plain HTTP.

    Plain HTTP on purpose: the benchmark measures the provider and the engine; TLS on
    loopback would add the same handshake cost to every figure and hide what changed.
    """

    process: subprocess.Popen[bytes]
    base_url: str
    password: str
    log: Path

    @classmethod
    def start(cls, workdir: Path) -> Emulator:
        port = _free_port()
        password = "Bench-" + secrets.token_urlsafe(12) + "-1!"
        env = {k: v for k, v in os.environ.items() if not k.startswith("NSX_EMULATOR_")}
        env["NSX_EMULATOR_ADMIN_PASSWORD"] = password  # never on the command line
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
        cmd = [sys.executable, "-m", "nsx_emulator", "--port", str(port)]
        cmd += ["--state", str(workdir / "nsx-state.sqlite"), "--http", "--reset"]
        log = workdir / "emulator.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        emu = cls(process, f"http://127.0.0.1:{port}", password, log)
        try:
            emu._wait_healthy()
        except BaseException:
            emu.stop()
            raise
        return emu

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"emulator exited with {self.process.returncode}:\n{self._log_tail()}")
            try:
                if httpx.get(self.base_url + HEALTH_PATH, timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"emulator not healthy after {STARTUP_TIMEOUT_S:.0f}s:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return "(no log)"

    def admin(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, auth=("admin", self.password), timeout=60)

    def reset_counters(self) -> None:
        with self.admin() as client:
            client.delete(COUNTERS_PATH).raise_for_status()

    def api_calls(self) -> tuple[int, dict[str, int]]:
        """Calls served since the last reset, without this runner's admin calls."""
        with self.admin() as client:
            body = client.get(COUNTERS_PATH).json()
        by_route = {
            f"{r['method']} {r['path']}": int(r["count"])
            for r in body.get("results", [])
            if not str(r["path"]).startswith("/emulator/")
        }
        return sum(by_route.values()), by_route

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not exit within 10 s."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def offline_env(backend: Path) -> dict[str, str]:
    """toolchain/activate's offline-safe settings, with a private file backend."""
    return {
        "PULUMI_BACKEND_URL": backend.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": "zerotrust-bench",
        "PULUMI_HOME": str(TOOLS / "pulumi-home"),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_DISABLE_REGISTRY_RESOLVE": "true",
        "PATH": f"{TOOLS / 'bin'}{os.pathsep}{REPO / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(REPO),  # the program and the plugin import the project's packages
    }


def make_stack(workdir: Path) -> auto.Stack:
    """A copy of ``program/`` with absolute paths, its own backend and one stack."""
    cli = TOOLS / "bin" / "pulumi"
    if not cli.exists():
        raise SystemExit(f"{cli} is missing: run `make setup`")
    program = workdir / "program"
    shutil.copytree(PROGRAM, program, ignore=shutil.ignore_patterns("__pycache__", "Pulumi.*.yaml"))
    project_file = program / "Pulumi.yaml"
    project = yaml.safe_load(project_file.read_text())
    venv = (PROGRAM / project["runtime"]["options"]["virtualenv"]).resolve()
    project["runtime"]["options"]["virtualenv"] = str(venv)
    for plugin in project.get("plugins", {}).get("providers", []):
        plugin["path"] = str((PROGRAM / plugin["path"]).resolve())
    project_file.write_text(yaml.safe_dump(project, sort_keys=False))
    backend = workdir / "backend"
    backend.mkdir()
    return auto.create_or_select_stack(
        stack_name=STACK,
        work_dir=str(program),
        opts=auto.LocalWorkspaceOptions(
            work_dir=str(program),
            env_vars=offline_env(backend),
            pulumi_command=auto.PulumiCommand(root=str(TOOLS)),
            secrets_provider="passphrase",
        ),
    )


def configure(stack: auto.Stack, emu: Emulator, groups: int, policies: int, rules: int) -> None:
    stack.set_config("nsx.host", auto.ConfigValue(emu.base_url), path=True)
    stack.set_config("nsx.username", auto.ConfigValue("admin"), path=True)
    stack.set_config("nsxPassword", auto.ConfigValue(emu.password, secret=True))
    for key, value in {"groups": groups, "policies": policies, "rulesPerPolicy": rules}.items():
        stack.set_config(key, auto.ConfigValue(str(value)))


def changed(summary: Mapping[Any, int] | None) -> dict[str, int]:
    named = {str(getattr(op, "value", op)): n for op, n in (summary or {}).items()}
    return {op: n for op, n in named.items() if op != "same" and n}


def timed(step: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = step()
    return result, time.perf_counter() - started


def emit(name: str, value: float, unit: str) -> None:
    text = str(value) if isinstance(value, int) else f"{value:.2f}"
    print(f"BENCH {name} {text} {unit}", flush=True)


def note(text: str) -> None:
    print(f"# {text}", flush=True)


def top_routes(by_route: Mapping[str, int], limit: int = 6) -> str:
    ranked = sorted(by_route.items(), key=lambda kv: -kv[1])[:limit]
    return ", ".join(f"{route} x{n}" for route, n in ranked)


@contextmanager
def scratch(keep: bool) -> Iterator[Path]:
    """A temp folder for emulator state, backend and program copy; removed unless ``keep``."""
    path = Path(tempfile.mkdtemp(prefix="zt-provider-bench-"))
    try:
        yield path
    finally:
        if keep:
            note(f"kept {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


@dataclass(frozen=True)
class Profile:
    """How the emulator answers: as fast as it can, or like a loaded NSX Manager."""

    suffix: str
    requests_per_second: int | None = None
    max_in_flight: int | None = None
    latency_ms: int = 0

    def apply(self, emu: Emulator) -> None:
        with emu.admin() as client:
            client.put(RATE_PATH, json={"requests_per_second": self.requests_per_second}).raise_for_status()
            client.put(CONCURRENCY_PATH, json={"max_in_flight": self.max_in_flight}).raise_for_status()
            if self.latency_ms:
                delay = {"statuses": ["delay"], "rate": 1.0, "delay_ms": self.latency_ms}
                client.put(FAULTS_PATH, json=delay).raise_for_status()

    def describe(self) -> str:
        if self.requests_per_second is None:
            return "emulator without limits or added latency"
        return (
            f"emulator like a loaded NSX Manager: {self.requests_per_second} requests/s and "
            f"{self.max_in_flight} in flight per client (429 beyond), +{self.latency_ms} ms per call"
        )


PROFILES = (Profile(""), Profile("_nsx", requests_per_second=100, max_in_flight=40, latency_ms=30))
"""Real NSX: 100 requests/s and 40 in flight per client by default (ref §3.3)."""


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


class Run:
    """One profile's sequence of steps against one emulator and one stack."""

    def __init__(self, emu: Emulator, stack: auto.Stack, suffix: str) -> None:
        self.emu, self.stack, self.suffix = emu, stack, suffix
        self.problems: list[str] = []

    def step(self, name: str, action: Callable[[], T], *, calls: bool = False) -> T:
        """Time ``action`` (and count its API calls when ``calls``), print its figures."""
        note(f"{name}{self.suffix}: {load_average()}")
        self.emu.reset_counters()
        result, seconds = timed(action)
        if calls:
            count, routes = self.emu.api_calls()
            note(f"{name}{self.suffix} calls: {top_routes(routes)}")
            emit(f"{name}_api_calls{self.suffix}", count, "calls")
        emit(f"{name}_s{self.suffix}", seconds, "s")
        return result

    def expect(self, what: str, got: Mapping[str, int], want: Mapping[str, int]) -> None:
        note(f"{what}: {got or 'no changes'}")
        if dict(got) != dict(want):
            self.problems.append(f"{what}{self.suffix}: {got}, expected {want or 'no changes'}")


def run_profile(scale: str, profile: Profile, *, keep: bool) -> list[str]:
    """Every figure of one profile, from an empty emulator to a destroyed estate."""
    groups, policies, rules = SCALES[scale]
    with scratch(keep) as workdir:
        emu = Emulator.start(workdir)
        try:
            profile.apply(emu)
            note(f"{profile.describe()}; up with parallel={PARALLEL}")
            stack = make_stack(workdir)
            configure(stack, emu, groups, policies, rules)
            bench = Run(emu, stack, profile.suffix)
            up = bench.step("up_empty", lambda: stack.up(color="never", parallel=PARALLEL), calls=True)
            bench.expect("up from empty", changed(up.summary.resource_changes), {"create": 3})
            noop = bench.step("noop_preview", lambda: stack.preview(color="never"))
            bench.expect("no-op preview", changed(noop.change_summary), {})
            refresh = bench.step("refresh", lambda: stack.preview(color="never", refresh=True), calls=True)
            bench.expect("preview --refresh", changed(refresh.change_summary), {})
            stack.set_config("changedPort", auto.ConfigValue("65000"))
            one = bench.step("one_rule_up", lambda: stack.up(color="never", parallel=PARALLEL), calls=True)
            bench.expect("one-rule up", changed(one.summary.resource_changes), {"update": 1})
            gone = bench.step("destroy", lambda: stack.destroy(color="never", parallel=PARALLEL))
            bench.expect("destroy", changed(gone.summary.resource_changes), {"delete": 3})
            return bench.problems
        finally:
            emu.stop()


def run(scale: str, *, keep: bool = False, profiles: tuple[Profile, ...] = PROFILES) -> int:
    groups, policies, rules = SCALES[scale]
    note(f"scale {scale}: {groups} groups, {policies} policies x {rules} rules; emulator over plain HTTP")
    emit("scale_objects", groups + policies + policies * rules, "objects")
    problems = [problem for profile in profiles for problem in run_profile(scale, profile, keep=keep)]
    for problem in problems:
        note(f"FAIL: {problem}")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zerotrust.providers.bench", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--keep", action="store_true", help="keep the temp folders (state, logs)")
    parser.add_argument(
        "--profile", choices=[p.suffix.strip("_") or "plain" for p in PROFILES], help="only this emulator profile"
    )
    args = parser.parse_args(argv)
    chosen = tuple(p for p in PROFILES if args.profile in (None, p.suffix.strip("_") or "plain"))
    return run(args.scale, keep=args.keep, profiles=chosen)


if __name__ == "__main__":
    sys.exit(main())
