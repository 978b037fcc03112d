"""Where each side of a rule lands, and which named pairs land nowhere (pure).

A rule is written once per enforcement point (``zerotrust/spec/compile.py``): at VMs (the
DFW) with each group's VM side, and in each Antrea cluster with the pods of that cluster.
A value that has no form at a point is left out there. That is by design when the pair it
belongs to still meets somewhere else; it changes the rule's meaning when a pair the rule
names meets nowhere. The rule, for every value ``s`` named in ``from`` and ``d`` in ``to``:

* **They meet at VMs** when both have a VM-side form: VMs, addresses and nested groups;
  ``cluster:<name>`` (the cluster as VMs see it); ``any``; pods as a *source* when they have
  an Egress (VMs tell them apart by its IP) or when the same side lists ``cluster:<their
  cluster>`` (its node group already stands for them). Pods as a destination have no VM form.
* **They meet in cluster C** when both are pods of C, or ``any``: an NSX policy spanned to an
  Antrea cluster names pods of that cluster only (Antrea groups).

By design, so never reported: a pod group against ``any`` (it is enforced in its cluster;
pods without an Egress look like their node IPs to every VM, a platform limit, not a defect
of the rule); a VM group left out of a cluster's copy when what it is paired with meets it at
VMs; a pod group with an Egress against VMs (they meet at VMs). Reported, because the pair is
enforced nowhere: pods without an Egress against VMs or addresses; VMs or ``cluster:`` against
pods as destinations; pods of two different clusters; VMs in a section enforced only in
clusters (``applied_to: [cluster:<name>]``). An ``applied_to`` value is reported when none of
the section's enforcement points has a form of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Kind = Literal["any", "vms", "nodes", "pods"]
"""``vms``: a group's VM side (VMs, addresses, nested groups, an Egress group); ``nodes``:
``cluster:<name>`` as VMs see it; ``pods``: a group's pods in one cluster."""


@dataclass(frozen=True)
class Part:
    """One value of a rule side, as the enforcement points can see it."""

    value: str
    index: int
    """Position of the value in its list (for the file and line)."""
    kind: Kind
    cluster: str | None = None
    seen_by_vms: bool = False
    """Pods a VM can tell apart on this side: an Egress (sources), or cluster:<C> listed too."""
    app: str | None = None
    """The app whose file declares the group (None: the admins'), for the fix."""

    @property
    def at_vms(self) -> bool:
        """Has a form in a rule written at VMs."""
        return self.kind != "pods" or self.seen_by_vms

    def in_cluster(self, cluster: str) -> bool:
        """Has a form in the rule's copy spanned to ``cluster``."""
        return self.kind == "any" or (self.kind == "pods" and self.cluster == cluster)

    @property
    def vm_like(self) -> bool:
        return self.kind in ("vms", "nodes")


@dataclass(frozen=True)
class Points:
    """The enforcement points of one section: at VMs or not, and the clusters it is spanned to."""

    vms: bool
    clusters: tuple[str, ...]

    def meet(self, source: Part, destination: Part) -> bool:
        if self.vms and source.at_vms and destination.at_vms:
            return True
        return any(source.in_cluster(c) and destination.in_cluster(c) for c in self.clusters)

    def has(self, part: Part) -> bool:
        """Does some point have a form of this value (``applied_to``)?"""
        if part.kind == "nodes":
            return part.cluster in self.clusters
        return (self.vms and part.kind == "vms") or any(part.in_cluster(c) for c in self.clusters)


@dataclass(frozen=True)
class Lost:
    """Pairs of one rule that meet nowhere, blamed on one value (``culprit``), with why and the fix."""

    culprit: Part
    side: Literal["from", "to", "applied_to"]
    others: tuple[str, ...]
    why: str
    fix: str


def lost_pairs(sources: Sequence[Part], destinations: Sequence[Part], points: Points) -> list[Lost]:
    """Every named pair that meets at no enforcement point, grouped by the value to blame."""
    found: dict[tuple[str, int, str], tuple[Lost, list[str]]] = {}
    for source in sources:
        for destination in destinations:
            if points.meet(source, destination):
                continue
            side, culprit, other, why, fix = _blame(source, destination, points)
            key = (side, culprit.index, why)
            entry = found.setdefault(key, (Lost(culprit, side, (), why, fix), []))
            if other.value not in entry[1]:
                entry[1].append(other.value)
    return [Lost(lost.culprit, lost.side, tuple(others), lost.why, lost.fix) for lost, others in found.values()]


def unplaced(applied_to: Iterable[Part], points: Points) -> list[Lost]:
    """``applied_to`` values with a form at none of the section's enforcement points."""
    return [
        Lost(part, "applied_to", (), _only_in_clusters(part, points), _CLUSTER_ONLY_FIX)
        for part in applied_to
        if part.kind != "any" and not points.has(part)
    ]


_CLUSTER_ONLY_FIX = (
    "enforce it at VMs in a section without applied_to: [cluster:<name>], or name pods of the cluster here"
)


def _only_in_clusters(part: Part, points: Points) -> str:
    where = ", ".join(points.clusters) or "no cluster"
    return (
        f"{_vm_side(part)} is left out: the section is enforced only in {where} (applied_to: cluster:), "
        "where an NSX policy names pods only"
    )


def _blame(source: Part, destination: Part, points: Points) -> tuple[Literal["from", "to"], Part, Part, str, str]:
    """Which value to blame for a pair that meets nowhere, why, and the fix (first case that applies)."""
    if source.kind == "pods" and destination.kind == "pods":
        return (
            "to",
            destination,
            source,
            f"the pods of {destination.value!r} are in {destination.cluster} and those of {source.value!r} in "
            f"{source.cluster}: each cluster's copy of the rule names its own pods only",
            "write one rule per cluster, or any on one side",
        )
    if source.vm_like and destination.kind == "pods":
        return (
            "from",
            source,
            destination,
            f"{_vm_side(source)} is left out of {destination.cluster}'s copy of the rule (an NSX policy "
            f"spanned to a cluster names pods only), and DFW at VMs cannot name the pods of {destination.value!r} "
            "as a destination",
            "split the rule so VMs meet VMs (a group of VMs only on the other side) and pods meet pods of "
            "their cluster, or write any on one side",
        )
    if not points.vms and (source.vm_like or destination.vm_like):
        culprit, other = (source, destination) if source.vm_like else (destination, source)
        side: Literal["from", "to"] = "from" if culprit is source else "to"
        return side, culprit, other, _only_in_clusters(culprit, points), _CLUSTER_ONLY_FIX
    return (
        "from",
        source,
        destination,
        f"the pods of {source.value!r} (in {source.cluster}) have no Egress, so VMs see them only as the "
        f"node IPs of {source.cluster}: the rule leaves them out at VMs, and {source.cluster}'s copy "
        "cannot name VMs or addresses",
        _egress_fix(source),
    )


def _vm_side(part: Part) -> str:
    if part.kind == "nodes":
        return f"{part.value!r} (the cluster as VMs see it: node and Egress IPs)"
    return f"the VM side of {part.value!r} (VMs, addresses)"


def _egress_fix(part: Part) -> str:
    where = f"apps/{part.app}.yaml" if part.app else "their app's file, then name them here as <app>/<group>"
    return (
        f"give the pods an Egress (egress: in {where}) so VMs can tell them apart, or list a VM group, "
        f"or cluster:{part.cluster} to mean the whole cluster"
    )


def describe(lost: Lost, at: str, subject: str) -> str:
    """One line for the preview: file and line, the rule (or section), what is left out where, the fix."""
    if lost.side == "applied_to":
        return f"{at}: {subject}: {lost.why}. Fix: {lost.fix}."
    others = ", ".join(lost.others)
    pair = f"{lost.culprit.value} -> {others}" if lost.side == "from" else f"{others} -> {lost.culprit.value}"
    return f"{at}: {subject}: {lost.why}, so {pair} is enforced nowhere. Fix: {lost.fix}."
