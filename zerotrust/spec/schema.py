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
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?$")
SERVICE = re.compile(r"^(tcp|udp)/(\d{1,5})(-(\d{1,5}))?$|^icmp$|^any$")

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


class GroupSpec(_Strict):
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

    @field_validator("ips")
    @classmethod
    def _ips(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                if "-" in value:
                    for part in value.split("-", 1):
                        ipaddress.ip_address(part)
                else:
                    ipaddress.ip_network(value, strict=False)
            except ValueError:
                raise ValueError(
                    f"{value!r} is not an IP address, CIDR or range; write e.g. 203.0.113.10, "
                    "203.0.113.0/28 or 203.0.113.10-203.0.113.20"
                ) from None
        return values

    @model_validator(mode="after")
    def _members(self) -> Self:
        if not (self.vms or self.pods or self.namespaces or self.ips or self.groups):
            raise ValueError("a group needs members: vms, pods, namespaces, ips or groups")
        return self

    @property
    def has_pods(self) -> bool:
        return bool(self.pods or self.namespaces)

    @property
    def has_vm_side(self) -> bool:
        return bool(self.vms or self.ips or self.groups)


# --- rules and sections ----------------------------------------------------------------


Action = Literal["allow", "drop", "reject", "jump_to_application"]
Direction = Literal["in", "out", "in_out"]


class RuleSpec(_Strict):
    """One rule. ``from``/``to`` are group names or ``any``; services ``tcp/5432``, ``icmp``."""

    name: Name
    sources: list[str] = Field(alias="from")
    destinations: list[str] = Field(alias="to")
    services: list[str] = Field(default_factory=lambda: ["any"])
    action: Action
    direction: Direction = "in_out"
    log: bool = False
    disabled: bool = False
    notes: str | None = None

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
                if not isinstance(item, str) or not SERVICE.match(item.lower()):
                    raise ValueError(
                        f"service {item!r} is not understood; write tcp/5432, udp/53, tcp/8000-8080, icmp or any"
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


class SectionSpec(_Strict):
    """One DFW section (an NSX security policy) with its ordered rules."""

    description: str | None = None
    sequence: int | None = Field(default=None, ge=0)
    """Order among sections of the same category; default: the order in the file."""
    applied_to: list[str] = Field(default_factory=list)
    """Group names, or ``cluster:<name>`` to enforce in a registered Antrea cluster."""
    rules: list[RuleSpec]

    @model_validator(mode="after")
    def _unique_rules(self) -> Self:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.name in seen:
                raise ValueError(f"rule name {rule.name!r} is used twice in this section; rule names must be unique")
            seen.add(rule.name)
        if not self.rules:
            raise ValueError("a section needs at least one rule")
        return self


class AdminSectionSpec(SectionSpec):
    """A section of the security admins: one of the categories enforced before apps."""

    category: Category


class ClusterSpec(_Strict):
    """A registered VKS cluster: its cluster-control-plane name in NSX."""

    control_plane: str | None = None
    """Name of the cluster-control-plane in NSX; defaults to the cluster's name."""
    kubeconfig: str | None = None
    """Stack config key holding the kubeconfig (a Pulumi secret), for Antrea objects."""


class Intent(_Strict):
    """``<from> -> <to> [proto/port] allow|deny``, checked before apply."""

    text: str


class EnvironmentSpec(_Strict):
    """stacks/<env>/environment.yaml: the security admins' file."""

    domain: str = "default"
    strict: bool = False
    """prod: every rule must log drops, every group must match something, and so on."""
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
