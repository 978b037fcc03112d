"""Pipeline behaviour for faults the emulator cannot produce on demand (httpx.MockTransport).

Everything else (auth, retries on injected 429/503, paging, H-API, revisions) runs
against the real emulator in the other test files.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import httpx
import pytest

from zerotrust.nsx import (
    BadRequest,
    NsxClient,
    NsxConfig,
    NsxConnectionError,
    RetrySettings,
    Secret,
    ServerBusy,
    ServerError,
)

Handler = Callable[[httpx.Request], httpx.Response]


def _client(handler: Handler, sleeps: list[float], **retry: float) -> NsxClient:
    config = NsxConfig(
        endpoint="https://nsx.test",
        username="admin",
        password=Secret("pw"),
        auth="basic",
        retry=RetrySettings(**retry),  # type: ignore[arg-type]
    )

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return NsxClient(config, transport=httpx.MockTransport(handler), sleep=sleep)


def test_connection_errors_are_retried_then_mapped() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    sleeps: list[float] = []

    async def run() -> None:
        async with _client(refuse, sleeps, max_attempts=3) as nsx:
            with pytest.raises(NsxConnectionError, match="GET /policy/api/v1/infra: ConnectError"):
                await nsx.request("GET", "/policy/api/v1/infra")
            assert nsx.calls.total == 3

    asyncio.run(run())
    assert len(sleeps) == 2


def test_total_time_bound_stops_retrying() -> None:
    """A Retry-After longer than the remaining budget ends the loop with the error."""
    calls: list[int] = []

    def busy(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(503, headers={"Retry-After": "20"}, json={"error_code": 503, "error_message": "busy"})

    sleeps: list[float] = []

    async def run() -> None:
        async with _client(busy, sleeps, max_attempts=10, max_total=30.0, max_retry_after=30.0) as nsx:
            with pytest.raises(ServerBusy) as caught:
                await nsx.request("GET", "/policy/api/v1/infra")
            assert caught.value.retry_after == 20

    asyncio.run(run())
    assert sleeps == [20.0]
    assert len(calls) == 2


def test_transaction_aborted_is_retried_other_500_is_not() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path.endswith("/aborted") and len(seen) == 1:
            return httpx.Response(500, json={"error_code": 607, "error_message": "aborted"})
        if request.url.path.endswith("/broken"):
            return httpx.Response(500, json={"error_code": 1, "error_message": "broken"})
        return httpx.Response(200, json={"ok": True})

    async def run() -> None:
        async with _client(handler, [], max_attempts=3) as nsx:
            assert await nsx.request("GET", "/aborted") == {"ok": True}
            with pytest.raises(ServerError, match="broken"):
                await nsx.request("GET", "/broken")

    asyncio.run(run())
    assert seen == ["/aborted", "/aborted", "/broken"]


def test_empty_success_body_is_none_and_no_credentials_in_errors() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH":
            return httpx.Response(200)
        return httpx.Response(400, content=json.dumps({"error_code": 287, "error_message": "bad"}).encode())

    async def run() -> None:
        async with _client(handler, []) as nsx:
            assert await nsx.request("PATCH", "/policy/api/v1/infra/x", json={}) is None
            with pytest.raises(BadRequest) as caught:
                await nsx.request("GET", "/policy/api/v1/infra/x")
            text = repr(caught.value) + str(caught.value) + repr(nsx) + repr(nsx.config)
            assert "pw" not in text.replace("/policy", "")
            assert "Authorization" not in text

    asyncio.run(run())
