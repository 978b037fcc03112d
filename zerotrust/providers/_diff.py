"""Detailed diffs for the engine, from the models' per-field changes.

The models report changes on normal forms, with children keyed by id
(``rules[allow-web].services``). The engine wants property paths of the inputs it holds,
with list indices (``rules[3].services``): an id becomes the child's index in the new inputs
(or in the old state, for a removed child). So one changed port in rule 7 is exactly
``rules[6]...`` and inserting a rule does not show every later rule as changed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi.provider.experimental.provider import PropertyDiff, PropertyDiffKind

from zerotrust.models import FieldChange

_STEP = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")

_KINDS = {
    "added": PropertyDiffKind.ADD,
    "removed": PropertyDiffKind.DELETE,
    "changed": PropertyDiffKind.UPDATE,
}
_REPLACE_KINDS = {
    "added": PropertyDiffKind.ADD_REPLACE,
    "removed": PropertyDiffKind.DELETE_REPLACE,
    "changed": PropertyDiffKind.UPDATE_REPLACE,
}


def _steps(path: str) -> list[str]:
    return [name or key for name, key in _STEP.findall(path)]


def _index_path(change: FieldChange, news: Mapping[str, Any], olds: Mapping[str, Any]) -> str:
    """Rewrite id keys into indices of the list the engine will display.

    A ``[key]`` step into a map (a policy set's member, ``groups[web]``) becomes the
    engine's quoted key, ``groups["web"]``, which allows any character in the key.
    """
    source: Any = olds if change.kind == "removed" else news
    out = ""
    for name, key in _STEP.findall(change.path):
        step = name or key
        if isinstance(source, Sequence) and not isinstance(source, str):
            index = _find(source, step)
            out += f"[{index}]"
            source = source[index] if index < len(source) else None
            continue
        if key:
            out += '["' + key.replace('"', '\\"') + '"]'
        else:
            out += f".{step}" if out else step
        source = source.get(step) if isinstance(source, Mapping) else None
    return out


def _find(items: Sequence[Any], step: str) -> int:
    if step.isdigit():
        return int(step)
    for i, item in enumerate(items):
        if isinstance(item, Mapping) and str(item.get("id")) == step:
            return i
    return len(items)


def detailed_diff(
    changes: Sequence[FieldChange],
    news: Mapping[str, Any],
    olds: Mapping[str, Any],
    replaces: frozenset[str] = frozenset(),
    *,
    outputs: frozenset[str] = frozenset(),
) -> dict[str, PropertyDiff]:
    """``property path -> PropertyDiff`` for the engine's display and plan.

    ``outputs``: top-level keys that are outputs, not inputs (a set's ``adopted``): the
    engine shows their change against the old outputs rather than the old inputs.
    """
    result: dict[str, PropertyDiff] = {}
    for change in changes:
        path = _index_path(change, news, olds)
        top = _steps(change.path)[0]
        kinds = _REPLACE_KINDS if top in replaces else _KINDS
        result[path] = PropertyDiff(kinds[change.kind], input_diff=top not in outputs)
    return result
