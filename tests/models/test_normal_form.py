"""The normal form: desired and live compare equal when nothing changed (ref §5.2 defaults)."""

from __future__ import annotations

from typing import Any

from tests.models._build import CCP, GROUP, SERVICE, cond, conj, group, ips, policy, rule, service
from zerotrust.models import Group, SecurityPolicy, Service, normalise


def _as_nsx_returns_policy(desired: SecurityPolicy) -> dict[str, Any]:
    """What a GET returns after writing ``desired``: defaults filled, system fields, ids."""
    body = desired.to_wire()
    body.update(
        {
            "_revision": 3,
            "path": f"/infra/domains/default/security-policies/{desired.id}",
            "display_name": desired.id,
            "stateful": True,
            "tcp_strict": True,
            "locked": False,
            "is_default": False,
            "internal_sequence_number": 7,
            "scope": ["ANY"],
            "tags": [],
        }
    )
    rules = []
    for number, item in enumerate(reversed(body["rules"])):
        rules.append(
            {
                **item,
                "rule_id": 3000 + number,
                "_revision": 0,
                "display_name": item["id"],
                "direction": "IN_OUT",
                "ip_protocol": "IPV4_IPV6",
                "logged": False,
                "disabled": False,
                "sources_excluded": False,
                "destinations_excluded": False,
                "profiles": ["ANY"],
                "service_entries": [
                    {**e, "id": f"gen-{i}", "path": "/x"} for i, e in enumerate(item.get("service_entries", []))
                ],
            }
        )
    body["rules"] = rules
    return body


def test_policy_round_trip_is_equal() -> None:
    desired = policy(
        rule("allow-web", 10, destination_groups=[GROUP], services=[SERVICE]),
        rule(
            "deny",
            20,
            action="DROP",
            service_entries=[
                {
                    "resource_type": "L4PortSetServiceEntry",
                    "l4_protocol": "TCP",
                    "destination_ports": ["443", "80"],
                }
            ],
        ),
    )
    live = SecurityPolicy.from_live(_as_nsx_returns_policy(desired))
    assert normalise(live) == normalise(desired)


def test_rules_sorted_by_sequence_number() -> None:
    desired = policy(rule("b", 20), rule("a", 10))
    assert [r["id"] for r in normalise(desired)["rules"]] == ["a", "b"]


def test_any_forms_are_one() -> None:
    a = normalise(rule(services=["ANY"], scope=["any"]))
    b = normalise(rule(services=["Any"]).model_copy(update={"profiles": ["ANY"]}))
    assert a == b
    assert "services" not in a
    assert "scope" not in a


def test_non_default_values_are_kept() -> None:
    form = normalise(rule(direction="IN", ip_protocol="IPV4", logged=True, sources_excluded=True))
    assert form["direction"] == "IN"
    assert form["ip_protocol"] == "IPV4"
    assert form["logged"] is True
    assert form["sources_excluded"] is True


def test_ethernet_policy_stateless_is_default() -> None:
    assert "stateful" not in normalise(policy(category="Ethernet", stateful=False))
    assert normalise(policy(category="Application", stateful=False))["stateful"] is False


def test_set_like_lists_sorted_and_ips_canonical() -> None:
    a = normalise(rule(source_groups=["2001:DB8::1", GROUP, "10.0.0.0/8"]))
    b = normalise(rule(source_groups=["10.0.0.0/8", "2001:db8::1", GROUP]))
    assert a == b


def test_expression_order_is_kept() -> None:
    a = normalise(group(cond(), conj(), ips("10.0.0.1")))
    b = normalise(group(ips("10.0.0.1"), conj(), cond()))
    assert a != b


def test_live_group_with_server_expression_fields_equals_desired() -> None:
    desired = group(cond(), conj(), ips("10.0.0.2", "10.0.0.1"))
    live = Group.from_live(
        {
            "resource_type": "Group",
            "id": "web",
            "display_name": "web",
            "_revision": 2,
            "group_type": [],
            "state": "SUCCESS",
            "tags": [],
            "expression": [
                {
                    **cond(),
                    "scope_operator": "EQUALS",
                    "id": "e1",
                    "path": "/p/e1",
                    "marked_for_delete": False,
                },
                {**conj(), "id": "e2"},
                {**ips("10.0.0.1", "10.0.0.2"), "id": "e3"},
            ],
        }
    )
    assert normalise(live) == normalise(desired)


def test_tags_order_does_not_matter() -> None:
    a = normalise(group(tags=[{"scope": "b", "tag": "2"}, {"scope": "a", "tag": "1"}]))
    b = normalise(group(tags=[{"scope": "a", "tag": "1"}, {"scope": "b", "tag": "2"}]))
    assert a == b


def test_service_entries_keyed_and_ports_numeric() -> None:
    desired = service(
        service_entries=[
            {
                "resource_type": "L4PortSetServiceEntry",
                "id": "b",
                "l4_protocol": "TCP",
                "destination_ports": ["443", "80"],
            },
            {
                "resource_type": "L4PortSetServiceEntry",
                "id": "a",
                "l4_protocol": "UDP",
                "destination_ports": ["53"],
            },
        ]
    )
    form = normalise(desired)
    assert [e["id"] for e in form["service_entries"]] == ["a", "b"]
    assert form["service_entries"][1]["destination_ports"] == ["80", "443"]
    live = Service.from_live(
        {
            **desired.to_wire(),
            "_revision": 1,
            "service_type": "NON_ETHER",
            "service_entries": [{**e, "path": "/x", "source_ports": []} for e in desired.to_wire()["service_entries"]],
        }
    )
    assert normalise(live) == form


def test_policy_scope_ccp_kept() -> None:
    assert normalise(policy(scope=[CCP]))["scope"] == [CCP]
