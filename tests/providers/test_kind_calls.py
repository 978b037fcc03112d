"""API calls of one create, the diff fast path and the refresh snapshot's lifetime, without
an engine or an emulator.

Create is ``PUT`` without ``_revision`` (create-if-absent); NSX answers with the object as
stored, so the read-back ``GET`` is skipped when that answer is complete, and made when it
is not (no body, no revision, or a policy whose rules are missing from the answer).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from zerotrust.models import NsxObject
from zerotrust.providers._context import Context, Snapshots
from zerotrust.providers._ownership import OWNER_SCOPE
from zerotrust.providers.group import GroupKind
from zerotrust.providers.security_policy import SecurityPolicyKind

OWNER = "bench/test"


class FakeCollection:
    """Records calls; ``put`` answers with ``answer(body)`` (None: an empty body)."""

    def __init__(self, model: type[NsxObject], answer: Any) -> None:
        self.model = model
        self.answer = answer
        self.calls: list[str] = []
        self.stored: dict[str, Any] | None = None

    async def put(self, obj: NsxObject) -> NsxObject:
        self.calls.append("PUT")
        assert obj.revision is None, "create must not send a revision (create-if-absent)"
        self.stored = {**obj.to_wire(), "_revision": 0, "_create_user": "admin"}
        data = self.answer(dict(self.stored))
        return self.model.from_live(data) if data else obj

    async def get(self, object_id: str) -> NsxObject:
        self.calls.append("GET")
        assert self.stored is not None, "read before any write"
        return self.model.from_live(self.stored)


class FakeNsx:
    def __init__(self, collection: FakeCollection) -> None:
        self.collection = collection

    def groups(self, domain: str = "default") -> FakeCollection:
        return self.collection

    def security_policies(self, domain: str = "default") -> FakeCollection:
        return self.collection


def create(kind: Any, collection: FakeCollection, inputs: dict[str, Any]) -> dict[str, Any]:
    nsx: Any = FakeNsx(collection)
    ctx = Context(nsx, Snapshots(nsx), OWNER)
    return asyncio.run(kind.create(ctx, kind.check(inputs)))


GROUP = {
    "nsx_id": "web",
    "display_name": "web",
    "expression": [
        {
            "resource_type": "Condition",
            "member_type": "VirtualMachine",
            "key": "Tag",
            "operator": "EQUALS",
            "value": "tier|web",
        }
    ],
}
RULES = [
    {"id": f"r{i}", "action": "ALLOW", "sequence_number": i, "source_groups": ["/infra/domains/default/groups/web"]}
    for i in range(3)
]
POLICY = {"nsx_id": "app", "category": "Application", "sequence_number": 1, "rules": RULES}


def test_create_uses_the_put_answer_and_skips_the_read_back() -> None:
    groups = FakeCollection(GroupKind.model, lambda body: body)
    outputs = create(GroupKind(), groups, GROUP)
    assert groups.calls == ["PUT"]
    assert outputs["revision"] == 0
    assert outputs["path"] == "/infra/domains/default/groups/web"
    assert outputs["expression"][0]["value"] == "tier|web"
    assert all(t.get("scope") != OWNER_SCOPE for t in outputs.get("tags", [])), "owner tag stays hidden"
    assert groups.stored is not None
    assert {"scope": OWNER_SCOPE, "tag": OWNER} in groups.stored["tags"], "the owner tag is written"


def test_create_reads_back_when_the_put_answer_is_empty() -> None:
    groups = FakeCollection(GroupKind.model, lambda body: None)
    outputs = create(GroupKind(), groups, GROUP)
    assert groups.calls == ["PUT", "GET"]
    assert outputs["revision"] == 0


def test_create_reads_back_a_policy_whose_answer_lacks_its_rules() -> None:
    policies = FakeCollection(SecurityPolicyKind.model, lambda body: {k: v for k, v in body.items() if k != "rules"})
    outputs = create(SecurityPolicyKind(), policies, POLICY)
    assert policies.calls == ["PUT", "GET"]
    assert [r["id"] for r in outputs["rules"]] == ["r0", "r1", "r2"]


def test_create_of_a_policy_with_its_rules_in_the_answer_is_one_call() -> None:
    policies = FakeCollection(SecurityPolicyKind.model, lambda body: body)
    outputs = create(SecurityPolicyKind(), policies, POLICY)
    assert policies.calls == ["PUT"]
    assert [r["id"] for r in outputs["rules"]] == ["r0", "r1", "r2"]


def test_diff_fast_path_agrees_with_the_field_diff() -> None:
    kind = SecurityPolicyKind()
    olds = kind.check(POLICY)
    assert kind.changes(olds, kind.check(POLICY)) == []
    edited = {**POLICY, "rules": [*RULES[:2], {**RULES[2], "action": "DROP"}]}
    [change] = kind.changes(olds, kind.check(edited))
    assert change.path == "rules[r2].action"
    assert (change.live, change.desired) == ("ALLOW", "DROP")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_one_snapshot_serves_a_refresh_burst_longer_than_the_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reads keep a snapshot alive (a 3,000-resource refresh outlasts 30 s); idleness, age and
    our own writes end it."""
    clock = Clock()
    monkeypatch.setattr("zerotrust.providers._context.time.monotonic", clock)
    fetches: list[float] = []
    snapshots = Snapshots(nsx=None, ttl=30.0, max_age=600.0)  # type: ignore[arg-type]

    async def fetch() -> float:
        fetches.append(clock.now)
        return clock.now

    async def read_every(step: float, until: float) -> None:
        while clock.now < until:
            await snapshots._get("domain:default", fetch)
            clock.now += step

    asyncio.run(read_every(10.0, 1120.0))  # a two-minute burst of reads
    assert fetches == [1000.0]
    clock.now += 31.0  # idle for longer than the ttl
    asyncio.run(read_every(10.0, clock.now + 1.0))
    assert len(fetches) == 2
    asyncio.run(read_every(10.0, clock.now + 700.0))  # busy, but the snapshot gets too old
    assert len(fetches) == 3
    snapshots.invalidate()  # a write of this process
    asyncio.run(read_every(10.0, clock.now + 1.0))
    assert len(fetches) == 4
