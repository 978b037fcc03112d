"""Fixtures for the NSX emulator conformance suite (raw httpx, real HTTP(S)).

One emulator per pytest session (per xdist worker) serves every test that only
creates objects with unique ids. Tests that change global state (default rules,
rate limits, fault injection, process kills) get their own emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.emulator_fixtures import emulator, fresh_emulator  # noqa: F401  (fixtures)
from tests.support.emulator_process import RunningEmulator, start_emulator

from ._nsx import AUDITOR_USER, make_client
from ._shape_check import TALLY, summary


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "conformance(area): NSX emulator conformance test (tests/emulator)")


# --- how many bodies the official-shape check saw (summed over xdist workers) -----------------


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the tally to the controller
        workeroutput["official_shapes"] = TALLY.as_dict()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    TALLY.add(getattr(node, "workeroutput", {}).get("official_shapes", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TALLY.bodies or TALLY.undeclared:
        for line in summary(TALLY):
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def nsx(emulator: RunningEmulator) -> Iterator[httpx.Client]:  # noqa: F811
    """Admin client on the shared (session) emulator."""
    with make_client(emulator) as client:
        yield client


@pytest.fixture(scope="session")
def auditor(emulator: RunningEmulator) -> Iterator[httpx.Client]:  # noqa: F811
    """Read-only (auditor) client on the shared emulator."""
    with make_client(emulator, user=AUDITOR_USER) as client:
        yield client


@pytest.fixture(scope="module")
def own_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """A private emulator for a module that changes global state."""
    workdir: Path = tmp_path_factory.mktemp("own-emulator")
    emu = start_emulator(workdir)
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture(scope="module")
def own(own_emulator: RunningEmulator) -> Iterator[httpx.Client]:
    """Admin client on the module's private emulator."""
    with make_client(own_emulator) as client:
        yield client
