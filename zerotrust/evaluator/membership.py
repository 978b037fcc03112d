"""Group membership: NSX group expressions evaluated against the inventory snapshot.

Why our own: the evaluator must be independent of the emulator (issue 7). Semantics
from nsx-policy-api.md §4 and §6: ``scope|tag`` tag values, conditions ANDed inside a
criterion, criteria joined by AND/OR, nested groups through PathExpression, Antrea
groups whose effective members are Pods (§6.2), generic groups with Kubernetes member
types whose members are IPs: node IPs, Egress IPs, IP-pool ranges, LoadBalancer IPs (§6.5).

Decisions marked [UNV] in the reference, read conservatively and documented:
* AND binds tighter than OR when a list mixes both (NSX documents no precedence).
* ``NOTEQUALS``/``NOTIN`` on a tag means "no tag of the object satisfies EQUALS/IN"
  (the Kubernetes ``NotIn`` reading, which also selects objects without the label).
* ``MATCHES`` is read as a shell-style wildcard (the reference shows only ``*``, §6.5).

Facts from the vcf-nsx 9.1.1.0 SDK model ``Condition`` (nsx-policy-api.md §4.2, corrected):
* "Evaluation of the condition expression will be case insensitive": every operator, on
  tags (scope and value) and on Name/OSName/ComputerName, ignores case.
* ``scope_operator`` defaults to EQUALS; an empty part of the value "will not be evaluated":
  ``"|web"`` is "evaluated for tag value not for empty scope value", so it matches ``web``
  under any scope. A value without ``|`` reads the same; ``"env|"`` asks for any tag under
  ``env``.
* Member types the inventory cannot answer (Segment, IPSet, KubernetesIngress, ...) select
  nothing and are reported as problems, so no verdict silently relies on them.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from zerotrust.evaluator.addresses import IPSet, parse_range
from zerotrust.evaluator.inventory import Cluster, Inventory, Pod
from zerotrust.evaluator.selectors import selector_matches
from zerotrust.models import (
    Condition,
    ConjunctionOperator,
    ExternalIDExpression,
    Group,
    IPAddressExpression,
    MACAddressExpression,
    NestedExpression,
    PathExpression,
)

__all__ = ["Members", "MembershipResolver", "text_matches"]

POD_MEMBER_TYPES = frozenset({"Pod", "Namespace", "Service"})
K8S_SCOPING = frozenset({"KubernetesCluster", "KubernetesNamespace"})
K8S_RESOURCES = frozenset(
    {"KubernetesNode", "AntreaEgress", "AntreaIPPool", "KubernetesService", "KubernetesIngress", "KubernetesGateway"}
)


@dataclass(frozen=True)
class Members:
    """What a group stands for: VMs (by name), Pods (by key) and addresses."""

    vms: frozenset[str] = frozenset()
    pods: frozenset[str] = frozenset()
    ips: IPSet = field(default_factory=IPSet)

    def union(self, other: Members) -> Members:
        """Members of either."""
        return Members(self.vms | other.vms, self.pods | other.pods, self.ips.union(other.ips))

    def intersection(self, other: Members) -> Members:
        """Members of both, kind by kind."""
        return Members(self.vms & other.vms, self.pods & other.pods, self.ips.intersection(other.ips))


EMPTY = Members()


def text_matches(operator: str | None, actual: str, expected: str) -> bool:
    """A positive string test, ignoring case (``NOTEQUALS``/``NOTIN`` are negated by the caller)."""
    op = (operator or "EQUALS").upper()
    actual, expected = actual.casefold(), expected.casefold()
    if op in {"EQUALS", "NOTEQUALS"}:
        return actual == expected
    if op == "CONTAINS":
        return expected in actual
    if op == "STARTSWITH":
        return actual.startswith(expected)
    if op == "ENDSWITH":
        return actual.endswith(expected)
    if op in {"IN", "NOTIN"}:
        return actual in {v.strip() for v in expected.split(",")}
    if op == "MATCHES":
        return fnmatch.fnmatchcase(actual, expected)
    raise ValueError(f"unknown condition operator {operator!r}")


def _negated(operator: str | None) -> bool:
    return (operator or "").upper() in {"NOTEQUALS", "NOTIN"}


def _tag_parts(value: str) -> tuple[str, str]:
    """``"scope|tag"`` -> (scope, tag); without ``|`` the whole value is the tag."""
    scope, bar, tag = value.partition("|")
    return (scope, tag) if bar else ("", value)


def _scope_holds(condition: Condition, wanted: str, scope: str) -> bool:
    """An empty scope part is not evaluated (any scope); else EQUALS or NOTEQUALS, ignoring case."""
    if not wanted:
        return True
    equal = scope.casefold() == wanted.casefold()
    return equal if (condition.scope_operator or "EQUALS").upper() == "EQUALS" else not equal


def tag_condition_holds(condition: Condition, tags: Iterable[tuple[str, str]]) -> bool:
    """``scope|tag`` test on a list of (scope, tag) pairs (module doc: facts of ``Condition``).

    Positive: some tag passes the scope test and the operator (an empty tag part is not
    evaluated). ``NOTEQUALS``/``NOTIN``: no tag passes the scope test and EQUALS/IN.
    """
    wanted_scope, wanted_tag = _tag_parts(condition.value)
    positive = any(
        _scope_holds(condition, wanted_scope, scope)
        and (not wanted_tag or text_matches(condition.operator, tag, wanted_tag))
        for scope, tag in tags
    )
    return positive != _negated(condition.operator)


def _name_holds(condition: Condition, name: str) -> bool:
    positive = text_matches(condition.operator, name, condition.value)
    return not positive if _negated(condition.operator) else positive


def _label_pairs(labels: Mapping[str, str]) -> list[tuple[str, str]]:
    return list(labels.items())


class MembershipResolver:
    """Resolves group paths to :class:`Members`, caching, with cycle and error reporting."""

    def __init__(self, groups: Mapping[str, Group], inventory: Inventory) -> None:
        self.groups = groups
        self.inventory = inventory
        self.problems: list[str] = []
        self._cache: dict[str, Members] = {}
        self._active: set[str] = set()
        self._vm_by_tag: dict[tuple[str, str], set[str]] = {}
        for vm in inventory.vms:
            for scope, tag in vm.tags:
                self._vm_by_tag.setdefault((scope.casefold(), tag.casefold()), set()).add(vm.name)
        self._all_vms = frozenset(vm.name for vm in inventory.vms)
        self._pods: list[tuple[Cluster, Pod]] = [(c, p) for c in inventory.clusters for p in c.pods]

    def members(self, path: str) -> Members:
        """Members of the group at ``path``; unknown or cyclic groups are empty and reported."""
        cached = self._cache.get(path)
        if cached is not None:
            return cached
        group = self.groups.get(path)
        if group is None:
            self.problems.append(f"group {path} is not defined in the configuration; it matches nothing")
            result = EMPTY
        elif path in self._active:
            self.problems.append(f"group {path} contains itself through PathExpressions; cycle ignored")
            return EMPTY
        else:
            self._active.add(path)
            result = self._expressions(path, list(group.expression or []))
            self._active.discard(path)
        self._cache[path] = result
        return result

    # expressions ---------------------------------------------------------------

    def _expressions(self, path: str, expressions: list[object]) -> Members:
        """Criteria joined by conjunctions: OR of AND-terms ([UNV] precedence, see module doc)."""
        terms: list[list[object]] = [[]]
        for item in expressions:
            if isinstance(item, ConjunctionOperator):
                if item.conjunction_operator == "OR":
                    terms.append([])
                continue
            terms[-1].append(item)
        result = EMPTY
        for term in terms:
            if not term:
                continue
            value = self._criterion_value(path, term[0])
            for item in term[1:]:
                value = value.intersection(self._criterion_value(path, item))
            result = result.union(value)
        return result

    def _criterion_value(self, path: str, item: object) -> Members:  # noqa: PLR0911
        if isinstance(item, Condition):
            return self._conditions(path, [item])
        if isinstance(item, NestedExpression):
            conditions = [e for e in item.expressions if isinstance(e, Condition)]
            return self._conditions(path, conditions)
        if isinstance(item, IPAddressExpression):
            return Members(ips=IPSet.of(parse_range(text) for text in item.ip_addresses))
        if isinstance(item, PathExpression):
            result = EMPTY
            for member_path in item.paths:
                if "/groups/" in member_path:
                    result = result.union(self.members(member_path))
                else:
                    self.problems.append(
                        f"group {path}: member {member_path} is not a group; segments are not in the inventory"
                    )
            return result
        if isinstance(item, ExternalIDExpression):
            if item.member_type != "VirtualMachine":
                self.problems.append(f"group {path}: ExternalIDExpression of {item.member_type} is not modelled")
                return EMPTY
            ids = set(item.external_ids)
            return Members(vms=frozenset(vm.name for vm in self.inventory.vms if vm.external_id in ids))
        if isinstance(item, MACAddressExpression):
            self.problems.append(f"group {path}: MAC addresses are not modelled (layer 2); they match nothing")
            return EMPTY
        self.problems.append(f"group {path}: expression {type(item).__name__} is not modelled")
        return EMPTY

    # one criterion: conditions ANDed ----------------------------------------------

    def _conditions(self, path: str, conditions: list[Condition]) -> Members:
        if not conditions:
            return EMPTY
        types = {c.member_type for c in conditions}
        if types == {"VirtualMachine"}:
            names = self._all_vms
            for condition in conditions:
                names = names & self._vm_condition(path, condition)
            return Members(vms=names)
        if types <= POD_MEMBER_TYPES:
            pods = [(c, p) for c, p in self._pods if all(self._pod_condition(c, p, x) for x in conditions)]
            return Members(pods=frozenset(p.key for _, p in pods))
        if types <= K8S_SCOPING | K8S_RESOURCES:
            return Members(ips=self._kubernetes(path, conditions, types))
        self.problems.append(
            f"group {path}: a criterion with member types {sorted(types)} is not modelled; it matches nothing"
        )
        return EMPTY

    def _vm_condition(self, path: str, condition: Condition) -> frozenset[str]:
        key = condition.key
        if key == "Tag":
            scope, tag = _tag_parts(condition.value)
            simple = (condition.operator or "EQUALS").upper() == "EQUALS" and (
                condition.scope_operator or "EQUALS"
            ).upper() == "EQUALS"
            if simple and scope and tag:
                return frozenset(self._vm_by_tag.get((scope.casefold(), tag.casefold()), set()))
            return frozenset(vm.name for vm in self.inventory.vms if tag_condition_holds(condition, vm.tags))
        if key == "Name":
            return frozenset(vm.name for vm in self.inventory.vms if _name_holds(condition, vm.name))
        if key == "ComputerName":
            return frozenset(vm.name for vm in self.inventory.vms if _name_holds(condition, vm.computer_name))
        if key == "OSName":
            return frozenset(vm.name for vm in self.inventory.vms if _name_holds(condition, vm.os_name))
        self.problems.append(f"group {path}: VirtualMachine key {key} is not modelled; it matches nothing")
        return frozenset()

    def _pod_condition(self, cluster: Cluster, pod: Pod, condition: Condition) -> bool:
        """Antrea group conditions (nsx-policy-api.md §6.2): labels surface as tags."""
        member_type, key = condition.member_type, condition.key
        if member_type == "Pod":
            if key == "Tag":
                return tag_condition_holds(condition, _label_pairs(pod.labels))
            return key == "Name" and _name_holds(condition, pod.name)
        if member_type == "Namespace":
            if key == "Tag":
                return tag_condition_holds(condition, _label_pairs(cluster.namespace_labels(pod.namespace)))
            return key == "Name" and _name_holds(condition, pod.namespace)
        # Service Name: the pods the named Service selects, in its namespace.
        return key == "Name" and any(
            s.namespace == pod.namespace and _name_holds(condition, s.name) and selector_matches(s.selector, pod.labels)
            for s in cluster.services
            if s.selector
        )

    def _kubernetes(self, path: str, conditions: list[Condition], types: set[str]) -> IPSet:
        """Generic groups with Kubernetes member types (nsx-policy-api.md §6.5): addresses."""
        resources = types & K8S_RESOURCES
        if len(resources) != 1:
            self.problems.append(
                f"group {path}: a Kubernetes criterion needs exactly one resource member type, got "
                f"{sorted(resources) or 'none'}; it matches nothing"
            )
            return IPSet()
        resource = next(iter(resources))
        cluster_tests = [c for c in conditions if c.member_type == "KubernetesCluster"]
        namespace_tests = [c for c in conditions if c.member_type == "KubernetesNamespace"]
        own_tests = [c for c in conditions if c.member_type == resource]
        spans: list[tuple[int, int]] = []
        for cluster in self.inventory.clusters:
            if not all(_name_holds(c, cluster.name) for c in cluster_tests):
                continue
            for name, labels, namespace, addresses in self._resources(resource, cluster, own_tests):
                if namespace_tests and (
                    namespace is None
                    or not all(
                        _name_holds(c, namespace)
                        if c.key == "Name"
                        else tag_condition_holds(c, _label_pairs(cluster.namespace_labels(namespace)))
                        for c in namespace_tests
                    )
                ):
                    continue
                if all(
                    c.key in {"IPAddress", "PodCidr"}
                    or (_name_holds(c, name) if c.key == "Name" else tag_condition_holds(c, _label_pairs(labels)))
                    for c in own_tests
                ):
                    spans.extend(addresses)
        if resource in {"KubernetesIngress", "KubernetesGateway"}:
            self.problems.append(f"group {path}: {resource} is not in the inventory; it matches nothing")
        return IPSet.of(spans)

    def _resources(
        self, resource: str, cluster: Cluster, tests: list[Condition]
    ) -> list[tuple[str, Mapping[str, str], str | None, list[tuple[int, int]]]]:
        """(name, labels, namespace, address intervals) of each candidate resource."""
        out: list[tuple[str, Mapping[str, str], str | None, list[tuple[int, int]]]] = []
        if resource == "KubernetesNode":
            pod_cidr = any(c.key == "PodCidr" for c in tests)
            for node in cluster.nodes:
                spans = [parse_range(c) for c in node.pod_cidrs] if pod_cidr else [(ip, ip) for ip in node.ips]
                out.append((node.name, {}, None, spans))
        elif resource == "AntreaEgress":
            out = [(e.name, e.labels, None, [(e.egress_ip, e.egress_ip)]) for e in cluster.egresses]
        elif resource == "AntreaIPPool":
            out = [(p.name, p.labels, None, list(p.ranges.intervals)) for p in cluster.ip_pools]
        elif resource == "KubernetesService":
            for s in cluster.services:
                if s.type == "LoadBalancer" and s.load_balancer_ip is not None:
                    out.append((s.name, s.labels, s.namespace, [(s.load_balancer_ip, s.load_balancer_ip)]))
        return out
