"""The PolicySet kind's writes against the emulator over HTTPS, without the engine.

What the engine test cannot show cheaply: how a big change set is cut into PATCHes of at
most N objects and in which order (groups before the rules that name them, group deletions
after), that a create re-run after a failure halfway writes only what is missing, and that
a member held by someone else stops the whole change before any write.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.emulator_process import RunningEmulator, start_emulator
from tests.support.nsx_stack import raw, requests_since_reset, reset_counters, writes
from zerotrust.nsx import NsxClient, NsxConfig, Secret
from zerotrust.providers._context import Context, Snapshots
from zerotrust.providers._ownership import OWNER_SCOPE, NotOwned
from zerotrust.providers.policy_set import PolicySetKind, parse_id

OWNER = "kind/test"
DOMAIN = "/policy/api/v1/infra/domains/default"
GROUPS = "/infra/domains/default/groups/"


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    emulator = start_emulator(tmp_path_factory.mktemp("policy-set-kind"))
    yield emulator
    emulator.stop()


def run(emu: RunningEmulator, step: Any) -> Any:
    """Run ``step(ctx)`` with a fresh client and context, as one provider call would."""

    async def go() -> Any:
        config = NsxConfig(
            endpoint=emu.base_url, username="admin", password=Secret(emu.admin_password), ca_file=emu.ca_file
        )
        async with NsxClient(config) as nsx:
            return await step(Context(nsx, Snapshots(nsx), OWNER))

    return asyncio.run(go())


def estate(prefix: str, groups: int, policies: int, rules: int) -> dict[str, Any]:
    """``groups`` tag groups and ``policies`` policies whose rules name two of them each."""
    names = [f"{prefix}-g{i}" for i in range(groups)]
    members: dict[str, Any] = {
        "domain": "default",
        "groups": {
            n: {"expression": [{"resource_type": "IPAddressExpression", "ip_addresses": [f"192.0.2.{i}"]}]}
            for i, n in enumerate(names)
        },
        "policies": {},
        "spans": {},
        "owners": {},
    }
    for p in range(policies):
        members["policies"][f"{prefix}-p{p}"] = {
            "category": "Application",
            "sequence_number": p + 1,
            "rules": [
                {
                    "id": f"r{r}",
                    "action": "ALLOW",
                    "sequence_number": r + 1,
                    "source_groups": [GROUPS + names[(p + r) % groups]],
                    "destination_groups": [GROUPS + names[(p + r + 1) % groups]],
                }
                for r in range(rules)
            ],
        }
    return members


def patch_sizes(emu: RunningEmulator) -> list[str]:
    return [method for method, path, n in writes(requests_since_reset(emu)) for _ in range(n)]


def owned_ids(emu: RunningEmulator, collection: str) -> set[str]:
    items = raw(emu).get(f"{DOMAIN}/{collection}", params={"page_size": 1000}).json()["results"]
    return {i["id"] for i in items if any(t.get("scope") == OWNER_SCOPE for t in i.get("tags") or [])}


def test_a_big_change_set_is_cut_into_patches_of_at_most_n_objects_in_order(emu: RunningEmulator) -> None:
    kind = PolicySetKind(max_objects=25)
    inputs = kind.check(estate("chunk", groups=40, policies=10, rules=5))  # 40 + 10 x (1 + 5) = 100 objects
    reset_counters(emu)
    run(emu, lambda ctx: kind.create(ctx, inputs))
    # 25 groups; 15 groups and 1 policy (6 objects each); 4 + 4 + 1 policies: 5 PATCHes,
    # groups ahead of the policies whose rules name them.
    assert patch_sizes(emu) == ["PATCH"] * 5
    assert {f"chunk-g{i}" for i in range(40)} <= owned_ids(emu, "groups")
    assert {f"chunk-p{p}" for p in range(10)} <= owned_ids(emu, "security-policies")

    # in sync: a create re-run (a killed `up` run again) writes nothing
    reset_counters(emu)
    run(emu, lambda ctx: kind.create(ctx, inputs))
    assert patch_sizes(emu) == []

    # delete: policies first, then the groups they named (two phases, never "in use")
    reset_counters(emu)
    run(emu, lambda ctx: kind.delete(ctx, "/infra/domains/default", inputs))
    assert patch_sizes(emu) == ["PATCH"] * 3  # 10 policy deletions, then 40 group deletions in 2
    assert not any(i.startswith("chunk-") for i in owned_ids(emu, "groups") | owned_ids(emu, "security-policies"))


def test_a_create_rerun_after_a_failure_halfway_writes_only_what_is_missing(emu: RunningEmulator) -> None:
    kind = PolicySetKind()
    full = kind.check(estate("half", groups=6, policies=3, rules=2))
    first_half = {**full, "policies": {k: v for k, v in full["policies"].items() if k != "half-p2"}}
    run(emu, lambda ctx: kind.create(ctx, first_half))
    rules_before = raw(emu).get(f"{DOMAIN}/security-policies/half-p0").json()["rules"]
    reset_counters(emu)
    run(emu, lambda ctx: kind.create(ctx, full))
    [(method, path, count)] = writes(requests_since_reset(emu))
    assert (method, path, count) == ("PATCH", "/policy/api/v1/infra", 1)
    assert "half-p2" in owned_ids(emu, "security-policies")
    rules_after = raw(emu).get(f"{DOMAIN}/security-policies/half-p0").json()["rules"]
    assert [r["_revision"] for r in rules_after] == [r["_revision"] for r in rules_before], "in sync: untouched"
    run(emu, lambda ctx: kind.delete(ctx, "/infra/domains/default", full))


def test_a_member_held_by_someone_else_stops_the_change_before_any_write(emu: RunningEmulator) -> None:
    kind = PolicySetKind()
    inputs = kind.check(estate("held", groups=3, policies=1, rules=1))
    theirs = {"display_name": "theirs", "tags": [{"scope": OWNER_SCOPE, "tag": "other/stack"}]}
    raw(emu).patch(f"{DOMAIN}/groups/held-g1", json=theirs).raise_for_status()
    reset_counters(emu)
    with pytest.raises(NotOwned) as refused:
        run(emu, lambda ctx: kind.create(ctx, inputs))
    assert "/infra/domains/default/groups/held-g1" in str(refused.value)
    assert "'other/stack'" in str(refused.value)
    assert patch_sizes(emu) == []
    assert raw(emu).get(f"{DOMAIN}/groups/held-g0").status_code == 404
    assert raw(emu).get(f"{DOMAIN}/groups/held-g1").json()["display_name"] == "theirs"


def test_ids_name_the_domain_and_what_an_import_adopts() -> None:
    assert parse_id("/infra/domains/default") == ("default", None)
    assert parse_id("/infra/domains/prod?groups=a,b&policies=p&spans=p/cluster") == (
        "prod",
        {("groups", "a"), ("groups", "b"), ("policies", "p"), ("spans", "p/cluster")},
    )
    for bad in ("/infra/services/x", "/infra/domains/default?rules=r"):
        with pytest.raises(ValueError, match="Fix:"):
            parse_id(bad)


def test_check_validates_only_members_changed_since_the_last_check() -> None:
    kind = PolicySetKind()
    inputs = kind.check(estate("v", groups=2, policies=1, rules=1))
    broken = {**inputs, "groups": {**inputs["groups"], "v-g0": {"expression": [{"resource_type": "Nope"}]}}}
    with pytest.raises(ValueError, match="v-g0"):
        kind.check(broken, inputs)
    kind.check(broken, broken)  # unchanged since it was last checked: not validated again
