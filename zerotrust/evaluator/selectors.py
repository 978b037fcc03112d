"""Kubernetes label selectors (``matchLabels`` + ``matchExpressions``).

Why here: K8s NetworkPolicy peers, Antrea policies and Antrea Egress ``appliedTo`` all
select Pods and Namespaces with the same selector semantics (antrea.md §1.3, §2.2, §6).
``None`` means "no selector given" and is handled by the caller; ``{}`` selects everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["LabelSelector", "label_selector", "selector_matches"]

LabelSelector = Mapping[str, Any]
"""A ``{matchLabels, matchExpressions}`` mapping as in a Kubernetes manifest."""


def label_selector(plain_or_selector: Mapping[str, Any] | None) -> LabelSelector:
    """Accept a LabelSelector or a plain ``{key: value}`` map (the seed file's spelling)."""
    if not plain_or_selector:
        return {}
    if set(plain_or_selector) <= {"matchLabels", "matchExpressions"}:
        return plain_or_selector
    return {"matchLabels": dict(plain_or_selector)}


def selector_matches(selector: LabelSelector, labels: Mapping[str, str]) -> bool:
    """Kubernetes semantics: every matchLabels pair and every expression must hold."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != str(value):
            return False
    for expression in selector.get("matchExpressions") or []:
        key = expression["key"]
        operator = expression["operator"]
        values = [str(v) for v in expression.get("values") or []]
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
        if operator not in {"In", "NotIn", "Exists", "DoesNotExist"}:
            raise ValueError(f"unknown label selector operator {operator!r}")
    return True
