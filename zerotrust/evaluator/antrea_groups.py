"""Antrea ClusterGroup / Group: who is a member, as a peer and as an appliedTo.

Semantics (antrea.md §2.5): a group selects pods (``podSelector`` and/or
``namespaceSelector``; a namespaced Group's bare ``podSelector`` means its own namespace),
the pods behind a Service (``serviceReference``), addresses (``ipBlocks`` / ``ipBlock``),
Nodes (``nodeSelector``: their IPs), or the union of ``childGroups`` (one level only; a
child with children of its own makes the parent's members uncomputed). A group of
addresses in ``appliedTo`` selects no pod (the policy has no effect).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from zerotrust.evaluator.addresses import IPSet
from zerotrust.evaluator.antrea_fields import GROUP_SPEC, unmodelled
from zerotrust.evaluator.inventory import Cluster, Pod
from zerotrust.evaluator.kubernetes import Peer, ip_block
from zerotrust.evaluator.selectors import LabelSelector, selector_matches

__all__ = ["AntreaGroup", "Groups", "Match", "Unknown", "any_of", "compile_group", "group_has_peer", "group_selects"]


@dataclass(frozen=True)
class Unknown:
    """A match the evaluator cannot decide offline, with the reason (issue 17: never silent)."""

    reason: str


Match = bool | Unknown
"""Three-valued match: True, False, or :class:`Unknown`."""
Groups = Mapping[tuple[str | None, str], "AntreaGroup"]
"""(namespace or None for a ClusterGroup, name) -> group."""


def any_of(results: list[Match]) -> Match:
    """True if one is True; else the first Unknown; else False."""
    if any(r is True for r in results):
        return True
    return next((r for r in results if isinstance(r, Unknown)), False)


@dataclass(frozen=True)
class AntreaGroup:
    """A compiled ClusterGroup (``namespace`` None) or Group."""

    name: str
    namespace: str | None
    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None
    addresses: IPSet | None = None
    node_selector: LabelSelector | None = None
    service: tuple[str, str] | None = None
    children: tuple[str, ...] = ()
    undecided: str | None = None

    @property
    def label(self) -> str:
        """``clustergroup/<name>`` or ``group/<ns>/<name>``."""
        return f"clustergroup/{self.name}" if self.namespace is None else f"group/{self.namespace}/{self.name}"


def compile_group(manifest: Mapping[str, Any], problems: list[str]) -> AntreaGroup:
    """A ClusterGroup or Group manifest; unmodelled fields make its members UNKNOWN."""
    metadata = manifest.get("metadata") or {}
    spec = manifest.get("spec") or {}
    namespace = None if manifest.get("kind") == "ClusterGroup" else str(metadata.get("namespace", "default"))
    name = str(metadata["name"])
    label = f"clustergroup/{name}" if namespace is None else f"group/{namespace}/{name}"
    missing = list(unmodelled(spec, GROUP_SPEC, "spec"))
    undecided = None
    if missing:
        undecided = f"{label}: {missing[0][0]}: {missing[0][1]}"
        problems.extend(f"{label}: {at} is not modelled ({why}); verdicts using it are UNKNOWN" for at, why in missing)
    blocks = list(spec.get("ipBlocks") or []) + ([spec["ipBlock"]] if spec.get("ipBlock") else [])
    addresses = None
    if blocks:
        addresses = IPSet.of([])
        for block in blocks:
            addresses = addresses.union(ip_block(block))
    reference = spec.get("serviceReference")
    service = (str(reference.get("namespace", namespace or "default")), str(reference["name"])) if reference else None
    return AntreaGroup(
        name=name,
        namespace=namespace,
        pod_selector=spec.get("podSelector"),
        namespace_selector=spec.get("namespaceSelector"),
        addresses=addresses,
        node_selector=spec.get("nodeSelector"),
        service=service,
        children=tuple(str(c) for c in spec.get("childGroups") or []),
        undecided=undecided,
    )


def _pod_member(group: AntreaGroup, pod: Pod, cluster: Cluster) -> Match:
    if group.service is not None:
        namespace, name = group.service
        service = next((s for s in cluster.services if s.namespace == namespace and s.name == name), None)
        if service is None:
            return Unknown(f"{group.label}: Service {namespace}/{name} is not in the inventory")
        return pod.namespace == namespace and bool(service.selector) and selector_matches(service.selector, pod.labels)
    if group.pod_selector is None and group.namespace_selector is None:
        return False
    if group.namespace_selector is not None:
        if not selector_matches(group.namespace_selector, cluster.namespace_labels(pod.namespace)):
            return False
    elif group.namespace is not None and pod.namespace != group.namespace:
        return False
    return group.pod_selector is None or selector_matches(group.pod_selector, pod.labels)


def _resolve(name: str, namespace: str | None, groups: Groups) -> Match | AntreaGroup:
    group = groups.get((namespace, name))
    if group is None:
        kind = "ClusterGroup" if namespace is None else f"Group {namespace}/"
        return Unknown(f"{kind}{name} is not among the cluster's manifests")
    if group.undecided is not None:
        return Unknown(group.undecided)
    return group


def _members(group: AntreaGroup, groups: Groups, test: Callable[[AntreaGroup], Match]) -> Match:
    """Apply ``test(group)`` to the group, or to each child (one level of nesting)."""
    if not group.children:
        return test(group)
    results: list[Match] = []
    for child_name in group.children:
        child = _resolve(child_name, group.namespace, groups)
        if not isinstance(child, AntreaGroup):
            results.append(child)
        elif child.children:
            results.append(Unknown(f"{group.label}: child {child.label} has children (ChildGroupsNestingExceeded)"))
        else:
            results.append(test(child))
    return any_of(results)


def group_selects(name: str, namespace: str | None, groups: Groups, pod: Pod, cluster: Cluster) -> Match:
    """Does the group, used in ``appliedTo``, select ``pod``."""
    group = _resolve(name, namespace, groups)
    if not isinstance(group, AntreaGroup):
        return group
    return _members(group, groups, lambda g: _pod_member(g, pod, cluster))


def group_has_peer(name: str, namespace: str | None, groups: Groups, peer: Peer, cluster: Cluster) -> Match:
    """Is the peer (a pod, or an address) a member of the group used as ``from``/``to``."""
    group = _resolve(name, namespace, groups)
    if not isinstance(group, AntreaGroup):
        return group

    def test(g: AntreaGroup) -> Match:
        if g.addresses is not None:
            return peer.ip in g.addresses
        if g.node_selector is not None:
            return any(peer.ip in node.ips for node in cluster.nodes if selector_matches(g.node_selector, node.labels))
        return peer.pod is not None and _pod_member(g, peer.pod, cluster)

    return _members(group, groups, test)
