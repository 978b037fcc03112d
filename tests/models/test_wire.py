"""Read tolerantly, write exactly (ref §2.2, §12.2)."""

from __future__ import annotations

from typing import Any

from tests.models._build import GROUP, cond, group, policy, rule
from zerotrust.models import (
    SERVER_FIELDS,
    Condition,
    Group,
    IPAddressExpression,
    L4PortSetServiceEntry,
    OtherExpression,
    OtherServiceEntry,
    SecurityPolicy,
    Service,
)

SYSTEM: dict[str, Any] = {
    "_revision": 4,
    "_create_time": 1688751880285,
    "_create_user": "admin",
    "_last_modified_time": 1688751880999,
    "_last_modified_user": "admin",
    "_system_owned": False,
    "_protection": "NOT_PROTECTED",
    "path": "/infra/domains/default/groups/web",
    "parent_path": "/infra/domains/default",
    "relative_path": "web",
    "remote_path": "",
    "unique_id": "3f1c",
    "realization_id": "3f1c",
    "owner_id": "site",
    "origin_site_id": "site",
    "marked_for_delete": False,
    "overridden": False,
    "_links": [],
    "_self": {"href": "x"},
    "_schema": "Group",
}


def test_live_group_keeps_system_and_unknown_fields() -> None:
    live = Group.from_live({"resource_type": "Group", "id": "web", **SYSTEM, "future_field": 1})
    assert live.revision == 4
    assert live.path == "/infra/domains/default/groups/web"
    assert live.model_extra == {
        k: v
        for k, v in {**SYSTEM, "future_field": 1}.items()
        if k
        in {
            "remote_path",
            "realization_id",
            "owner_id",
            "origin_site_id",
            "overridden",
            "_links",
            "_self",
            "_schema",
            "future_field",
        }
    }


def test_write_form_has_only_managed_fields_and_revision() -> None:
    live = Group.from_live(
        {
            "resource_type": "Group",
            "id": "web",
            **SYSTEM,
            "future_field": 1,
            "expression": [{**cond(), "id": "c1", "path": "/x"}],
        }
    )
    wire = live.to_wire()
    assert wire == {"resource_type": "Group", "id": "web", "_revision": 4, "expression": [cond()]}
    assert not (set(wire) & SERVER_FIELDS)


def test_new_object_write_form_has_no_nones() -> None:
    assert group(cond()).to_wire() == {"resource_type": "Group", "id": "web", "expression": [cond()]}


def test_group_type_is_a_list_on_the_wire() -> None:
    assert group(cond("Pod"), group_type=["ANTREA"]).to_wire()["group_type"] == ["ANTREA"]


def test_expressions_are_discriminated_by_resource_type() -> None:
    live = Group.from_live(
        {
            "id": "g",
            "expression": [
                cond(),
                {"resource_type": "ConjunctionOperator", "conjunction_operator": "OR"},
                {"resource_type": "IPAddressExpression", "ip_addresses": ["10.0.0.1"]},
                {"resource_type": "ConjunctionOperator", "conjunction_operator": "OR"},
                {"resource_type": "IdentityGroupExpression", "identity_groups": []},
            ],
        }
    )
    kinds = [type(e) for e in live.expression or []]
    assert kinds[0] is Condition
    assert kinds[2] is IPAddressExpression
    assert kinds[4] is OtherExpression


def test_live_objects_skip_project_checks() -> None:
    """NSX accepted it; refresh must not fail because our stricter rules disagree."""
    live = Group.from_live({"id": "made in the UI", "expression": [cond(), cond()]})
    assert live.id == "made in the UI"


def test_policy_rules_and_entries_round_trip() -> None:
    desired = policy(
        rule(
            destination_groups=[GROUP],
            service_entries=[L4PortSetServiceEntry(l4_protocol="TCP", destination_ports=["443"])],
        )
    )
    wire = desired.to_wire()
    assert wire["rules"][0]["source_groups"] == ["ANY"]
    assert wire["rules"][0]["service_entries"] == [
        {"resource_type": "L4PortSetServiceEntry", "l4_protocol": "TCP", "destination_ports": ["443"]}
    ]
    again = SecurityPolicy.from_live(wire)
    assert again.to_wire() == wire


def test_rule_read_only_fields_never_sent() -> None:
    live = SecurityPolicy.from_live(
        {
            "id": "p",
            "category": "Application",
            "is_default": True,
            "rule_count": 1,
            "rules": [{"id": "r", "action": "ALLOW", "rule_id": 2025, "is_default": False, "_revision": 1}],
        }
    )
    wire = live.to_wire()
    assert "is_default" not in wire
    assert "rule_count" not in wire
    assert wire["rules"][0] == {
        "resource_type": "Rule",
        "id": "r",
        "action": "ALLOW",
        "_revision": 1,
        "source_groups": ["ANY"],
        "destination_groups": ["ANY"],
        "services": ["ANY"],
        "scope": ["ANY"],
    }


def test_unknown_service_entry_read_as_other() -> None:
    live = Service.from_live({"id": "s", "service_entries": [{"resource_type": "IGMPTypeServiceEntry", "id": "e"}]})
    assert isinstance(live.service_entries[0], OtherServiceEntry)
