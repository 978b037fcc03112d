"""Auth (Basic, session, XSRF renewal) and TLS verification against the emulator (ref §9)."""

from __future__ import annotations

from collections.abc import Callable

import anyio
import pytest

from tests.nsx.conftest import config_for
from tests.support.emulator_process import RunningEmulator
from zerotrust.nsx import AuthError, NsxClient, NsxTlsError, Secret
from zerotrust.nsx.session import SessionAuth, _Session

pytestmark = pytest.mark.anyio

DOMAIN = "/policy/api/v1/infra/domains/default"


async def test_basic_auth_reads(make_client: Callable[..., NsxClient]) -> None:
    async with make_client(auth="basic") as nsx:
        assert (await nsx.request("GET", DOMAIN))["id"] == "default"
        assert nsx.calls.total == 1


async def test_session_logs_in_once_for_many_calls(make_client: Callable[..., NsxClient]) -> None:
    async with make_client(auth="session") as nsx:
        async with anyio.create_task_group() as tasks:
            for _ in range(8):
                tasks.start_soon(nsx.request, "GET", DOMAIN)
        assert isinstance(nsx._auth, SessionAuth)
        assert nsx._auth.logins == 1
        assert nsx.calls.by_method == {"POST": 1, "GET": 8}


async def test_bad_xsrf_token_renews_session_once(make_client: Callable[..., NsxClient]) -> None:
    async with make_client(auth="session") as nsx:
        await nsx.request("GET", DOMAIN)
        auth = nsx._auth
        assert isinstance(auth, SessionAuth)
        assert auth._session is not None
        auth._session = _Session(cookie=auth._session.cookie, xsrf="not-the-token")
        nsx.calls.reset()
        body = {"resource_type": "Group", "id": "xsrf-renewal", "expression": []}
        await nsx.request("PATCH", f"{DOMAIN}/groups/xsrf-renewal", json=body)
        assert auth.logins == 2
        assert nsx.calls.by_method == {"PATCH": 2, "POST": 1}  # refused, login, repeated


async def test_ended_session_renews(make_client: Callable[..., NsxClient]) -> None:
    async with make_client(auth="session") as nsx:
        await nsx.request("GET", DOMAIN)
        await nsx.request("POST", "/api/session/destroy")
        assert (await nsx.request("GET", DOMAIN))["id"] == "default"
        assert isinstance(nsx._auth, SessionAuth)
        assert nsx._auth.logins == 2


@pytest.mark.parametrize("mode", ["basic", "session"])
async def test_bad_password_is_auth_error_without_the_password(
    make_client: Callable[..., NsxClient], mode: str
) -> None:
    async with make_client(auth=mode, password=Secret("Wrong-Pa55word!")) as nsx:
        with pytest.raises(AuthError) as caught:
            await nsx.request("GET", DOMAIN)
    assert caught.value.status == 403
    assert caught.value.error_code == 403
    assert "Wrong-Pa55word!" not in str(caught.value) + repr(caught.value) + repr(nsx)


async def test_tls_verified_by_default_and_fails_clearly(emulator: RunningEmulator) -> None:
    async with NsxClient(config_for(emulator, ca_file=None)) as nsx:
        with pytest.raises(NsxTlsError, match="ca_file"):
            await nsx.request("GET", DOMAIN)
        assert nsx.calls.total == 1  # certificate failures are not retried


async def test_insecure_opt_out_connects(emulator: RunningEmulator) -> None:
    async with NsxClient(config_for(emulator, ca_file=None, insecure=True)) as nsx:
        assert (await nsx.request("GET", DOMAIN))["id"] == "default"
