"""NSX wire bodies of groups, rules and sections, built from plain values (pure; no Pulumi).

The one place that knows how a selector, an address list or a ``tcp/5432`` becomes NSX JSON:
the stack-file compiler (``compile.py``) and the typed components (``components/``) both build
their bodies here, so the two routes cannot drift apart.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from typing import Any

ACTIONS = {"allow": "ALLOW", "drop": "DROP", "reject": "REJECT", "jump_to_application": "JUMP_TO_APPLICATION"}
DIRECTIONS = {"in": "IN", "out": "OUT", "in_out": "IN_OUT"}
CATEGORIES = ("Emergency", "Infrastructure", "Environment", "Application")
"""DFW categories a section may take, in the order NSX enforces them."""

SERVICE = re.compile(r"^(tcp|udp)/(\d{1,5})(-(\d{1,5}))?$|^icmp$|^any$")
SERVICE_PATH = re.compile(r"^/infra/services/[A-Za-z0-9][A-Za-z0-9_.\-]*$")
NSX_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,254}$")
ANY = "ANY"


def group_path(domain: str, nsx_id: str) -> str:
    """A group's policy path: known before the group exists, so rules can name it at once."""
    return f"/infra/domains/{domain}/groups/{nsx_id}"


def is_service(value: str) -> bool:
    """``tcp/5432``, ``udp/53``, ``tcp/8000-8080``, ``icmp``, ``any`` or an NSX service path."""
    return bool(SERVICE.match(value.lower()) or SERVICE_PATH.match(value))


def is_address(value: str) -> bool:
    """An IP address, a CIDR or a ``first-last`` range (what an IPAddressExpression takes)."""
    try:
        if "-" in value:
            for part in value.split("-", 1):
                ipaddress.ip_address(part)
        else:
            ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


# --- group expressions -------------------------------------------------------------------


def condition(member_type: str, key: str, value: str, operator: str = "EQUALS") -> dict[str, Any]:
    return {
        "resource_type": "Condition",
        "member_type": member_type,
        "key": key,
        "operator": operator,
        "value": value,
    }


def all_of(conditions: list[dict[str, Any]]) -> dict[str, Any]:
    """Conditions ANDed in one criterion (a NestedExpression when there are several)."""
    if len(conditions) == 1:
        return conditions[0]
    joined: list[dict[str, Any]] = []
    for item in conditions:
        if joined:
            joined.append({"resource_type": "ConjunctionOperator", "conjunction_operator": "AND"})
        joined.append(item)
    return {"resource_type": "NestedExpression", "expressions": joined}


def any_of(criteria: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Criteria ORed, alternating with conjunctions as NSX requires (ref §4.1)."""
    expression: list[dict[str, Any]] = []
    for criterion in criteria:
        if expression:
            expression.append({"resource_type": "ConjunctionOperator", "conjunction_operator": "OR"})
        expression.append(criterion)
    return expression


def tag_conditions(member_type: str, labels: Mapping[str, str]) -> list[dict[str, Any]]:
    # Kubernetes labels and NSX tags are both "scope|tag" in a Tag condition (ref §4.2, §6.2).
    return [condition(member_type, "Tag", f"{k}|{v}") for k, v in sorted(labels.items())]


def vm_criterion(tags: Mapping[str, str], name: str | None = None) -> dict[str, Any]:
    """VMs carrying every tag (and, when given, with this name)."""
    conditions = tag_conditions("VirtualMachine", tags)
    if name:
        conditions.append(condition("VirtualMachine", "Name", name))
    return all_of(conditions)


def pod_criterion(labels: Mapping[str, str], namespace: str | None) -> dict[str, Any]:
    """Pods with every label, in the namespace when given (an Antrea group's member)."""
    conditions = tag_conditions("Pod", labels)
    if namespace:
        conditions.insert(0, condition("Namespace", "Name", namespace))
    return all_of(conditions)


def namespace_criterion(labels: Mapping[str, str], name: str | None) -> dict[str, Any]:
    """Every pod of the namespaces with every label (and this name, when given)."""
    conditions = tag_conditions("Namespace", labels)
    if name:
        conditions.insert(0, condition("Namespace", "Name", name))
    return all_of(conditions)


def cluster_nodes_criterion(cluster: str) -> dict[str, Any]:
    """Node IPs of a cluster: how its pods look to VMs without an Egress IP."""
    return all_of(
        [condition("KubernetesCluster", "Name", cluster), condition("KubernetesNode", "IPAddress", "*", "MATCHES")]
    )


def egress_criterion(cluster: str, egress: str) -> dict[str, Any]:
    """The Egress IP of one Antrea Egress: exactly the pods it applies to, as VMs see them."""
    return all_of([condition("KubernetesCluster", "Name", cluster), condition("AntreaEgress", "Name", egress)])


def paths_criterion(paths: list[Any]) -> dict[str, Any]:
    """Other groups nested in this one."""
    return {"resource_type": "PathExpression", "paths": paths}


def ip_expressions(ips: Sequence[str]) -> list[dict[str, Any]]:
    """One IPAddressExpression per address family: NSX refuses to mix them (ref §4.2)."""
    families: dict[int, list[str]] = {}
    for ip in ips:
        first = ip.split("-", 1)[0].split("/", 1)[0]
        families.setdefault(ipaddress.ip_address(first).version, []).append(ip)
    return [{"resource_type": "IPAddressExpression", "ip_addresses": v} for _, v in sorted(families.items())]


def group_body(
    nsx_id: str,
    expression: list[dict[str, Any]],
    *,
    display_name: str | None = None,
    description: str | None = None,
    tags: list[dict[str, Any]] | None = None,
    antrea: bool = False,
) -> dict[str, Any]:
    """A Group; ``antrea`` makes it an Antrea group (pod / namespace members, ref §6.2)."""
    body: dict[str, Any] = {
        "resource_type": "Group",
        "id": nsx_id,
        "display_name": display_name or nsx_id,
        "expression": expression,
    }
    if description:
        body["description"] = description
    if tags:
        body["tags"] = tags
    if antrea:
        body["group_type"] = ["ANTREA"]
    return body


# --- rules and sections ------------------------------------------------------------------


def service_entry(service: str) -> dict[str, Any]:
    """An inline service entry for ``icmp`` or ``<protocol>/<ports>`` (lower case)."""
    if service == "icmp":
        return {"resource_type": "ICMPTypeServiceEntry", "id": "icmp", "protocol": "ICMPv4"}
    protocol, ports = service.split("/", 1)
    return {
        "resource_type": "L4PortSetServiceEntry",
        "id": f"{protocol}-{ports}",
        "l4_protocol": protocol.upper(),
        "destination_ports": [ports],
    }


def rule_body(
    rule_id: str,
    *,
    display_name: str | None,
    sequence: int,
    action: str,
    direction: str,
    sources: list[Any] | None,
    destinations: list[Any] | None,
    services: Sequence[str],
    log: bool,
    disabled: bool,
    notes: str | None = None,
    log_label: str | None = None,
    scope: list[Any] | None = None,
) -> dict[str, Any]:
    """A Rule. ``sources`` / ``destinations`` are group paths, None for ANY; ``action`` and
    ``direction`` are the spec's spelling (``allow``, ``in_out``); services as ``is_service``."""
    body: dict[str, Any] = {
        "resource_type": "Rule",
        "id": rule_id,
        "display_name": display_name or rule_id,
        "sequence_number": sequence,
        "action": ACTIONS[action],
        "direction": DIRECTIONS[direction],
        "source_groups": [ANY] if sources is None else sources,
        "destination_groups": [ANY] if destinations is None else destinations,
        "logged": log,
        "disabled": disabled,
    }
    paths = [s for s in services if s.startswith("/infra/")]
    inline = [s.lower() for s in services if not s.startswith("/infra/")]
    body["services"] = paths or [ANY]
    if inline and inline != ["any"]:
        body["service_entries"] = [service_entry(s) for s in inline]
    if notes:
        body["notes"] = notes
    if log_label:
        body["tag"] = log_label
    if scope:
        body["scope"] = scope
    return body


def policy_body(
    policy_id: str,
    *,
    category: str,
    sequence: int,
    rules: list[dict[str, Any]],
    display_name: str | None = None,
    description: str | None = None,
    tags: list[dict[str, Any]] | None = None,
    scope: list[Any] | None = None,
) -> dict[str, Any]:
    """A SecurityPolicy (a DFW section) with its rules inline."""
    body: dict[str, Any] = {
        "resource_type": "SecurityPolicy",
        "id": policy_id,
        "display_name": display_name or policy_id,
        "category": category,
        "sequence_number": sequence,
        "rules": rules,
    }
    if description:
        body["description"] = description
    if tags:
        body["tags"] = tags
    if scope:
        body["scope"] = scope
    return body
