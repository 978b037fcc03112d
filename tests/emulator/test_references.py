"""Referential integrity: in-use deletes and dangling references (ref §12.7, §3.2, §5.5)."""

from __future__ import annotations

import httpx
import pytest

from ._nsx import (
    IN_USE_TEXT,
    assert_absent,
    assert_nsx_error,
    assert_rejected,
    delete,
    get,
    group_body,
    group_path,
    l4_service_body,
    make_group,
    make_policy,
    ok,
    patch,
    path_expression,
    policy_body,
    policy_path,
    rule_body,
    rule_path,
    service_path,
    uid,
)

pytestmark = pytest.mark.conformance("references")


def _assert_in_use(resp: httpx.Response, target: str, referrer_prefix: str) -> None:
    """400, error_code 500030, 'The object path=[<target>] cannot be deleted as either it
    has children or it is being referenced by other objects path=[<referrers>]'."""
    body = assert_nsx_error(resp, 400, error_code=500030, message=IN_USE_TEXT)
    msg = body["error_message"]
    assert f"path=[{target}]" in msg, msg
    referrers = msg.split(IN_USE_TEXT, 1)[1]
    assert referrer_prefix in referrers, msg


def test_delete_group_used_as_rule_source_is_400(nsx: httpx.Client) -> None:
    """ref §12.7 / §3.2: deleting a group referenced by a rule -> 400, error_code 500030,
    'cannot be deleted as either it has children or it is being referenced by other
    objects path=[...]' naming the referrer (not 409)."""
    gpath = make_group(nsx)
    pid, rid = uid("p"), uid("r")
    make_policy(nsx, pid, rules=[rule_body(rid, sources=[gpath])])
    _assert_in_use(delete(nsx, gpath), gpath, policy_path(pid))
    ok(get(nsx, gpath), 200)


def test_delete_group_used_as_rule_destination_is_400(nsx: httpx.Client) -> None:
    """ref §12.7: the same holds for destination_groups."""
    gpath = make_group(nsx)
    pid = uid("p")
    make_policy(nsx, pid, rules=[rule_body(uid("r"), destinations=[gpath])])
    _assert_in_use(delete(nsx, gpath), gpath, policy_path(pid))


def test_delete_group_used_in_rule_scope_is_400(nsx: httpx.Client) -> None:
    """ref §12.7: a group in a rule's scope (applied-to) is a reference too."""
    gpath = make_group(nsx)
    pid = uid("p")
    make_policy(nsx, pid, rules=[rule_body(uid("r"), scope=[gpath])])
    _assert_in_use(delete(nsx, gpath), gpath, policy_path(pid))


def test_delete_group_used_in_policy_scope_is_400(nsx: httpx.Client) -> None:
    """ref §12.7: a group in a policy's scope is a reference."""
    gpath = make_group(nsx)
    pid = uid("p")
    make_policy(nsx, pid, scope=[gpath])
    _assert_in_use(delete(nsx, gpath), gpath, policy_path(pid))


def test_delete_group_used_by_path_expression_is_400(nsx: httpx.Client) -> None:
    """ref §12.7: a group nested in another group's PathExpression is referenced."""
    member = make_group(nsx)
    parent_id = uid("parent")
    ok(patch(nsx, group_path(parent_id), group_body(parent_id, [path_expression(member)])))
    _assert_in_use(delete(nsx, member), member, group_path(parent_id))


def test_delete_service_used_by_rule_is_400(nsx: httpx.Client) -> None:
    """ref §11 / §12.7: deleting a service still used by a rule -> the same in-use 400."""
    sid = uid("svc")
    ok(patch(nsx, service_path(sid), l4_service_body(sid)))
    pid = uid("p")
    make_policy(nsx, pid, rules=[rule_body(uid("r"), services=[service_path(sid)])])
    _assert_in_use(delete(nsx, service_path(sid)), service_path(sid), policy_path(pid))


def test_delete_context_profile_used_by_rule_refused(nsx: httpx.Client) -> None:
    """ref §5.5: a context profile in use by a rule is not deleted."""
    cp = uid("cp")
    cpath = f"/infra/context-profiles/{cp}"
    body = {
        "resource_type": "PolicyContextProfile",
        "id": cp,
        "attributes": [{"key": "DOMAIN_NAME", "value": ["x.example.com"], "datatype": "STRING"}],
    }
    ok(patch(nsx, cpath, body))
    make_policy(nsx, rules=[rule_body(uid("r"), profiles=[cpath])])
    assert_nsx_error(delete(nsx, cpath), 400)
    ok(get(nsx, cpath), 200)


def test_delete_after_reference_removed_succeeds(nsx: httpx.Client) -> None:
    """ref §11: once the referencing rule is gone, the group can be deleted."""
    gpath = make_group(nsx)
    pid, rid = uid("p"), uid("r")
    make_policy(nsx, pid, rules=[rule_body(rid, sources=[gpath])])
    ok(delete(nsx, rule_path(pid, rid)), 200)
    ok(delete(nsx, gpath), 200)
    assert_absent(nsx, gpath)


def test_delete_after_policy_removed_succeeds(nsx: httpx.Client) -> None:
    """ref §1.1 / §11: deleting the policy (and so its rules) frees the group."""
    gpath = make_group(nsx)
    ppath = make_policy(nsx, rules=[rule_body(uid("r"), sources=[gpath])])
    ok(delete(nsx, ppath), 200)
    ok(delete(nsx, gpath), 200)


def test_rule_referencing_missing_group_rejected(nsx: httpx.Client) -> None:
    """ref §3.2 / §12.7: a rule referencing a group that does not exist -> 400."""
    pid = uid("p")
    body = policy_body(pid, rules=[rule_body(uid("r"), sources=[group_path(uid("nosuch"))])])
    assert_rejected(patch(nsx, policy_path(pid), body), 400)
    assert_absent(nsx, policy_path(pid))


def test_rule_referencing_missing_service_rejected(nsx: httpx.Client) -> None:
    """ref §3.2: a rule referencing a service that does not exist -> 400."""
    pid = uid("p")
    body = policy_body(pid, rules=[rule_body(uid("r"), services=[service_path(uid("nosuch"))])])
    assert_rejected(patch(nsx, policy_path(pid), body), 400)
    assert_absent(nsx, policy_path(pid))


def test_rule_patch_referencing_missing_group_rejected(nsx: httpx.Client) -> None:
    """ref §3.2: the check also applies to a rule PATCHed at its own path."""
    pid, rid = uid("p"), uid("r")
    make_policy(nsx, pid)
    resp = patch(nsx, rule_path(pid, rid), rule_body(rid, destinations=[group_path(uid("nosuch"))]))
    assert_rejected(resp, 400)
    assert_absent(nsx, rule_path(pid, rid))


def test_rule_referencing_predefined_service_ok(nsx: httpx.Client) -> None:
    """ref §5.2: rules may reference built-in services (/infra/services/HTTP)."""
    make_policy(nsx, rules=[rule_body(uid("r"), services=["/infra/services/HTTP"])])


def test_delete_force_is_ignored(nsx: httpx.Client) -> None:
    """ref §1.1: DELETE's 'force' query param is deprecated and ignored: an in-use group
    is still refused."""
    gpath = make_group(nsx)
    pid = uid("p")
    make_policy(nsx, pid, rules=[rule_body(uid("r"), sources=[gpath])])
    _assert_in_use(delete(nsx, gpath, force="true"), gpath, policy_path(pid))
    ok(get(nsx, gpath), 200)
