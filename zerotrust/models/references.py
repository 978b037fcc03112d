"""Which other objects an object points to, for the layer that checks references.

NSX refuses a rule whose group or service path does not exist, and refuses to delete
a group still in use (ref §11, §12.7). Whether a path exists within a stack is known
only above the model layer; this module just lists the paths, with where they occur.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from zerotrust.models._base import NsxModel
from zerotrust.models._values import ANY, is_path
from zerotrust.models.cluster_span import SecurityPolicyContainerCluster
from zerotrust.models.expressions import Expression, NestedExpression, PathExpression
from zerotrust.models.group import Group
from zerotrust.models.rule import Rule
from zerotrust.models.security_policy import SecurityPolicy

__all__ = ["Reference", "ReferenceKind", "reference_kind", "referenced_paths"]

ReferenceKind = Literal["group", "service", "context_profile", "cluster_control_plane", "segment", "other"]


@dataclass(frozen=True, order=True)
class Reference:
    """A policy path found in field ``field`` (e.g. ``rules[allow-web].services``)."""

    field: str
    path: str
    kind: ReferenceKind


def reference_kind(path: str) -> ReferenceKind:
    """Classify a policy path by its collection segment."""
    if "/cluster-control-planes/" in path:
        return "cluster_control_plane"
    if "/groups/" in path:
        return "group"
    if path.startswith("/infra/services/"):
        return "service"
    if "/context-profiles/" in path:
        return "context_profile"
    if "/segments/" in path:
        return "segment"
    return "other"


def referenced_paths(obj: NsxModel) -> list[Reference]:
    """Every policy path ``obj`` references, in field order; IPs and ``ANY`` excluded."""
    found: list[Reference] = []
    if isinstance(obj, Group):
        _expressions(obj.expression or [], "expression", found)
    elif isinstance(obj, Rule):
        _rule(obj, "", found)
    elif isinstance(obj, SecurityPolicy):
        _paths("scope", obj.scope, found)
        for index, rule in enumerate(obj.rules or []):
            _rule(rule, f"rules[{rule.id or index}].", found)
    elif isinstance(obj, SecurityPolicyContainerCluster):
        _paths("container_cluster_path", [obj.container_cluster_path], found)
    return found


def _rule(rule: Rule, prefix: str, found: list[Reference]) -> None:
    for field in ("source_groups", "destination_groups", "services", "profiles", "scope"):
        _paths(prefix + field, getattr(rule, field) or [], found)


def _expressions(expressions: list[Expression], field: str, found: list[Reference]) -> None:
    for index, expression in enumerate(expressions):
        if isinstance(expression, PathExpression):
            _paths(f"{field}[{index}].paths", expression.paths, found)
        elif isinstance(expression, NestedExpression):
            _expressions(expression.expressions, f"{field}[{index}].expressions", found)


def _paths(field: str, values: list[str], found: list[Reference]) -> None:
    for value in values:
        if value.upper() != ANY and is_path(value):
            found.append(Reference(field, value, reference_kind(value)))
