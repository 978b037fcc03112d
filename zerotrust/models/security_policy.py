"""SecurityPolicy: an ordered section of DFW rules in one category (ref §5.1, §5.4)."""

from __future__ import annotations

from typing import ClassVar, Literal, Self

from pydantic import Field, ValidationInfo, model_validator

from zerotrust.models._base import NsxObject, is_live, problem, raise_problems
from zerotrust.models._values import ANY, any_problem, is_path
from zerotrust.models.rule import Rule

__all__ = ["CATEGORY_ORDER", "Category", "SecurityPolicy"]

Category = Literal["Ethernet", "Emergency", "Infrastructure", "Environment", "Application"]
CATEGORY_ORDER: tuple[str, ...] = (
    "Ethernet",
    "Emergency",
    "Infrastructure",
    "Environment",
    "Application",
)
"""DFW evaluation order: Ethernet (L2) first, then the four L3 categories (ref §5.4)."""


class SecurityPolicy(NsxObject):
    """``/infra/domains/{domain}/security-policies/{id}``; GET returns rules inline."""

    KIND: ClassVar[str] = "SecurityPolicy"

    resource_type: Literal["SecurityPolicy"] = "SecurityPolicy"
    category: Category | None = None
    """Required on write; NSX cannot move a policy between categories."""
    sequence_number: int | None = None
    """Order among policies of the category, lower first (ref §5.4)."""
    scope: list[str] = Field(default_factory=lambda: [ANY])
    """Policy-level "applied to"; overrides rule scope when set (ref §5.1)."""
    stateful: bool | None = None
    """NSX default true for layer 3; Ethernet policies must be stateless."""
    locked: bool | None = None
    rules: list[Rule] | None = None
    """Ordered by ``sequence_number``; a PUT replaces them all (ref §1.3)."""

    is_default: bool | None = None
    """Read-only; true for ``default-layer3-section`` (ref §5.3)."""

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Self:
        if is_live(info):
            return self
        raise_problems(self.common_problems() + self._policy_problems() + self._rules_problems())
        return self

    def _policy_problems(self) -> list[str]:
        problems = []
        if self.category is None:
            problems.append(
                problem(
                    self.KIND,
                    self.id,
                    "category",
                    "is missing",
                    "set one of Emergency, Infrastructure, Environment, Application (or Ethernet)",
                )
            )
        if self.sequence_number is None:
            problems.append(
                problem(
                    self.KIND,
                    self.id,
                    "sequence_number",
                    "is missing; NSX orders policies without one arbitrarily (ref §5.4)",
                    "set sequence_number (lower runs first within the category)",
                )
            )
        mixed = any_problem(self.scope)
        if mixed:
            problems.append(problem(self.KIND, self.id, "scope", mixed, "keep only ['ANY'] or only paths"))
        for value in self.scope:
            if value.upper() != ANY and not is_path(value):
                problems.append(
                    problem(
                        self.KIND,
                        self.id,
                        "scope",
                        f"has {value!r}, which is not a policy path",
                        "use a group or cluster-control-plane path",
                    )
                )
        if self.category == "Ethernet" and self.stateful:
            problems.append(
                problem(
                    self.KIND,
                    self.id,
                    "stateful",
                    "is true in an Ethernet policy; layer-2 policies are stateless",
                    "set stateful to false or leave it unset",
                )
            )
        return problems

    def _rules_problems(self) -> list[str]:
        problems = []
        by_sequence: dict[int, str] = {}
        seen_ids: set[str] = set()
        for index, rule in enumerate(self.rules or []):
            where = f"rules[{rule.id or index}]"
            if rule.id in seen_ids:
                problems.append(
                    problem(self.KIND, self.id, f"{where}.id", "repeats a rule id", "give each rule its own id")
                )
            seen_ids.add(rule.id or "")
            if rule.sequence_number is None:
                problems.append(
                    problem(
                        self.KIND,
                        self.id,
                        f"{where}.sequence_number",
                        "is missing; NSX guarantees no rule order without it (ref §5.4)",
                        "number the rules, e.g. 10, 20, 30",
                    )
                )
            elif rule.sequence_number in by_sequence:
                problems.append(
                    problem(
                        self.KIND,
                        self.id,
                        f"{where}.sequence_number",
                        f"{rule.sequence_number} is also used by rule {by_sequence[rule.sequence_number]!r}",
                        "give each rule in the policy a distinct sequence_number",
                    )
                )
            else:
                by_sequence[rule.sequence_number] = rule.id or str(index)
            if rule.action == "JUMP_TO_APPLICATION" and self.category != "Environment":
                problems.append(
                    problem(
                        self.KIND,
                        self.id,
                        f"{where}.action",
                        f"is JUMP_TO_APPLICATION in category {self.category}; it is only "
                        "valid in Environment (ref §5.2)",
                        "use ALLOW/DROP/REJECT, or move the rule to an Environment policy",
                    )
                )
            if self.category == "Ethernet":
                if rule.ip_protocol is not None:
                    problems.append(
                        problem(
                            self.KIND,
                            self.id,
                            f"{where}.ip_protocol",
                            f"is {rule.ip_protocol} in an Ethernet policy; it must be null "
                            "for layer-2 rules (ref §5.2)",
                            "leave ip_protocol unset",
                        )
                    )
                if rule.action == "REJECT":
                    problems.append(
                        problem(
                            self.KIND,
                            self.id,
                            f"{where}.action",
                            "is REJECT, which does not apply to layer-2 rules",
                            "use DROP",
                        )
                    )
        return problems
