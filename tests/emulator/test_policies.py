"""Security policies and rules: categories, inline rules, ANY, action/category
constraints, defaults, full-replace PUT, cascade delete (ref §5.1, §5.2, §1.1, §1.3)."""

from __future__ import annotations

import httpx
import pytest

from ._nsx import (
    JSON,
    assert_absent,
    assert_rejected,
    delete,
    get_json,
    make_group,
    ok,
    patch,
    policy_body,
    policy_path,
    put,
    rule_body,
    rule_path,
    uid,
)

pytestmark = pytest.mark.conformance("policies")

CATEGORIES = ["Ethernet", "Emergency", "Infrastructure", "Environment", "Application"]


def _create(
    nsx: httpx.Client, category: str = "Application", rules: list[JSON] | None = None, **extra: object
) -> tuple[str, str]:
    pid = uid("p")
    path = policy_path(pid)
    ok(patch(nsx, path, policy_body(pid, category, rules if rules is not None else [], **extra)))
    return pid, path


def _refused(nsx: httpx.Client, category: str, rules: list[JSON], **extra: object) -> None:
    pid = uid("p")
    resp = patch(nsx, policy_path(pid), policy_body(pid, category, rules, **extra))
    assert_rejected(resp, 400)
    assert_absent(nsx, policy_path(pid))


@pytest.mark.parametrize("category", CATEGORIES)
def test_dfw_categories_accepted(nsx: httpx.Client, category: str) -> None:
    """ref §5.1: DFW categories Ethernet, Emergency, Infrastructure, Environment, Application."""
    _, path = _create(nsx, category)
    obj = get_json(nsx, path)
    assert obj["category"] == category
    assert obj["resource_type"] == "SecurityPolicy"


def test_rules_returned_inline_on_get(nsx: httpx.Client) -> None:
    """ref §1.3: GET of a security policy returns its rules inline in 'rules'."""
    r1, r2 = uid("r"), uid("r")
    pid, path = _create(nsx, rules=[rule_body(r1, sequence_number=10), rule_body(r2, sequence_number=20)])
    obj = get_json(nsx, path)
    assert {r["id"] for r in obj["rules"]} == {r1, r2}
    for r in obj["rules"]:
        assert r["resource_type"] == "Rule"
        assert r["path"] == rule_path(pid, r["id"])


def test_rule_at_its_own_path(nsx: httpx.Client) -> None:
    """ref §1.1: a rule is addressable at .../security-policies/{p}/rules/{r}."""
    rid = uid("r")
    pid, _ = _create(nsx, rules=[rule_body(rid, action="DROP")])
    rule = get_json(nsx, rule_path(pid, rid))
    assert rule["id"] == rid
    assert rule["action"] == "DROP"


def test_rule_list_endpoint(nsx: httpx.Client) -> None:
    """ref §1.1: GET .../rules lists the policy's rules."""
    rid = uid("r")
    _pid, path = _create(nsx, rules=[rule_body(rid)])
    listing = get_json(nsx, f"{path}/rules")
    assert [r["id"] for r in listing["results"]] == [rid]


def test_patch_rule_on_own_path_adds_to_policy(nsx: httpx.Client) -> None:
    """ref §1.1 / §1.3: PATCH of a rule at its own path creates it inside the policy."""
    pid, path = _create(nsx)
    rid = uid("r")
    ok(patch(nsx, rule_path(pid, rid), rule_body(rid)))
    assert rid in {r["id"] for r in get_json(nsx, path)["rules"]}


def test_any_returned_as_list(nsx: httpx.Client) -> None:
    """ref §5.2 / §12.5: 'any' is the literal list ['ANY'] and NSX sends it back in GETs."""
    rid = uid("r")
    pid, _ = _create(nsx, rules=[rule_body(rid, profiles=["ANY"])])
    rule = get_json(nsx, rule_path(pid, rid))
    for field in ("source_groups", "destination_groups", "services", "scope", "profiles"):
        assert rule[field] == ["ANY"], (field, rule[field])


def test_any_is_case_insensitive(nsx: httpx.Client) -> None:
    """ref §5.2: 'ANY' is case-insensitive ('any' accepted)."""
    rid = uid("r")
    pid, _ = _create(nsx, rules=[rule_body(rid, sources=["any"], services=["Any"])])
    rule = get_json(nsx, rule_path(pid, rid))
    assert [s.upper() for s in rule["source_groups"]] == ["ANY"]


@pytest.mark.parametrize("field", ["source_groups", "destination_groups", "services", "scope"])
def test_any_mixed_with_path_rejected(nsx: httpx.Client, field: str) -> None:
    """ref §5.2 / §12.5: ANY must be the only element; ANY plus a path -> 400."""
    gpath = make_group(nsx)
    mixed = ["ANY", gpath] if field != "services" else ["ANY", "/infra/services/HTTP"]
    _refused(nsx, "Application", [rule_body(uid("r"), **{field: mixed})])  # type: ignore[arg-type]


def test_rule_with_group_paths(nsx: httpx.Client) -> None:
    """ref §5.2: source/destination groups are lists of group paths."""
    src, dst = make_group(nsx), make_group(nsx)
    rid = uid("r")
    pid, _ = _create(nsx, rules=[rule_body(rid, sources=[src], destinations=[dst])])
    rule = get_json(nsx, rule_path(pid, rid))
    assert rule["source_groups"] == [src]
    assert rule["destination_groups"] == [dst]


def test_rule_with_ip_sources(nsx: httpx.Client) -> None:
    """ref §5.2: sources/destinations may hold IPs, CIDRs or ranges (NSX-T 3.0+)."""
    rid = uid("r")
    ips = ["10.0.0.1", "10.1.0.0/16", "10.2.0.1-10.2.0.9"]
    pid, _ = _create(nsx, rules=[rule_body(rid, sources=ips)])
    assert get_json(nsx, rule_path(pid, rid))["source_groups"] == ips


def test_more_than_128_sources_rejected(nsx: httpx.Client) -> None:
    """ref §5.2: source_groups max 128 items."""
    ips = [f"10.9.{i // 200}.{i % 200 + 1}" for i in range(129)]
    _refused(nsx, "Application", [rule_body(uid("r"), sources=ips)])


def test_jump_to_application_only_in_environment(nsx: httpx.Client) -> None:
    """ref §5.2 / §12.5: JUMP_TO_APPLICATION is valid only in the Environment category."""
    _create(nsx, "Environment", rules=[rule_body(uid("r"), action="JUMP_TO_APPLICATION")])
    for category in ("Application", "Emergency", "Infrastructure"):
        _refused(nsx, category, [rule_body(uid("r"), action="JUMP_TO_APPLICATION")])


@pytest.mark.parametrize("action", ["ALLOW", "DROP", "REJECT"])
def test_actions_accepted(nsx: httpx.Client, action: str) -> None:
    """ref §5.2: ALLOW, DROP, REJECT are rule actions."""
    rid = uid("r")
    pid, _ = _create(nsx, rules=[rule_body(rid, action=action)])
    assert get_json(nsx, rule_path(pid, rid))["action"] == action


def test_unknown_action_rejected(nsx: httpx.Client) -> None:
    """ref §5.2: action takes only the documented values."""
    _refused(nsx, "Application", [rule_body(uid("r"), action="PERMIT")])


def test_unknown_category_rejected(nsx: httpx.Client) -> None:
    """ref §5.1: category values are enumerated."""
    _refused(nsx, "Applications", [])


def test_l3_rule_server_defaults(nsx: httpx.Client) -> None:
    """ref §5.2: server defaults: ip_protocol IPV4_IPV6 (L3), direction IN_OUT,
    logged/disabled false, sources_excluded false; rule_id assigned (positive int)."""
    rid = uid("r")
    pid, _ = _create(nsx, rules=[rule_body(rid)])
    rule = get_json(nsx, rule_path(pid, rid))
    assert rule["ip_protocol"] == "IPV4_IPV6"
    assert rule["direction"] == "IN_OUT"
    assert rule["logged"] is False
    assert rule["disabled"] is False
    assert rule.get("sources_excluded", False) is False
    assert type(rule["rule_id"]) is int
    assert rule["rule_id"] > 0


def test_rule_ids_unique(nsx: httpx.Client) -> None:
    """ref §5.2: rule_id is a system-assigned positive int, one per rule."""
    _pid, path = _create(nsx, rules=[rule_body(uid("r"), sequence_number=i) for i in range(3)])
    ids = [r["rule_id"] for r in get_json(nsx, path)["rules"]]
    assert len(set(ids)) == 3
    assert all(i > 4 for i in ids), ids  # 2, 3, 4 belong to the default rules (ref §5.3)


def test_ethernet_rule_ip_protocol_must_be_null(nsx: httpx.Client) -> None:
    """ref §5.2 / §12.5: ip_protocol must be null for Ethernet (L2) rules."""
    rid = uid("r")
    pid, _ = _create(nsx, "Ethernet", rules=[rule_body(rid)], stateful=False)
    assert get_json(nsx, rule_path(pid, rid)).get("ip_protocol") is None
    _refused(nsx, "Ethernet", [rule_body(uid("r"), ip_protocol="IPV4")], stateful=False)


def test_ethernet_policy_must_be_stateless(nsx: httpx.Client) -> None:
    """ref §5.1: layer-2 (Ethernet) policies must be stateless."""
    _refused(nsx, "Ethernet", [], stateful=True)


def test_l3_policy_stateful_by_default(nsx: httpx.Client) -> None:
    """ref §5.1: layer-3 policies default to stateful true."""
    _, path = _create(nsx)
    assert get_json(nsx, path)["stateful"] is True


def test_put_replaces_all_rules(nsx: httpx.Client) -> None:
    """ref §1.3: PUT of a policy with embedded rules is a full replace of the rules."""
    keep, drop = uid("r"), uid("r")
    pid, path = _create(nsx, rules=[rule_body(keep), rule_body(drop)])
    current = get_json(nsx, path)
    body = policy_body(pid, rules=[rule_body(keep)], _revision=current["_revision"])
    ok(put(nsx, path, body))
    assert [r["id"] for r in get_json(nsx, path)["rules"]] == [keep]
    assert_absent(nsx, rule_path(pid, drop))


def test_put_returns_policy(nsx: httpx.Client) -> None:
    """ref §1.3: PUT returns the object."""
    pid = uid("p")
    resp = ok(put(nsx, policy_path(pid), policy_body(pid, rules=[rule_body(uid("r"))])))
    body = resp.json()
    assert body["id"] == pid
    assert body["resource_type"] == "SecurityPolicy"


def test_delete_policy_removes_rules(nsx: httpx.Client) -> None:
    """ref §1.1: DELETE of a security policy also removes all of its rules."""
    rid = uid("r")
    pid, path = _create(nsx, rules=[rule_body(rid)])
    ok(delete(nsx, path), 200)
    assert_absent(nsx, path)
    assert_absent(nsx, rule_path(pid, rid))


def test_delete_single_rule(nsx: httpx.Client) -> None:
    """ref §1.1: DELETE of one rule leaves the policy and its other rules."""
    a, b = uid("r"), uid("r")
    pid, path = _create(nsx, rules=[rule_body(a), rule_body(b)])
    ok(delete(nsx, rule_path(pid, a)), 200)
    assert [r["id"] for r in get_json(nsx, path)["rules"]] == [b]


def test_list_with_include_rule_count(nsx: httpx.Client) -> None:
    """ref §1.1 / §5.1: the policy list takes include_rule_count -> rule_count."""
    pid, _ = _create(nsx, rules=[rule_body(uid("r")), rule_body(uid("r"))])
    listing = get_json(nsx, "/infra/domains/default/security-policies", include_rule_count="true")
    mine = [p for p in listing["results"] if p["id"] == pid]
    assert mine
    assert mine[0]["rule_count"] == 2


def test_policy_scope_paths(nsx: httpx.Client) -> None:
    """ref §5.1: policy scope is a list of group paths."""
    gpath = make_group(nsx)
    _, path = _create(nsx, scope=[gpath])
    assert get_json(nsx, path)["scope"] == [gpath]


def test_rule_direction_and_logging_roundtrip(nsx: httpx.Client) -> None:
    """ref §5.2: direction IN/OUT/IN_OUT, logged, tag (log label), notes round-trip."""
    rid = uid("r")
    body = rule_body(rid, direction="IN", logged=True, tag="lbl", notes="n", ip_protocol="IPV4")
    pid, _ = _create(nsx, rules=[body])
    rule = get_json(nsx, rule_path(pid, rid))
    assert (rule["direction"], rule["logged"], rule["tag"], rule["notes"], rule["ip_protocol"]) == (
        "IN",
        True,
        "lbl",
        "n",
        "IPV4",
    )


def test_invalid_direction_rejected(nsx: httpx.Client) -> None:
    """ref §5.2: direction is IN, OUT or IN_OUT."""
    _refused(nsx, "Application", [rule_body(uid("r"), direction="SIDEWAYS")])


def test_tcp_strict_needs_stateful(nsx: httpx.Client) -> None:
    """ref §5.1: tcp_strict is only valid with stateful."""
    _create(nsx, stateful=True, tcp_strict=True)
    _refused(nsx, "Application", [], stateful=False, tcp_strict=True)


def test_connectivity_strategy_needs_group_scope(nsx: httpx.Client) -> None:
    """ref §5.1: a connectivity_strategy other than NONE needs a group scope and is L3 only."""
    gpath = make_group(nsx)
    _create(nsx, connectivity_strategy="WHITELIST", scope=[gpath])
    _refused(nsx, "Application", [], connectivity_strategy="WHITELIST")
    _refused(nsx, "Ethernet", [], connectivity_strategy="BLACKLIST", scope=[gpath], stateful=False)


def test_connectivity_strategy_value_validated(nsx: httpx.Client) -> None:
    """ref §5.1: connectivity_strategy takes the documented values only."""
    gpath = make_group(nsx)
    _refused(nsx, "Application", [], connectivity_strategy="ALLOW_ALL", scope=[gpath])


def test_ip_protocol_value_validated(nsx: httpx.Client) -> None:
    """ref §5.2: ip_protocol is IPV4, IPV6 or IPV4_IPV6."""
    _refused(nsx, "Application", [rule_body(uid("r"), ip_protocol="IPX")])


def test_reject_not_for_layer2(nsx: httpx.Client) -> None:
    """ref §5.2: REJECT does not apply to L2 (Ethernet) rules."""
    _refused(nsx, "Ethernet", [rule_body(uid("r"), action="REJECT")], stateful=False)


def test_rule_patch_full_object_from_get(nsx: httpx.Client) -> None:
    """ref §1.3: a rule GET -> edit -> PATCH round-trip (system fields included) works."""
    rid = uid("r")
    pid, _ = _create(nsx, rules=[rule_body(rid)])
    rule = get_json(nsx, rule_path(pid, rid))
    rule["action"] = "DROP"
    ok(patch(nsx, rule_path(pid, rid), rule))
    after = get_json(nsx, rule_path(pid, rid))
    assert after["action"] == "DROP"
    assert after["rule_id"] == rule["rule_id"]


def test_rule_inline_service_entries(nsx: httpx.Client) -> None:
    """ref §5.2: service_entries on a rule are inline raw entries (same objects as a
    Service's entries)."""
    rid = uid("r")
    entry = {
        "resource_type": "L4PortSetServiceEntry",
        "id": "tcp-9443",
        "display_name": "tcp-9443",
        "l4_protocol": "TCP",
        "destination_ports": ["9443"],
    }
    pid, _ = _create(nsx, rules=[rule_body(rid, service_entries=[entry])])
    got = get_json(nsx, rule_path(pid, rid))["service_entries"]
    assert [(e["resource_type"], e["destination_ports"]) for e in got] == [("L4PortSetServiceEntry", ["9443"])]
