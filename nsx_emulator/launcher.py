"""Start the NSX emulator as a real subprocess: for integration tests and the demo.

``start_emulator(workdir)`` picks a free loopback port, runs
``python -m nsx_emulator`` (HTTPS with its generated CA by default, plain HTTP
with ``tls=False``), waits until the health endpoint answers and returns a
:class:`RunningEmulator`. Passwords reach the child through the environment,
never its command line. The emulator's stdout/stderr go to files in ``workdir``
and are quoted in the error if it fails to come up.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ADMIN_PASSWORD = "Emulator-Admin-1!"
DEFAULT_AUDITOR_PASSWORD = "Emulator-Auditor-1!"
STARTUP_TIMEOUT_S = 60.0
HEALTH_PATH = "/api/v1/reverse-proxy/node/health"


_LIVE: set[subprocess.Popen[bytes]] = set()


@atexit.register
def _kill_leftovers() -> None:
    """An interrupted test run must not leave emulators behind."""
    for proc in list(_LIVE):
        if proc.poll() is None:
            proc.kill()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningEmulator:
    """A live emulator subprocess; ``base_url`` has no trailing slash."""

    workdir: Path
    port: int
    tls: bool
    seed: Path | None
    admin_password: str
    auditor_password: str | None
    state_file: Path
    ca_file: Path | None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def stderr_file(self) -> Path:
        return self.workdir / "emulator.stderr"

    def _launch(self, *, reset: bool) -> None:
        cmd = [
            sys.executable,
            "-m",
            "nsx_emulator",
            "--port",
            str(self.port),
            "--state",
            str(self.state_file),
        ]
        if not self.tls:
            cmd.append("--http")
        if self.seed is not None:
            cmd += ["--seed", str(self.seed)]
        if reset:
            cmd.append("--reset")
        env = {k: v for k, v in os.environ.items() if not k.startswith("NSX_EMULATOR_")}
        env["NSX_EMULATOR_ADMIN_PASSWORD"] = self.admin_password
        if self.auditor_password:
            env["NSX_EMULATOR_AUDITOR_PASSWORD"] = self.auditor_password
        env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        with open(self.workdir / "emulator.stdout", "ab") as out, open(self.stderr_file, "ab") as err:
            self.process = subprocess.Popen(
                cmd, cwd=REPO_ROOT, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL
            )
        _LIVE.add(self.process)
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        verify: ssl.SSLContext | bool = True
        last_error = "no answer"
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"nsx emulator exited with {self.process.returncode} during startup:\n{self._stderr_tail()}"
                )
            if self.tls and self.ca_file is not None:
                if not self.ca_file.exists():
                    time.sleep(0.05)
                    continue
                verify = ssl.create_default_context(cafile=str(self.ca_file))
            try:
                resp = httpx.get(self.base_url + HEALTH_PATH, verify=verify, timeout=2.0)
                if resp.status_code == 200:
                    return
                last_error = f"HTTP {resp.status_code}"
            except httpx.HTTPError as exc:
                last_error = repr(exc)
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(
            f"nsx emulator not healthy after {STARTUP_TIMEOUT_S:.0f}s ({last_error}):\n{self._stderr_tail()}"
        )

    def _stderr_tail(self, limit: int = 4000) -> str:
        try:
            return self.stderr_file.read_text(errors="replace")[-limit:]
        except OSError:
            return "(no stderr)"

    def stop(self, timeout: float = 10.0) -> None:
        """Graceful stop (SIGTERM), SIGKILL if it does not exit in ``timeout``."""
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def kill(self) -> None:
        """SIGKILL, no cleanup: for durability tests."""
        proc = self.process
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()

    def restart(self) -> None:
        """Stop (if running) and start again on the same port and state file."""
        self.stop()
        self._launch(reset=False)


def start_emulator(
    workdir: Path,
    *,
    tls: bool = True,
    seed: Path | None = None,
    admin_password: str = DEFAULT_ADMIN_PASSWORD,
    auditor_password: str | None = DEFAULT_AUDITOR_PASSWORD,
    port: int | None = None,
    state_name: str = "nsx-state.sqlite",
) -> RunningEmulator:
    """Start an emulator with a fresh state in ``workdir`` and wait until it is healthy.

    ``port`` defaults to a free one; the demo asks for the port its stack config names.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    emu = RunningEmulator(
        workdir=workdir,
        port=port or free_port(),
        tls=tls,
        seed=seed,
        admin_password=admin_password,
        auditor_password=auditor_password,
        state_file=workdir / state_name,
        ca_file=workdir / "tls" / "ca.pem" if tls else None,
    )
    emu._launch(reset=True)
    return emu
