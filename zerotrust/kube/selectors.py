"""Kubernetes label selectors: the wire shape and the matching rule.

Matching lets a strict environment prove, before apply, that every Egress and NetworkPolicy
selects at least one declared workload; a typo in a label otherwise fails silently (the policy
or Egress simply applies to nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

_CAMEL = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class LabelSelectorRequirement(BaseModel):
    model_config = _CAMEL

    key: str = Field(min_length=1)
    operator: Literal["In", "NotIn", "Exists", "DoesNotExist"]
    values: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _values_fit_operator(self) -> LabelSelectorRequirement:
        if self.operator in ("In", "NotIn") and not self.values:
            raise ValueError(f"operator {self.operator} needs at least one value")
        if self.operator in ("Exists", "DoesNotExist") and self.values:
            raise ValueError(f"operator {self.operator} takes no values")
        return self

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.operator == "In":
            return labels.get(self.key) in self.values
        if self.operator == "NotIn":
            return labels.get(self.key) not in self.values
        if self.operator == "Exists":
            return self.key in labels
        return self.key not in labels


class LabelSelector(BaseModel):
    """`{}` selects everything; requirements are ANDed (Kubernetes semantics)."""

    model_config = _CAMEL

    match_labels: dict[str, str] = Field(default_factory=dict, alias="matchLabels")
    match_expressions: tuple[LabelSelectorRequirement, ...] = Field(default=(), alias="matchExpressions")

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(labels.get(k) == v for k, v in self.match_labels.items()) and all(
            r.matches(labels) for r in self.match_expressions
        )

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in sorted(self.match_labels.items())]
        parts += [f"{r.key} {r.operator} {list(r.values)}".rstrip(" []") for r in self.match_expressions]
        return ", ".join(parts) or "{} (everything)"

    def to_wire(self) -> dict[str, Any]:
        """Only non-empty keys, labels sorted: the same bytes on every run, so diffs stay quiet."""
        wire: dict[str, Any] = {}
        if self.match_labels:
            wire["matchLabels"] = dict(sorted(self.match_labels.items()))
        if self.match_expressions:
            wire["matchExpressions"] = [
                {"key": r.key, "operator": r.operator, **({"values": list(r.values)} if r.values else {})}
                for r in self.match_expressions
            ]
        return wire
