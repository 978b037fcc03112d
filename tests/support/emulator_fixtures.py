"""Pytest fixtures for tests that need a live NSX emulator.

Import them into a conftest: ``from tests.support.emulator_fixtures import emulator, fresh_emulator``.
``emulator`` is shared by the session (one per xdist worker, HTTPS); ``fresh_emulator``
is a private one per test, for tests that change global state.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .emulator_process import RunningEmulator, start_emulator


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    emu = start_emulator(tmp_path_factory.mktemp("nsx-emulator"))
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def fresh_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    emu = start_emulator(tmp_path_factory.mktemp("nsx-emulator-fresh"))
    try:
        yield emu
    finally:
        emu.stop()
