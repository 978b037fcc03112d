"""Firewall hit counts of a security policy and of one rule.

The emulator forwards no traffic, so every counter is 0; the shape is NSX's:

- ``GET .../security-policies/{p}/statistics`` gives a ``SecurityPolicyStatisticsListResult``
  (vcf-nsx 9.1.1.0 ``security_policies.Statistics``): one
  ``SecurityPolicyStatisticsForEnforcementPoint`` per enforcement point whose
  ``statistics`` (``SecurityPolicyStatistics``) hold ``internal_section_id`` and one
  ``RuleStatistics`` per rule, in evaluation order, with ``result_count``;
- ``GET .../rules/{r}/statistics`` gives a ``RuleStatisticsListResult`` of
  ``RuleStatisticsForEnforcementPoint`` (vcf-nsx 9.1.1.0 ``rules.Statistics``).

``internal_section_id`` and ``internal_rule_id`` are the ids realized on the manager:
here the policy's ``realization_id`` and the rule's ``rule_id`` as a string [INF].
Without ``enforcement_point_path`` every enforcement point reports (the SDK's "stats
will be evaluated on each enforcement point"); with it, that one only. An unknown
enforcement point or ``container_cluster_path`` is a 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import not_found
from ..store import Store
from .kinds import kind_of_path
from .reads import render
from .security import rule_sort_key

Obj = dict[str, Any]

#: the counters of vcf-nsx 9.1.1.0 ``RuleStatistics``
COUNTERS = (
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
)


def rule_statistics(rule: Obj) -> Obj:
    """One ``RuleStatistics``: the rule's path, its realized id and zero counters."""
    return {"rule": rule["path"], "internal_rule_id": str(rule.get("rule_id", "")), **dict.fromkeys(COUNTERS, 0)}


def policy_statistics(store: Store, policy_path: str, params: Mapping[str, str]) -> Obj:
    """The ``SecurityPolicyStatisticsListResult`` of the policy at ``policy_path``."""
    policy = render(store, policy_path)
    if policy is None:
        raise not_found(policy_path)
    rules = sorted(policy.get("rules") or [], key=rule_sort_key)
    statistics = {
        "internal_section_id": policy.get("realization_id") or policy.get("unique_id"),
        "results": [rule_statistics(r) for r in rules],
        "result_count": len(rules),
    }
    return _per_point(store, params, statistics)


def single_rule_statistics(store: Store, rule_path: str, params: Mapping[str, str]) -> Obj:
    """The ``RuleStatisticsListResult`` of the rule at ``rule_path``."""
    rule = store.get(rule_path)
    if rule is None:
        raise not_found(rule_path)
    return _per_point(store, params, rule_statistics(rule))


def _per_point(store: Store, params: Mapping[str, str], statistics: Obj) -> Obj:
    cluster = params.get("container_cluster_path")
    if cluster and not _is_cluster(store, cluster):
        raise not_found(cluster)
    results = []
    for point in _enforcement_points(store, params.get("enforcement_point_path")):
        entry: Obj = {"enforcement_point": point}
        if cluster:
            entry["container_cluster_path"] = cluster
        entry["statistics"] = statistics
        results.append(entry)
    return {"results": results, "result_count": len(results)}


def _enforcement_points(store: Store, wanted: str | None) -> list[str]:
    points = [ep for site in store.children("/infra", "sites") for ep in store.children(site, "enforcement-points")]
    if not wanted:
        return points
    if wanted not in points:
        raise not_found(wanted)
    return [wanted]


def _is_cluster(store: Store, path: str) -> bool:
    kind = kind_of_path(path)
    return kind is not None and kind.name == "ClusterControlPlane" and store.get(path) is not None
