"""Ordering: sequence_number and the revise action for rules and policies (ref §5.4, §1.1)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ._nsx import (
    JSON,
    P,
    assert_rejected,
    get_json,
    ok,
    patch,
    policy_body,
    policy_path,
    rule_body,
    rule_path,
    uid,
)

pytestmark = pytest.mark.conformance("rules_order")


def _policy_with_rules(nsx: httpx.Client, n: int = 3) -> tuple[str, list[str]]:
    pid = uid("ord")
    rids = [f"r{i}-{uid('x')}" for i in range(n)]
    rules = [rule_body(r, sequence_number=(i + 1) * 10) for i, r in enumerate(rids)]
    ok(patch(nsx, policy_path(pid), policy_body(pid, rules=rules)))
    return pid, rids


def _order(nsx: httpx.Client, pid: str) -> list[str]:
    rules = get_json(nsx, policy_path(pid))["rules"]
    return [r["id"] for r in sorted(rules, key=lambda r: r["sequence_number"])]


def _revise_rule(nsx: httpx.Client, pid: str, rid: str, **params: Any) -> httpx.Response:
    body = get_json(nsx, rule_path(pid, rid))
    return nsx.post(f"{P}{rule_path(pid, rid)}", params={"action": "revise", **params}, json=body)


def _revise_policy(nsx: httpx.Client, pid: str, **params: Any) -> httpx.Response:
    body = get_json(nsx, policy_path(pid))
    return nsx.post(f"{P}{policy_path(pid)}", params={"action": "revise", **params}, json=body)


def test_sequence_numbers_kept(nsx: httpx.Client) -> None:
    """ref §5.2 / §5.4: rules keep the sequence_number given (lower first)."""
    pid, rids = _policy_with_rules(nsx)
    seqs = {r["id"]: r["sequence_number"] for r in get_json(nsx, policy_path(pid))["rules"]}
    assert seqs == {rids[0]: 10, rids[1]: 20, rids[2]: 30}


def test_revise_rule_insert_top(nsx: httpx.Client) -> None:
    """ref §1.1 / §5.4: POST rule ?action=revise&operation=insert_top moves it first."""
    pid, rids = _policy_with_rules(nsx)
    resp = ok(_revise_rule(nsx, pid, rids[2], operation="insert_top"))
    assert resp.json()["id"] == rids[2]
    assert _order(nsx, pid) == [rids[2], rids[0], rids[1]]


def test_revise_rule_default_operation_is_insert_top(nsx: httpx.Client) -> None:
    """ref §1.1: the default revise operation is insert_top."""
    pid, rids = _policy_with_rules(nsx)
    ok(_revise_rule(nsx, pid, rids[1]))
    assert _order(nsx, pid)[0] == rids[1]


def test_revise_rule_insert_bottom(nsx: httpx.Client) -> None:
    """ref §1.1: operation=insert_bottom moves the rule last."""
    pid, rids = _policy_with_rules(nsx)
    ok(_revise_rule(nsx, pid, rids[0], operation="insert_bottom"))
    assert _order(nsx, pid) == [rids[1], rids[2], rids[0]]


def test_revise_rule_insert_before(nsx: httpx.Client) -> None:
    """ref §1.1 / §5.4: insert_before with anchor_path places the rule right before the anchor."""
    pid, rids = _policy_with_rules(nsx)
    ok(_revise_rule(nsx, pid, rids[2], operation="insert_before", anchor_path=rule_path(pid, rids[1])))
    assert _order(nsx, pid) == [rids[0], rids[2], rids[1]]


def test_revise_rule_insert_after(nsx: httpx.Client) -> None:
    """ref §1.1: insert_after with anchor_path places the rule right after the anchor."""
    pid, rids = _policy_with_rules(nsx)
    ok(_revise_rule(nsx, pid, rids[0], operation="insert_after", anchor_path=rule_path(pid, rids[1])))
    assert _order(nsx, pid) == [rids[1], rids[0], rids[2]]


def test_revise_with_adjacent_sequence_numbers(nsx: httpx.Client) -> None:
    """ref §5.4: revise repositions without the caller renumbering others, even
    when there is no gap between neighbours."""
    pid = uid("ord")
    rids = [f"r{i}-{uid('x')}" for i in range(3)]
    rules = [rule_body(r, sequence_number=i + 1) for i, r in enumerate(rids)]
    ok(patch(nsx, policy_path(pid), policy_body(pid, rules=rules)))
    ok(_revise_rule(nsx, pid, rids[2], operation="insert_after", anchor_path=rule_path(pid, rids[0])))
    assert _order(nsx, pid) == [rids[0], rids[2], rids[1]]
    seqs = [r["sequence_number"] for r in get_json(nsx, policy_path(pid))["rules"]]
    assert len(set(seqs)) == 3


def test_revise_insert_before_without_anchor_rejected(nsx: httpx.Client) -> None:
    """ref §1.1: insert_before/insert_after need an anchor_path."""
    pid, rids = _policy_with_rules(nsx)
    assert_rejected(_revise_rule(nsx, pid, rids[0], operation="insert_before"), 400)


def test_revise_unknown_operation_rejected(nsx: httpx.Client) -> None:
    """ref §1.1: operation is one of insert_top|insert_bottom|insert_after|insert_before."""
    pid, rids = _policy_with_rules(nsx)
    assert_rejected(_revise_rule(nsx, pid, rids[0], operation="insert_sideways"), 400)


def test_revise_with_missing_anchor_refused(nsx: httpx.Client) -> None:
    """ref §1.1: an anchor_path that does not exist cannot be used (4xx, not 5xx)."""
    pid, rids = _policy_with_rules(nsx)
    resp = _revise_rule(nsx, pid, rids[0], operation="insert_before", anchor_path=rule_path(pid, "no-such-rule"))
    assert resp.status_code in (400, 404), resp.text
    assert _order(nsx, pid) == rids


def _category_order(nsx: httpx.Client, category: str, pids: list[str]) -> list[str]:
    mine: list[JSON] = [get_json(nsx, policy_path(p)) for p in pids]
    assert all(p["category"] == category for p in mine)
    return [p["id"] for p in sorted(mine, key=lambda p: p["sequence_number"])]


def _policies(nsx: httpx.Client, n: int = 3, category: str = "Infrastructure") -> list[str]:
    pids = [uid("pol") for _ in range(n)]
    base = 100000 + (abs(hash(pids[0])) % 1000) * 100
    for i, pid in enumerate(pids):
        body = policy_body(pid, category, rules=[], sequence_number=base + i * 10)
        ok(patch(nsx, policy_path(pid), body))
    return pids


def test_revise_policy_insert_before(nsx: httpx.Client) -> None:
    """ref §1.1 / §5.4: POST policy ?action=revise&operation=insert_before&anchor_path=<policy>
    returns the SecurityPolicy and orders it before the anchor (by sequence_number)."""
    pids = _policies(nsx)
    resp = ok(_revise_policy(nsx, pids[2], operation="insert_before", anchor_path=policy_path(pids[0])))
    assert resp.json()["id"] == pids[2]
    assert resp.json()["resource_type"] == "SecurityPolicy"
    assert _category_order(nsx, "Infrastructure", pids) == [pids[2], pids[0], pids[1]]


def test_revise_policy_insert_after(nsx: httpx.Client) -> None:
    """ref §1.1: operation=insert_after on a policy."""
    pids = _policies(nsx)
    ok(_revise_policy(nsx, pids[0], operation="insert_after", anchor_path=policy_path(pids[1])))
    assert _category_order(nsx, "Infrastructure", pids) == [pids[1], pids[0], pids[2]]


def test_revise_policy_insert_top_of_category(nsx: httpx.Client) -> None:
    """ref §5.4: insert_top puts the policy first within its category."""
    pids = _policies(nsx, category="Emergency")
    ok(_revise_policy(nsx, pids[2], operation="insert_top"))
    listing = get_json(nsx, "/infra/domains/default/security-policies")["results"]
    emergency = [p for p in listing if p.get("category") == "Emergency"]
    lowest = min(emergency, key=lambda p: p["sequence_number"])
    assert lowest["id"] == pids[2]
