"""Concurrent writers: consistent state, strictly increasing revisions, exactly one
winner on a revision race, no 5xx (ref §2.1, §11 'Revision and concurrency errors')."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import httpx
import pytest

from tests.support.emulator_process import RunningEmulator

from ._nsx import (
    JSON,
    get_json,
    group_body,
    group_path,
    make_client,
    ok,
    patch,
    policy_body,
    policy_path,
    put,
    rule_body,
    rule_path,
    tag_condition,
    uid,
)

pytestmark = pytest.mark.conformance("concurrency")

THREADS = 8
T = TypeVar("T")
ROUNDS = 6


def _run(emu: RunningEmulator, fn: Callable[[httpx.Client, int], T], n: int = THREADS) -> list[T]:
    """Run ``fn(client, i)`` in ``n`` threads, each with its own connection pool."""

    def worker(i: int) -> T:
        with make_client(emu) as client:
            return fn(client, i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(worker, range(n)))


def test_patch_different_objects_concurrently(emulator: RunningEmulator, nsx: httpx.Client) -> None:
    """ref §2.1: N threads each updating their own group ROUNDS times: every write
    acknowledged, each group ends at _revision ROUNDS-1 with the last content."""
    prefix = uid("cd")

    def work(client: httpx.Client, i: int) -> list[int]:
        gid = f"{prefix}-{i}"
        codes = []
        for r in range(ROUNDS):
            resp = patch(client, group_path(gid), group_body(gid, [tag_condition(f"s|{r}")]))
            codes.append(resp.status_code)
        return codes

    for codes in _run(emulator, work):
        assert all(c == 200 for c in codes), codes
    for i in range(THREADS):
        obj = get_json(nsx, group_path(f"{prefix}-{i}"))
        assert obj["_revision"] == ROUNDS - 1
        assert obj["expression"][0]["value"] == f"s|{ROUNDS - 1}"


def test_patch_same_object_concurrently(emulator: RunningEmulator, nsx: httpx.Client) -> None:
    """ref §2.1: concurrent PATCHes of one object are serialised: no 5xx, every
    acknowledged PATCH counts once (_revision == acks - 1), and each writer observes
    strictly increasing revisions."""
    gid = uid("cs")
    ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition("s|init")])))

    def work(client: httpx.Client, i: int) -> tuple[list[int], list[int]]:
        codes, revisions = [], []
        for r in range(ROUNDS):
            resp = patch(client, group_path(gid), group_body(gid, [tag_condition(f"w{i}|{r}")]))
            codes.append(resp.status_code)
            revisions.append(get_json(client, group_path(gid))["_revision"])
        return codes, revisions

    results = _run(emulator, work)
    acks = 0
    for codes, revisions in results:
        assert all(c < 500 for c in codes), codes
        acks += sum(1 for c in codes if c == 200)
        assert revisions == sorted(revisions), revisions
    final = get_json(nsx, group_path(gid))
    assert final["_revision"] == acks  # 1 create (revision 0) + acks updates
    if acks == THREADS * ROUNDS:
        # The globally last write is some writer's last round.
        assert final["expression"][0]["value"].endswith(f"|{ROUNDS - 1}")


def test_put_race_has_exactly_one_winner(emulator: RunningEmulator, nsx: httpx.Client) -> None:
    """ref §2.1 / §12.1: N PUTs carrying the same current _revision: exactly one
    succeeds, the others get 412; the object ends at _revision + 1."""
    gid = uid("race")
    ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition("s|0")])))

    def work(client: httpx.Client, i: int) -> int:
        body = group_body(gid, [tag_condition(f"winner|{i}")], _revision=0)
        return put(client, group_path(gid), body).status_code

    codes = _run(emulator, work)
    assert sorted(codes) == [200] + [412] * (THREADS - 1), codes
    final = get_json(nsx, group_path(gid))
    assert final["_revision"] == 1
    winner = codes.index(200)
    assert final["expression"][0]["value"] == f"winner|{winner}"


def test_concurrent_rule_writes_in_one_policy(emulator: RunningEmulator, nsx: httpx.Client) -> None:
    """ref §1.1: PATCHing different rules of one policy concurrently keeps every rule."""
    pid = uid("cp")
    ok(patch(nsx, policy_path(pid), policy_body(pid, rules=[])))

    def work(client: httpx.Client, i: int) -> int:
        rid = f"r{i}"
        return patch(client, rule_path(pid, rid), rule_body(rid, sequence_number=i + 1)).status_code

    codes = _run(emulator, work)
    assert all(c == 200 for c in codes), codes
    rules: list[JSON] = get_json(nsx, policy_path(pid))["rules"]
    assert sorted(r["id"] for r in rules) == sorted(f"r{i}" for i in range(THREADS))
    assert len({r["rule_id"] for r in rules}) == THREADS


def test_concurrent_readers_and_writers(emulator: RunningEmulator, nsx: httpx.Client) -> None:
    """ref §2.1: readers never see a torn object: every GET during writes is a complete
    object whose _revision never goes backwards."""
    gid = uid("rw")
    ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition("s|0")])))

    def work(client: httpx.Client, i: int) -> list[int]:
        seen = []
        for r in range(ROUNDS):
            if i % 2:
                resp = patch(client, group_path(gid), group_body(gid, [tag_condition(f"s|{i}-{r}")]))
                assert resp.status_code == 200, resp.text
            else:
                obj = get_json(client, group_path(gid))
                assert obj["id"] == gid
                assert obj["expression"][0]["resource_type"] == "Condition"
                seen.append(obj["_revision"])
        return seen

    for seen in _run(emulator, work):
        assert seen == sorted(seen)


def test_concurrent_hapi_rules_into_one_policy(emulator: RunningEmulator, nsx: httpx.Client) -> None:
    """ref §7: concurrent H-API calls each adding a ChildRule to the same policy keep
    every rule (each call is one operation; none overwrites another's rules)."""
    pid = uid("hc")
    ok(patch(nsx, policy_path(pid), policy_body(pid, rules=[])))

    def work(client: httpx.Client, i: int) -> int:
        rid = f"r{i}"
        sp = policy_body(pid)
        sp["children"] = [{"resource_type": "ChildRule", "Rule": rule_body(rid, sequence_number=i + 1)}]
        tree = {
            "resource_type": "Infra",
            "children": [{
                "resource_type": "ChildResourceReference",
                "id": "default",
                "target_type": "Domain",
                "children": [{"resource_type": "ChildSecurityPolicy", "SecurityPolicy": sp}],
            }],
        }  # fmt: skip
        return client.patch("/policy/api/v1/infra", json=tree).status_code

    codes = _run(emulator, work)
    assert all(c == 200 for c in codes), codes
    rules = get_json(nsx, policy_path(pid))["rules"]
    assert sorted(r["id"] for r in rules) == sorted(f"r{i}" for i in range(THREADS))


def test_delete_vs_reference_race_never_dangles(emulator: RunningEmulator, nsx: httpx.Client) -> None:
    """ref §12.7: racing 'delete group' against 'create rule using group' never leaves a
    rule pointing at a deleted group: either the delete is refused (in use) or the rule
    creation is refused (missing group)."""
    for _ in range(6):
        gid, pid = uid("rg"), uid("rp")
        ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition("s|t")])))
        ok(patch(nsx, policy_path(pid), policy_body(pid, rules=[])))

        def work(client: httpx.Client, i: int, gid: str = gid, pid: str = pid) -> int:
            if i == 0:
                return client.delete(f"/policy/api/v1{group_path(gid)}").status_code
            rid = f"r{i}"
            body = rule_body(rid, sources=[group_path(gid)])
            return patch(client, rule_path(pid, rid), body).status_code

        codes = _run(emulator, work, n=3)
        assert all(c < 500 for c in codes), codes
        group_exists = nsx.get(f"/policy/api/v1{group_path(gid)}").status_code == 200
        rules = get_json(nsx, policy_path(pid)).get("rules", [])
        if not group_exists:
            assert rules == [], (codes, rules)
