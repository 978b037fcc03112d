"""Rule hit counts: ``GET .../security-policies/{p}/statistics`` answers a
``SecurityPolicyStatisticsListResult`` and ``GET .../rules/{r}/statistics`` a
``RuleStatisticsListResult`` (vcf-nsx 9.1.1.0). The emulator forwards no traffic, so the
counters are zero; the shape is NSX's."""

from __future__ import annotations

import httpx
import pytest

from ._nsx import (
    EP,
    JSON,
    assert_nsx_error,
    ccp_path,
    get,
    get_json,
    make_policy,
    ok,
    policy_path,
    put,
    rule_body,
    uid,
)

pytestmark = pytest.mark.conformance("statistics")

#: the counters of vcf-nsx 9.1.1.0 RuleStatistics
COUNTERS = {
    "packet_count",
    "byte_count",
    "session_count",
    "hit_count",
    "l7_accept_count",
    "l7_reject_count",
    "l7_reject_with_response_count",
    "popularity_index",
    "max_popularity_index",
    "max_session_count",
    "total_session_count",
}


def zero_counters(entry: JSON) -> bool:
    return all(type(entry[name]) is int and entry[name] == 0 for name in COUNTERS)


def two_rule_policy(nsx: httpx.Client) -> str:
    """A policy whose rules are sent out of evaluation order (sequence 20 before 10)."""
    return make_policy(
        nsx,
        rules=[rule_body("late", sequence_number=20), rule_body("early", sequence_number=10, action="DROP")],
    )


def test_policy_statistics_shape(nsx: httpx.Client) -> None:
    """One entry per enforcement point; its statistics name the realized section and list
    one RuleStatistics per rule in evaluation order, each with the rule path, the rule's
    realized id (its rule_id) and every counter."""
    ppath = two_rule_policy(nsx)
    rule_ids = {r["id"]: r["rule_id"] for r in get_json(nsx, ppath)["rules"]}
    body = get_json(nsx, ppath + "/statistics")
    assert body["result_count"] == 1
    (entry,) = body["results"]
    assert entry["enforcement_point"] == EP
    stats = entry["statistics"]
    assert isinstance(stats["internal_section_id"], str)
    assert stats["internal_section_id"]
    assert stats["result_count"] == 2
    assert [r["rule"] for r in stats["results"]] == [f"{ppath}/rules/early", f"{ppath}/rules/late"]
    assert [r["internal_rule_id"] for r in stats["results"]] == [str(rule_ids["early"]), str(rule_ids["late"])]
    assert all(zero_counters(r) for r in stats["results"])


def test_policy_without_rules_has_empty_statistics(nsx: httpx.Client) -> None:
    ppath = make_policy(nsx, rules=[])
    (entry,) = get_json(nsx, ppath + "/statistics")["results"]
    assert entry["statistics"]["results"] == []
    assert entry["statistics"]["result_count"] == 0


def test_enforcement_point_path_narrows_and_unknown_is_404(nsx: httpx.Client) -> None:
    ppath = two_rule_policy(nsx)
    body = get_json(nsx, ppath + "/statistics", enforcement_point_path=EP)
    assert [e["enforcement_point"] for e in body["results"]] == [EP]
    resp = get(nsx, ppath + "/statistics", enforcement_point_path="/infra/sites/default/enforcement-points/nope")
    assert_nsx_error(resp, 404)


def test_container_cluster_path_is_echoed_and_unknown_is_404(nsx: httpx.Client) -> None:
    """Antrea policies report per cluster (SecurityPolicyStatisticsForEnforcementPoint
    .container_cluster_path)."""
    cid = uid("ccp")
    ok(put(nsx, ccp_path(cid), {"resource_type": "ClusterControlPlane", "id": cid, "display_name": cid}))
    ppath = two_rule_policy(nsx)
    (entry,) = get_json(nsx, ppath + "/statistics", container_cluster_path=ccp_path(cid))["results"]
    assert entry["container_cluster_path"] == ccp_path(cid)
    assert entry["statistics"]["result_count"] == 2
    assert_nsx_error(get(nsx, ppath + "/statistics", container_cluster_path=ccp_path(uid("none"))), 404)


def test_missing_policy_is_404(nsx: httpx.Client) -> None:
    assert_nsx_error(get(nsx, policy_path(uid("none")) + "/statistics"), 404)


def test_rule_statistics_shape(nsx: httpx.Client) -> None:
    """A RuleStatisticsListResult: one RuleStatisticsForEnforcementPoint whose statistics
    are that rule's RuleStatistics."""
    ppath = two_rule_policy(nsx)
    rule = get_json(nsx, f"{ppath}/rules/late")
    body = get_json(nsx, f"{ppath}/rules/late/statistics")
    assert body["result_count"] == 1
    (entry,) = body["results"]
    assert entry["enforcement_point"] == EP
    stats = entry["statistics"]
    assert stats["rule"] == f"{ppath}/rules/late"
    assert stats["internal_rule_id"] == str(rule["rule_id"])
    assert zero_counters(stats)


def test_missing_rule_is_404(nsx: httpx.Client) -> None:
    ppath = make_policy(nsx, rules=[])
    assert_nsx_error(get(nsx, f"{ppath}/rules/{uid('none')}/statistics"), 404)


def test_auditor_may_read_statistics(nsx: httpx.Client, auditor: httpx.Client) -> None:
    ppath = two_rule_policy(nsx)
    assert get_json(auditor, ppath + "/statistics")["result_count"] == 1
