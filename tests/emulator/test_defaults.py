"""Built-in objects: default DFW sections/rules and predefined services (ref §5.3, §12.6).

Runs on a private emulator: these tests edit the default rule.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ._nsx import (
    DOMAIN,
    delete,
    get,
    get_json,
    ok,
    patch,
    rule_body,
    uid,
)

pytestmark = pytest.mark.conformance("defaults")

L3 = f"{DOMAIN}/security-policies/default-layer3-section"
L3_RULE = f"{L3}/rules/default-layer3-rule"
L2 = f"{DOMAIN}/security-policies/default-layer2-section"
L2_RULE = f"{L2}/rules/default-layer2-rule"


@pytest.fixture
def restore_default_rule(own: httpx.Client) -> Iterator[None]:
    """Put the default rule back to its shipped state (ALLOW, not logged) after a test,
    so test order across xdist workers never matters."""
    yield
    rule = get_json(own, L3_RULE)
    rule.update(action="ALLOW", logged=False)
    ok(patch(own, L3_RULE, rule))


def test_default_domain_exists(own: httpx.Client) -> None:
    """ref §1.1: the normal domain is 'default'."""
    dom = get_json(own, DOMAIN)
    assert dom["id"] == "default"
    assert dom["resource_type"] == "Domain"


def test_default_layer3_section(own: httpx.Client) -> None:
    """ref §5.3 / §12.6: default-layer3-section is category Application, is_default true."""
    sec = get_json(own, L3)
    assert sec["category"] == "Application"
    assert sec["is_default"] is True
    assert sec["path"] == L3


def test_default_layer3_rule(own: httpx.Client) -> None:
    """ref §5.3 / §12.6: default-layer3-rule: sequence_number 2147483647, rule_id 2,
    action ALLOW, is_default true, _create_user 'system', everything ['ANY']."""
    rule = get_json(own, L3_RULE)
    assert rule["sequence_number"] == 2147483647
    assert rule["rule_id"] == 2
    assert rule["action"] == "ALLOW"
    assert rule["is_default"] is True
    assert rule["_create_user"] == "system"
    for field in ("source_groups", "destination_groups", "services", "profiles", "scope"):
        assert rule[field] == ["ANY"], field


def test_default_layer3_rule_inline_in_section(own: httpx.Client) -> None:
    """ref §1.3 / §5.3: the default rules come back inline in the section's rules."""
    ids = {r["id"] for r in get_json(own, L3)["rules"]}
    assert {"default-layer3-rule", "default_rule_NDP", "default_rule_DHCP"} <= ids


@pytest.mark.parametrize(
    ("rid", "rule_id", "seq"),
    [("default_rule_NDP", 3, 25000), ("default_rule_DHCP", 4, 50000)],
)
def test_ndp_and_dhcp_default_rules(own: httpx.Client, rid: str, rule_id: int, seq: int) -> None:
    """ref §5.3 / §12.6: default_rule_NDP (rule_id 3, seq 25000) and default_rule_DHCP
    (rule_id 4, seq 50000), both ALLOW."""
    rule = get_json(own, f"{L3}/rules/{rid}")
    assert rule["rule_id"] == rule_id
    assert rule["sequence_number"] == seq
    assert rule["action"] == "ALLOW"


def test_default_layer2_section_and_rule(own: httpx.Client) -> None:
    """ref §5.3 / §12.6: default-layer2-section with default-layer2-rule exists."""
    sec = get_json(own, L2)
    assert sec["id"] == "default-layer2-section"
    assert get_json(own, L2_RULE)["id"] == "default-layer2-rule"


@pytest.mark.usefixtures("restore_default_rule")
def test_default_rule_action_modifiable(own: httpx.Client) -> None:
    """ref §5.3 / §2.1: the default rule is edited (action DROP); _revision goes 0 -> 1."""
    before = get_json(own, L3_RULE)
    body = {**rule_body("default-layer3-rule", action="DROP"), "sequence_number": 2147483647}
    ok(patch(own, L3_RULE, body))
    after = get_json(own, L3_RULE)
    assert after["action"] == "DROP"
    assert after["_revision"] == before["_revision"] + 1
    assert after["rule_id"] == 2
    assert after["is_default"] is True


@pytest.mark.usefixtures("restore_default_rule")
def test_default_rule_editable_via_hapi(own: httpx.Client) -> None:
    """ref §7: predefined policies are changed via H-API with the default rule as ChildRule."""
    rule = get_json(own, L3_RULE)
    rule.update(action="REJECT", logged=True)
    tree = {
        "resource_type": "Infra",
        "children": [
            {
                "resource_type": "ChildResourceReference",
                "id": "default",
                "target_type": "Domain",
                "children": [
                    {
                        "resource_type": "ChildSecurityPolicy",
                        "SecurityPolicy": {
                            "resource_type": "SecurityPolicy",
                            "id": "default-layer3-section",
                            "category": "Application",
                            "children": [{"resource_type": "ChildRule", "Rule": rule}],
                        },
                    }
                ],
            }
        ],
    }
    ok(own.patch("/policy/api/v1/infra", json=tree))
    got = get_json(own, L3_RULE)
    assert (got["action"], got["logged"]) == ("REJECT", True)
    assert get_json(own, L3)["is_default"] is True


def test_default_section_not_deletable(own: httpx.Client) -> None:
    """ref §12.6 [INF]: default sections are meant to be edited, not deleted."""
    resp = delete(own, L3)
    assert 400 <= resp.status_code < 500, resp.text
    assert get(own, L3).status_code == 200
    assert get(own, L3_RULE).status_code == 200


def test_default_rule_not_deletable(own: httpx.Client) -> None:
    """ref §12.6 [INF]: the default layer-3 rule cannot be deleted."""
    resp = delete(own, L3_RULE)
    assert 400 <= resp.status_code < 500, resp.text
    assert get(own, L3_RULE).status_code == 200


def test_user_rule_added_to_default_section(own: httpx.Client) -> None:
    """ref §5.3: non-default rules can be added to the default section (Terraform
    deletes them to revert); the default rule keeps the last position."""
    rid = uid("r")
    ok(patch(own, f"{L3}/rules/{rid}", rule_body(rid, sequence_number=100)))
    rules = get_json(own, L3)["rules"]
    last = max(rules, key=lambda r: r["sequence_number"])
    assert last["id"] == "default-layer3-rule"
    ok(delete(own, f"{L3}/rules/{rid}"), 200)


@pytest.mark.parametrize("sid", ["HTTP", "CIM-HTTP"])
def test_predefined_services_exist_and_are_system_owned(own: httpx.Client, sid: str) -> None:
    """ref §5.2 / §5.5 / §12.6: built-in services have ids equal to their names
    (/infra/services/HTTP, CIM-HTTP as in the Ansible example) and are _system_owned."""
    svc = get_json(own, f"/infra/services/{sid}")
    assert svc["resource_type"] == "Service"
    assert svc["_system_owned"] is True
    assert svc["service_entries"], "predefined service without entries"
