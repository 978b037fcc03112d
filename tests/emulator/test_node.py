"""Manager node endpoints clients call for health and version (ref §9 'Health/keepalive'),
response headers (ref §2.2), plain-HTTP mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.emulator_process import RunningEmulator, start_emulator

from ._nsx import P, ca_context, get_json, make_client, ok

pytestmark = pytest.mark.conformance("node")


def test_reverse_proxy_health(nsx: httpx.Client) -> None:
    """ref §9: GET /api/v1/reverse-proxy/node/health -> {'healthy': true, 'components_health': ...}."""
    body = ok(nsx.get("/api/v1/reverse-proxy/node/health"), 200).json()
    assert body["healthy"] is True
    assert "POLICY:UP" in body["components_health"]


def test_node_version(nsx: httpx.Client) -> None:
    """ref §9: GET /api/v1/node/version has product_version."""
    body = ok(nsx.get("/api/v1/node/version"), 200).json()
    assert isinstance(body["product_version"], str)
    assert body["product_version"]


def test_request_id_header(nsx: httpx.Client) -> None:
    """ref §2.2: responses carry x-nsx-requestid (a fresh id per request)."""
    a = nsx.get(f"{P}/infra/domains/default")
    b = nsx.get(f"{P}/infra/domains/default")
    assert a.headers.get("x-nsx-requestid")
    assert a.headers["x-nsx-requestid"] != b.headers.get("x-nsx-requestid")


def test_https_with_generated_ca(emulator: RunningEmulator) -> None:
    """Emulator contract: HTTPS whose certificate verifies against the generated CA file."""
    assert emulator.base_url.startswith("https://")
    with httpx.Client(base_url=emulator.base_url, verify=ca_context(emulator)) as client:
        resp = client.get(f"{P}/infra")
    assert resp.status_code in (401, 403)  # reached the server over verified TLS


def test_https_rejected_without_ca(emulator: RunningEmulator) -> None:
    """Emulator contract: Without the CA file the self-issued certificate does not verify (no silent http)."""
    with httpx.Client(base_url=emulator.base_url) as client, pytest.raises(httpx.ConnectError):
        client.get(f"{P}/infra")


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    workdir: Path = tmp_path_factory.mktemp("plain-http")
    emu = start_emulator(workdir, tls=False)
    try:
        yield emu
    finally:
        emu.stop()


def test_plain_http_mode(plain: RunningEmulator) -> None:
    """Emulator contract: --http serves the same API over plain HTTP."""
    assert plain.base_url.startswith("http://")
    with make_client(plain) as client:
        assert get_json(client, "/infra/domains/default")["id"] == "default"
