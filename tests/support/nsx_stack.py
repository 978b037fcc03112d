"""Point an engine workspace at a running emulator, and read the emulator's own view.

Assertions about what NSX holds go through raw HTTP to the emulator (never through the
project's client), so a bug shared by client and provider cannot hide.
"""

from __future__ import annotations

import ssl
from typing import Any

import httpx
from pulumi.automation import ConfigValue, events

from tests.support.emulator_process import RunningEmulator
from tests.support.pulumi_harness import EngineWorkspace, changes


def configure_nsx(ws: EngineWorkspace, emu: RunningEmulator, **extra: str) -> None:
    """Stack config the test programs read: ``nsx`` object + secret ``nsxPassword``."""
    stack = ws.stack
    stack.set_config("nsx.host", ConfigValue(emu.base_url), path=True)
    stack.set_config("nsx.username", ConfigValue("admin"), path=True)
    if emu.ca_file is not None:
        stack.set_config("nsx.caFile", ConfigValue(str(emu.ca_file)), path=True)
    stack.set_config("nsxPassword", ConfigValue(emu.admin_password, secret=True))
    if emu.seed is not None:
        stack.set_config("inventory", ConfigValue(str(emu.seed)))
    for key, value in extra.items():
        stack.set_config(key, ConfigValue(value))


def raw(emu: RunningEmulator) -> httpx.Client:
    """A plain HTTP client of the emulator as admin (TLS verified with its CA)."""
    verify: Any = ssl.create_default_context(cafile=str(emu.ca_file)) if emu.ca_file else True
    return httpx.Client(base_url=emu.base_url, verify=verify, auth=("admin", emu.admin_password), timeout=30)


def requests_since_reset(emu: RunningEmulator) -> list[tuple[str, str, int]]:
    """(method, path template, count) the emulator served since its counters were reset."""
    with raw(emu) as client:
        body = client.get("/emulator/admin/counters").json()
    return [(r["method"], r["path"], int(r["count"])) for r in body["results"]]


def reset_counters(emu: RunningEmulator) -> None:
    with raw(emu) as client:
        client.delete("/emulator/admin/counters").raise_for_status()


def writes(requests: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """The write requests among counted requests (not reads, logins or test hooks)."""
    skip = ("/emulator/", "/api/session/")
    return [r for r in requests if r[0] != "GET" and not r[1].startswith(skip)]


def domain_snapshot(nsx: httpx.Client, domain: str = "default") -> dict[str, dict[str, Any]]:
    """Every group and policy of the domain (policies with their rules), by collection/id:
    what "NSX is unchanged" compares."""
    base = f"/policy/api/v1/infra/domains/{domain}"
    found: dict[str, dict[str, Any]] = {}
    for collection in ("groups", "security-policies"):
        for item in nsx.get(f"{base}/{collection}", params={"page_size": 1000}).json()["results"]:
            found[f"{collection}/{item['id']}"] = nsx.get(f"{base}/{collection}/{item['id']}").json()
    return found


def set_diff_paths(ws: EngineWorkspace, **kwargs: Any) -> tuple[dict[str, int], set[str], str]:
    """A preview's changes, the policy set's detailed-diff paths, and its text."""
    paths: set[str] = set()

    def collect(event: events.EngineEvent) -> None:
        pre = event.resource_pre_event
        if pre is not None and pre.metadata.type == "zerotrust:nsx:PolicySet" and pre.metadata.detailed_diff:
            paths.update(pre.metadata.detailed_diff)

    result = ws.preview(on_event=collect, **kwargs)
    return changes(result.change_summary), paths, result.stdout
