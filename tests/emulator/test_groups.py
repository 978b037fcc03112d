"""Groups: expression grammar, group_type, tag encoding, IP/path expressions,
Kubernetes member-type limits (ref §4, §6.2, §6.5)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ._nsx import (
    JSON,
    assert_absent,
    assert_rejected,
    condition,
    conj,
    delete,
    get_json,
    group_body,
    group_path,
    ip_expression,
    joined,
    l4_service_body,
    nested,
    ok,
    patch,
    path_expression,
    service_path,
    tag_condition,
    uid,
)

pytestmark = pytest.mark.conformance("groups")


def _try(nsx: httpx.Client, expression: list[JSON], **extra: Any) -> tuple[httpx.Response, str]:
    gid = uid("g")
    path = group_path(gid)
    return patch(nsx, path, group_body(gid, expression, **extra)), path


def _accepted(nsx: httpx.Client, expression: list[JSON], **extra: Any) -> JSON:
    resp, path = _try(nsx, expression, **extra)
    ok(resp)
    return get_json(nsx, path)


def _refused(nsx: httpx.Client, expression: list[JSON], **extra: Any) -> None:
    resp, path = _try(nsx, expression, **extra)
    assert_rejected(resp, 400)
    assert_absent(nsx, path)


# ------------------------------------------------------------------ basics


def test_tag_condition_roundtrip(nsx: httpx.Client) -> None:
    """ref §4.2 / §12.2: a tag condition carries scope and tag in one value 'scope|tag'."""
    obj = _accepted(nsx, [tag_condition("env|production")])
    cond = obj["expression"][0]
    assert cond["resource_type"] == "Condition"
    assert cond["member_type"] == "VirtualMachine"
    assert cond["key"] == "Tag"
    assert cond["operator"] == "EQUALS"
    assert cond["value"] == "env|production"


def test_scope_operator_is_separate_field(nsx: httpx.Client) -> None:
    """ref §4.2 / §12.2: scope_operator (EQUALS/NOTEQUALS) is its own field."""
    cond = {**tag_condition("env|prod"), "scope_operator": "NOTEQUALS"}
    obj = _accepted(nsx, [cond])
    assert obj["expression"][0]["scope_operator"] == "NOTEQUALS"
    assert obj["expression"][0]["value"] == "env|prod"


def test_empty_scope_tag_value(nsx: httpx.Client) -> None:
    """ref §4.2: '|tag' matches the tag with an empty scope and is accepted."""
    obj = _accepted(nsx, [tag_condition("|webtier")])
    assert obj["expression"][0]["value"] == "|webtier"


def test_condition_value_must_be_non_empty(nsx: httpx.Client) -> None:
    """ref §4.2: Condition value must be at least 1 char."""
    _refused(nsx, [tag_condition("")])


@pytest.mark.parametrize(
    ("field", "value"),
    [("member_type", "Toaster"), ("key", "Colour"), ("operator", "LIKE")],
)
def test_condition_enums_validated(nsx: httpx.Client, field: str, value: str) -> None:
    """ref §4.2: member_type / key / operator take only the documented values."""
    cond = {**tag_condition("s|t"), field: value}
    _refused(nsx, [cond])


def test_group_type_is_array(nsx: httpx.Client) -> None:
    """ref §4.3 / §12.2: group_type is a JSON array of strings, returned as an array."""
    obj = _accepted(nsx, [ip_expression("10.1.0.0/24")], group_type=["IPAddress"])
    assert obj["group_type"] == ["IPAddress"]


def test_generic_group_has_no_or_empty_group_type(nsx: httpx.Client) -> None:
    """ref §4.3: absent/empty group_type means a generic group; never a bare string."""
    obj = _accepted(nsx, [tag_condition("s|t")])
    assert obj.get("group_type") in (None, [])


def test_group_type_value_validated(nsx: httpx.Client) -> None:
    """ref §4.3: values are IPAddress, ANTREA, BareMetalServer."""
    _refused(nsx, [tag_condition("s|t")], group_type=["Bogus"])


def test_empty_expression_allowed(nsx: httpx.Client) -> None:
    """ref §4.1: the odd-length rule is for a non-empty list; an empty group is valid."""
    obj = _accepted(nsx, [])
    assert obj.get("expression", []) == []


def test_group_delete_then_404(nsx: httpx.Client) -> None:
    """ref §1.3: DELETE removes the group from GETs."""
    resp, path = _try(nsx, [tag_condition("s|t")])
    ok(resp)
    ok(delete(nsx, path), 200)
    assert_absent(nsx, path)


# ------------------------------------------------------------------ expression grammar


def test_alternation_ok(nsx: httpx.Client) -> None:
    """ref §4.1: Condition, Conjunction, Condition (odd length, conjunction at odd index)."""
    obj = _accepted(nsx, joined([tag_condition("a|1"), tag_condition("b|2")], "OR"))
    assert [e["resource_type"] for e in obj["expression"]] == [
        "Condition",
        "ConjunctionOperator",
        "Condition",
    ]
    assert obj["expression"][1]["conjunction_operator"] == "OR"


def test_even_length_expression_rejected(nsx: httpx.Client) -> None:
    """ref §4.1 / §12.3: a non-empty expression list has odd length."""
    _refused(nsx, [tag_condition("a|1"), conj("OR")])


def test_conjunction_at_even_index_rejected(nsx: httpx.Client) -> None:
    """ref §4.1: ConjunctionOperator objects sit at odd indices only."""
    _refused(nsx, [conj("OR"), tag_condition("a|1"), conj("OR")])


def test_two_conditions_without_conjunction_rejected(nsx: httpx.Client) -> None:
    """ref §4.1: non-conjunction expressions sit at even indices only."""
    _refused(nsx, [tag_condition("a|1"), tag_condition("b|2"), tag_condition("c|3")])


def test_conjunction_value_validated(nsx: httpx.Client) -> None:
    """ref §4.2: conjunction_operator is OR or AND."""
    _refused(nsx, [tag_condition("a|1"), conj("XOR"), tag_condition("b|2")])


def test_five_conditions_allowed(nsx: httpx.Client) -> None:
    """ref §4.1: at most 5 Condition/NestedExpression entries: 5 is fine."""
    conds = [tag_condition(f"s|{i}") for i in range(5)]
    obj = _accepted(nsx, joined(conds, "OR"))
    assert len(obj["expression"]) == 9


def test_six_conditions_rejected(nsx: httpx.Client) -> None:
    """ref §4.1 / §12.3: more than 5 Condition/NestedExpression entries -> 400."""
    conds = [tag_condition(f"s|{i}") for i in range(6)]
    _refused(nsx, joined(conds, "OR"))


def test_nested_expressions_count_toward_five(nsx: httpx.Client) -> None:
    """ref §4.1: NestedExpression entries count with Conditions toward the 5."""
    items = [tag_condition(f"s|{i}") for i in range(3)]
    items += [nested(tag_condition("n|1"), tag_condition("n|2")) for _ in range(3)]
    _refused(nsx, joined(items, "OR"))


def test_nested_expression_roundtrip(nsx: httpx.Client) -> None:
    """ref §4.2: NestedExpression {expressions: [...]} with AND between its conditions."""
    obj = _accepted(nsx, [nested(tag_condition("a|1"), tag_condition("b|2"))])
    inner = obj["expression"][0]
    assert inner["resource_type"] == "NestedExpression"
    assert [e["resource_type"] for e in inner["expressions"]] == [
        "Condition",
        "ConjunctionOperator",
        "Condition",
    ]


def test_nested_expression_even_length_rejected(nsx: httpx.Client) -> None:
    """ref §4.1: the alternation rule holds inside a NestedExpression too."""
    bad = {"resource_type": "NestedExpression", "expressions": [tag_condition("a|1"), conj("AND")]}
    _refused(nsx, [bad])


def test_nested_expression_or_inside_rejected(nsx: httpx.Client) -> None:
    """ref §4.2 / §12.3: inside a nested criterion conditions are joined by AND."""
    bad = {
        "resource_type": "NestedExpression",
        "expressions": [tag_condition("a|1"), conj("OR"), tag_condition("b|2")],
    }
    _refused(nsx, [bad])


def test_unknown_expression_resource_type_rejected(nsx: httpx.Client) -> None:
    """ref §4.1: expression resource_type is one of the documented values."""
    _refused(nsx, [{"resource_type": "MagicExpression", "value": "x"}])


# ------------------------------------------------------------------ IP / path expressions


def test_ip_expression_formats(nsx: httpx.Client) -> None:
    """ref §4.2: single IP, range a-b and CIDR are allowed in IPAddressExpression."""
    ips = ["10.0.0.1", "10.0.1.10-10.0.1.20", "10.0.2.0/24"]
    obj = _accepted(nsx, [ip_expression(*ips)])
    assert obj["expression"][0]["ip_addresses"] == ips


def test_ipv6_expression_ok(nsx: httpx.Client) -> None:
    """ref §4.2: IPv6 addresses are allowed (on their own)."""
    _accepted(nsx, [ip_expression("2001:db8::1", "2001:db8:1::/64")])


def test_mixed_ipv4_ipv6_in_one_expression_rejected(nsx: httpx.Client) -> None:
    """ref §4.2: do not mix IPv4 and IPv6 in one IPAddressExpression -> 400."""
    _refused(nsx, [ip_expression("10.0.0.1", "2001:db8::1")])


def test_v4_and_v6_in_separate_expressions_ok(nsx: httpx.Client) -> None:
    """ref §4.2: the no-mixing rule is per expression; v4 OR v6 expressions are fine."""
    _accepted(nsx, joined([ip_expression("10.0.0.1"), ip_expression("2001:db8::1")], "OR"))


def test_invalid_ip_rejected(nsx: httpx.Client) -> None:
    """ref §4.2: ip_addresses are IPs, ranges or CIDRs; garbage -> 400."""
    _refused(nsx, [ip_expression("10.0.0.300")])


def test_path_expression_to_existing_group(nsx: httpx.Client) -> None:
    """ref §4.2: PathExpression lists policy paths of groups."""
    member = _accepted(nsx, [tag_condition("m|1")])
    obj = _accepted(nsx, [path_expression(member["path"])])
    assert obj["expression"][0]["paths"] == [member["path"]]


def test_path_expression_to_missing_group_rejected(nsx: httpx.Client) -> None:
    """ref §4.2 / §3.2: a PathExpression to a group that does not exist -> 400."""
    _refused(nsx, [path_expression(group_path(uid("nosuch")))])


def test_path_expression_to_service_rejected(nsx: httpx.Client) -> None:
    """ref §4.2: only groups, segments and segment ports are allowed in PathExpression."""
    sid = uid("svc")
    ok(patch(nsx, service_path(sid), l4_service_body(sid)))
    _refused(nsx, [path_expression(service_path(sid))])


def test_external_id_expression(nsx: httpx.Client) -> None:
    """ref §4.2: ExternalIDExpression has member_type and external_ids."""
    expr = {
        "resource_type": "ExternalIDExpression",
        "member_type": "VirtualMachine",
        "external_ids": ["5011aa22-0000-0000-0000-000000000001"],
    }
    obj = _accepted(nsx, [expr])
    assert obj["expression"][0]["external_ids"] == expr["external_ids"]


# ------------------------------------------------------------------ Kubernetes member types (ref §4.4, §6.5)


def _k8s(member_type: str, key: str = "Tag", value: str = "app|web", op: str = "EQUALS") -> JSON:
    return condition(member_type, key, op, value)


def test_k8s_cluster_with_egress_ok(nsx: httpx.Client) -> None:
    """ref §6.5: KubernetesCluster (Name) scoping a cluster-scoped resource condition."""
    crit = nested(_k8s("KubernetesCluster", "Name", "c1"), _k8s("AntreaEgress", "Name", "eg1"))
    _accepted(nsx, [crit])


def test_k8s_single_egress_tag_ok(nsx: httpx.Client) -> None:
    """ref §6.5: AntreaEgress with Tag/EQUALS is a valid criterion."""
    _accepted(nsx, [_k8s("AntreaEgress")])


def test_k8s_cluster_alone_rejected(nsx: httpx.Client) -> None:
    """ref §6.5: a KubernetesCluster condition cannot stand alone."""
    _refused(nsx, [_k8s("KubernetesCluster", "Name", "c1")])


def test_k8s_namespace_alone_rejected(nsx: httpx.Client) -> None:
    """ref §6.5: a KubernetesNamespace condition cannot stand alone."""
    _refused(nsx, [_k8s("KubernetesNamespace", "Name", "ns1")])


def test_k8s_two_cluster_conditions_in_criterion_rejected(nsx: httpx.Client) -> None:
    """ref §6.5: at most one KubernetesCluster condition per criterion."""
    crit = nested(
        _k8s("KubernetesCluster", "Name", "c1"),
        _k8s("KubernetesCluster", "Name", "c2"),
        _k8s("AntreaEgress", "Name", "eg1"),
    )
    _refused(nsx, [crit])


def test_k8s_node_only_matches_star(nsx: httpx.Client) -> None:
    """ref §6.5: via the API, KubernetesNode allows only operator MATCHES with value '*'."""
    _accepted(nsx, [_k8s("KubernetesNode", "IPAddress", "*", "MATCHES")])
    _refused(nsx, [_k8s("KubernetesNode", "IPAddress", "10.0.0.1", "EQUALS")])


def test_k8s_mixed_resource_member_types_in_criterion_rejected(nsx: httpx.Client) -> None:
    """ref §6.5: all resource conditions within one criterion share a member type."""
    crit = nested(_k8s("AntreaEgress", "Name", "eg1"), _k8s("AntreaIPPool", "Name", "pool1"))
    _refused(nsx, [crit])


def test_k8s_namespace_with_cluster_scoped_resource_rejected(nsx: httpx.Client) -> None:
    """ref §6.5: KubernetesNamespace cannot be mixed with cluster-scoped resource conditions."""
    crit = nested(_k8s("KubernetesNamespace", "Name", "ns1"), _k8s("AntreaEgress", "Name", "eg1"))
    _refused(nsx, [crit])


def test_k8s_six_criteria_rejected(nsx: httpx.Client) -> None:
    """ref §4.4: at most 5 criteria per group."""
    crits = [_k8s("AntreaEgress", "Name", f"eg{i}") for i in range(6)]
    _refused(nsx, joined(crits, "OR"))


def test_k8s_and_between_multi_condition_criteria_rejected(nsx: httpx.Client) -> None:
    """ref §4.4 / §12.3: AND between criteria only when both are single-condition and of
    the same member type; multi-condition criteria must be ORed."""
    a = nested(_k8s("KubernetesCluster", "Name", "c1"), _k8s("AntreaEgress", "Name", "eg1"))
    b = nested(_k8s("KubernetesCluster", "Name", "c2"), _k8s("AntreaEgress", "Name", "eg2"))
    _refused(nsx, joined([a, b], "AND"))
    _accepted(nsx, joined([a, b], "OR"))


def test_k8s_and_between_different_member_types_rejected(nsx: httpx.Client) -> None:
    """ref §4.4: AND between single-condition criteria needs the same member type."""
    _refused(nsx, joined([_k8s("AntreaEgress"), _k8s("AntreaIPPool")], "AND"))
    _accepted(nsx, joined([_k8s("AntreaEgress", value="a|1"), _k8s("AntreaEgress", value="b|2")], "AND"))


def test_k8s_cluster_in_at_most_five_values(nsx: httpx.Client) -> None:
    """ref §6.5: several clusters via IN with at most 5 comma-separated values."""
    five = ",".join(f"c{i}" for i in range(5))
    six = ",".join(f"c{i}" for i in range(6))
    egress = _k8s("AntreaEgress", "Name", "eg1")
    _accepted(nsx, [nested(_k8s("KubernetesCluster", "Name", five, "IN"), egress)])
    _refused(nsx, [nested(_k8s("KubernetesCluster", "Name", six, "IN"), egress)])


# ------------------------------------------------------------------ Antrea groups (ref §6.2)


def test_antrea_group_pod_tag_ok(nsx: httpx.Client) -> None:
    """ref §6.2: ANTREA groups take Pod Tag conditions (scope|tag), group_type ['ANTREA']."""
    obj = _accepted(nsx, [_k8s("Pod", "Tag", "Finance|RevenueApp")], group_type=["ANTREA"])
    assert obj["group_type"] == ["ANTREA"]


def test_antrea_group_rejects_vm_member_type(nsx: httpx.Client) -> None:
    """ref §6.2: ANTREA group criteria allow only Namespace, Service, Pod member types."""
    _refused(nsx, [tag_condition("s|t", "VirtualMachine")], group_type=["ANTREA"])


def test_antrea_group_rejects_contains_on_pod(nsx: httpx.Client) -> None:
    """ref §6.2: Contains/StartsWith/EndsWith are not supported for Namespace or Pod."""
    _refused(nsx, [_k8s("Pod", "Tag", "app|web", "CONTAINS")], group_type=["ANTREA"])


def test_antrea_group_service_needs_namespace_name(nsx: httpx.Client) -> None:
    """ref §6.2: a Service Name condition must be combined with a Namespace Name condition."""
    svc = _k8s("Service", "Name", "frontend")
    _refused(nsx, [svc], group_type=["ANTREA"])
    _accepted(nsx, [nested(_k8s("Namespace", "Name", "shop"), svc)], group_type=["ANTREA"])


# ------------------------------------------------------------------ more documented limits


def test_display_name_max_255(nsx: httpx.Client) -> None:
    """ref §2.2: display_name max 255 chars."""
    _accepted(nsx, [tag_condition("s|t")], display_name="d" * 255)
    _refused(nsx, [tag_condition("s|t")], display_name="d" * 256)


def test_description_max_1024(nsx: httpx.Client) -> None:
    """ref §2.2: description max 1024 chars."""
    _accepted(nsx, [tag_condition("s|t")], description="d" * 1024)
    _refused(nsx, [tag_condition("s|t")], description="d" * 1025)


def test_object_tags_roundtrip_and_limits(nsx: httpx.Client) -> None:
    """ref §2.2: tags are [{scope, tag}]; scope max 128 chars, tag max 256 chars."""
    tags = [{"scope": "s" * 128, "tag": "t" * 256}, {"scope": "env", "tag": "prod"}]
    obj = _accepted(nsx, [tag_condition("s|t")], tags=tags)
    assert sorted((t["scope"], t["tag"]) for t in obj["tags"]) == sorted((t["scope"], t["tag"]) for t in tags)
    _refused(nsx, [tag_condition("s|t")], tags=[{"scope": "s" * 129, "tag": "x"}])
    _refused(nsx, [tag_condition("s|t")], tags=[{"scope": "s", "tag": "t" * 257}])


def test_identity_group_extended_expression(nsx: httpx.Client) -> None:
    """ref §4.2: extended_expression holds a single IdentityGroupExpression (no
    conjunctions, no nesting); two entries joined by a conjunction -> 400."""
    idg = {
        "resource_type": "IdentityGroupExpression",
        "identity_groups": [
            {
                "distinguished_name": "CN=Admins,DC=corp,DC=example",
                "domain_base_distinguished_name": "DC=corp,DC=example",
                "sid": "S-1-5-21-1-2-3-512",
            }
        ],
    }
    obj = _accepted(nsx, [tag_condition("s|t")], extended_expression=[idg])
    assert obj["extended_expression"][0]["resource_type"] == "IdentityGroupExpression"
    _refused(nsx, [tag_condition("s|t")], extended_expression=[idg, conj("AND"), idg])


def test_identity_group_expression_not_in_expression(nsx: httpx.Client) -> None:
    """ref §4.2: IdentityGroupExpression goes only in extended_expression."""
    idg = {
        "resource_type": "IdentityGroupExpression",
        "identity_groups": [
            {"distinguished_name": "CN=x", "domain_base_distinguished_name": "DC=x", "sid": "S-1-5-21-9"}
        ],
    }
    _refused(nsx, [idg])


def test_k8s_namespace_with_namespace_scoped_resource_ok(nsx: httpx.Client) -> None:
    """ref §6.5: KubernetesNamespace scopes namespace-scoped resources (Service, Ingress,
    Gateway), optionally under a KubernetesCluster condition."""
    crit = nested(
        _k8s("KubernetesCluster", "Name", "c1"),
        _k8s("KubernetesNamespace", "Name", "shop"),
        _k8s("KubernetesService", "Name", "frontend"),
    )
    _accepted(nsx, [crit])


def test_group_list_member_types_filter(nsx: httpx.Client) -> None:
    """ref §1.1: the group list takes member_types and returns groups whose member types
    are a subset of it."""
    ip_obj = _accepted(nsx, [ip_expression("10.50.0.1")])
    vm_obj = _accepted(nsx, [tag_condition("s|t")])
    listing = get_json(nsx, "/infra/domains/default/groups", member_types="IPAddress", page_size=1000)
    ids = {g["id"] for g in listing["results"]}
    assert ip_obj["id"] in ids
    assert vm_obj["id"] not in ids


def test_operator_required_except_segment_tags(nsx: httpx.Client) -> None:
    """ref §4.2: Condition operator is optional only for Segment/SegmentPort tag expressions."""
    no_op = {"resource_type": "Condition", "member_type": "VirtualMachine", "key": "Tag", "value": "s|t"}
    _refused(nsx, [no_op])
    _accepted(nsx, [{**no_op, "member_type": "Segment"}])
