"""The retry loop against injected faults on a private emulator (ref §3.3, §3.4)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from tests.nsx.conftest import config_for
from tests.support.emulator_process import RunningEmulator
from zerotrust.nsx import NsxClient, RetrySettings, ServerBusy

pytestmark = pytest.mark.anyio

DOMAIN = "/policy/api/v1/infra/domains/default"
ADMIN = "/emulator/admin"


class RecordingSleep:
    """Records the delays asked for instead of waiting (keeps the tests fast)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


async def _inject(nsx: NsxClient, **rule: Any) -> None:
    await nsx.request("PUT", f"{ADMIN}/faults", json={"seed": 7, "rules": [{"rate": 1.0, **rule}]})


async def _server_count(nsx: NsxClient, method: str, template_part: str) -> int:
    counters = await nsx.request("GET", f"{ADMIN}/counters")
    return sum(row["count"] for row in counters["results"] if row["method"] == method and template_part in row["path"])


async def test_429_with_retry_after_is_honoured(fresh_emulator: RunningEmulator) -> None:
    sleep = RecordingSleep()
    async with NsxClient(config_for(fresh_emulator, auth="basic"), sleep=sleep) as nsx:
        await _inject(
            nsx, statuses=[429], methods=["GET"], path_regex="/infra/domains/default$", retry_after=2, count=2
        )
        nsx.calls.reset()
        assert (await nsx.request("GET", DOMAIN))["id"] == "default"
        assert sleep.delays == [2.0, 2.0]
        assert nsx.calls.total == 3
        # the server saw all three (it files faulted ones under a catch-all template)
        assert await _server_count(nsx, "GET", "/policy/api/v1/infra") == 3


async def test_503_exhausts_bounded_attempts(fresh_emulator: RunningEmulator) -> None:
    sleep = RecordingSleep()
    retry = RetrySettings(max_attempts=3, initial_delay=0.01, max_delay=0.05)
    async with NsxClient(config_for(fresh_emulator, auth="basic", retry=retry), sleep=sleep) as nsx:
        await _inject(nsx, statuses=[503], methods=["GET"], path_regex="/infra/domains/default$", retry_after=1)
        nsx.calls.reset()
        with pytest.raises(ServerBusy) as caught:
            await nsx.request("GET", DOMAIN)
        assert caught.value.status == 503
        assert nsx.calls.total == 3
        assert len(sleep.delays) == 2


async def test_dropped_connection_is_retried(fresh_emulator: RunningEmulator) -> None:
    sleep = RecordingSleep()
    async with NsxClient(config_for(fresh_emulator, auth="basic"), sleep=sleep) as nsx:
        await _inject(nsx, statuses=["drop"], methods=["GET"], path_regex="/infra/domains/default$", count=1)
        nsx.calls.reset()
        assert (await nsx.request("GET", DOMAIN))["id"] == "default"
        assert nsx.calls.total == 2
        assert len(sleep.delays) == 1


async def test_rate_limit_is_ridden_out(fresh_emulator: RunningEmulator) -> None:
    """12 concurrent calls at 5 requests/s per client: every call succeeds, via 429 retries."""
    retry = RetrySettings(max_attempts=12, initial_delay=0.2, max_delay=1.0, max_total=30.0)
    async with NsxClient(config_for(fresh_emulator, auth="basic", retry=retry)) as nsx:
        await nsx.request("PUT", f"{ADMIN}/rate-limit", json={"requests_per_second": 5})
        results: list[Any] = []

        async def one() -> None:
            results.append(await nsx.request("GET", DOMAIN))

        async with anyio.create_task_group() as tasks:
            for _ in range(12):
                tasks.start_soon(one)
        assert len(results) == 12
        assert nsx.calls.total > 13  # some were refused and retried
