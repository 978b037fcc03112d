"""Group: a set of workloads by identity (tags, names, Kubernetes objects, IPs) (ref §4)."""

from __future__ import annotations

from typing import ClassVar, Literal, Self

from pydantic import ValidationInfo, model_validator

from zerotrust.models._base import NsxObject, is_live, problem, raise_problems
from zerotrust.models.expressions import Expression, expression_problems

__all__ = ["GROUP_TYPES", "Group"]

GROUP_TYPES: frozenset[str] = frozenset({"IPAddress", "ANTREA", "BareMetalServer"})
"""``group_type`` values; empty or absent means a generic group (ref §4.3)."""


class Group(NsxObject):
    """``/infra/domains/{domain}/groups/{id}``."""

    KIND: ClassVar[str] = "Group"

    resource_type: Literal["Group"] = "Group"
    expression: list[Expression] | None = None
    """Criteria alternating with conjunctions: odd length, at most 5 criteria (ref §4.1)."""
    group_type: list[str] | None = None
    """A JSON *array* such as ``["ANTREA"]`` (ref §4.3, §12.2); NSX forces a new group
    when it changes."""

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Self:
        if is_live(info):
            return self
        problems = self.common_problems()
        group_types = self.group_type or []
        for value in group_types:
            if value not in GROUP_TYPES:
                problems.append(
                    problem(
                        self.KIND,
                        self.id,
                        "group_type",
                        f"has unknown value {value!r}",
                        f"use one of {sorted(GROUP_TYPES)}, or leave it empty",
                    )
                )
        if len(group_types) > 1:
            problems.append(
                problem(
                    self.KIND,
                    self.id,
                    "group_type",
                    f"has {len(group_types)} values",
                    "give at most one group type",
                )
            )
        problems += expression_problems(self.id, self.expression or [], group_types)
        raise_problems(problems)
        return self
