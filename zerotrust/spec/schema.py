"""The desired-state schema users write in ``stacks/<env>/`` (pydantic, strict).

Two personas, two files (docs/personas.md):

* ``environment.yaml`` is the security admins': clusters, shared groups, sections in the
  Emergency, Infrastructure and Environment categories (enforced first), intents.
* ``apps/<app>.yaml`` is one app team's: the app's groups, its Application sections, its
  Kubernetes NetworkPolicies and egress, its intents. An app file has no ``category`` field
  at all, and may reference only its own groups and the environment's ``shared`` groups.

Every model forbids unknown fields, so a typo is an error naming the field, not a silently
ignored setting. Workloads are chosen by identity (VM tags, pod / namespace labels, service
names); IPs are accepted only for things outside our inventory (``ips``).

Objects adopted from an existing NSX (``python -m zerotrust.adopt``, docs/adoption.md) keep
their NSX identity exactly: ``id`` and ``display_name`` override the derived ones, rules take
an explicit ``sequence`` and services by path, and what the selectors cannot express exactly
is kept verbatim under ``nsx:`` (the escape hatch): the NSX fields of the group or section,
written as they are, never approximated.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from zerotrust.spec.wire import NSX_ID, is_address, is_service

NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?$")

Name = Annotated[str, Field(description="lower-case letters, digits and '-', at most 50 characters")]


def _check_name(value: str, what: str) -> str:
    if not NAME.match(value):
        raise ValueError(
            f"{what} {value!r} is not a valid name; use lower-case letters, digits and '-' "
            "(at most 50 characters, e.g. 'orders-db')"
        )
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class TagSpec(_Strict):
    """An NSX tag on the object itself (metadata: who owns it, a ticket); not membership."""

    scope: str = ""
    tag: str


class _Identity(_Strict):
    """The NSX identity of an object, when it is not the one derived from its name."""

    id: str | None = None
    """NSX id (default: the name; an app's objects get ``<app>-`` in front)."""
    display_name: str | None = None
    """NSX display name (default: the NSX id)."""

    @field_validator("id")
    @classmethod
    def _nsx_id(cls, value: str | None) -> str | None:
        if value is not None and not NSX_ID.match(value):
            raise ValueError(
                f"id {value!r} is not an NSX id; use letters, digits, '_', '-' and '.', "
                "starting with a letter or digit (at most 255 characters)"
            )
        return value


# --- who is in a group -----------------------------------------------------------------


class VmSelector(_Strict):
    """VMs by NSX tags (``scope: tag``); all tags must match."""

    tags: dict[str, str] = Field(default_factory=dict)
    name: str | None = None

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.tags and not self.name:
            raise ValueError("a VM selector needs tags (e.g. {tier: db}) or a name")
        return self


class PodSelector(_Strict):
    """Pods by Kubernetes labels (NSX sees labels as tags), optionally in one namespace."""

    cluster: str | None = None
    """Defaults to the app's cluster; required in environment.yaml."""
    namespace: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.labels and not self.namespace:
            raise ValueError("a pod selector needs labels (e.g. {app: frontend}) or a namespace")
        return self


class NamespaceSelector(_Strict):
    """Every pod of the namespaces with this name or these labels."""

    cluster: str | None = None
    name: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.labels and not self.name:
            raise ValueError("a namespace selector needs a name or labels")
        return self


class GroupSpec(_Identity):
    """A security group: one model for VMs and pods (ref §4, §6.2)."""

    description: str | None = None
    vms: list[VmSelector] = Field(default_factory=list)
    pods: list[PodSelector] = Field(default_factory=list)
    namespaces: list[NamespaceSelector] = Field(default_factory=list)
    ips: list[str] = Field(default_factory=list)
    """Addresses outside the inventory (an external database); CIDRs and ranges allowed."""
    groups: list[str] = Field(default_factory=list)
    """Other groups nested in this one (VM side only)."""
    shared: bool = False
    """environment.yaml only: apps may use this group in their rules."""
    may_be_empty: bool = False
    """Members arrive at run time (a quarantine tag set during an incident): having none in the
    inventory snapshot is normal, so rule analysis does not report rules naming the group as
    irrelevant for that. Only for groups chosen by identity; a group nesting one needs its own."""
    tags: list[TagSpec] = Field(default_factory=list)
    nsx: dict[str, Any] | None = None
    """Escape hatch: the NSX group's fields verbatim (``expression``, ``group_type`` ...), for
    what the selectors above cannot express exactly; then no selector may be given."""

    @field_validator("ips")
    @classmethod
    def _ips(cls, values: list[str]) -> list[str]:
        for value in values:
            if not is_address(value):
                raise ValueError(
                    f"{value!r} is not an IP address, CIDR or range; write e.g. 203.0.113.10, "
                    "203.0.113.0/28 or 203.0.113.10-203.0.113.20"
                )
        return values

    @model_validator(mode="after")
    def _members(self) -> Self:
        selectors = self.vms or self.pods or self.namespaces or self.ips or self.groups
        if self.nsx is not None:
            if selectors or self.tags:
                raise ValueError("a group kept verbatim (nsx:) takes no vms, pods, namespaces, ips, groups or tags")
            _check_verbatim(self.nsx, "group", ("id", "resource_type", "path"))
        elif not selectors:
            raise ValueError("a group needs members: vms, pods, namespaces, ips or groups")
        if self.may_be_empty and not (self.vms or self.has_pods or self.groups):
            raise ValueError(
                "may_be_empty is for groups whose members arrive at run time (vms, pods, namespaces or "
                "nested groups, chosen by tags or labels); a list of addresses does not fill by itself"
            )
        return self

    @property
    def has_pods(self) -> bool:
        return bool(self.pods or self.namespaces)

    @property
    def verbatim(self) -> bool:
        return self.nsx is not None

    @property
    def has_vm_side(self) -> bool:
        return bool(self.vms or self.ips or self.groups)


# --- rules and sections ----------------------------------------------------------------


Action = Literal["allow", "drop", "reject", "jump_to_application"]
Direction = Literal["in", "out", "in_out"]


class RuleSpec(_Identity):
    """One rule. ``from``/``to`` are group names or ``any``; services ``tcp/5432``, ``icmp``,
    or the path of an NSX service (``/infra/services/HTTPS``)."""

    name: Name
    sources: list[str] = Field(alias="from")
    destinations: list[str] = Field(alias="to")
    services: list[str] = Field(default_factory=lambda: ["any"])
    action: Action
    direction: Direction = "in_out"
    log: bool = False
    disabled: bool = False
    notes: str | None = None
    sequence: int | None = Field(default=None, ge=0)
    """Position in the section (default: tens, in file order)."""
    applied_to: list[str] = Field(default_factory=list)
    """Group names the rule is enforced on (default: where the section is)."""
    log_label: str | None = None
    """Label NSX writes into the firewall log for this rule (its ``tag``)."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _check_name(value, "rule name")

    @field_validator("sources", "destinations", mode="before")
    @classmethod
    def _listify(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("services", mode="before")
    @classmethod
    def _services(cls, value: object) -> object:
        values = [value] if isinstance(value, str) else value
        if isinstance(values, list):
            for item in values:
                if not isinstance(item, str) or not is_service(item):
                    raise ValueError(
                        f"service {item!r} is not understood; write tcp/5432, udp/53, tcp/8000-8080, icmp, any "
                        "or the path of an NSX service such as /infra/services/HTTPS"
                    )
        return values

    @model_validator(mode="after")
    def _any_alone(self) -> Self:
        for side, values in (("from", self.sources), ("to", self.destinations), ("services", self.services)):
            lowered = [v.lower() for v in values]
            if "any" in lowered and len(values) > 1:
                raise ValueError(f"{side}: 'any' must stand alone (NSX rejects ANY mixed with other values)")
            if not values:
                raise ValueError(f"{side}: list at least one group, or 'any'")
        return self


Category = Literal["Emergency", "Infrastructure", "Environment"]


class SectionSpec(_Identity):
    """One DFW section (an NSX security policy) with its ordered rules."""

    description: str | None = None
    sequence: int | None = Field(default=None, ge=0)
    """Order among sections of the same category; default: the order in the file."""
    applied_to: list[str] = Field(default_factory=list)
    """Group names, or ``cluster:<name>`` to enforce in a registered Antrea cluster."""
    rules: list[RuleSpec] = Field(default_factory=list)
    tags: list[TagSpec] = Field(default_factory=list)
    nsx: dict[str, Any] | None = None
    """Escape hatch: the NSX policy's fields verbatim (``sequence_number``, ``scope``, ``rules``
    with group paths ...), for what the fields above cannot express exactly; then the section
    has no ``rules`` of its own. The category stays the section's (an app's: Application)."""

    @model_validator(mode="after")
    def _unique_rules(self) -> Self:
        if self.nsx is not None:
            if self.rules or self.sequence is not None or self.description is not None or self.tags:
                raise ValueError(
                    "a section kept verbatim (nsx:) takes no rules, sequence or description of its own: they are in nsx"
                )
            if len(self.applied_to) > 1 or any(not a.startswith("cluster:") for a in self.applied_to):
                raise ValueError(
                    "a section kept verbatim (nsx:) takes at most one applied_to, cluster:<name> (the cluster "
                    "it is spanned to); its scope is in nsx"
                )
            _check_verbatim(self.nsx, "section", ("id", "resource_type", "path", "category"))
            return self
        seen: set[str] = set()
        for rule in self.rules:
            if rule.name in seen:
                raise ValueError(f"rule name {rule.name!r} is used twice in this section; rule names must be unique")
            seen.add(rule.name)
        if not self.rules:
            raise ValueError("a section needs at least one rule")
        return self


def _check_verbatim(fields: dict[str, Any], what: str, reserved: tuple[str, ...]) -> None:
    """``nsx:`` holds an object's own fields; its identity and kind come from the spec."""
    given = sorted(k for k in reserved if k in fields)
    if given:
        raise ValueError(
            f"nsx: of a {what} must not set {', '.join(given)}; the {what}'s id, kind and category "
            "come from the spec (id: and the section's category)"
        )


class AdminSectionSpec(SectionSpec):
    """A section of the security admins: one of the categories enforced before apps."""

    category: Category


class ClusterSpec(_Strict):
    """A registered VKS cluster: its cluster-control-plane name in NSX."""

    control_plane: str | None = None
    """Name of the cluster-control-plane in NSX; defaults to the cluster's name."""
    kubeconfig: str | None = None
    """Stack config key holding the kubeconfig (a Pulumi secret), for Antrea objects."""
    wait_seconds: int = Field(default=60, ge=0)
    """How long preview and up wait for NSX to report the cluster registered and healthy."""


class Intent(_Strict):
    """``<from> -> <to> [proto/port] allow|deny``, checked before apply."""

    text: str


class EnvironmentSpec(_Strict):
    """stacks/<env>/environment.yaml: the security admins' file."""

    domain: str = "default"
    strict: bool = False
    """prod: every drop rule logs, and every pair a rule names is enforced somewhere (a part of a
    rule no enforcement point can enforce is a problem, not a warning)."""
    clusters: dict[str, ClusterSpec] = Field(default_factory=dict)
    groups: dict[str, GroupSpec] = Field(default_factory=dict)
    sections: dict[str, AdminSectionSpec] = Field(default_factory=dict)
    intents: list[str] = Field(default_factory=list)


class EgressSpec(_Strict):
    """A stable source IP for some of the app's pods (Antrea Egress from an ExternalIPPool)."""

    pods: str
    """The app group whose pods leave the cluster through this Egress."""
    ip: str | None = None
    """The Egress IP, when fixed; otherwise Antrea picks one from the pool."""


class AppSpec(_Strict):
    """stacks/<env>/apps/<app>.yaml: one app team's file (Application category only)."""

    app: str
    owners: list[str] = Field(default_factory=list)
    cluster: str | None = None
    namespace: str | None = None
    groups: dict[str, GroupSpec] = Field(default_factory=dict)
    egress: dict[str, EgressSpec] = Field(default_factory=dict)
    sections: dict[str, SectionSpec] = Field(default_factory=dict)
    intents: list[str] = Field(default_factory=list)

    @field_validator("app")
    @classmethod
    def _app_name(cls, value: str) -> str:
        return _check_name(value, "app")
