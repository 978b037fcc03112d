"""Rule: one ordered entry of a SecurityPolicy (ref §5.2).

Checks that need the policy (category, duplicate sequence numbers) live in
:class:`~zerotrust.models.security_policy.SecurityPolicy`; a Rule checks itself.
"""

from __future__ import annotations

from typing import ClassVar, Literal, Self

from pydantic import Field, ValidationInfo, model_validator

from zerotrust.models._base import NsxObject, is_live, problem, raise_problems
from zerotrust.models._values import ANY, any_problem, is_ip_literal, is_path
from zerotrust.models.service_entry import ServiceEntry

__all__ = ["Action", "Direction", "IpProtocol", "Rule"]

Action = Literal["ALLOW", "DROP", "REJECT", "JUMP_TO_APPLICATION"]
Direction = Literal["IN", "OUT", "IN_OUT"]
IpProtocol = Literal["IPV4", "IPV6", "IPV4_IPV6"]

MAX_GROUPS_PER_SIDE = 128
"""Items in ``source_groups`` or ``destination_groups`` (ref §5.2)."""
MAX_SEQUENCE_NUMBER = 2**31 - 1
"""The default rule sits at int32 max (ref §5.3)."""


class Rule(NsxObject):
    """``.../security-policies/{policy}/rules/{id}``; first match wins, lowest number first."""

    KIND: ClassVar[str] = "Rule"

    resource_type: Literal["Rule"] = "Rule"
    action: Action
    """JUMP_TO_APPLICATION only in the Environment category (ref §5.2)."""
    sequence_number: int | None = None
    """Order within the policy, lower first; NSX guarantees no order without it (ref §5.4)."""
    source_groups: list[str] = Field(default_factory=lambda: [ANY])
    """Group paths or IP literals, at most 128; ``["ANY"]`` alone means any."""
    destination_groups: list[str] = Field(default_factory=lambda: [ANY])
    sources_excluded: bool | None = None
    """Negate the sources; NSX default false."""
    destinations_excluded: bool | None = None
    services: list[str] = Field(default_factory=lambda: [ANY])
    """Service paths or ``["ANY"]``."""
    service_entries: list[ServiceEntry] | None = None
    """Inline protocol/port entries, in addition to ``services``."""
    profiles: list[str] | None = None
    """Context-profile paths or ``["ANY"]``; absent means any."""
    scope: list[str] = Field(default_factory=lambda: [ANY])
    """"Applied to": group or cluster-control-plane paths; policy scope wins (ref §5.1)."""
    direction: Direction | None = None
    """NSX default IN_OUT."""
    ip_protocol: IpProtocol | None = None
    """NSX default IPV4_IPV6 for layer 3; must stay unset in Ethernet policies."""
    logged: bool | None = None
    disabled: bool | None = None
    notes: str | None = None
    tag: str | None = None
    """Label copied into firewall logs (Terraform: ``log_label``)."""

    rule_id: int | None = None
    """Read-only number NSX assigns; Antrea names CRD rules after it (ref §6.4)."""
    is_default: bool | None = None

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Self:
        if is_live(info):
            return self
        raise_problems(self.common_problems() + self.rule_problems())
        return self

    def rule_problems(self) -> list[str]:
        """Per-rule checks: "ANY" rules, list sizes, address and path syntax."""
        problems: list[str] = []
        lists = {
            "source_groups": self.source_groups,
            "destination_groups": self.destination_groups,
            "services": self.services,
            "profiles": self.profiles,
            "scope": self.scope,
        }
        for field, values in lists.items():
            if values is None:
                continue
            mixed = any_problem(values)
            if mixed:
                problems.append(
                    problem(
                        self.KIND,
                        self.id,
                        field,
                        mixed,
                        "drop 'ANY' to list specific entries, or keep only ['ANY']",
                    )
                )
            if values == []:
                problems.append(problem(self.KIND, self.id, field, "is empty", "use ['ANY'] to mean any"))
        for field in ("source_groups", "destination_groups"):
            problems += self._endpoint_problems(field, lists[field] or [])
        for field in ("services", "profiles", "scope"):
            for value in lists[field] or []:
                if value.upper() != ANY and not is_path(value):
                    problems.append(
                        problem(
                            self.KIND,
                            self.id,
                            field,
                            f"has {value!r}, which is not a policy path",
                            "use an absolute path such as /infra/services/HTTPS",
                        )
                    )
        if self.sequence_number is not None and not (0 <= self.sequence_number <= MAX_SEQUENCE_NUMBER):
            problems.append(
                problem(
                    self.KIND,
                    self.id,
                    "sequence_number",
                    f"is {self.sequence_number}",
                    f"use 0..{MAX_SEQUENCE_NUMBER}",
                )
            )
        return problems

    def _endpoint_problems(self, field: str, values: list[str]) -> list[str]:
        problems = []
        if len(values) > MAX_GROUPS_PER_SIDE:
            problems.append(
                problem(
                    self.KIND,
                    self.id,
                    field,
                    f"has {len(values)} items (max {MAX_GROUPS_PER_SIDE})",
                    "put the members into a group and reference the group",
                )
            )
        for value in values:
            if value.upper() == ANY or is_path(value):
                continue
            if not is_ip_literal(value):
                problems.append(
                    problem(
                        self.KIND,
                        self.id,
                        field,
                        f"has {value!r}, which is neither a group path nor a valid IP, CIDR or range",
                        "use a path such as /infra/domains/default/groups/web, or an "
                        "address such as 10.0.0.0/24 (no host bits) or 10.0.0.1-10.0.0.9",
                    )
                )
        return problems
