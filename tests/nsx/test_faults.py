"""Every operational fault becomes one diagnosis: its kind, the endpoint, the fix, no secret.

Each case provokes the fault for real (a name that does not resolve, a closed port, a full
accept queue, certificates that are expired or name another host, the emulator's auditor
and fault hooks) and diagnoses what the client raised. The engine tests
(tests/engine/test_operator_faults.py) show the same lines reach `pulumi preview`/`up`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.nsx.conftest import config_for
from tests.support.emulator_process import RunningEmulator
from tests.support.faulty_endpoints import closed_port, silent_port, tls_endpoint
from tests.support.nsx_stack import raw
from zerotrust.nsx import NsxClient, RetrySettings, Secret, Timeouts
from zerotrust.nsx.errors import ConfigError, NsxError
from zerotrust.nsx.faults import Fault, diagnose

pytestmark = pytest.mark.anyio

DOMAIN = "/policy/api/v1/infra/domains/default"
QUICK = RetrySettings(max_attempts=3, initial_delay=0.01, max_delay=0.05, max_total=2.0)
PASSWORD = "Sup3r-Secret-Passw0rd!"


async def _fault_of(
    config_args: dict[str, Any], emu: RunningEmulator, call: tuple[str, str] = ("GET", DOMAIN)
) -> Fault:
    config = config_for(emu, **{"retry": QUICK, **config_args})
    async with NsxClient(config) as nsx:
        with pytest.raises(NsxError) as raised:
            await nsx.request(*call, json={"resource_type": "Group", "expression": []} if call[0] != "GET" else None)
    fault = diagnose(raised.value, config)
    assert fault is not None, f"not diagnosed: {raised.value!r}"
    line = fault.line()
    assert config.endpoint in line
    assert "Fix: " in line
    assert "\n" not in line
    assert PASSWORD not in line
    return fault


@contextmanager
def _endpoint(url: str) -> Iterator[str]:
    yield url


@dataclass(frozen=True)
class Endpoint:
    kind: str
    make: Callable[[Path], AbstractContextManager[Any]]
    facts: tuple[str, ...]
    config: dict[str, Any] = field(default_factory=dict)


ENDPOINTS = [
    Endpoint("dns", lambda _: _endpoint("https://nsx.invalid:443"), ("'nsx.invalid' does not resolve", "{endpoint}")),
    Endpoint("refused", lambda _: closed_port(), ("connection was refused", "3 attempts")),
    Endpoint(
        "connect-timeout",
        lambda _: silent_port(),
        ("no connection within 0.3 s", "connect_timeout"),
        {"timeouts": Timeouts(connect=0.3)},
    ),
    Endpoint("tls-expired", lambda tmp: tls_endpoint(tmp, expired=True), ("certificate has expired",)),
    Endpoint("tls-name", lambda tmp: tls_endpoint(tmp, names=("nsx.example",)), ("does not name '127.0.0.1'",)),
]


@pytest.mark.parametrize("case", ENDPOINTS, ids=[c.kind for c in ENDPOINTS])
async def test_an_unusable_endpoint_is_diagnosed(emulator: RunningEmulator, tmp_path: Path, case: Endpoint) -> None:
    with case.make(tmp_path) as where:
        url = getattr(where, "url", where)
        ca_file = getattr(where, "ca_file", None)
        fault = await _fault_of({"endpoint": url, "ca_file": ca_file, **case.config}, emulator)
    assert fault.kind == case.kind
    text = fault.what + " " + fault.fix
    for fact in case.facts:
        assert fact in text, text


async def test_an_unknown_ca_names_the_ca_file_to_set(emulator: RunningEmulator, tmp_path: Path) -> None:
    with tls_endpoint(tmp_path / "other") as other:  # a valid CA, but not the emulator's
        fault = await _fault_of({"ca_file": other.ca_file}, emulator)
    assert fault.kind == "tls-unknown-ca"
    assert str(other.ca_file) in fault.what
    assert "{ca_file}" in fault.fix


def test_a_missing_or_unusable_ca_file_is_found_before_any_request(tmp_path: Path, emulator: RunningEmulator) -> None:
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("not a certificate")
    for ca_file, words in ((tmp_path / "missing.pem", "does not exist"), (not_pem, "no PEM certificate")):
        with pytest.raises(ConfigError) as raised:
            NsxClient(config_for(emulator, ca_file=ca_file))
        assert raised.value.setting == "ca_file"
        fault = diagnose(raised.value, config_for(emulator))
        assert fault is not None
        assert fault.kind == "config"
        assert words in fault.what
        assert fault.line({"ca_file": "nsx.caFile"}).endswith("Fix: set nsx.caFile.")


async def test_wrong_credentials_are_tried_once_not_until_the_account_locks(emulator: RunningEmulator) -> None:
    config = config_for(emulator, password=Secret(PASSWORD))
    async with NsxClient(config) as nsx:
        for _ in range(4):
            with pytest.raises(NsxError) as raised:
                await nsx.request("GET", DOMAIN)
        assert nsx.calls.by_method["POST"] == 1, "one refused login, then no more attempts"
    fault = diagnose(raised.value, config)
    assert fault is not None
    assert fault.kind == "credentials"
    assert "'admin'" in fault.what
    assert "locked" in fault.what


async def test_a_read_only_account_writing_is_told_to_use_a_read_write_one(emulator: RunningEmulator) -> None:
    auditor = {"username": "auditor", "password": Secret(emulator.auditor_password or "")}
    fault = await _fault_of(auditor, emulator, ("PATCH", f"{DOMAIN}/groups/fault-ro"))
    assert fault.kind == "forbidden"
    assert "'auditor' may not change NSX" in fault.what
    assert "read-only account is enough for previews" in fault.fix


@pytest.mark.parametrize(("status", "kind"), [("429", "throttled"), ("503", "throttled"), ("500", "server")])
async def test_a_fault_that_outlasts_the_retry_budget_says_how_long_it_tried(
    fresh_emulator: RunningEmulator, status: str, kind: str
) -> None:
    rule = {"statuses": [status], "methods": ["GET"], "path_regex": "/domains/default$", "retry_after": 0}
    with raw(fresh_emulator) as admin:
        admin.put("/emulator/admin/faults", json=rule).raise_for_status()
    fault = await _fault_of({}, fresh_emulator)
    assert fault.kind == kind
    if status != "500":  # 500 without error_code 607 is not retried
        assert "3 attempts" in fault.what
    assert f"HTTP {status}" in fault.what or status in fault.what


async def test_a_slow_answer_is_a_read_timeout_not_a_hang(fresh_emulator: RunningEmulator) -> None:
    rule = {"statuses": ["delay"], "delay_ms": 1500, "path_regex": "/domains/default$"}
    with raw(fresh_emulator) as admin:
        admin.put("/emulator/admin/faults", json=rule).raise_for_status()
    started = time.monotonic()
    fault = await _fault_of({"timeouts": Timeouts(read=0.3), "retry": RetrySettings(max_attempts=1)}, fresh_emulator)
    assert fault.kind == "read-timeout"
    assert "did not answer GET" in fault.what
    assert time.monotonic() - started < 1.5


async def test_a_revision_conflict_is_someone_else_editing(emulator: RunningEmulator) -> None:
    group = f"{DOMAIN}/groups/fault-conflict"
    with raw(emulator) as admin:
        admin.patch(group, json={"resource_type": "Group", "expression": []}).raise_for_status()
    config = config_for(emulator)
    async with NsxClient(config) as nsx:
        with pytest.raises(NsxError) as raised:
            await nsx.request("PUT", group, json={"resource_type": "Group", "expression": [], "_revision": 7})
    fault = diagnose(raised.value, config)
    assert fault is not None
    assert fault.kind == "conflict"


def test_a_bug_is_not_dressed_up_as_an_operational_fault(emulator: RunningEmulator) -> None:
    assert diagnose(KeyError("x"), config_for(emulator)) is None
    assert diagnose(httpx.InvalidURL("x"), config_for(emulator)) is None
