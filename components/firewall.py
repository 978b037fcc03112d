"""Firewall: one stack's whole NSX rule base -- every group and section, as ONE resource.

All of it is ONE ``zerotrust:nsx:PolicySet`` resource, so the engine's cost stays flat however
many groups and rules the estate has, and one change set is written with one hierarchical
PATCH, atomic in NSX (docs/scale.md). It is filled one way: ``SecurityGroup`` and
``DfwSection`` declared into it (``components/security_group.py``, ``components/dfw_section.py``),
from typed selectors and rules, or from the stack files' compiled NSX bodies
(``components/stack_files.py``, what __main__.py uses).

Who owns each group and section travels with it in the set's ``owners`` (the member's own
``owner``, else ``FirewallArgs.owner``; ``admins`` / ``app:<name>`` for the stack files): the
preview report and the guardrails read it there. A section enforced in a registered Antrea
cluster also gets a container-cluster span to that cluster's control plane (ref §6.3).

**When the rule base is complete.** Members are declared one statement at a time, so the
firewall registers its policy set once the program body has finished
(``components/_program_end.py``): by then every ``SecurityGroup`` and ``DfwSection`` of the
body has been declared. One declared later (inside an ``apply``) raises
``FirewallSealedError``. A program whose body fails registers no policy set at all: a
half-declared rule base would otherwise read as "delete the rest".

Example::

    fw = Firewall("dev", FirewallArgs(provider=nsx))
    web = SecurityGroup("web", SecurityGroupArgs(firewall=fw, vm_tags={"app": "web"}))
    pulumi.export("sections", fw.sections)
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pulumi

from components._program_end import at_program_end, event_loop
from components.errors import FirewallSealedError, IntentsError
from zerotrust.models import Group, NsxObject, SecurityPolicy
from zerotrust.models.policy_set import member_label
from zerotrust.nsx.config import NsxConfig
from zerotrust.nsx.errors import ConfigError
from zerotrust.resources import NsxProvider, PolicySet
from zerotrust.spec.live_inventory import InventoryReadError
from zerotrust.spec.rule_base import check_against_nsx
from zerotrust.spec.wire import group_path

SPAN_ID = "cluster"
"""Id of the one container-cluster span a section enforced in a cluster carries."""


@dataclass(frozen=True, kw_only=True)
class FirewallArgs:
    provider: NsxProvider
    domain: str = "default"
    """NSX domain of every member."""
    owner: str | None = None
    """Owner label of members that name none in the set's ``owners`` (default: the stack name)."""
    import_id: str | None = None
    """Adopt what NSX already holds (docs/adoption.md): the set's id in the import plan. The
    engine imports it on the next ``up`` and ignores it once the set is in the state."""
    intents: Sequence[str] = ()
    """``"<from> -> <to> [service] allow|deny"`` (docs/evaluator.md), checked before the set is
    written against the whole rule base NSX holds with this firewall's members in place, and
    NSX's live inventory (:mod:`zerotrust.spec.rule_base`): a broken one stops the run."""


Collection = Literal["groups", "policies"]


@dataclass(frozen=True)
class Member:
    """One typed group or section as the policy set will hold it (built by its component)."""

    collection: Collection
    nsx_id: str
    body: dict[str, Any]
    """Its wire body; values may be Outputs (paths from a StackReference, addresses of VMs)."""
    declared_by: str
    """E.g. ``SecurityGroup 'web'``, for messages."""
    span: pulumi.Input[str] | None = None
    """Control-plane path of the cluster a section is enforced in."""
    owner: str | None = None
    """Who owns it (``admins``, ``app:<name>``); None: the firewall's owner."""

    @property
    def model(self) -> type[NsxObject]:
        return Group if self.collection == "groups" else SecurityPolicy

    def fields(self) -> pulumi.Input[dict[str, Any]]:
        """The member's wire fields, validated by the same models as the stack files' members."""
        if not _holds_outputs(self.body):
            return _fields(self.model.model_validate(self.body))
        return pulumi.Output.from_input(self.body).apply(lambda body: _fields(self.model.model_validate(body)))


def _holds_outputs(value: Any) -> bool:
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, dict):
        return any(_holds_outputs(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_outputs(v) for v in value)
    return False


def _fields(obj: NsxObject) -> dict[str, Any]:
    """An object's wire fields as a set member (the id is the member's key)."""
    body = obj.to_wire()
    body.pop("id", None)
    body.pop("resource_type", None)
    return body


class Firewall(pulumi.ComponentResource):
    """Outputs: ``groups`` and ``sections`` (NSX ids); ``policy_set`` once the body has finished."""

    groups: pulumi.Output[list[str]]
    sections: pulumi.Output[list[str]]

    def __init__(self, name: str, args: FirewallArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("zerotrust:components:Firewall", name, None, opts)
        self._label = name
        self.domain: str = args.domain
        self.owner: str = args.owner or pulumi.get_stack()
        self.policy_set: PolicySet | None = None
        self._args = args
        self._members: dict[tuple[Collection, str], Member] = {}
        self._checked: dict[tuple[Collection, str], dict[str, Any]] = {}
        """Wire fields of the fully known members, validated once when they were admitted."""
        self._sealed = False
        loop = event_loop()
        self._group_ids: asyncio.Future[list[str]] = loop.create_future()
        self._section_ids: asyncio.Future[list[str]] = loop.create_future()
        self.groups = pulumi.Output.from_input(self._group_ids)
        self.sections = pulumi.Output.from_input(self._section_ids)
        at_program_end(self._seal)

    def group_path(self, nsx_id: str) -> str:
        """Path of a group of this firewall's domain, known before anything exists."""
        return group_path(self.domain, nsx_id)

    def section_count(self) -> int:
        """Typed sections declared so far (their default sequence numbers follow it)."""
        return sum(1 for kind, _ in self._members if kind == "policies")

    def _admit(self, member: Member) -> None:
        """Take a typed member; called by SecurityGroup / DfwSection before they register."""
        if self._sealed:
            raise FirewallSealedError(
                f"{member.declared_by}: Firewall {self._label!r} is already complete: its rule base was written when "
                "the program body finished. Fix: declare SecurityGroup and DfwSection in the program body, "
                "not inside an apply() or a callback."
            )
        taken = self._members.get((member.collection, member.nsx_id))
        if taken is not None:
            raise ValueError(
                f"{member.declared_by}: the NSX id {member.nsx_id!r} is already used in Firewall {self._label!r} "
                f"({taken.declared_by}). Fix: give one of them another name or nsx_id."
            )
        key = (member.collection, member.nsx_id)
        if not _holds_outputs(member.body):  # fully known: the NSX models check it now, once
            try:
                self._checked[key] = _fields(member.model.model_validate(member.body))
            except ValueError as error:
                raise ValueError(f"{member.declared_by}: not a valid NSX object: {error}") from None
        self._members[key] = member

    def _seal(self, succeeded: bool) -> None:
        """Register the one policy set with every member (never for a failed program body)."""
        self._sealed = True
        groups, policies, spans, owners = self._contents() if succeeded else ({}, {}, {}, {})
        self._group_ids.set_result(sorted(groups))
        self._section_ids.set_result(sorted(policies))
        if not succeeded:
            return
        checked: pulumi.Input[dict[str, str]] = owners
        if self._args.intents:  # the set waits for the check: a broken intent stops the run before any write
            verdict = self._check_intents(groups, policies, spans)
            checked = pulumi.Output.all(owners, verdict).apply(lambda both: both[0])
        self.policy_set = PolicySet(
            self._label,
            domain=self.domain,
            groups=groups,
            policies=policies,
            spans=spans,
            owners=checked,
            opts=pulumi.ResourceOptions(parent=self, provider=self._args.provider, import_=self._args.import_id),
        )
        self.register_outputs({"groups": self.groups, "sections": self.sections})

    def _check_intents(
        self, groups: dict[str, Any], policies: dict[str, Any], spans: dict[str, Any]
    ) -> pulumi.Output[bool]:
        """The intents against NSX's rule base with these members laid over it (read-only)."""

        def check(values: dict[str, Any]) -> bool:
            cluster_of = {
                key.split("/", 1)[0]: [span["container_cluster_path"]] for key, span in values["spans"].items()
            }
            try:
                config = NsxConfig.from_settings(values["settings"], base=Path.cwd())
                result = check_against_nsx(
                    config, self.domain, self._args.intents,
                    groups=values["groups"], policies=values["policies"], spans=cluster_of,
                )  # fmt: skip
            except (ConfigError, InventoryReadError) as error:
                raise IntentsError(f"Firewall {self._label!r}: the intents could not be checked: {error}") from None
            for note in result.notes:
                pulumi.log.warn(note, resource=self)
            broken = result.broken()
            if broken:
                lines = "\n".join(r.message() for r in broken)
                raise IntentsError(f"Firewall {self._label!r}: {len(broken)} intent(s) broken:\n{lines}")
            for unchecked in (r for r in result.results if r.undecided is not None):
                pulumi.log.warn(unchecked.message(), resource=self)
            holding = sum(r.ok for r in result.results)
            pulumi.log.info(
                f"{holding} of {len(result.results)} intents hold (checked against {result.source})", resource=self
            )
            return True

        inputs = {"settings": self._args.provider.settings, "groups": groups, "policies": policies, "spans": spans}
        return pulumi.Output.all(**inputs).apply(check)

    def _contents(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, str]]:
        groups: dict[str, Any] = {}
        policies: dict[str, Any] = {}
        spans: dict[str, Any] = {}
        owners: dict[str, str] = {}
        for member in self._members.values():
            checked = self._checked.get((member.collection, member.nsx_id))
            fields = checked if checked is not None else member.fields()
            (groups if member.collection == "groups" else policies)[member.nsx_id] = fields
            owners[member_label(member.collection, member.nsx_id)] = member.owner or self.owner
            if member.span is not None:
                spans[f"{member.nsx_id}/{SPAN_ID}"] = {"container_cluster_path": member.span}
        return groups, policies, spans, owners
