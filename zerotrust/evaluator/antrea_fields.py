"""Every field of an Antrea policy or group manifest: modelled by the evaluator, or named.

Why a registry: the evaluator must never drop a field it does not understand and answer
anyway (issue 17). Each manifest is walked against the trees below before it is compiled;
a field the tree marks :class:`Named`, or does not know at all (a newer CRD version), is
returned with a reason, and the compiler makes the rules it touches answer ``UNKNOWN``.
The trees follow the ``crd.antrea.io/v1beta1`` schemas in ``kubernetes/crds/antrea-v2``
(antrea.md §2.2, §2.5); ``tests/evaluator/test_antrea_fields.py`` walks those schemas and
fails when a field is in neither state.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "APPLIED_TO",
    "GROUP_SPEC",
    "PEER",
    "POLICY_SPEC",
    "TIER_SPEC",
    "Named",
    "Node",
    "lookup",
    "unmodelled",
]


@dataclass(frozen=True)
class Named:
    """A field the evaluator cannot decide offline; rules that use it answer UNKNOWN."""

    reason: str


LEAF = "leaf"
"""A modelled value (scalar, list of scalars, or a free-form map such as ``matchLabels``)."""

Node = str | Named | Mapping[str, "Node"] | list["Node"]
"""``LEAF``, :class:`Named`, an object's fields, or ``[item]`` for a list."""

SELECTOR: Mapping[str, Node] = {
    "matchLabels": LEAF,
    "matchExpressions": [{"key": LEAF, "operator": LEAF, "values": LEAF}],
}
SERVICE_ACCOUNT: Mapping[str, Node] = {"name": LEAF, "namespace": LEAF}

APPLIED_TO: Mapping[str, Node] = {
    "podSelector": SELECTOR,
    "namespaceSelector": SELECTOR,
    "group": LEAF,
    "serviceAccount": SERVICE_ACCOUNT,
    # Modelled as selecting no pod: they protect Nodes' host traffic / ExternalEntities.
    "nodeSelector": SELECTOR,
    "externalEntitySelector": SELECTOR,
    "service": Named("appliedTo a NodePort Service matches traffic to its NodePort, which is not modelled"),
}
PEER: Mapping[str, Node] = {
    "podSelector": SELECTOR,
    "namespaceSelector": SELECTOR,
    "namespaces": {"match": LEAF, "sameLabels": LEAF},
    "ipBlock": {"cidr": LEAF, "except": LEAF},
    "group": LEAF,
    "serviceAccount": SERVICE_ACCOUNT,
    "nodeSelector": SELECTOR,
    "scope": LEAF,  # Cluster is modelled; ClusterSet is named where it is read
    "fqdn": Named("an FQDN peer is resolved through DNS at run time"),
    "externalEntitySelector": Named("ExternalEntities are not in the inventory"),
}
PORT: Mapping[str, Node] = {
    "protocol": LEAF,
    "port": LEAF,
    "endPort": LEAF,
    "sourcePort": LEAF,
    "sourceEndPort": LEAF,
}
PROTOCOL: Mapping[str, Node] = {
    "icmp": {"icmpType": LEAF, "icmpCode": LEAF},
    "igmp": {"igmpType": LEAF, "groupAddress": LEAF},  # flows are never IGMP: the entry matches none
}
_L7 = Named("L7 rules depend on the application payload")
_RULE_COMMON: Mapping[str, Node] = {
    "action": LEAF,
    "name": LEAF,
    "ports": [PORT],
    "protocols": [PROTOCOL],
    "l7Protocols": [{"http": {"host": _L7, "method": _L7, "path": _L7}, "tls": {"sni": _L7}}],
    "appliedTo": [APPLIED_TO],
    "enableLogging": LEAF,  # no effect on verdicts
    "logLabel": LEAF,
}
INGRESS_RULE: Mapping[str, Node] = {
    **_RULE_COMMON,
    "from": [PEER],
    "to": Named("Antrea reads 'to' only in egress rules"),
    "toServices": Named("Antrea reads 'toServices' only in egress rules"),
}
EGRESS_RULE: Mapping[str, Node] = {
    **_RULE_COMMON,
    "to": [PEER],
    "toServices": [{"name": LEAF, "namespace": LEAF, "scope": LEAF}],
    "from": Named("Antrea reads 'from' only in ingress rules"),
}
POLICY_SPEC: Mapping[str, Node] = {
    "tier": LEAF,
    "priority": LEAF,
    "appliedTo": [APPLIED_TO],
    "ingress": [INGRESS_RULE],
    "egress": [EGRESS_RULE],
}
GROUP_SPEC: Mapping[str, Node] = {
    "podSelector": SELECTOR,
    "namespaceSelector": SELECTOR,
    "nodeSelector": SELECTOR,
    "ipBlock": {"cidr": LEAF, "except": LEAF},
    "ipBlocks": [{"cidr": LEAF, "except": LEAF}],
    "serviceReference": {"name": LEAF, "namespace": LEAF},
    "childGroups": LEAF,
    "externalEntitySelector": Named("ExternalEntities are not in the inventory"),
}
TIER_SPEC: Mapping[str, Node] = {"priority": LEAF, "description": LEAF}


def unmodelled(value: Any, node: Node, path: str) -> Iterator[tuple[str, str]]:
    """(field path, reason) for every field of ``value`` that ``node`` does not model."""
    if isinstance(node, Named):
        yield path, node.reason
    elif isinstance(node, list):
        for index, item in enumerate(value if isinstance(value, list) else []):
            yield from unmodelled(item, node[0], f"{path}[{index}]")
    elif isinstance(node, Mapping) and isinstance(value, Mapping):
        for key, item in value.items():
            if key not in node:
                yield f"{path}.{key}", "the field is not modelled"
            else:
                yield from unmodelled(item, node[key], f"{path}.{key}")


def lookup(node: Node, parts: list[str]) -> Node | None:
    """The node at a schema path (``[]`` steps into list items); ``None`` = unknown field."""
    for part in parts:
        if isinstance(node, Named):
            return node
        if part == "[]":
            if not isinstance(node, list):
                return LEAF if node == LEAF else None
            node = node[0]
        elif isinstance(node, Mapping):
            if part not in node:
                return None
            node = node[part]
        else:
            return node if node == LEAF else None
    return node
