"""Small builders for model tests: valid defaults, override what the case is about."""

from __future__ import annotations

from typing import Any

from zerotrust.models import Group, Rule, SecurityPolicy, Service

GROUP = "/infra/domains/default/groups/web"
SERVICE = "/infra/services/HTTPS"
CCP = "/infra/sites/default/enforcement-points/default/cluster-control-planes/vks-1"


def cond(member_type: str = "VirtualMachine", key: str = "Tag", value: str = "app|web", **kw: Any) -> dict[str, Any]:
    return {
        "resource_type": "Condition",
        "member_type": member_type,
        "key": key,
        "operator": kw.pop("operator", "EQUALS"),
        "value": value,
        **kw,
    }


def conj(op: str = "OR") -> dict[str, Any]:
    return {"resource_type": "ConjunctionOperator", "conjunction_operator": op}


def nested(*conditions: dict[str, Any]) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for index, condition in enumerate(conditions):
        if index:
            items.append(conj("AND"))
        items.append(condition)
    return {"resource_type": "NestedExpression", "expressions": items}


def ips(*values: str) -> dict[str, Any]:
    return {"resource_type": "IPAddressExpression", "ip_addresses": list(values)}


def group(*expression: dict[str, Any], **kw: Any) -> Group:
    return Group.model_validate({"id": kw.pop("id", "web"), "expression": list(expression) or [cond()], **kw})


def rule(rule_id: str = "allow-web", seq: int | None = 10, **kw: Any) -> Rule:
    kw.setdefault("action", "ALLOW")
    return Rule(id=rule_id, sequence_number=seq, **kw)


def policy(*rules: Rule, **kw: Any) -> SecurityPolicy:
    kw.setdefault("category", "Application")
    kw.setdefault("sequence_number", 10)
    return SecurityPolicy(id=kw.pop("id", "app"), rules=list(rules), **kw)


def service(**kw: Any) -> Service:
    entries = kw.pop(
        "service_entries",
        [
            {
                "resource_type": "L4PortSetServiceEntry",
                "id": "https",
                "l4_protocol": "TCP",
                "destination_ports": ["443"],
            }
        ],
    )
    return Service(id=kw.pop("id", "web-svc"), service_entries=entries, **kw)
