"""SecurityGroup: workloads chosen by identity, declared into a Firewall's rule base.

A group is VMs (tags, addresses, nested groups) or pods of one registered cluster (an Antrea
group of pod / namespace labels, ref §6.2): the two are seen at different enforcement points,
so one group holds one kind. Its ``path`` is known at once (``/infra/domains/<d>/groups/<id>``):
rules name it without waiting for anything, and another stack can take it through a
``StackReference``. The NSX object itself is a member of the firewall's one policy set
(docs/scale.md), not an engine resource of its own.

Example::

    web = SecurityGroup("web", SecurityGroupArgs(firewall=fw, vm_tags={"app": "web"}))
    db = SecurityGroup("db", SecurityGroupArgs(firewall=fw, vm_tags={"tier": "db"}, ips=["192.0.2.20"]))
    pulumi.export("db_group", db.path)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi

from components.errors import ArgumentError
from components.firewall import Firewall, Member
from components.vks_cluster import VksCluster
from zerotrust.spec import wire

Cluster = VksCluster | pulumi.Input[str]
"""A registered cluster: its ``VksCluster``, or its cluster-control-plane path."""

GROUP_PATH = r"/infra/domains/<domain>/groups/<id>"
MEMBER_FIX = f"pass the SecurityGroup object or a group path {GROUP_PATH!r}"


@dataclass(frozen=True)
class Pods:
    """Pods of one cluster with every label, in ``namespace`` when given."""

    cluster: Cluster
    labels: Mapping[str, str] = field(default_factory=dict)
    namespace: str | None = None


@dataclass(frozen=True)
class Namespaces:
    """Every pod of the namespaces of one cluster with every label (and this ``name``)."""

    cluster: Cluster
    labels: Mapping[str, str] = field(default_factory=dict)
    name: str | None = None


@dataclass(frozen=True, kw_only=True)
class SecurityGroupArgs:
    firewall: Firewall
    vm_tags: Mapping[str, str] | Sequence[Mapping[str, str]] | None = None
    """VMs carrying every tag (scope -> tag); a list of them means any of them."""
    pods: Pods | Sequence[Pods] = ()
    namespaces: Namespaces | Sequence[Namespaces] = ()
    ips: Sequence[pulumi.Input[str]] = ()
    """Addresses outside the inventory: IPs, CIDRs, ``first-last`` ranges."""
    members: Sequence[SecurityGroup | pulumi.Input[str]] = ()
    """Groups nested in this one: ``SecurityGroup`` objects or group paths."""
    nsx_id: str | None = None
    """NSX id (default: the name)."""
    display_name: str | None = None
    description: str | None = None
    nsx: Mapping[str, Any] | None = None
    """An NSX Group body kept as it is, instead of selectors: the stack files' compiled groups
    (Egress IPs, node IPs, adopted groups) come this way (``components/stack_files.py``)."""
    owner: str | None = None
    """Who owns it in the set's ``owners`` (default: the firewall's owner)."""


SELECTORS = ("vm_tags", "pods", "namespaces", "ips", "members")


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, Mapping | str | Pods | Namespaces) or not isinstance(value, Sequence):
        return [value]
    return list(value)


def _labels(at: str, argument: str, value: Any, kind: str) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ArgumentError(at, argument, value, f"is not a map of {kind}", "write e.g. {'app': 'web'}")
    return dict(value)


def _cluster_key(cluster: Cluster) -> object:
    return id(cluster) if isinstance(cluster, VksCluster | pulumi.Output) else cluster


def _cluster_path(cluster: Cluster) -> pulumi.Input[str]:
    return cluster.path if isinstance(cluster, VksCluster) else cluster


def member_path(at: str, argument: str, value: Any, firewall: Firewall) -> pulumi.Input[str]:
    """A group reference as a path: a SecurityGroup of this firewall, a path, or an Output of one."""
    if isinstance(value, SecurityGroup):
        if value.firewall is not firewall:
            raise ArgumentError(
                at, argument, value.path, "belongs to another Firewall", "name groups of the same firewall, or its path"
            )
        return value.path
    if isinstance(value, pulumi.Output):
        return value.apply(lambda path: checked_path(at, argument, path))
    if isinstance(value, str):
        return checked_path(at, argument, value)
    raise ArgumentError(at, argument, value, "is not a group", MEMBER_FIX)


def checked_path(at: str, argument: str, value: Any) -> str:
    parts = value.split("/") if isinstance(value, str) else []
    if len(parts) == 6 and parts[:3] == ["", "infra", "domains"] and parts[4] == "groups" and all(parts[3:]):
        return str(value)
    raise ArgumentError(at, argument, value, "is not a group path", MEMBER_FIX)


@dataclass(frozen=True)
class _Built:
    member: Member
    side: Literal["vms", "pods"]
    cluster: Cluster | None


def _verbatim(at: str, nsx_id: str, args: SecurityGroupArgs, nsx: Mapping[str, Any]) -> _Built:
    """A group given as its NSX body (the stack files' compiled groups)."""
    given = [name for name in SELECTORS if getattr(args, name)]
    if given:
        raise ArgumentError(at, given[0], "...", "comes with an NSX body", "give the NSX body alone, or selectors")
    body = {**nsx, "resource_type": "Group", "id": nsx_id}
    side: Literal["vms", "pods"] = "pods" if "ANTREA" in (body.get("group_type") or []) else "vms"
    return _Built(Member("groups", nsx_id, body, at, owner=args.owner), side, None)


def _build(at: str, nsx_id: str, args: SecurityGroupArgs) -> _Built:
    """The group's wire body from its selectors; raises ArgumentError before anything exists."""
    if not isinstance(args.firewall, Firewall):
        raise ArgumentError(at, "firewall", args.firewall, "is not a Firewall", "pass the Firewall(...) it belongs to")
    if not wire.NSX_ID.match(nsx_id):
        raise ArgumentError(
            at, "nsx_id", nsx_id, "is not an NSX id", "use letters, digits, '_', '-' and '.' (at most 255)"
        )
    if args.nsx is not None:
        return _verbatim(at, nsx_id, args, args.nsx)
    criteria: list[dict[str, Any]] = []
    for i, tags in enumerate(_listed(args.vm_tags)):
        labels = _labels(at, f"vm_tags[{i}]" if isinstance(args.vm_tags, list | tuple) else "vm_tags", tags, "tags")
        if not labels:
            raise ArgumentError(at, "vm_tags", tags, "selects every VM", "name at least one tag")
        criteria.append(wire.vm_criterion(labels))
    paths = [member_path(at, f"members[{i}]", m, args.firewall) for i, m in enumerate(_listed(args.members))]
    if paths:
        criteria.append(wire.paths_criterion(paths))
    ips = _listed(args.ips)
    for i, ip in enumerate(ips):
        if isinstance(ip, pulumi.Output):
            continue
        if not isinstance(ip, str) or not wire.is_address(ip):
            raise ArgumentError(
                at, f"ips[{i}]", ip, "is not an IP address, CIDR or range", "write e.g. 192.0.2.10 or 192.0.2.0/28"
            )
    plain = [ip for ip in ips if not isinstance(ip, pulumi.Output)]
    later = [ip for ip in ips if isinstance(ip, pulumi.Output)]
    criteria.extend(wire.ip_expressions(plain))
    pod_criteria, cluster = _pod_side(at, args)
    if (criteria or later) and pod_criteria:
        raise ArgumentError(
            at,
            "pods" if args.pods else "namespaces",
            "...",
            "mixes pods with VMs, addresses or members, which are enforced at different points",
            "declare one SecurityGroup for the VMs and another for the pods",
        )
    if not (criteria or later or pod_criteria):
        raise ArgumentError(at, "selectors", {}, "selects nothing", "give vm_tags, pods, namespaces, ips or members")
    expression: Any = wire.any_of(criteria or pod_criteria)
    if later:  # addresses known at run time (a VM's IP): one expression per family once known
        vm_side = [c for c in criteria if c.get("resource_type") != "IPAddressExpression"]
        expression = pulumi.Output.all(*later).apply(
            lambda known: wire.any_of([*vm_side, *wire.ip_expressions([*plain, *known])])
        )
    body = wire.group_body(
        nsx_id,
        expression,
        display_name=args.display_name,
        description=args.description,
        antrea=bool(pod_criteria),
    )
    member = Member("groups", nsx_id, body, at, owner=args.owner)
    return _Built(member, "pods" if pod_criteria else "vms", cluster)


def _pod_side(at: str, args: SecurityGroupArgs) -> tuple[list[dict[str, Any]], Cluster | None]:
    criteria: list[dict[str, Any]] = []
    clusters: dict[object, Cluster] = {}
    selectors = [("pods", p) for p in _listed(args.pods)] + [("namespaces", n) for n in _listed(args.namespaces)]
    for i, (argument, selector) in enumerate(selectors):
        where = f"{argument}[{i if argument == 'pods' else i - len(_listed(args.pods))}]"
        kind = Pods if argument == "pods" else Namespaces
        if not isinstance(selector, kind):
            raise ArgumentError(
                at, where, selector, f"is not a {kind.__name__}", f"write {kind.__name__}(cluster=..., labels={{...}})"
            )
        if not isinstance(selector.cluster, VksCluster | pulumi.Output | str):
            raise ArgumentError(
                at, f"{where}.cluster", selector.cluster, "is not a cluster", "pass the VksCluster or its path"
            )
        clusters[_cluster_key(selector.cluster)] = selector.cluster
        labels = _labels(at, f"{where}.labels", selector.labels, "labels")
        if isinstance(selector, Pods):
            if not labels and not selector.namespace:
                raise ArgumentError(at, where, selector, "selects every pod", "give labels or a namespace")
            criteria.append(wire.pod_criterion(labels, selector.namespace))
        else:
            if not labels and not selector.name:
                raise ArgumentError(at, where, selector, "selects every namespace", "give labels or a name")
            criteria.append(wire.namespace_criterion(labels, selector.name))
    if len(clusters) > 1:
        raise ArgumentError(
            at, "pods", "...", "names pods of several clusters", "declare one SecurityGroup per cluster"
        )
    return criteria, next(iter(clusters.values()), None)


class SecurityGroup:
    """A group of the firewall's set; ``path`` and ``id`` are plain strings, known at once.

    Not an engine resource of its own: the NSX object is a member of the firewall's one
    ``PolicySet`` (docs/scale.md), so a stack of thousands of groups stays one resource.
    """

    def __init__(self, name: str, args: SecurityGroupArgs) -> None:
        at = f"SecurityGroup {name!r}"
        nsx_id = args.nsx_id or name
        built = _build(at, nsx_id, args)
        args.firewall._admit(built.member)
        self.firewall = args.firewall
        self.id = nsx_id
        self.path = args.firewall.group_path(nsx_id)
        self.side = built.side
        """``vms`` or ``pods``: where rules naming it are enforced."""
        self.cluster = built.cluster
        self.cluster_path: pulumi.Input[str] | None = None if built.cluster is None else _cluster_path(built.cluster)
