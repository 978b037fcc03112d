"""Durability: an acknowledged write survives SIGKILL and restart (emulator contract;
ref §2.1 for the revision that must survive with it)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.emulator_process import RunningEmulator, start_emulator

from ._nsx import (
    assert_absent,
    delete,
    get_json,
    group_body,
    group_path,
    make_client,
    ok,
    patch,
    policy_body,
    policy_path,
    rule_body,
    rule_path,
    tag_condition,
    uid,
)

pytestmark = pytest.mark.conformance("durability")


@pytest.fixture
def private(tmp_path: Path) -> Iterator[RunningEmulator]:
    emu = start_emulator(tmp_path)
    try:
        yield emu
    finally:
        emu.stop()


def test_acknowledged_write_survives_kill_9(private: RunningEmulator) -> None:
    """Emulator contract: A PATCH acknowledged with 200 is on disk: after SIGKILL + restart the object is
    there with the same content, _revision and unique_id."""
    gid = uid("dur")
    with make_client(private) as nsx:
        ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition("s|0")])))
        ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition("s|1")])))
        before = get_json(nsx, group_path(gid))
    private.kill()
    private.restart()
    with make_client(private) as nsx:
        after = get_json(nsx, group_path(gid))
    assert after["expression"][0]["value"] == "s|1"
    assert after["_revision"] == before["_revision"] == 1
    assert after["unique_id"] == before["unique_id"]
    assert after["_create_time"] == before["_create_time"]


def test_policy_with_rules_survives_kill_9(private: RunningEmulator) -> None:
    """Emulator contract: Policies and their rules (with system-assigned rule_id) survive SIGKILL."""
    pid, rid = uid("p"), uid("r")
    with make_client(private) as nsx:
        ok(patch(nsx, policy_path(pid), policy_body(pid, rules=[rule_body(rid, action="DROP")])))
        rule_id = get_json(nsx, rule_path(pid, rid))["rule_id"]
    private.kill()
    private.restart()
    with make_client(private) as nsx:
        rule = get_json(nsx, rule_path(pid, rid))
        assert rule["action"] == "DROP"
        assert rule["rule_id"] == rule_id
        # A rule created after restart never reuses an id.
        new = uid("r")
        ok(patch(nsx, rule_path(pid, new), rule_body(new)))
        assert get_json(nsx, rule_path(pid, new))["rule_id"] != rule_id


def test_acknowledged_delete_survives_kill_9(private: RunningEmulator) -> None:
    """Emulator contract: A DELETE acknowledged with 200 stays deleted after SIGKILL + restart."""
    gid = uid("dur")
    with make_client(private) as nsx:
        ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition("s|0")])))
        ok(delete(nsx, group_path(gid)), 200)
    private.kill()
    private.restart()
    with make_client(private) as nsx:
        assert_absent(nsx, group_path(gid))


def test_many_writes_then_kill(private: RunningEmulator) -> None:
    """Emulator contract: Every one of a burst of acknowledged writes survives SIGKILL."""
    ids = [uid("burst") for _ in range(20)]
    with make_client(private) as nsx:
        for gid in ids:
            ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition("s|t")])))
    private.kill()
    private.restart()
    with make_client(private) as nsx:
        for gid in ids:
            get_json(nsx, group_path(gid))


def test_graceful_restart_keeps_state_and_defaults(private: RunningEmulator) -> None:
    """stop() + restart() keeps user objects and the seeded defaults (ref §5.3)."""
    gid = uid("dur")
    with make_client(private) as nsx:
        ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition("s|t")])))
    private.stop()
    private.restart()
    with make_client(private) as nsx:
        get_json(nsx, group_path(gid))
        rule = get_json(
            nsx, "/infra/domains/default/security-policies/default-layer3-section/rules/default-layer3-rule"
        )
        assert rule["rule_id"] == 2


def test_every_acknowledged_write_survives_kill_mid_burst(private: RunningEmulator) -> None:
    """Emulator contract: SIGKILL while writes are in flight: every write that got a 200 before the kill is
    there after restart (unacknowledged ones may or may not be)."""
    acked: list[str] = []
    stop = threading.Event()

    def writer() -> None:
        with make_client(private) as nsx:
            i = 0
            while not stop.is_set():
                gid = f"burst-{i}"
                try:
                    resp = patch(nsx, group_path(gid), group_body(gid, [tag_condition("s|t")]))
                except httpx.TransportError:
                    return
                if resp.status_code == 200:
                    acked.append(gid)
                i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.8)
    private.kill()
    stop.set()
    thread.join(timeout=30)
    assert acked, "no write was acknowledged before the kill"
    private.restart()
    with make_client(private) as nsx:
        missing = [g for g in acked if nsx.get(f"/policy/api/v1{group_path(g)}").status_code != 200]
    assert missing == [], f"{len(missing)} of {len(acked)} acknowledged writes lost"
