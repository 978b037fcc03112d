"""The round trip, proven before anything is imported: compile the written files, compare.

The files are loaded and compiled by the same loader and compiler ``pulumi preview`` runs,
and every object they produce is compared with what NSX holds by the same normal-form
comparison the provider's diff makes. What differs is reported (and ``plan`` keeps it
verbatim in the next round); an object the files would create that NSX does not hold is a
bug of the adoption, and says so.
"""

from __future__ import annotations

from pathlib import Path

from zerotrust.adopt.live import LiveEstate
from zerotrust.adopt.plan import Adoption
from zerotrust.models import NsxObject, normalise
from zerotrust.providers._kind import PolicyObjectKind
from zerotrust.providers.group import GroupKind
from zerotrust.providers.security_policy import SecurityPolicyKind
from zerotrust.spec import compile_stack, load_stack

__all__ = ["AdoptionBug", "inexact"]


class AdoptionBug(Exception):  # noqa: N818  (reads as a sentence)
    """The files would create objects NSX does not hold: the adoption is wrong, not the user."""


def _same(kind: PolicyObjectKind, desired: NsxObject, live: NsxObject) -> bool:
    return normalise(kind.comparable_live(desired)) == normalise(kind.comparable_live(live))


def inexact(adoption: Adoption, live: LiveEstate, folder: Path) -> set[tuple[str, str]]:
    """(kind, NSX id) of the adopted objects the files in ``folder`` do not reproduce exactly."""
    state = compile_stack(load_stack(folder))
    groups = {gid: d.group for gid, d in state.groups.items()}
    policies = {str(s.policy.id): s.policy for s in state.sections}
    adopted = {(e.kind, e.nsx_id) for e in adoption.entries}
    extra = sorted(({("groups", g) for g in groups} | {("sections", p) for p in policies}) - adopted)
    if extra:
        raise AdoptionBug(f"the adopted files would create {len(extra)} object(s) NSX does not hold, e.g. {extra[:3]}")
    found: set[tuple[str, str]] = set()
    for kind, nsx_id in adopted:
        if kind == "groups":
            group = groups.get(nsx_id)
            if group is None or not _same(GroupKind(), group, live.groups[nsx_id]):
                found.add((kind, nsx_id))
        else:
            policy = policies.get(nsx_id)
            if policy is None or not _same(SecurityPolicyKind(), policy, live.policies[nsx_id]):
                found.add((kind, nsx_id))
    return found
