"""Effective group membership, computed from the inventory (ref §1.1, §4, §6.2, §6.5).

Each criterion (a top-level Condition or a NestedExpression) selects a set of
entity keys (``vm:<external_id>``, ``pod:<cluster>/<ns>/<name>``, ``ip:<addr>``...);
``OR`` unites and ``AND`` intersects criteria, left to right. Conditions are
predicates on the entity kind of their member type: ``Namespace`` and ``Service``
select Pods (effective members of Antrea groups are always Pods, ref §6.2),
``KubernetesCluster``/``KubernetesNamespace`` only scope the other conditions of
their criterion (ref §6.5). Labels are tags: ``value`` ``scope|tag`` (ref §4.2).
String tests ignore case and ``"|tag"`` matches the tag under any scope (vcf-nsx 9.1.1.0
``Condition``, see :func:`tag_match`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .inventory import Inventory
from .store import Store

Obj = dict[str, Any]
Pred = Callable[[str, Obj], bool]

#: member type -> entity kind it selects
TARGET = {
    "VirtualMachine": "vm",
    "Pod": "pod",
    "Namespace": "pod",
    "Service": "pod",
    "KubernetesService": "service",
    "KubernetesNode": "node",
    "AntreaEgress": "egress",
    "AntreaIPPool": "ippool",
}
SCOPING = ("KubernetesCluster", "KubernetesNamespace")


def _regex_match(actual: str, expected: str) -> bool:
    """``MATCHES``: a full regular-expression match, ignoring case like every condition."""
    try:
        return re.fullmatch(expected, actual, re.IGNORECASE) is not None
    except re.error:
        return False


def _listed(actual: str, expected: str) -> bool:
    """``IN``: ``expected`` is a comma-separated list (nsx-operator joins label values so)."""
    return actual in {item.strip() for item in expected.split(",")}


#: Positive operators on case-folded strings (ref §4.2).
_POSITIVE: dict[str, Callable[[str, str], bool]] = {
    "EQUALS": lambda a, e: a == e,
    "CONTAINS": lambda a, e: e in a,
    "STARTSWITH": lambda a, e: a.startswith(e),
    "ENDSWITH": lambda a, e: a.endswith(e),
    "IN": _listed,
}
#: Negative operators: "not" of their positive twin.
_NEGATED = {"NOTEQUALS": "EQUALS", "NOTIN": "IN"}


def _known(op: str) -> bool:
    positive = _NEGATED.get(op, op)
    return positive in _POSITIVE or positive == "MATCHES"


def _positive_match(op: str, actual: str, expected: str) -> bool:
    """``op`` (a positive operator) holds, ignoring case.

    vcf-nsx 9.1.1.0 ``Condition``: "Evaluation of the condition expression will be case
    insensitive"; the text names no exception, so ``MATCHES`` ignores case too.
    """
    if op == "MATCHES":
        return _regex_match(actual, expected)
    fn = _POSITIVE.get(op)
    return fn is not None and fn(actual.casefold(), expected.casefold())


def _str_match(op: str, actual: str, expected: str) -> bool:
    """Condition ``operator`` on one string attribute (Name, OSName, ComputerName)."""
    if not _known(op):
        return False
    return _positive_match(_NEGATED.get(op, op), actual, expected) != (op in _NEGATED)


def _split_tag_value(value: str) -> tuple[str, str]:
    """``"scope|tag"`` -> (scope, tag); a value without ``|`` is a bare tag, like ``"|tag"``."""
    scope, bar, tag = value.partition("|")
    return (scope, tag) if bar else ("", value)


def _scope_ok(expected: str, actual: str, scope_equals: bool) -> bool:
    """An empty scope part is not evaluated: ``"|tag"`` is a tag under any scope.

    vcf-nsx 9.1.1.0 ``Condition.scope_operator``: "If value for Condition is empty, then
    condition will not be evaluated ... value as "|tag" would be evaluated for tag value
    not for empty scope value"; EQUALS is the default, NOTEQUALS asks for another scope.
    """
    if not expected:
        return True
    return (actual.casefold() == expected.casefold()) == scope_equals


def tag_match(cond: Obj, tags: list[Obj]) -> bool:
    """``scope|tag`` matching, case-insensitive (ref §4.2 corrected).

    Some tag must pass the scope test and the operator on its tag value (an empty tag part,
    ``"scope|"``, is not evaluated: "has a tag under scope"); NOTEQUALS/NOTIN mean "no tag
    passes EQUALS/IN", which also selects untagged objects.
    """
    scope, tag = _split_tag_value(str(cond.get("value", "")))
    op = cond.get("operator") or "EQUALS"
    if not _known(op):
        return False
    scope_equals = (cond.get("scope_operator") or "EQUALS") != "NOTEQUALS"
    positive = _NEGATED.get(op, op)
    found = any(
        _scope_ok(scope, str(t.get("scope", "")), scope_equals)
        and (tag == "" or _positive_match(positive, str(t.get("tag", "")), tag))
        for t in tags
    )
    return found != (op in _NEGATED)


@dataclass
class Evaluator:
    store: Store
    inv: Inventory = field(init=False)
    _entities: dict[str, dict[str, Obj]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.inv = Inventory(self.store)

    def entities(self, kind: str) -> dict[str, Obj]:
        if kind not in self._entities:
            out: dict[str, Obj] = {}
            for rec in self.inv.records(kind):
                if kind == "vm":
                    out[f"vm:{rec['external_id']}"] = rec
                elif kind in ("pod", "service"):
                    out[f"{kind}:{rec['cluster']}/{rec['namespace']}/{rec['name']}"] = rec
                else:
                    out[f"{kind}:{rec['cluster']}/{rec['name']}"] = rec
            self._entities[kind] = out
        return self._entities[kind]

    def _tags(self, rec: Obj) -> list[Obj]:
        if "tags" in rec:
            return list(rec["tags"])
        return [{"scope": k, "tag": v} for k, v in (rec.get("labels") or {}).items()]

    def _attr(self, cond: Obj, rec: Obj, kind: str) -> bool:
        key = cond.get("key")
        if key == "Tag":
            return tag_match(cond, self._tags(rec))
        op = cond.get("operator") or "EQUALS"
        value = str(cond.get("value", ""))
        if key == "Name":
            return _str_match(op, rec.get("display_name") or rec.get("name", ""), value)
        if key == "OSName":
            return _str_match(op, rec.get("os_name", ""), value)
        if key == "ComputerName":
            return _str_match(op, rec.get("computer_name", ""), value)
        return key in ("IPAddress", "PodCidr") and op == "MATCHES" and value == "*"

    def _predicate(self, cond: Obj) -> tuple[str | None, Pred]:
        mt = cond.get("member_type")
        if mt == "KubernetesCluster":
            return (
                None,
                lambda kind, rec: "cluster" in rec and self._attr(cond, {"name": rec["cluster"]}, "cluster"),
            )
        if mt == "KubernetesNamespace":

            def ns_pred(kind: str, rec: Obj) -> bool:
                ns = self.inv.get("namespace", rec.get("cluster", ""), rec.get("namespace", ""))
                return ns is not None and self._attr(cond, ns, "namespace")

            return None, ns_pred
        target = TARGET.get(str(mt))
        if target is None:
            return "none", lambda kind, rec: False
        if mt == "Namespace":

            def pod_ns(kind: str, rec: Obj) -> bool:
                ns = self.inv.get("namespace", rec["cluster"], rec["namespace"])
                return ns is not None and self._attr(cond, ns, "namespace")

            return target, pod_ns
        if mt == "Service":

            def pod_svc(kind: str, rec: Obj) -> bool:
                return any(self._attr(cond, s, "service") for s in self.inv.services_selecting(rec))

            return target, pod_svc
        return target, lambda kind, rec: self._attr(cond, rec, target)

    def criterion(self, conds: list[Obj]) -> set[str]:
        targets: set[str] = set()
        preds: list[Pred] = []
        for c in conds:
            target, pred = self._predicate(c)
            if target is not None:
                targets.add(target)
            preds.append(pred)
        if len(targets) != 1 or "none" in targets:
            return set()
        kind = targets.pop()
        return {k for k, rec in self.entities(kind).items() if all(p(kind, rec) for p in preds)}

    def group(self, path: str, seen: frozenset[str] = frozenset()) -> set[str]:
        if path in seen:
            return set()
        group = self.store.get(path)
        if group is None:
            return set()
        result: set[str] = set()
        op = "OR"
        for i, e in enumerate(group.get("expression") or []):
            rt = e.get("resource_type")
            if rt == "ConjunctionOperator":
                op = e.get("conjunction_operator", "OR")
                continue
            members = self.expression(e, seen | {path})
            if i == 0:
                result = members
            elif op == "AND":
                result &= members
            else:
                result |= members
        return result

    def expression(self, e: Obj, seen: frozenset[str]) -> set[str]:  # noqa: PLR0911 - one per type
        rt = e.get("resource_type")
        if rt == "Condition":
            return self.criterion([e])
        if rt == "NestedExpression":
            return self.criterion([c for c in e.get("expressions", []) if c.get("resource_type") == "Condition"])
        if rt == "IPAddressExpression":
            return {f"ip:{ip}" for ip in e.get("ip_addresses", [])}
        if rt == "MACAddressExpression":
            return {f"mac:{m}" for m in e.get("mac_addresses", [])}
        if rt == "ExternalIDExpression" and e.get("member_type") == "VirtualMachine":
            return {f"vm:{x}" for x in e.get("external_ids", []) if f"vm:{x}" in self.entities("vm")}
        if rt == "PathExpression":
            out: set[str] = set()
            for p in e.get("paths", []):
                out |= self.group(p, seen)
            return out
        return set()

    # --- views used by the members endpoints ------------------------------------------

    def records_of(self, members: set[str], kind: str) -> list[Obj]:
        ents = self.entities(kind)
        return [ents[k] for k in sorted(members) if k in ents]

    def ips(self, members: set[str], *, consolidated: bool) -> list[str]:
        """``ip-addresses``: static IPs and VM IPs (the SDK doc lists VM, VIF, segment and
        IP members); ``consolidated-effective-ip-addresses``: every member's IPs."""
        out = [k[3:] for k in members if k.startswith("ip:")]
        for rec in self.records_of(members, "vm"):
            out.extend(rec.get("ip_addresses", []))
        if consolidated:
            for rec in self.records_of(members, "pod") + self.records_of(members, "node"):
                out.extend(rec.get("ip_addresses", []))
            for rec in self.records_of(members, "egress"):
                if rec.get("egress_ip"):
                    out.append(rec["egress_ip"])
            for rec in self.records_of(members, "service"):
                out.extend(self.inv.service_ips(rec))
            for rec in self.records_of(members, "ippool"):
                for r in rec.get("ip_ranges", []):
                    out.append(r if isinstance(r, str) else r.get("cidr") or f"{r.get('start')}-{r.get('end')}")
        return sorted(set(out))
