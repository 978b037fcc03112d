"""Client tests run against the real emulator over HTTPS (tests/support), one per worker.

Tests that change global emulator state (faults, limits) use ``fresh_emulator``.
Async tests use anyio's pytest plugin on the asyncio backend.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from tests.support.emulator_fixtures import emulator, fresh_emulator  # noqa: F401  (fixtures)
from tests.support.emulator_process import RunningEmulator
from zerotrust.nsx import NsxClient, NsxConfig, RetrySettings, Secret

FAST_RETRY = RetrySettings(max_attempts=4, initial_delay=0.01, max_delay=0.05, max_total=10.0)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def uid(prefix: str = "t") -> str:
    """A unique id, so tests can share one emulator."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def config_for(emu: RunningEmulator, **overrides: Any) -> NsxConfig:
    values: dict[str, Any] = {
        "endpoint": emu.base_url,
        "username": "admin",
        "password": Secret(emu.admin_password),
        "ca_file": emu.ca_file,
        "retry": FAST_RETRY,
    }
    values.update(overrides)
    return NsxConfig(**values)


@pytest.fixture
def make_client(emulator: RunningEmulator) -> Callable[..., NsxClient]:  # noqa: F811
    """Build a client for the shared emulator; override config fields as keywords."""

    def build(**overrides: Any) -> NsxClient:
        return NsxClient(config_for(emulator, **overrides))

    return build


@pytest.fixture
async def nsx(make_client: Callable[..., NsxClient]) -> AsyncIterator[NsxClient]:
    async with make_client() as client:
        yield client
