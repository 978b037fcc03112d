"""Stale revisions are never overwritten blindly; NSX errors map to the tree (ref §2.1, §3.2)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.nsx.conftest import uid
from tests.support.emulator_process import RunningEmulator
from zerotrust.models import Condition, Group, Rule, SecurityPolicy
from zerotrust.nsx import BadRequest, Forbidden, NotFound, NsxClient, ResourceInUse, Secret, StaleRevision

pytestmark = pytest.mark.anyio


def _group(gid: str, value: str = "app|web") -> Group:
    return Group(
        id=gid,
        expression=[Condition(member_type="VirtualMachine", key="Tag", operator="EQUALS", value=value)],
    )


async def test_put_with_stale_revision_raises(nsx: NsxClient) -> None:
    groups = nsx.groups()
    gid = uid("g")
    await groups.patch(_group(gid))
    live = await groups.get(gid)
    await groups.put(live.model_copy(update={"description": "first"}))
    with pytest.raises(StaleRevision) as caught:
        await groups.put(live.model_copy(update={"description": "second"}))
    assert caught.value.status in (409, 412)
    assert (await groups.get(gid)).description == "first"


async def test_update_with_reread_reapplies_on_a_fresh_copy(nsx: NsxClient) -> None:
    """Another writer changes the group between our read and our PUT: we re-read and
    re-apply our change; their change survives."""
    groups = nsx.groups()
    gid = uid("g")
    await groups.patch(_group(gid))
    seen: list[int | None] = []
    real_put = groups.put
    interfered = False

    async def put_after_someone_else(obj: Group) -> Group:
        nonlocal interfered
        if not interfered:
            interfered = True
            theirs = await groups.get(gid)
            await real_put(theirs.model_copy(update={"display_name": "theirs"}))
        return await real_put(obj)

    def mutate(live: Group) -> Group:
        seen.append(live.revision)
        return live.model_copy(update={"description": "mine"})

    groups.put = put_after_someone_else  # type: ignore[method-assign]
    result = await groups.update_with_reread(gid, mutate)
    assert len(seen) == 2
    assert seen[0] is not None
    assert seen[1] is not None
    assert seen[1] > seen[0]
    assert (result.description, result.display_name) == ("mine", "theirs")


async def test_update_with_reread_no_change_no_write(nsx: NsxClient) -> None:
    groups = nsx.groups()
    gid = uid("g")
    await groups.patch(_group(gid))
    nsx.calls.reset()
    await groups.update_with_reread(gid, lambda live: None)
    assert nsx.calls.by_method == {"GET": 1}


async def test_not_found(nsx: NsxClient) -> None:
    with pytest.raises(NotFound) as caught:
        await nsx.groups().get(uid("missing"))
    assert caught.value.method == "GET"
    assert "/groups/missing-" in caught.value.path


async def test_delete_of_referenced_group_is_resource_in_use(nsx: NsxClient) -> None:
    gid, pid = uid("g"), uid("p")
    await nsx.groups().patch(_group(gid))
    path = f"/infra/domains/default/groups/{gid}"
    policy = SecurityPolicy(
        id=pid,
        category="Application",
        sequence_number=5,
        rules=[Rule(id="r", action="DROP", sequence_number=1, source_groups=[path])],
    )
    await nsx.security_policies().patch(policy)
    with pytest.raises(ResourceInUse) as caught:
        await nsx.groups().delete(gid)
    assert any(pid in referrer for referrer in caught.value.referrers)
    await nsx.security_policies().delete(pid)


async def test_invalid_body_is_bad_request(nsx: NsxClient) -> None:
    gid = uid("g")
    body = {
        "resource_type": "Group",
        "id": gid,
        "expression": [{"resource_type": "ConjunctionOperator", "conjunction_operator": "OR"}],
    }
    with pytest.raises(BadRequest):
        await nsx.request("PATCH", f"/policy/api/v1/infra/domains/default/groups/{gid}", json=body)


async def test_auditor_write_is_forbidden(make_client: Callable[..., NsxClient], emulator: RunningEmulator) -> None:
    password = emulator.auditor_password
    async with make_client(username="auditor", password=Secret(password or "")) as auditor:
        with pytest.raises(Forbidden):
            await auditor.groups().patch(_group(uid("g")))
