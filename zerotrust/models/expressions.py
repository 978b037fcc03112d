"""Group membership expressions, a discriminated union on ``resource_type`` (ref §4.1, §4.2).

The expression kinds are only ever written as part of a Group, so the checks that
need the whole list (alternation, limits, Kubernetes rules) live in
:func:`expression_problems`, which :class:`~zerotrust.models.group.Group` calls with its
own id so that every message names the group. An expression kind this project does
not model (``IdentityGroupExpression``, ``GeoLocationExpression``, a future one) is
read as :class:`OtherExpression` instead of failing a refresh, and refused on write.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Discriminator, Field, Tag

from zerotrust.models._base import NsxModel, problem, resource_type_tag
from zerotrust.models._values import ip_family, is_path

__all__ = [
    "CLUSTER_SCOPED_MEMBER_TYPES",
    "KUBERNETES_MEMBER_TYPES",
    "MEMBER_TYPES",
    "Condition",
    "ConjunctionOperator",
    "Expression",
    "ExternalIDExpression",
    "IPAddressExpression",
    "MACAddressExpression",
    "NestedExpression",
    "OtherExpression",
    "PathExpression",
    "expression_problems",
]

MEMBER_TYPES: frozenset[str] = frozenset(
    {
        "IPSet", "VirtualMachine", "LogicalPort", "LogicalSwitch", "Segment", "SegmentPort",
        "Pod", "Service", "Namespace", "TransportNode", "Group", "DVPG", "DVPort",
        "IPAddress", "VpcSubnet", "KubernetesCluster", "KubernetesNamespace",
        "AntreaEgress", "AntreaIPPool", "KubernetesIngress", "KubernetesGateway",
        "KubernetesService", "KubernetesNode", "VpcSubnetPort", "BareMetalServer",
        "BareMetalServerInterface",
    }
)  # fmt: skip
"""Condition ``member_type`` values (ref §4.2)."""

CONDITION_KEYS: frozenset[str] = frozenset(
    {"Tag", "Name", "OSName", "ComputerName", "NodeType", "GroupType", "ALL",
     "IPAddress", "PodCidr", "ManagementInterface", "OSVersion"}
)  # fmt: skip
CONDITION_OPERATORS: frozenset[str] = frozenset(
    {"EQUALS", "CONTAINS", "STARTSWITH", "ENDSWITH", "NOTEQUALS", "NOTIN", "MATCHES", "IN"}
)
EXTERNAL_ID_MEMBER_TYPES: frozenset[str] = frozenset(
    {"VirtualMachine", "VirtualNetworkInterface", "CloudNativeServiceInstance",
     "BareMetalServer", "BareMetalServerInterface", "PhysicalServer"}
)  # fmt: skip

KUBERNETES_MEMBER_TYPES: frozenset[str] = frozenset(
    {"KubernetesCluster", "KubernetesNamespace", "KubernetesNode", "KubernetesService",
     "KubernetesIngress", "KubernetesGateway", "AntreaEgress", "AntreaIPPool"}
)  # fmt: skip
"""Generic-group member types that follow the Kubernetes limits of ref §4.4 and §6.5."""
CLUSTER_SCOPED_MEMBER_TYPES: frozenset[str] = frozenset({"KubernetesNode", "AntreaEgress", "AntreaIPPool"})
ANTREA_GROUP_MEMBER_TYPES: frozenset[str] = frozenset({"Namespace", "Service", "Pod"})
"""The only member types of a ``group_type: ["ANTREA"]`` group (ref §6.2)."""

MAX_CRITERIA = 5
"""Condition + NestedExpression entries in the top-level list (ref §4.1, §4.4)."""
MAX_SAME_TYPE_PER_CRITERION = 5
MAX_MIXED_PER_CRITERION = 15
MAX_CONDITIONS_PER_GROUP = 35
MAX_CLUSTERS_IN = 5

_MAC = re.compile(r"^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$")


class Condition(NsxModel):
    """One dynamic-membership test, e.g. VMs tagged ``env|prod`` (ref §4.2)."""

    resource_type: Literal["Condition"] = "Condition"
    member_type: str
    """What is matched: ``VirtualMachine``, ``Pod``, ``KubernetesNamespace``, ..."""
    key: str
    """``Tag``, ``Name``, ``OSName``, ..."""
    operator: str | None = None
    """``EQUALS``, ``NOTEQUALS``, ``CONTAINS``, ``IN``, ``MATCHES``, ..."""
    value: str
    """For ``key == "Tag"`` the value is ``"<scope>|<tag>"`` (ref §4.2)."""
    scope_operator: str | None = None
    """``EQUALS`` (the NSX default) or ``NOTEQUALS``; only meaningful for tags."""


class ConjunctionOperator(NsxModel):
    """``AND``/``OR`` between two criteria; sits at odd indices of a list (ref §4.1)."""

    resource_type: Literal["ConjunctionOperator"] = "ConjunctionOperator"
    conjunction_operator: Literal["AND", "OR"]


class IPAddressExpression(NsxModel):
    """Static IPs, CIDRs or ranges of one address family (ref §4.2)."""

    resource_type: Literal["IPAddressExpression"] = "IPAddressExpression"
    ip_addresses: list[str]


class MACAddressExpression(NsxModel):
    """Static MAC addresses."""

    resource_type: Literal["MACAddressExpression"] = "MACAddressExpression"
    mac_addresses: list[str]


class PathExpression(NsxModel):
    """Static members by policy path: groups, segments or segment ports only (ref §4.2)."""

    resource_type: Literal["PathExpression"] = "PathExpression"
    paths: list[str]


class ExternalIDExpression(NsxModel):
    """Static members by inventory external id, e.g. a VM's instance UUID (ref §4.2)."""

    resource_type: Literal["ExternalIDExpression"] = "ExternalIDExpression"
    member_type: str
    external_ids: list[str]


class OtherExpression(NsxModel):
    """An expression kind this project reads but does not manage; refused on write."""

    resource_type: str


class NestedExpression(NsxModel):
    """One criterion of several Conditions joined by ``AND`` (ref §4.2)."""

    resource_type: Literal["NestedExpression"] = "NestedExpression"
    expressions: list[Expression]


_KNOWN_EXPRESSIONS = frozenset(
    {"Condition", "ConjunctionOperator", "NestedExpression", "IPAddressExpression",
     "MACAddressExpression", "PathExpression", "ExternalIDExpression"}
)  # fmt: skip


_expression_tag = resource_type_tag(_KNOWN_EXPRESSIONS)


Expression = Annotated[
    Annotated[Condition, Tag("Condition")]
    | Annotated[ConjunctionOperator, Tag("ConjunctionOperator")]
    | Annotated[NestedExpression, Tag("NestedExpression")]
    | Annotated[IPAddressExpression, Tag("IPAddressExpression")]
    | Annotated[MACAddressExpression, Tag("MACAddressExpression")]
    | Annotated[PathExpression, Tag("PathExpression")]
    | Annotated[ExternalIDExpression, Tag("ExternalIDExpression")]
    | Annotated[OtherExpression, Tag("other")],
    Discriminator(_expression_tag),
    Field(description="Group expression, chosen by resource_type"),
]

NestedExpression.model_rebuild()


# --- checks -------------------------------------------------------------------


class _Checker:
    """Collects the problems of one group's expression list, each naming the group."""

    def __init__(self, group_id: str | None, group_types: list[str]) -> None:
        self.group_id = group_id
        self.antrea = "ANTREA" in group_types
        self.ip_only = "IPAddress" in group_types
        self.problems: list[str] = []
        self.total_conditions = 0

    def add(self, field: str, what: str, fix: str) -> None:
        self.problems.append(problem("Group", self.group_id, field, what, fix))

    # top level ----------------------------------------------------------------

    def check_list(self, expressions: list[Expression]) -> None:
        self._alternation(expressions, "expression")
        criteria = [e for e in expressions if isinstance(e, Condition | NestedExpression)]
        if len(criteria) > MAX_CRITERIA:
            self.add(
                "expression",
                f"has {len(criteria)} Condition/NestedExpression entries (max {MAX_CRITERIA})",
                "merge criteria, or split the group into nested groups joined by a PathExpression",
            )
        for index, expression in enumerate(expressions):
            self._item(expression, f"expression[{index}]")
        self._conjunctions(expressions)
        if self.total_conditions > MAX_CONDITIONS_PER_GROUP:
            self.add(
                "expression",
                f"has {self.total_conditions} conditions in all (max {MAX_CONDITIONS_PER_GROUP}, ref §4.4)",
                "split the group into several groups",
            )

    def _alternation(self, expressions: list[Expression], field: str) -> None:
        for index, expression in enumerate(expressions):
            is_conjunction = isinstance(expression, ConjunctionOperator)
            if index % 2 == 0 and is_conjunction:
                self.add(
                    f"{field}[{index}]",
                    "is a ConjunctionOperator at an even position; criteria and "
                    "conjunctions must alternate (criterion, AND/OR, criterion, ...)",
                    "remove the extra conjunction",
                )
            if index % 2 == 1 and not is_conjunction:
                self.add(
                    f"{field}[{index}]",
                    f"is a {expression.resource_type} where a ConjunctionOperator is "
                    "required (criteria and conjunctions alternate)",
                    'insert {"resource_type": "ConjunctionOperator", '
                    '"conjunction_operator": "OR"} between the two criteria',
                )
        if expressions and len(expressions) % 2 == 0:
            self.add(
                field,
                f"has even length {len(expressions)}; a non-empty list must have odd "
                "length (it starts and ends with a criterion)",
                "remove the trailing conjunction or add the missing criterion",
            )

    def _item(self, expression: Expression, field: str) -> None:
        if isinstance(expression, Condition):
            self._condition(expression, field)
            self._criterion([expression], field)
        elif isinstance(expression, NestedExpression):
            self._nested(expression, field)
        elif isinstance(expression, IPAddressExpression):
            self._ip_addresses(expression, field)
        elif isinstance(expression, MACAddressExpression):
            self._mac_addresses(expression, field)
        elif isinstance(expression, PathExpression):
            self._paths(expression, field)
        elif isinstance(expression, ExternalIDExpression):
            self._external_ids(expression, field)
        elif isinstance(expression, OtherExpression):
            self.add(
                field,
                f"has resource_type {expression.resource_type!r}, which this project does not manage",
                "use Condition, NestedExpression, IPAddressExpression, "
                "MACAddressExpression, PathExpression or ExternalIDExpression",
            )
        if self.ip_only and not isinstance(expression, IPAddressExpression | ConjunctionOperator):
            self.add(
                field,
                f"is a {expression.resource_type} in a group_type ['IPAddress'] group",
                "use only IPAddressExpression entries, or drop group_type",
            )
        if self.antrea and isinstance(expression, MACAddressExpression | PathExpression | ExternalIDExpression):
            self.add(
                field,
                f"is a {expression.resource_type}; Antrea groups take static members as IP addresses only (ref §6.2)",
                "use an IPAddressExpression, or make it a generic group",
            )

    def _nested(self, nested: NestedExpression, field: str) -> None:
        inner = f"{field}.expressions"
        if not nested.expressions:
            self.add(inner, "is empty", "add at least one Condition or drop the NestedExpression")
        self._alternation(nested.expressions, inner)
        conditions: list[Condition] = []
        for index, expression in enumerate(nested.expressions):
            where = f"{inner}[{index}]"
            if isinstance(expression, Condition):
                self._condition(expression, where)
                conditions.append(expression)
            elif isinstance(expression, ConjunctionOperator):
                if expression.conjunction_operator != "AND":
                    self.add(
                        where,
                        "is OR; conditions inside a NestedExpression are joined by AND",
                        "use AND here, or move the condition to its own criterion joined by OR at the top level",
                    )
            else:
                self.add(
                    where,
                    f"is a {expression.resource_type}; a NestedExpression holds only Conditions joined by AND",
                    "move it to the top-level expression list",
                )
        self._criterion(conditions, field)

    # criteria ------------------------------------------------------------------

    def _criterion(self, conditions: list[Condition], field: str) -> None:
        """Per-criterion limits and the Kubernetes combination rules (ref §4.4, §6.5)."""
        self.total_conditions += len(conditions)
        counts: dict[str, int] = {}
        for condition in conditions:
            counts[condition.member_type] = counts.get(condition.member_type, 0) + 1
        for member_type, count in sorted(counts.items()):
            if count > MAX_SAME_TYPE_PER_CRITERION:
                self.add(
                    field,
                    f"has {count} {member_type} conditions in one criterion (max {MAX_SAME_TYPE_PER_CRITERION})",
                    "split them across criteria joined by OR, or use IN with several values",
                )
        if len(conditions) > MAX_MIXED_PER_CRITERION:
            self.add(
                field,
                f"has {len(conditions)} conditions in one criterion (max {MAX_MIXED_PER_CRITERION}, ref §4.4)",
                "split the criterion",
            )
        types = set(counts)
        if types & KUBERNETES_MEMBER_TYPES:
            self._kubernetes_criterion(conditions, counts, field)
        if self.antrea:
            self._antrea_criterion(conditions, types, field)

    def _kubernetes_criterion(self, conditions: list[Condition], counts: dict[str, int], field: str) -> None:
        types = set(counts)
        resources = types - {"KubernetesCluster", "KubernetesNamespace"}
        if counts.get("KubernetesCluster", 0) > 1:
            self.add(
                field,
                "has more than one KubernetesCluster condition in one criterion",
                "use one KubernetesCluster condition with operator IN and up to 5 comma-separated names",
            )
        if types == {"KubernetesCluster"}:
            self.add(
                field,
                "has a KubernetesCluster condition standing alone",
                "add a condition on the cluster's resources (e.g. KubernetesNamespace "
                "with KubernetesService, or AntreaEgress) to the same criterion",
            )
        if "KubernetesNamespace" in types:
            if resources & CLUSTER_SCOPED_MEMBER_TYPES:
                self.add(
                    field,
                    "mixes KubernetesNamespace with cluster-scoped conditions "
                    f"({', '.join(sorted(resources & CLUSTER_SCOPED_MEMBER_TYPES))})",
                    "move the cluster-scoped condition to its own criterion",
                )
            elif not resources:
                self.add(
                    field,
                    "has a KubernetesNamespace condition standing alone",
                    "add a namespace-scoped condition (KubernetesService, "
                    "KubernetesIngress or KubernetesGateway) to the same criterion",
                )
        if len(resources) > 1:
            self.add(
                field,
                f"mixes resource member types {sorted(resources)} in one criterion",
                "use one resource member type per criterion and join criteria with OR",
            )
        nodes = [c for c in conditions if c.member_type == "KubernetesNode"]
        if len(nodes) > 1:
            self.add(field, "has more than one KubernetesNode condition", "keep one")
        for condition in nodes:
            if condition.operator != "MATCHES" or condition.value != "*":
                self.add(
                    field,
                    "has a KubernetesNode condition other than operator MATCHES, value '*'",
                    'use {"member_type": "KubernetesNode", "operator": "MATCHES", "value": "*"} (ref §6.5)',
                )
        for condition in conditions:
            if condition.member_type == "KubernetesCluster" and condition.operator == "IN":
                names = condition.value.split(",")
                if len(names) > MAX_CLUSTERS_IN or " " in condition.value:
                    self.add(
                        field,
                        f"has KubernetesCluster IN {condition.value!r}; IN takes at most "
                        f"{MAX_CLUSTERS_IN} comma-separated names without spaces",
                        "shorten the list, or use STARTSWITH/ENDSWITH",
                    )

    def _antrea_criterion(self, conditions: list[Condition], types: set[str], field: str) -> None:
        """Antrea groups: Namespace/Service/Pod only, with restricted operators (ref §6.2)."""
        for condition in conditions:
            if condition.member_type not in ANTREA_GROUP_MEMBER_TYPES:
                self.add(
                    field,
                    f"uses member_type {condition.member_type!r} in an Antrea group",
                    "use Pod, Namespace or Service, or make it a generic group",
                )
            elif condition.member_type in {"Namespace", "Pod"} and condition.operator not in {
                None,
                "EQUALS",
                "NOTEQUALS",
            }:
                self.add(
                    field,
                    f"uses operator {condition.operator} on {condition.member_type} in "
                    "an Antrea group (only EQUALS/NOTEQUALS are supported)",
                    "use EQUALS or NOTEQUALS",
                )
        if "Service" in types:
            has_namespace_name = any(c.member_type == "Namespace" and c.key == "Name" for c in conditions)
            if "Pod" in types or not has_namespace_name:
                self.add(
                    field,
                    "uses a Service condition without a Namespace Name condition, or together with Pod",
                    "put Service with one Namespace Name condition in its own criterion",
                )

    def _conjunctions(self, expressions: list[Expression]) -> None:
        """AND between criteria needs like with like (ref §4.2 Terraform rules, §4.4)."""
        for index in range(1, len(expressions) - 1, 2):
            conjunction = expressions[index]
            if not (isinstance(conjunction, ConjunctionOperator) and conjunction.conjunction_operator == "AND"):
                continue
            left, right = expressions[index - 1], expressions[index + 1]
            left_types, right_types = _member_types(left), _member_types(right)
            if left.resource_type != right.resource_type or left_types != right_types:
                self.add(
                    f"expression[{index}]",
                    "joins with AND two criteria of different kinds or member types "
                    f"({left.resource_type} {sorted(left_types)} and "
                    f"{right.resource_type} {sorted(right_types)})",
                    "use OR, or put both conditions into one NestedExpression",
                )
            elif (left_types & KUBERNETES_MEMBER_TYPES) and (_condition_count(left) > 1 or _condition_count(right) > 1):
                self.add(
                    f"expression[{index}]",
                    "joins Kubernetes criteria with AND although one has several conditions",
                    "AND is only allowed between single-condition criteria of the same member type (ref §4.4); use OR",
                )

    # leaves --------------------------------------------------------------------

    def _condition(self, condition: Condition, field: str) -> None:
        if condition.member_type not in MEMBER_TYPES:
            self.add(
                f"{field}.member_type",
                f"is {condition.member_type!r}, not an NSX member type",
                f"use one of {sorted(MEMBER_TYPES)}",
            )
        if condition.key not in CONDITION_KEYS:
            self.add(
                f"{field}.key",
                f"is {condition.key!r}",
                f"use one of {sorted(CONDITION_KEYS)}",
            )
        if condition.operator is None:
            if condition.member_type not in {"Segment", "SegmentPort"}:
                self.add(
                    f"{field}.operator",
                    "is missing",
                    "set operator, e.g. EQUALS (optional only for Segment/SegmentPort tags)",
                )
        elif condition.operator not in CONDITION_OPERATORS:
            self.add(
                f"{field}.operator",
                f"is {condition.operator!r}",
                f"use one of {sorted(CONDITION_OPERATORS)}",
            )
        if condition.scope_operator not in {None, "EQUALS", "NOTEQUALS"}:
            self.add(
                f"{field}.scope_operator",
                f"is {condition.scope_operator!r}",
                "use EQUALS or NOTEQUALS",
            )
        if not condition.value:
            self.add(f"{field}.value", "is empty", "give a value; for tags use 'scope|tag'")

    def _ip_addresses(self, expression: IPAddressExpression, field: str) -> None:
        where = f"{field}.ip_addresses"
        if not expression.ip_addresses:
            self.add(where, "is empty", "list at least one IP, CIDR or range")
        families: set[int] = set()
        for value in expression.ip_addresses:
            try:
                families.add(ip_family(value))
            except ValueError as error:
                self.add(
                    where,
                    f"has invalid entry {value!r} ({error})",
                    "use an IP (10.0.0.1), a CIDR without host bits (10.0.0.0/24) or a range (10.0.0.1-10.0.0.9)",
                )
        if families == {4, 6}:
            self.add(
                where,
                "mixes IPv4 and IPv6 in one IPAddressExpression",
                "split it into one expression per address family joined by OR",
            )

    def _mac_addresses(self, expression: MACAddressExpression, field: str) -> None:
        for value in expression.mac_addresses:
            if not _MAC.match(value):
                self.add(
                    f"{field}.mac_addresses",
                    f"has invalid MAC {value!r}",
                    "write it as 00:50:56:aa:bb:cc",
                )

    def _paths(self, expression: PathExpression, field: str) -> None:
        for value in expression.paths:
            if not (is_path(value) and ("/groups/" in value or "/segments/" in value)):
                self.add(
                    f"{field}.paths",
                    f"has {value!r}; only group, segment and segment-port paths are allowed",
                    "use a path such as /infra/domains/default/groups/web",
                )

    def _external_ids(self, expression: ExternalIDExpression, field: str) -> None:
        if expression.member_type not in EXTERNAL_ID_MEMBER_TYPES:
            self.add(
                f"{field}.member_type",
                f"is {expression.member_type!r}",
                f"use one of {sorted(EXTERNAL_ID_MEMBER_TYPES)}",
            )
        if not expression.external_ids:
            self.add(f"{field}.external_ids", "is empty", "list at least one external id")


def _conditions_of(expression: Expression) -> list[Condition]:
    if isinstance(expression, Condition):
        return [expression]
    if isinstance(expression, NestedExpression):
        return [e for e in expression.expressions if isinstance(e, Condition)]
    return []


def _member_types(expression: Expression) -> set[str]:
    return {c.member_type for c in _conditions_of(expression)}


def _condition_count(expression: Expression) -> int:
    return len(_conditions_of(expression))


def expression_problems(group_id: str | None, expressions: list[Expression], group_types: list[str]) -> list[str]:
    """Everything NSX would reject in a group's ``expression`` list, one message each."""
    checker = _Checker(group_id, group_types)
    checker.check_list(expressions)
    return checker.problems
