"""Per-kind API modules against the emulator: CRUD, rules, revise, services, CCPs, VM tags."""

from __future__ import annotations

import pytest

from tests.nsx.conftest import uid
from zerotrust.models import (
    Condition,
    Group,
    L4PortSetServiceEntry,
    Rule,
    SecurityPolicy,
    SecurityPolicyContainerCluster,
    Service,
    Tag,
    diff,
)
from zerotrust.nsx import NotFound, NsxClient

pytestmark = pytest.mark.anyio


def _policy(pid: str, *rules: Rule, seq: int = 10) -> SecurityPolicy:
    return SecurityPolicy(id=pid, category="Application", sequence_number=seq, rules=list(rules))


async def test_group_create_read_compare_delete(nsx: NsxClient) -> None:
    groups = nsx.groups()
    desired = Group(
        id=uid("g"),
        expression=[Condition(member_type="VirtualMachine", key="Tag", operator="EQUALS", value="app|web")],
    )
    await groups.patch(desired)
    live = await groups.get(desired.id or "")
    assert live.path == f"/infra/domains/default/groups/{desired.id}"
    assert live.revision is not None
    assert diff(desired, live) == []
    assert desired.id in {g.id for g in await groups.list()}
    await groups.delete(desired.id or "")
    with pytest.raises(NotFound):
        await groups.get(desired.id or "")


async def test_policy_with_rules_round_trips_to_no_diff(nsx: NsxClient) -> None:
    policies = nsx.security_policies()
    pid = uid("p")
    desired = _policy(
        pid,
        Rule(
            id="allow-web",
            action="ALLOW",
            sequence_number=10,
            destination_groups=["10.0.0.0/24"],
            services=["/infra/services/HTTPS"],
        ),
        Rule(
            id="deny",
            action="DROP",
            sequence_number=20,
            service_entries=[L4PortSetServiceEntry(l4_protocol="TCP", destination_ports=["8443"])],
        ),
    )
    await policies.patch(desired)
    live = await policies.get(pid)
    assert [r.id for r in live.rules or []] == ["allow-web", "deny"]
    assert diff(desired, live) == []
    rule = await policies.rules(pid).get("deny")
    assert rule.rule_id is not None
    await policies.delete(pid)


async def test_rule_patch_and_update_with_reread(nsx: NsxClient) -> None:
    policies = nsx.security_policies()
    pid = uid("p")
    await policies.patch(_policy(pid, Rule(id="r1", action="ALLOW", sequence_number=10)))
    rules = policies.rules(pid)
    await rules.patch(Rule(id="r2", action="DROP", sequence_number=20))
    updated = await rules.update_with_reread("r1", lambda live: live.model_copy(update={"logged": True}))
    assert updated.logged is True
    assert [r.id for r in (await policies.get(pid)).rules or []] == ["r1", "r2"]
    await policies.delete(pid)


async def test_revise_moves_a_policy(nsx: NsxClient) -> None:
    policies = nsx.security_policies()
    first, second = uid("p"), uid("p")
    await policies.patch(_policy(first, seq=100))
    await policies.patch(_policy(second, seq=200))
    anchor = f"/infra/domains/default/security-policies/{first}"
    moved = await policies.revise(await policies.get(second), operation="insert_before", anchor_path=anchor)
    assert moved.sequence_number is not None
    assert moved.sequence_number < (await policies.get(first)).sequence_number  # type: ignore[operator]
    for pid in (first, second):
        await policies.delete(pid)


async def test_revise_needs_anchor_before_any_io(nsx: NsxClient) -> None:
    with pytest.raises(ValueError, match="anchor_path"):
        await nsx.security_policies().revise(_policy("x"), operation="insert_after")
    assert nsx.calls.total == 0


async def test_bad_id_rejected_before_any_io(nsx: NsxClient) -> None:
    with pytest.raises(ValueError, match="contain no '/'"):
        await nsx.groups().get("a/b")
    assert nsx.calls.total == 0


async def test_service_round_trip(nsx: NsxClient) -> None:
    services = nsx.services()
    desired = Service(
        id=uid("s"),
        service_entries=[L4PortSetServiceEntry(id="https", l4_protocol="TCP", destination_ports=["443", "8443"])],
    )
    await services.patch(desired)
    assert diff(desired, await services.get(desired.id or "")) == []
    await services.delete(desired.id or "")


async def test_cluster_span_on_a_registered_cluster(nsx: NsxClient) -> None:
    cluster, pid = uid("vks"), uid("p")
    await nsx.request("POST", "/emulator/admin/inventory", json={"clusters": [{"name": cluster}]})
    planes = {plane.id: plane for plane in await nsx.cluster_control_planes().list()}
    assert cluster in planes
    ccp_path = planes[cluster].path
    assert ccp_path == f"/infra/sites/default/enforcement-points/default/cluster-control-planes/{cluster}"
    await nsx.security_policies().patch(_policy(pid))
    span = SecurityPolicyContainerCluster(id=cluster, container_cluster_path=ccp_path)
    spans = nsx.cluster_spans(pid)
    await spans.patch(span)
    assert diff(span, await spans.get(cluster)) == []
    await spans.delete(cluster)
    await nsx.security_policies().delete(pid)


async def test_vm_tags_replace_all(nsx: NsxClient) -> None:
    external_id = uid("vm")
    await nsx.request(
        "POST",
        "/emulator/admin/inventory",
        json={"virtual_machines": [{"external_id": external_id, "display_name": external_id}]},
    )
    vm = await nsx.virtual_machines.get(external_id)
    assert vm is not None
    tags = [Tag(scope="app", tag="web"), Tag(scope="env", tag="test")]
    await nsx.virtual_machines.set_tags(vm.external_id, tags)
    again = await nsx.virtual_machines.get(vm.external_id)
    assert again is not None
    assert sorted((t.scope, t.tag) for t in again.tags or []) == [("app", "web"), ("env", "test")]
    await nsx.virtual_machines.set_tags(vm.external_id, [])
    cleared = await nsx.virtual_machines.get(vm.external_id)
    assert cleared is not None
    assert not cleared.tags
