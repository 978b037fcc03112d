"""Group: expression grammar and limits (ref §4, §6.2, §6.5).

Checked here, per the reference:
- ``expression`` alternates: odd length, ``ConjunctionOperator`` at odd indices (ref §4.1);
- at most 5 Condition + NestedExpression entries per list (ref §4.1);
- NestedExpression joins its Conditions with AND only (ref §4.2);
- AND between criteria needs the same expression type and, for Conditions, the
  same member type; for Kubernetes/Antrea member types each side must be a single
  condition (ref §4.2, §4.4);
- Kubernetes limits: 5 conditions of one member type and 15 mixed per criterion,
  35 per group, 5 criteria per group (ref §4.4);
- Kubernetes generic-group rules of ref §6.5 (cluster/namespace conditions cannot
  stand alone, KubernetesNode only ``MATCHES *``, ...);
- ANTREA groups: Namespace/Service/Pod criteria and static IPs only (ref §6.2);
- ``group_type`` is an array (ref §4.3); IP expressions do not mix v4 and v6;
- PathExpression paths must exist (checked with all references, after the write).
Each expression entry comes back as a resource of its own (``expressions.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import bad_request, deserialization
from .common import COMMON_FIELDS, Obj, check_fields, ip_family
from .expressions import stamp_expressions

if TYPE_CHECKING:
    from .writer import Writer

GROUP_FIELDS = frozenset({"expression", "extended_expression", "group_type", "state", "reference"})
GROUP_TYPES = ("IPAddress", "ANTREA", "BareMetalServer")

MEMBER_TYPES = (
    "IPSet",
    "VirtualMachine",
    "LogicalPort",
    "LogicalSwitch",
    "Segment",
    "SegmentPort",
    "Pod",
    "Service",
    "Namespace",
    "TransportNode",
    "Group",
    "DVPG",
    "DVPort",
    "IPAddress",
    "VpcSubnet",
    "KubernetesCluster",
    "KubernetesNamespace",
    "AntreaEgress",
    "AntreaIPPool",
    "KubernetesIngress",
    "KubernetesGateway",
    "KubernetesService",
    "KubernetesNode",
    "VpcSubnetPort",
    "BareMetalServer",
    "BareMetalServerInterface",
)
KEYS = (
    "Tag",
    "Name",
    "OSName",
    "ComputerName",
    "NodeType",
    "GroupType",
    "ALL",
    "IPAddress",
    "PodCidr",
    "ManagementInterface",
    "OSVersion",
)
OPERATORS = ("EQUALS", "CONTAINS", "STARTSWITH", "ENDSWITH", "NOTEQUALS", "NOTIN", "MATCHES", "IN")
SCOPE_OPERATORS = ("EQUALS", "NOTEQUALS")
EXTERNAL_ID_MEMBER_TYPES = (
    "VirtualMachine",
    "VirtualNetworkInterface",
    "CloudNativeServiceInstance",
    "BareMetalServer",
    "BareMetalServerInterface",
    "PhysicalServer",
)

#: Member types of the Kubernetes/Antrea family (ref §4.4, §6.5).
K8S_TYPES = frozenset(
    {
        "Pod",
        "Service",
        "Namespace",
        "KubernetesCluster",
        "KubernetesNamespace",
        "AntreaEgress",
        "AntreaIPPool",
        "KubernetesIngress",
        "KubernetesGateway",
        "KubernetesService",
        "KubernetesNode",
    }
)
#: Generic-group Kubernetes types that only scope other conditions (ref §6.5).
K8S_SCOPING = frozenset({"KubernetesCluster", "KubernetesNamespace"})
K8S_CLUSTER_SCOPED = frozenset({"KubernetesNode", "AntreaEgress", "AntreaIPPool"})
ANTREA_MEMBER_TYPES = frozenset({"Pod", "Service", "Namespace"})

EXPRESSION_FIELDS: dict[str, frozenset[str]] = {
    "Condition": frozenset({"member_type", "key", "operator", "value", "scope_operator"}),
    "ConjunctionOperator": frozenset({"conjunction_operator"}),
    "NestedExpression": frozenset({"expressions"}),
    "IPAddressExpression": frozenset({"ip_addresses"}),
    "MACAddressExpression": frozenset({"mac_addresses"}),
    "PathExpression": frozenset({"paths"}),
    "ExternalIDExpression": frozenset({"member_type", "external_ids"}),
    "IdentityGroupExpression": frozenset({"identity_groups"}),
    "GeoLocationExpression": frozenset({"country_codes"}),
}
CRITERIA = ("Condition", "NestedExpression")
MAX_CRITERIA = 5
MAX_SAME_TYPE_PER_CRITERION = 5
MAX_MIXED_PER_CRITERION = 15
MAX_K8S_CONDITIONS = 35
MAX_MAC_ADDRESSES = 4000
_MAC = re.compile(r"^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$")

_GROUP_PATH = re.compile(r"^/infra/domains/[^/]+/groups/[^/]+$")
_SEGMENT_PATH = re.compile(r"^/infra/(tier-1s/[^/]+/)?segments/[^/]+(/ports/[^/]+)?$")


def _err(group: str, message: str) -> Exception:
    return bad_request(f"Invalid expression in Group {group}: {message}")


def _conditions_of(expr: Obj) -> list[Obj]:
    if expr.get("resource_type") == "Condition":
        return [expr]
    if expr.get("resource_type") == "NestedExpression":
        return [e for e in expr.get("expressions", []) if e.get("resource_type") == "Condition"]
    return []


def _check_alternation(exprs: list[Any], group: str, where: str) -> None:
    if len(exprs) % 2 == 0:
        raise _err(group, f"{where} must have an odd number of entries with ConjunctionOperator at odd positions.")
    for i, e in enumerate(exprs):
        is_conj = e.get("resource_type") == "ConjunctionOperator"
        if (i % 2 == 1) != is_conj:
            raise _err(group, f"{where}[{i}]: expressions and ConjunctionOperators must alternate.")


def _check_expression_shape(e: Any, group: str, where: str) -> str:
    if not isinstance(e, dict):
        raise deserialization(f"{where} expects an Expression object.")
    rt = e.get("resource_type")
    if rt not in EXPRESSION_FIELDS:
        raise _err(group, f"{where}: unknown expression resource_type {rt!r}.")
    check_fields(e, COMMON_FIELDS | EXPRESSION_FIELDS[rt])
    return str(rt)


def _check_condition(  # noqa: PLR0912 - one branch per rule of ref §4.2/§6.2/§6.5
    c: Obj, group: str, where: str, antrea: bool
) -> None:
    for name, allowed in (("member_type", MEMBER_TYPES), ("key", KEYS)):
        value = c.get(name)
        if value not in allowed:
            raise _err(group, f"{where}: invalid {name} {value!r}.")
    op = c.get("operator")
    mt, key = c["member_type"], c["key"]
    if op is None and not (mt in ("Segment", "SegmentPort") and key == "Tag"):
        raise _err(group, f"{where}: operator is required.")
    if op is not None and op not in OPERATORS:
        raise _err(group, f"{where}: invalid operator {op!r}.")
    value = c.get("value")
    if not isinstance(value, str) or len(value) < 1:
        raise _err(group, f"{where}: value must be a non-empty string.")
    sop = c.get("scope_operator")
    if sop is not None and sop not in SCOPE_OPERATORS:
        raise _err(group, f"{where}: invalid scope_operator {sop!r}.")
    if op == "MATCHES":
        try:
            re.compile(value if mt != "KubernetesNode" else ".*")
        except re.error as exc:
            raise _err(group, f"{where}: invalid regular expression: {exc}.") from None
    if antrea:
        if mt not in ANTREA_MEMBER_TYPES:
            raise _err(
                group,
                f"{where}: member_type {mt} is not supported in an ANTREA group; use Namespace, Service or Pod.",
            )
        allowed_keys = {"Namespace": ("Name", "Tag"), "Service": ("Name",), "Pod": ("Tag", "Name")}
        if key not in allowed_keys[mt]:
            raise _err(group, f"{where}: key {key} is not supported for {mt} in an ANTREA group.")
        if op in ("CONTAINS", "STARTSWITH", "ENDSWITH"):
            raise _err(group, f"{where}: operator {op} is not supported for {mt} in an ANTREA group.")
        if sop == "NOTEQUALS":
            raise _err(group, f"{where}: scope_operator NOTEQUALS is not supported in an ANTREA group.")
    if (
        mt == "KubernetesNode"
        and not antrea
        and (key not in ("IPAddress", "PodCidr") or op != "MATCHES" or value != "*")
    ):
        raise _err(
            group,
            f"{where}: KubernetesNode conditions must use key IPAddress or PodCidr "
            "with operator MATCHES and value '*'.",
        )
    if mt == "KubernetesCluster":
        if key != "Name":
            raise _err(group, f"{where}: KubernetesCluster supports key Name only.")
        if op in ("IN", "NOTIN"):
            names = value.split(",")
            if len(names) > 5 or any(not n or n != n.strip() or " " in n for n in names):
                raise _err(group, f"{where}: IN takes at most 5 comma-separated cluster names without spaces.")


def _check_criterion(  # noqa: PLR0912 - one branch per rule of ref §4.4/§6.5
    conds: list[Obj], group: str, where: str, antrea: bool
) -> None:
    """Kubernetes/Antrea per-criterion rules (ref §4.4, §6.2, §6.5)."""
    types = [c["member_type"] for c in conds]
    k8s = [t for t in types if t in K8S_TYPES]
    if not k8s:
        return
    counts: dict[str, int] = {}
    for t in types:
        counts[t] = counts.get(t, 0) + 1
    for t, n in counts.items():
        if n > MAX_SAME_TYPE_PER_CRITERION:
            raise _err(
                group,
                f"{where}: at most {MAX_SAME_TYPE_PER_CRITERION} conditions "
                f"of member type {t} are allowed in one criterion.",
            )
    if len(types) > MAX_MIXED_PER_CRITERION:
        raise _err(group, f"{where}: at most {MAX_MIXED_PER_CRITERION} conditions are allowed in one criterion.")
    if antrea:
        if "Service" in counts:
            if "Pod" in counts:
                raise _err(group, f"{where}: Service conditions cannot be mixed with Pod conditions.")
            ns_name = any(c["member_type"] == "Namespace" and c["key"] == "Name" for c in conds)
            if not ns_name:
                raise _err(
                    group,
                    f"{where}: a Service condition needs a Namespace Name condition in the same criterion.",
                )
        return
    resources = {t for t in types if t not in K8S_SCOPING}
    if k8s and any(t not in K8S_TYPES for t in types):
        raise _err(group, f"{where}: Kubernetes member types cannot be mixed with other member types.")
    if len(resources) > 1 and resources & (K8S_TYPES - K8S_SCOPING - ANTREA_MEMBER_TYPES):
        raise _err(group, f"{where}: all resource conditions of a criterion must share one member type.")
    if counts.get("KubernetesCluster", 0) > 1:
        raise _err(group, f"{where}: at most one KubernetesCluster condition per criterion.")
    if counts.get("KubernetesNode", 0) > 1:
        raise _err(group, f"{where}: at most one KubernetesNode condition per criterion.")
    if not resources:
        raise _err(group, f"{where}: KubernetesCluster and KubernetesNamespace conditions cannot stand alone.")
    if "KubernetesNamespace" in counts and resources & K8S_CLUSTER_SCOPED:
        raise _err(group, f"{where}: KubernetesNamespace cannot be combined with cluster-scoped member types.")


def _check_and(left: Obj, right: Obj, group: str, where: str) -> None:
    """AND between criteria: same type, same member type; K8s: single conditions (ref §4.4)."""
    lt, rt = left.get("resource_type"), right.get("resource_type")
    if lt != rt:
        raise _err(group, f"{where}: AND is only allowed between expressions of the same type.")
    if lt not in CRITERIA:
        return
    lc, rc = _conditions_of(left), _conditions_of(right)
    ltypes = {c.get("member_type") for c in lc}
    rtypes = {c.get("member_type") for c in rc}
    if ltypes != rtypes or len(ltypes) != 1:
        raise _err(group, f"{where}: AND is only allowed between criteria of the same member type.")
    if ltypes & K8S_TYPES and (len(lc) != 1 or len(rc) != 1):
        raise _err(group, f"{where}: AND between Kubernetes criteria needs single-condition criteria.")


def _check_list(  # noqa: PLR0912, PLR0915 - the expression grammar of ref §4.1/§4.2
    exprs: Any, group: str, where: str, group_types: list[str], nested: bool
) -> int:
    """Validate one expression list; returns the number of Conditions it holds."""
    if not isinstance(exprs, list):
        raise deserialization(f"property {where} expects an array.")
    if not exprs:
        return 0
    antrea = "ANTREA" in group_types
    for i, e in enumerate(exprs):
        _check_expression_shape(e, group, f"{where}[{i}]")
    _check_alternation(exprs, group, where)
    criteria = [e for e in exprs if e["resource_type"] in CRITERIA]
    if len(criteria) > MAX_CRITERIA:
        raise _err(
            group,
            f"{where}: at most {MAX_CRITERIA} Condition or NestedExpression entries are allowed in one list.",
        )
    total = 0
    for i, e in enumerate(exprs):
        rt = e["resource_type"]
        here = f"{where}[{i}]"
        if rt == "ConjunctionOperator":
            op = e.get("conjunction_operator")
            if op not in ("AND", "OR"):
                raise _err(group, f"{here}: conjunction_operator must be AND or OR.")
            if nested and op != "AND":
                raise _err(group, f"{here}: conditions inside a NestedExpression are joined by AND.")
            if not nested and op == "AND":
                _check_and(exprs[i - 1], exprs[i + 1], group, here)
            continue
        if "IPAddress" in group_types and rt != "IPAddressExpression":
            raise _err(group, f"{here}: an IPAddress group takes IPAddressExpression only.")
        if antrea and rt not in ("Condition", "NestedExpression", "IPAddressExpression"):
            raise _err(group, f"{here}: {rt} is not supported in an ANTREA group.")
        if nested and rt != "Condition":
            raise _err(group, f"{here}: a NestedExpression may contain Conditions only.")
        if rt == "Condition":
            _check_condition(e, group, here, antrea)
            total += 1
            if not nested:
                _check_criterion([e], group, here, antrea)
        elif rt == "NestedExpression":
            inner = e.get("expressions")
            if not isinstance(inner, list) or not inner:
                raise _err(group, f"{here}: NestedExpression needs a non-empty expressions list.")
            n = _check_list(inner, group, f"{here}.expressions", group_types, True)
            _check_criterion(_conditions_of(e), group, here, antrea)
            total += n
        elif rt == "IPAddressExpression":
            _check_ips(e, group, here)
        elif rt == "MACAddressExpression":
            macs = e.get("mac_addresses")
            if not isinstance(macs, list) or not macs or not all(isinstance(m, str) and _MAC.match(m) for m in macs):
                raise _err(group, f"{here}: mac_addresses must be a non-empty list of MAC addresses.")
        elif rt == "PathExpression":
            paths = e.get("paths")
            if not isinstance(paths, list) or not paths:
                raise _err(group, f"{here}: paths must be a non-empty list.")
            for p in paths:
                if not isinstance(p, str) or not (_GROUP_PATH.match(p) or _SEGMENT_PATH.match(p)):
                    raise _err(group, f"{here}: path {p!r} is not a group, segment or segment port path.")
        elif rt == "ExternalIDExpression":
            if e.get("member_type") not in EXTERNAL_ID_MEMBER_TYPES:
                raise _err(group, f"{here}: invalid member_type {e.get('member_type')!r}.")
            ids = e.get("external_ids")
            if not isinstance(ids, list) or not ids or not all(isinstance(x, str) and x for x in ids):
                raise _err(group, f"{here}: external_ids must be a non-empty list of strings.")
        else:
            raise _err(group, f"{here}: {rt} is only allowed in extended_expression.")
    return total


def _check_ips(e: Obj, group: str, where: str) -> None:
    ips = e.get("ip_addresses")
    if not isinstance(ips, list) or not ips:
        raise _err(group, f"{where}: ip_addresses must be a non-empty list.")
    families = set()
    for ip in ips:
        fam = ip_family(ip) if isinstance(ip, str) else None
        if fam is None:
            raise _err(group, f"{where}: {ip!r} is not an IP address, range or CIDR.")
        families.add(fam)
    if len(families) > 1:
        raise _err(group, f"{where}: IPv4 and IPv6 addresses cannot be mixed in one IPAddressExpression.")


def _check_extended(exprs: Any, group: str) -> None:
    """extended_expression: one IdentityGroupExpression, nothing else (ref §4.2)."""
    if not isinstance(exprs, list):
        raise deserialization("property extended_expression expects an array.")
    if not exprs:
        return
    if len(exprs) != 1:
        raise _err(group, "extended_expression takes a single IdentityGroupExpression.")
    rt = _check_expression_shape(exprs[0], group, "extended_expression[0]")
    if rt != "IdentityGroupExpression":
        raise _err(group, "extended_expression takes a single IdentityGroupExpression.")


def normalize_group(w: Writer, path: str, obj: Obj, existing: Obj | None) -> None:
    gid = path.rsplit("/", 1)[1]
    gt = obj.get("group_type")
    if gt is None:
        gt = []
    if not isinstance(gt, list) or not all(isinstance(t, str) for t in gt):
        raise deserialization("property group_type expects an array of strings.")
    for t in gt:
        if t not in GROUP_TYPES:
            raise bad_request(f"Invalid group_type {t!r}; allowed values are {', '.join(GROUP_TYPES)}.")
    if existing is not None and sorted(existing.get("group_type") or []) != sorted(gt):
        raise bad_request(f"group_type of Group {gid} cannot be changed once created.")
    exprs = obj.get("expression")
    if exprs is None:
        exprs = []
    total = _check_list(exprs, gid, "expression", gt, False)
    has_k8s = any(c.get("member_type") in K8S_TYPES for e in exprs if isinstance(e, dict) for c in _conditions_of(e))
    if has_k8s and total > MAX_K8S_CONDITIONS:
        raise _err(gid, f"at most {MAX_K8S_CONDITIONS} conditions are allowed in a group.")
    macs = sum(len(e.get("mac_addresses", [])) for e in exprs if isinstance(e, dict))
    if macs > MAX_MAC_ADDRESSES:
        raise _err(gid, f"at most {MAX_MAC_ADDRESSES} MAC addresses are allowed.")
    for p in group_refs({"expression": exprs}):
        if p == path:
            raise _err(gid, "a group cannot contain itself.")
    _check_extended(obj.get("extended_expression") or [], gid)
    stored = existing or {}
    obj["expression"] = stamp_expressions(w, path, exprs, stored.get("expression"))
    if obj.get("extended_expression"):
        obj["extended_expression"] = stamp_expressions(
            w, path, obj["extended_expression"], stored.get("extended_expression")
        )
    if gt or "group_type" in obj:
        obj["group_type"] = gt
    obj.pop("state", None)
    obj.pop("reference", None)
    obj["state"] = "SUCCESS"
    obj["reference"] = False


def group_refs(obj: Obj) -> Iterable[str]:
    for e in obj.get("expression") or ():
        if isinstance(e, dict):
            if e.get("resource_type") == "PathExpression":
                yield from (p for p in e.get("paths") or () if isinstance(p, str))
            elif e.get("resource_type") == "NestedExpression":
                yield from group_refs({"expression": e.get("expressions") or []})
