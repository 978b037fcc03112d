"""Paging (ref §1.4), the one-call hierarchical domain read and H-API writes (ref §7),
and the API call counter."""

from __future__ import annotations

import pytest

from tests.nsx.conftest import uid
from zerotrust.models import Condition, Group, Rule, SecurityPolicy
from zerotrust.nsx import NsxClient
from zerotrust.nsx.hierarchy import child, child_delete, domain_children
from zerotrust.nsx.paging import list_all

pytestmark = pytest.mark.anyio


def _group(gid: str) -> Group:
    return Group(
        id=gid,
        expression=[Condition(member_type="VirtualMachine", key="Tag", operator="EQUALS", value=f"app|{gid}")],
    )


async def _own_domain(nsx: NsxClient) -> str:
    domain = uid("d")
    await nsx.request("PATCH", f"/policy/api/v1/infra/domains/{domain}", json={"resource_type": "Domain", "id": domain})
    return domain


async def test_list_all_follows_the_cursor(nsx: NsxClient) -> None:
    domain = await _own_domain(nsx)
    ids = sorted(uid("g") for _ in range(7))
    for gid in ids:
        await nsx.groups(domain).patch(_group(gid))
    nsx.calls.reset()
    items = await list_all(nsx, f"/policy/api/v1/infra/domains/{domain}/groups", page_size=2)
    assert sorted(item["id"] for item in items) == ids
    assert nsx.calls.total == 4  # 2 + 2 + 2 + 1


async def test_hierarchical_write_then_one_call_read(nsx: NsxClient) -> None:
    domain = await _own_domain(nsx)
    web = _group("web")
    policy = SecurityPolicy(id="app", category="Application", sequence_number=10, rules=[])
    rules = [
        Rule(
            id="r1",
            action="ALLOW",
            sequence_number=1,
            destination_groups=[f"/infra/domains/{domain}/groups/web"],
        ),
        Rule(id="r2", action="DROP", sequence_number=2),
    ]
    await nsx.hierarchy.patch(
        domain_children(domain, [child(web), child(policy, children=[child(rule) for rule in rules])])
    )

    nsx.calls.reset()
    index = await nsx.hierarchy.read_domain(domain)
    assert nsx.calls.total == 1
    base = f"/infra/domains/{domain}"
    assert isinstance(index[f"{base}/groups/web"], Group)
    read_policy = index[f"{base}/security-policies/app"]
    assert isinstance(read_policy, SecurityPolicy)
    assert [r.id for r in read_policy.rules or []] == ["r1", "r2"]
    assert isinstance(index[f"{base}/security-policies/app/rules/r2"], Rule)
    assert set(index.of_type(Group)) == {f"{base}/groups/web"}

    await nsx.hierarchy.patch(
        domain_children(
            domain, [child(policy.model_copy(update={"rules": None}), children=[child_delete("Rule", "r2")])]
        )
    )
    index = await nsx.hierarchy.read_domain(domain)
    assert f"{base}/security-policies/app/rules/r2" not in index


async def test_counter_counts_every_request(nsx: NsxClient) -> None:
    nsx.calls.reset()
    await nsx.groups().list()
    await nsx.request("GET", "/policy/api/v1/infra/domains/default")
    assert nsx.calls.total >= 2
    assert nsx.calls.by_method["GET"] >= 2
