"""The shape of a policy set's inputs, for everyone who reads them (pure data, no I/O).

A ``zerotrust:nsx:PolicySet`` holds many NSX objects of one domain as one resource
(docs/scale.md). Its inputs are ``domain`` plus one map per member type keyed by NSX id,
and ``owners``: who answers for each member (``admins`` or ``app:<name>``), keyed
``<member type>/<id>``. Its outputs repeat those maps under ``applied`` (as last applied).
The provider writes the members; the PR report (inputs) and the guardrails (outputs) read
them one by one, through :func:`members`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["MEMBER_TYPES", "POLICY_SET", "Member", "import_id", "member_label", "members"]

POLICY_SET = "zerotrust:nsx:PolicySet"

MEMBER_TYPES: Mapping[str, str] = {
    "groups": "Group",
    "policies": "SecurityPolicy",
    "spans": "SecurityPolicyContainerCluster",
}
"""Input map -> NSX ``resource_type`` of its members, in write order."""


def import_id(domain: str, listed: Mapping[str, Iterable[str]]) -> str:
    """The id ``pulumi import`` takes for a set: its domain and the members to adopt,
    ``/infra/domains/<d>?groups=a,b&policies=p`` (a policy brings its spans)."""
    query = "&".join(f"{kind}={','.join(sorted(ids))}" for kind, ids in listed.items() if ids)
    return f"/infra/domains/{domain}" + (f"?{query}" if query else "")


def member_label(member_type: str, member_id: str) -> str:
    """``policies/shop-orders``: how ``owners`` (and the provider's ``adopted``) name a member."""
    return f"{member_type}/{member_id}"


@dataclass(frozen=True)
class Member:
    """One object of a set: its NSX type, id and fields, and who owns it."""

    member_type: str
    """The input map it sits in: ``groups``, ``policies`` or ``spans``."""
    member_id: str
    fields: Mapping[str, Any]
    owner: str | None

    @property
    def resource_type(self) -> str:
        return MEMBER_TYPES[self.member_type]


def members(inputs: Mapping[str, Any] | None) -> Iterator[Member]:
    """Every member of a set's inputs (or outputs: their ``applied``), in write order."""
    if not isinstance(inputs, Mapping):
        return
    applied = inputs.get("applied")
    if isinstance(applied, Mapping):
        inputs = applied
    owners = inputs.get("owners") if isinstance(inputs.get("owners"), Mapping) else {}
    for member_type in MEMBER_TYPES:
        found = inputs.get(member_type)
        if not isinstance(found, Mapping):
            continue
        for member_id, fields in found.items():
            if isinstance(fields, Mapping):
                owner = owners.get(member_label(member_type, str(member_id))) if owners else None
                yield Member(member_type, str(member_id), fields, str(owner) if owner else None)
