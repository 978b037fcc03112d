"""diff(desired, live): per-field changes, rules keyed by id (ref §11: no cascade on insert)."""

from __future__ import annotations

from tests.models._build import GROUP, SERVICE, cond, conj, group, ips, policy, rule, service
from zerotrust.models import FieldChange, Group, SecurityPolicy, diff

OTHER = "/infra/domains/default/groups/db"


def _policy(port: str = "443", dest: str = GROUP) -> SecurityPolicy:
    return policy(
        *[rule(f"r{i}", i * 10, destination_groups=[dest], services=[SERVICE]) for i in range(1, 7)],
        rule(
            "r7",
            70,
            service_entries=[
                {"resource_type": "L4PortSetServiceEntry", "l4_protocol": "TCP", "destination_ports": [port]}
            ],
        ),
    )


def _live(desired: SecurityPolicy) -> SecurityPolicy:
    body = desired.to_wire()
    body["_revision"] = 9
    body["rules"] = [
        {**r, "rule_id": 100 + i, "direction": "IN_OUT", "logged": False} for i, r in enumerate(body["rules"])
    ]
    return SecurityPolicy.from_live(body)


def test_no_change_is_empty() -> None:
    assert diff(_policy(), _live(_policy())) == []


def test_one_changed_port_in_rule_7_is_one_change() -> None:
    changes = diff(_policy(port="8443"), _live(_policy()))
    assert changes == [FieldChange("rules[r7].service_entries[0].destination_ports", "changed", ["443"], ["8443"])]


def test_changed_destination_reports_whole_list_per_rule() -> None:
    desired = _policy()
    desired.rules[2].destination_groups = [GROUP, OTHER]  # type: ignore[index]
    changes = diff(desired, _live(_policy()))
    assert changes == [FieldChange("rules[r3].destination_groups", "changed", [GROUP], sorted([GROUP, OTHER]))]


def test_inserted_rule_is_one_addition_not_a_cascade() -> None:
    desired = _policy()
    desired.rules.insert(1, rule("new", 15, action="DROP"))  # type: ignore[union-attr]
    changes = diff(desired, _live(_policy()))
    assert [(c.path, c.kind) for c in changes] == [("rules[new]", "added")]
    assert changes[0].desired["action"] == "DROP"


def test_removed_rule_and_default_field() -> None:
    live = _live(_policy())
    desired = _policy()
    desired.rules.pop()  # type: ignore[union-attr]
    desired.rules[0].logged = True  # type: ignore[index]
    changes = diff(desired, live)
    assert [(c.path, c.kind) for c in changes] == [("rules[r1].logged", "added"), ("rules[r7]", "removed")]


def test_live_drift_in_default_field_is_seen() -> None:
    body = _live(_policy()).to_wire()
    body["rules"][0]["direction"] = "IN"
    changes = diff(_policy(), SecurityPolicy.from_live(body))
    assert changes == [FieldChange("rules[r1].direction", "removed", "IN", None)]


def test_group_expression_change_is_indexed() -> None:
    desired = group(cond(), conj(), ips("10.0.0.1"))
    live = Group.from_live(group(cond(value="app|db"), conj(), ips("10.0.0.1")).to_wire())
    assert diff(desired, live) == [FieldChange("expression[0].value", "changed", "app|db", "app|web")]


def test_service_entry_keyed_by_id() -> None:
    desired = service(
        service_entries=[
            {
                "resource_type": "L4PortSetServiceEntry",
                "id": "dns",
                "l4_protocol": "UDP",
                "destination_ports": ["53"],
            },
            {
                "resource_type": "L4PortSetServiceEntry",
                "id": "https",
                "l4_protocol": "TCP",
                "destination_ports": ["443"],
            },
        ]
    )
    live_body = desired.to_wire()
    live_body["service_entries"][1]["destination_ports"] = ["444"]
    changes = diff(desired, type(desired).from_live(live_body))
    assert [c.path for c in changes] == ["service_entries[https].destination_ports"]


def test_diff_against_nothing_lists_every_field() -> None:
    paths = [c.path for c in diff(group(cond()), None)]
    assert paths == ["expression", "id", "resource_type"]
