"""Hierarchical API: PATCH /infra trees, marked_for_delete, atomicity, filtered GET (ref §7, §2.1)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.emulator_process import RunningEmulator

from ._nsx import (
    JSON,
    P,
    assert_absent,
    assert_nsx_error,
    conj,
    get_json,
    group_body,
    group_path,
    make_client,
    ok,
    patch,
    path_expression,
    policy_body,
    policy_path,
    rule_body,
    rule_path,
    service_path,
    tag_condition,
    uid,
    walk,
)

pytestmark = pytest.mark.conformance("hapi")


def child(type_name: str, obj: JSON, **wrapper: Any) -> JSON:
    """A Child<Type> wrapper: the inner key is the exact type name (ref §7, §12.9)."""
    return {"resource_type": f"Child{type_name}", type_name: obj, **wrapper}


def domain_ref(*children: JSON, domain: str = "default") -> JSON:
    return {
        "resource_type": "ChildResourceReference",
        "id": domain,
        "target_type": "Domain",
        "children": list(children),
    }


def infra(*children: JSON) -> JSON:
    return {"resource_type": "Infra", "children": list(children)}


def hapi(nsx: httpx.Client, tree: JSON, **params: Any) -> httpx.Response:
    return nsx.patch(f"{P}/infra", json=tree, params=params or None)


def _policy_tree(pid: str, rules: list[JSON], **extra: Any) -> JSON:
    sp = policy_body(pid, **extra)
    sp["children"] = [child("Rule", r) for r in rules]
    return child("SecurityPolicy", sp)


def test_one_call_creates_groups_policy_and_rules(nsx: httpx.Client) -> None:
    """ref §7: Infra -> ChildResourceReference(Domain) -> ChildGroup + ChildSecurityPolicy
    (children ChildRule) creates everything in one call; rules may reference groups
    created in the same tree (the policy is listed first on purpose)."""
    g1, g2, pid, rid = uid("hg"), uid("hg"), uid("hp"), uid("hr")
    rule = rule_body(rid, sources=[group_path(g1)], destinations=[group_path(g2)])
    tree = infra(
        domain_ref(
            _policy_tree(pid, [rule]),
            child("Group", group_body(g2, [path_expression(group_path(g1))])),
            child("Group", group_body(g1, [tag_condition("app|web")])),
        )
    )
    ok(hapi(nsx, tree), 200)
    assert get_json(nsx, group_path(g1))["expression"][0]["value"] == "app|web"
    assert get_json(nsx, group_path(g2))["expression"][0]["paths"] == [group_path(g1)]
    pol = get_json(nsx, policy_path(pid))
    assert [r["id"] for r in pol["rules"]] == [rid]
    got = get_json(nsx, rule_path(pid, rid))
    assert got["source_groups"] == [group_path(g1)]
    assert got["_revision"] == 0


def test_service_and_rule_in_one_tree(nsx: httpx.Client) -> None:
    """ref §7: one call can create services and the policies that use them (ChildService
    under Infra with its entries)."""
    sid, pid, rid = uid("hs"), uid("hp"), uid("hr")
    svc = {
        "resource_type": "Service",
        "id": sid,
        "service_entries": [
            {
                "resource_type": "L4PortSetServiceEntry",
                "id": "tcp-8080",
                "l4_protocol": "TCP",
                "destination_ports": ["8080"],
            }
        ],
    }
    tree = infra(
        domain_ref(_policy_tree(pid, [rule_body(rid, services=[service_path(sid)])])),
        child("Service", svc),
    )
    ok(hapi(nsx, tree), 200)
    assert get_json(nsx, service_path(sid))["service_entries"][0]["destination_ports"] == ["8080"]
    assert get_json(nsx, rule_path(pid, rid))["services"] == [service_path(sid)]


def test_child_domain_creates_domain(nsx: httpx.Client) -> None:
    """ref §7: ChildDomain/Domain creates a domain together with its children."""
    dom, gid = uid("hd"), uid("hg")
    domain = {
        "resource_type": "Domain",
        "id": dom,
        "children": [child("Group", group_body(gid, [tag_condition("a|b")]))],
    }
    ok(hapi(nsx, infra(child("Domain", domain))), 200)
    assert get_json(nsx, f"/infra/domains/{dom}")["id"] == dom
    assert get_json(nsx, group_path(gid, dom))["id"] == gid


def test_marked_for_delete_policy_wrapper_deletes_subtree(nsx: httpx.Client) -> None:
    """ref §7 / §12.9: marked_for_delete on the ChildSecurityPolicy wrapper deletes the
    policy and all its rules."""
    pid, r1, r2 = uid("hp"), uid("hr"), uid("hr")
    ok(hapi(nsx, infra(domain_ref(_policy_tree(pid, [rule_body(r1), rule_body(r2)])))), 200)
    sp = {"resource_type": "SecurityPolicy", "id": pid}
    ok(hapi(nsx, infra(domain_ref(child("SecurityPolicy", sp, marked_for_delete=True, id=pid)))), 200)
    assert_absent(nsx, policy_path(pid))
    assert_absent(nsx, rule_path(pid, r1))
    assert_absent(nsx, rule_path(pid, r2))


def test_marked_for_delete_rule_only(nsx: httpx.Client) -> None:
    """ref §7: a ChildRule with marked_for_delete (inner Rule has only id and
    resource_type) deletes that rule; the policy and the other rules stay."""
    pid, keep, drop = uid("hp"), uid("hr"), uid("hr")
    ok(hapi(nsx, infra(domain_ref(_policy_tree(pid, [rule_body(keep), rule_body(drop)])))), 200)
    sp = policy_body(pid)
    sp["children"] = [child("Rule", {"resource_type": "Rule", "id": drop}, marked_for_delete=True, id=drop)]
    ok(hapi(nsx, infra(domain_ref(child("SecurityPolicy", sp)))), 200)
    assert [r["id"] for r in get_json(nsx, policy_path(pid))["rules"]] == [keep]
    assert_absent(nsx, rule_path(pid, drop))


def test_marked_for_delete_group(nsx: httpx.Client) -> None:
    """ref §7: marked_for_delete on a ChildGroup deletes the group."""
    gid = uid("hg")
    ok(hapi(nsx, infra(domain_ref(child("Group", group_body(gid, [tag_condition("a|b")]))))), 200)
    ok(
        hapi(
            nsx,
            infra(domain_ref(child("Group", {"resource_type": "Group", "id": gid}, marked_for_delete=True))),
        ),
        200,
    )
    assert_absent(nsx, group_path(gid))


def test_atomic_invalid_group_changes_nothing(nsx: httpx.Client) -> None:
    """ref §7 [INF, treated as all-or-nothing]: one invalid object (even-length
    expression) fails the call and nothing in the tree is created."""
    good, bad, pid = uid("hg"), uid("hg"), uid("hp")
    tree = infra(
        domain_ref(
            child("Group", group_body(good, [tag_condition("a|b")])),
            _policy_tree(pid, [rule_body(uid("hr"), sources=[group_path(good)])]),
            child("Group", group_body(bad, [tag_condition("a|b"), conj("OR")])),
        )
    )
    assert_nsx_error(hapi(nsx, tree), 400)
    assert_absent(nsx, group_path(good))
    assert_absent(nsx, group_path(bad))
    assert_absent(nsx, policy_path(pid))


def test_atomic_dangling_reference_changes_nothing(nsx: httpx.Client) -> None:
    """ref §7 / §12.7: a rule referencing a group that is neither present nor in the tree
    fails the whole call."""
    good, pid = uid("hg"), uid("hp")
    tree = infra(
        domain_ref(
            child("Group", group_body(good, [tag_condition("a|b")])),
            _policy_tree(pid, [rule_body(uid("hr"), sources=[group_path(uid("nosuch"))])]),
        )
    )
    assert_nsx_error(hapi(nsx, tree), 400)
    assert_absent(nsx, group_path(good))
    assert_absent(nsx, policy_path(pid))


def test_atomic_update_rolls_back_existing_object(nsx: httpx.Client) -> None:
    """ref §7: a failing tree leaves already-existing objects at their old content/_revision."""
    gid = uid("hg")
    ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition("old|v")])))
    tree = infra(
        domain_ref(
            child("Group", group_body(gid, [tag_condition("new|v")])),
            child("Group", group_body(uid("hg"), [tag_condition("")])),
        )
    )
    assert_nsx_error(hapi(nsx, tree), 400)
    obj = get_json(nsx, group_path(gid))
    assert obj["expression"][0]["value"] == "old|v"
    assert obj["_revision"] == 0


def test_wrapper_key_must_be_exact_type_name(nsx: httpx.Client) -> None:
    """ref §7 / §12.9: the wrapped object sits under its exact type name ('Group');
    a wrongly cased key is rejected and creates nothing."""
    gid = uid("hg")
    wrapper = {"resource_type": "ChildGroup", "group": group_body(gid, [tag_condition("a|b")])}
    resp = hapi(nsx, infra(domain_ref(wrapper)))
    assert 400 <= resp.status_code < 500, resp.text
    assert_absent(nsx, group_path(gid))


def test_child_resource_reference_does_not_update_parent(nsx: httpx.Client) -> None:
    """ref §7: ChildResourceReference names an existing parent without updating it."""
    dom = uid("hd")
    ok(patch(nsx, f"/infra/domains/{dom}", {"resource_type": "Domain", "description": "keep"}))
    before = get_json(nsx, f"/infra/domains/{dom}")
    tree = infra(domain_ref(child("Group", group_body(uid("hg"), [tag_condition("a|b")])), domain=dom))
    ok(hapi(nsx, tree), 200)
    after = get_json(nsx, f"/infra/domains/{dom}")
    assert after["_revision"] == before["_revision"]
    assert after["description"] == "keep"


def test_revision_not_checked_by_default(nsx: httpx.Client) -> None:
    """ref §2.1 / §12.1: PATCH /infra skips the _revision check unless
    enforce_revision_check=true (Terraform sends stale revisions with false)."""
    gid = uid("hg")
    ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition("a|1")])))
    ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition("a|2")])))
    stale = group_body(gid, [tag_condition("a|3")], _revision=0)
    ok(hapi(nsx, infra(domain_ref(child("Group", stale)))), 200)
    ok(hapi(nsx, infra(domain_ref(child("Group", stale))), enforce_revision_check="false"), 200)
    assert get_json(nsx, group_path(gid))["expression"][0]["value"] == "a|3"


def test_revision_checked_when_enforced(nsx: httpx.Client) -> None:
    """ref §2.1: with enforce_revision_check=true a stale _revision is refused and the
    object is unchanged (status not pinned by the sources: 400/409/412)."""
    gid = uid("hg")
    ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition("a|1")])))
    ok(patch(nsx, group_path(gid), group_body(gid, [tag_condition("a|2")])))
    stale = group_body(gid, [tag_condition("a|3")], _revision=0)
    resp = hapi(nsx, infra(domain_ref(child("Group", stale))), enforce_revision_check="true")
    assert resp.status_code in (400, 409, 412), resp.text
    assert get_json(nsx, group_path(gid))["expression"][0]["value"] == "a|2"


def test_filtered_get_returns_child_wrappers(nsx: httpx.Client) -> None:
    """ref §7: GET /infra?filter=Type-Domain|Group|SecurityPolicy|Rule&base_path=
    /infra/domains/default returns Child wrappers keyed by the exact type name."""
    gid, pid, rid = uid("hg"), uid("hp"), uid("hr")
    ok(
        hapi(
            nsx,
            infra(
                domain_ref(
                    child("Group", group_body(gid, [tag_condition("a|b")])),
                    _policy_tree(pid, [rule_body(rid, sources=[group_path(gid)])]),
                )
            ),
        ),
        200,
    )
    tree = get_json(nsx, "/infra", filter="Type-Domain|Group|SecurityPolicy|Rule", base_path="/infra/domains/default")
    nodes = list(walk(tree))
    groups = [n for n in nodes if n.get("resource_type") == "ChildGroup"]
    assert any(n.get("Group", {}).get("id") == gid for n in groups), "ChildGroup/Group missing"
    pols = [
        n["SecurityPolicy"] for n in nodes if n.get("resource_type") == "ChildSecurityPolicy" and "SecurityPolicy" in n
    ]
    mine = [p for p in pols if p.get("id") == pid]
    assert mine, "ChildSecurityPolicy/SecurityPolicy missing"
    rules = [n["Rule"] for n in walk(mine[0]) if n.get("resource_type") == "ChildRule"]
    assert [r["id"] for r in rules] == [rid]
    assert rules[0]["path"] == rule_path(pid, rid)


def test_filter_limits_types(nsx: httpx.Client) -> None:
    """ref §7: filter=Type-Domain|Group returns groups but no security policies or rules."""
    gid, pid = uid("hg"), uid("hp")
    ok(
        hapi(
            nsx,
            infra(
                domain_ref(
                    child("Group", group_body(gid, [tag_condition("a|b")])),
                    _policy_tree(pid, [rule_body(uid("hr"))]),
                )
            ),
        ),
        200,
    )
    tree = get_json(nsx, "/infra", filter="Type-Domain|Group", base_path="/infra/domains/default")
    kinds = {n.get("resource_type") for n in walk(tree)}
    assert "ChildGroup" in kinds
    assert "ChildSecurityPolicy" not in kinds
    assert "ChildRule" not in kinds


def test_get_infra_without_filter_has_no_inner_objects(nsx: httpx.Client) -> None:
    """ref §7: without any filter GET /infra returns only the Infra properties."""
    top = get_json(nsx, "/infra")
    assert top["resource_type"] == "Infra"
    assert not top.get("children")


def test_deleting_group_in_use_fails_whole_call(nsx: httpx.Client) -> None:
    """ref §7 (nsx-operator PR #1159): one group still in use makes the whole H-API call
    fail; the other deletions in the tree do not happen either."""
    used, pid_user, pid_other = uid("hg"), uid("hp"), uid("hp")
    ok(hapi(nsx, infra(domain_ref(
        child("Group", group_body(used, [tag_condition("a|b")])),
        _policy_tree(pid_user, [rule_body(uid("hr"), sources=[group_path(used)])]),
        _policy_tree(pid_other, [rule_body(uid("hr"))]),
    ))), 200)  # fmt: skip
    tree = infra(domain_ref(
        child("SecurityPolicy", {"resource_type": "SecurityPolicy", "id": pid_other}, marked_for_delete=True),
        child("Group", {"resource_type": "Group", "id": used}, marked_for_delete=True),
    ))  # fmt: skip
    resp = hapi(nsx, tree)
    assert_nsx_error(resp, 400)
    get_json(nsx, group_path(used))
    get_json(nsx, policy_path(pid_other))


def test_child_service_entry(nsx: httpx.Client) -> None:
    """ref §7: ChildServiceEntry wrappers under a ChildService create the entries."""
    sid = uid("hs")
    entry = {"resource_type": "L4PortSetServiceEntry", "id": "udp-53", "l4_protocol": "UDP",
             "destination_ports": ["53"]}  # fmt: skip
    svc = {"resource_type": "Service", "id": sid, "children": [child("ServiceEntry", entry)]}
    ok(hapi(nsx, infra(child("Service", svc))), 200)
    got = get_json(nsx, f"{service_path(sid)}/service-entries/udp-53")
    assert got["l4_protocol"] == "UDP"


def test_more_than_5000_objects_rejected(fresh_emulator: RunningEmulator) -> None:
    """ref §7: at most 5000 intent objects per call on a Local Manager; a bigger tree is
    refused and nothing is created."""
    groups = [child("Group", group_body(f"big-{i}", [tag_condition("a|b")])) for i in range(5001)]
    with make_client(fresh_emulator) as client:
        resp = hapi(client, infra(domain_ref(*groups)))
        assert_nsx_error(resp, 400)
        assert_absent(client, group_path("big-0"))


def test_hapi_write_survives_kill(fresh_emulator: RunningEmulator) -> None:
    """Emulator contract: An acknowledged H-API tree is durable as a whole (SIGKILL + restart)."""
    gid, pid, rid = uid("hg"), uid("hp"), uid("hr")
    with make_client(fresh_emulator) as client:
        ok(hapi(client, infra(domain_ref(
            child("Group", group_body(gid, [tag_condition("a|b")])),
            _policy_tree(pid, [rule_body(rid, sources=[group_path(gid)])]),
        ))), 200)  # fmt: skip
    fresh_emulator.kill()
    fresh_emulator.restart()
    with make_client(fresh_emulator) as client:
        get_json(client, group_path(gid))
        assert get_json(client, rule_path(pid, rid))["source_groups"] == [group_path(gid)]


def test_child_resource_reference_needs_target_type(nsx: httpx.Client) -> None:
    """ref §7 / §12.9: ChildResourceReference needs id and target_type."""
    gid = uid("hg")
    ref = domain_ref(child("Group", group_body(gid, [tag_condition("a|b")])))
    del ref["target_type"]
    resp = hapi(nsx, infra(ref))
    assert 400 <= resp.status_code < 500, resp.text
    assert_absent(nsx, group_path(gid))


def test_type_filter_param(nsx: httpx.Client) -> None:
    """ref §7: GET /infra also takes type_filter (e.g. 'SecurityPolicy;Group')."""
    gid, pid = uid("hg"), uid("hp")
    ok(hapi(nsx, infra(domain_ref(
        child("Group", group_body(gid, [tag_condition("a|b")])),
        _policy_tree(pid, [rule_body(uid("hr"))]),
    ))), 200)  # fmt: skip
    tree = get_json(nsx, "/infra", type_filter="SecurityPolicy;Group", base_path="/infra/domains/default")
    nodes = list(walk(tree))
    assert any(n.get("resource_type") == "ChildGroup" and n["Group"]["id"] == gid for n in nodes)
    assert any(n.get("resource_type") == "ChildSecurityPolicy" and n["SecurityPolicy"]["id"] == pid for n in nodes)


def test_marked_for_delete_domain_deletes_whole_subtree(nsx: httpx.Client) -> None:
    """ref §7 / §12.9: marked_for_delete on a ChildDomain deletes the domain with its
    groups, policies and rules."""
    dom, gid, pid, rid = uid("hd"), uid("hg"), uid("hp"), uid("hr")
    domain = {
        "resource_type": "Domain",
        "id": dom,
        "children": [
            child("Group", group_body(gid, [tag_condition("a|b")])),
            _policy_tree(pid, [rule_body(rid, sources=[group_path(gid, dom)])]),
        ],
    }
    ok(hapi(nsx, infra(child("Domain", domain))), 200)
    get_json(nsx, rule_path(pid, rid, dom))
    wrapper = child("Domain", {"resource_type": "Domain", "id": dom}, marked_for_delete=True)
    ok(hapi(nsx, infra(wrapper)), 200)
    assert_absent(nsx, f"/infra/domains/{dom}")
    assert_absent(nsx, group_path(gid, dom))
    assert_absent(nsx, policy_path(pid, dom))
    assert_absent(nsx, rule_path(pid, rid, dom))
