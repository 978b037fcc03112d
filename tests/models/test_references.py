"""referenced_paths: what a later layer must check exists in the stack."""

from __future__ import annotations

from tests.models._build import CCP, GROUP, SERVICE, conj, group, policy, rule
from zerotrust.models import Reference, SecurityPolicyContainerCluster, referenced_paths

PROFILE = "/infra/context-profiles/SSL"


def test_policy_references_with_fields() -> None:
    desired = policy(rule(source_groups=["10.0.0.0/8", GROUP], services=[SERVICE], profiles=[PROFILE]), scope=[CCP])
    assert referenced_paths(desired) == [
        Reference("scope", CCP, "cluster_control_plane"),
        Reference("rules[allow-web].source_groups", GROUP, "group"),
        Reference("rules[allow-web].services", SERVICE, "service"),
        Reference("rules[allow-web].profiles", PROFILE, "context_profile"),
    ]


def test_group_path_expressions_nested() -> None:
    desired = group(
        {"resource_type": "PathExpression", "paths": [GROUP]},
        conj(),
        {"resource_type": "PathExpression", "paths": ["/infra/segments/s1"]},
    )
    assert [(r.field, r.kind) for r in referenced_paths(desired)] == [
        ("expression[0].paths", "group"),
        ("expression[2].paths", "segment"),
    ]


def test_span_references_its_cluster() -> None:
    span = SecurityPolicyContainerCluster(id="s", container_cluster_path=CCP)
    assert referenced_paths(span) == [Reference("container_cluster_path", CCP, "cluster_control_plane")]


def test_any_and_ips_are_not_references() -> None:
    assert referenced_paths(rule(source_groups=["10.0.0.1"])) == []
