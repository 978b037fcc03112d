"""Provider benchmark: ``python -m zerotrust.providers.bench --scale small|full``.

Runs ``program/`` (N groups, M policies with R rules each) under the real engine against a
fresh NSX emulator and prints, one line per figure::

    BENCH scale_objects <n> objects        NSX objects declared (groups + policies + rules)
    BENCH up_empty_api_calls <n> calls     API calls NSX served for ``up`` from nothing
    BENCH up_empty_s <s> s                 wall time of that ``up``
    BENCH noop_preview_s <s> s             wall time of a ``preview`` with nothing to do
    BENCH refresh_api_calls <n> calls      API calls of ``preview --refresh`` (target: <= 50)
    BENCH refresh_s <s> s                  wall time of that preview

Lines starting with ``#`` describe the setup (transport, parallelism, where time went).
API calls are counted by the emulator itself (its ``/emulator/admin/counters``), so logins
and retries count and nothing the provider does can hide; the admin calls of this runner are
left out. Times are wall-clock seconds of the whole Automation API call, i.e. what a user
waits for (CLI start, program run, engine, provider, emulator).

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
REFRESH_CALL_TARGET = 50
HEALTH_PATH = "/api/v1/reverse-proxy/node/health"
COUNTERS_PATH = "/emulator/admin/counters"
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


def offline_env(backend: Path, *, skip_checkpoints: bool = False) -> dict[str, str]:
    """toolchain/activate's offline-safe settings, with a private file backend.

    ``skip_checkpoints`` sets the engine's PULUMI_SKIP_CHECKPOINTS (state written once at the
    end instead of after every step). Off by default, because that is what users run; on, it
    shows how much of ``up`` is the file backend rewriting the whole state per step.
    """
    extra = {"PULUMI_SKIP_CHECKPOINTS": "true"} if skip_checkpoints else {}
    return extra | {
        "PULUMI_BACKEND_URL": backend.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": "zerotrust-bench",
        "PULUMI_HOME": str(TOOLS / "pulumi-home"),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_DISABLE_REGISTRY_RESOLVE": "true",
        "PATH": f"{TOOLS / 'bin'}{os.pathsep}{REPO / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(REPO),  # the program and the plugin import the project's packages
    }


def make_stack(workdir: Path, *, skip_checkpoints: bool = False) -> auto.Stack:
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
            env_vars=offline_env(backend, skip_checkpoints=skip_checkpoints),
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


def run(scale: str, *, keep: bool = False, skip_checkpoints: bool = False) -> int:
    groups, policies, rules = SCALES[scale]
    with scratch(keep) as workdir:
        emu = Emulator.start(workdir)
        try:
            note(f"scale {scale}: {groups} groups, {policies} policies x {rules} rules")
            note(f"emulator over plain HTTP (no TLS) at {emu.base_url}; up with parallel={PARALLEL}")
            if skip_checkpoints:
                note("PULUMI_SKIP_CHECKPOINTS=true: state saved once per operation, not per step")
            stack = make_stack(workdir, skip_checkpoints=skip_checkpoints)
            configure(stack, emu, groups, policies, rules)
            emit("scale_objects", groups + policies + policies * rules, "objects")

            emu.reset_counters()
            up, up_s = timed(lambda: stack.up(color="never", parallel=PARALLEL))
            up_calls, up_routes = emu.api_calls()
            note(f"up: {changed(up.summary.resource_changes)}; calls: {top_routes(up_routes)}")
            emit("up_empty_api_calls", up_calls, "calls")
            emit("up_empty_s", up_s, "s")

            noop, noop_s = timed(lambda: stack.preview(color="never"))
            note(f"no-op preview: changes {changed(noop.change_summary) or 'none'}")
            emit("noop_preview_s", noop_s, "s")

            emu.reset_counters()
            refresh, refresh_s = timed(lambda: stack.preview(color="never", refresh=True))
            refresh_calls, refresh_routes = emu.api_calls()
            note(f"preview --refresh: changes {changed(refresh.change_summary) or 'none'}")
            note(f"refresh calls: {top_routes(refresh_routes)} (target <= {REFRESH_CALL_TARGET})")
            emit("refresh_api_calls", refresh_calls, "calls")
            emit("refresh_s", refresh_s, "s")
            problems = [
                f"no-op preview plans {changed(noop.change_summary)}" if changed(noop.change_summary) else "",
                f"refresh plans {changed(refresh.change_summary)}" if changed(refresh.change_summary) else "",
                f"refresh made {refresh_calls} calls" if refresh_calls > REFRESH_CALL_TARGET else "",
            ]
            for problem in filter(None, problems):
                note(f"FAIL: {problem}")
            return 1 if any(problems) else 0
        finally:
            emu.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zerotrust.providers.bench", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (state, logs)")
    parser.add_argument(
        "--skip-checkpoints", action="store_true", help="diagnosis: engine saves state once, not per step"
    )
    args = parser.parse_args(argv)
    return run(args.scale, keep=args.keep, skip_checkpoints=args.skip_checkpoints)


if __name__ == "__main__":
    sys.exit(main())
