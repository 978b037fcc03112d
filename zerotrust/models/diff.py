"""Per-field differences between a desired and a live object, on their normal forms.

deepdiff finds the leaf differences; this module then reports them per *field*:

* children that have ids (a policy's rules, a service's entries) are keyed by id, so a
  changed port in rule ``allow-web`` is ``rules[allow-web].service_entries`` and not
  "every rule after an insertion" (the Terraform pain of ref §11);
* a list of plain values (group paths, ports, IPs) is one field: a changed element
  reports the whole list, old and new;
* a list of objects without ids (group expressions) is indexed: ``expression[2].value``.

Pure: no I/O; the provider layer turns the changes into a plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from deepdiff import DeepDiff

from zerotrust.models._base import NsxModel
from zerotrust.models.normal_form import KIND_RULES, normalise

__all__ = ["FieldChange", "diff"]

ChangeKind = Literal["added", "removed", "changed"]


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()


class _Keyed(dict[str, Any]):
    """A child list re-keyed by child id; rendered as ``[id]`` in field paths."""


@dataclass(frozen=True)
class FieldChange:
    """One field that differs. ``live``/``desired`` are ``None`` when absent there."""

    path: str
    """e.g. ``rules[allow-web].destination_groups`` or ``expression[2].value``."""
    kind: ChangeKind
    """``added``: only desired has it; ``removed``: only live has it."""
    live: Any
    desired: Any


def diff(desired: NsxModel, live: NsxModel | None) -> list[FieldChange]:
    """Field changes that would turn ``live`` into ``desired``; empty when in sync.

    ``live=None`` (nothing exists yet) reports every top-level field as added.
    """
    desired_form = _keyed(normalise(desired))
    if live is None:
        return [FieldChange(name, "added", None, _plain(value)) for name, value in sorted(desired_form.items())]
    live_form = _keyed(normalise(live))
    found = DeepDiff(live_form, desired_form, view="tree", verbose_level=2)
    changes: dict[str, FieldChange] = {}
    for levels in found.values():
        for level in levels:
            steps = _field_steps(level.path(output_format="list"), desired_form, live_form)
            path = _render(steps, desired_form, live_form)
            if path in changes:
                continue
            new, old = _lookup(desired_form, steps), _lookup(live_form, steps)
            kind: ChangeKind = "added" if old is _MISSING else "removed" if new is _MISSING else "changed"
            changes[path] = FieldChange(
                path=path,
                kind=kind,
                live=None if old is _MISSING else _plain(old),
                desired=None if new is _MISSING else _plain(new),
            )
    return [changes[path] for path in sorted(changes)]


def _keyed(data: Any) -> Any:
    """Turn children with ids into ``_Keyed`` dicts, recursively."""
    if isinstance(data, Mapping):
        rules = KIND_RULES.get(str(data.get("resource_type")))
        keyed_fields = set(rules.ordered_children) if rules else set()
        result: dict[str, Any] = {}
        for name, value in data.items():
            if name in keyed_fields and isinstance(value, list):
                result[name] = _Keyed((str(item.get("id", index)), _keyed(item)) for index, item in enumerate(value))
            else:
                result[name] = _keyed(value)
        return result
    if isinstance(data, list):
        return [_keyed(item) for item in data]
    return data


def _field_steps(steps: list[Any], desired: Any, live: Any) -> list[Any]:
    """Cut a deepdiff leaf path back to the field that owns it."""
    kept: list[Any] = []
    nodes = [desired, live]
    for step in steps:
        present = [node for node in nodes if node is not _MISSING]
        if (
            present
            and isinstance(present[0], list)
            and not any(isinstance(item, Mapping) for node in present for item in node)
        ):
            break  # a list of plain values is one field
        kept.append(step)
        nodes = [_child(node, step) for node in nodes]
    return kept


def _render(steps: list[Any], desired: Any, live: Any) -> str:
    text = ""
    nodes = [desired, live]
    for step in steps:
        container = next((node for node in nodes if node is not _MISSING), None)
        if isinstance(container, list | _Keyed):
            text += f"[{step}]"
        else:
            text += f".{step}" if text else str(step)
        nodes = [_child(node, step) for node in nodes]
    return text or "<object>"


def _child(node: Any, step: Any) -> Any:
    if isinstance(node, Mapping):
        return node.get(step, _MISSING)
    if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
        return node[step]
    return _MISSING


def _lookup(node: Any, steps: list[Any]) -> Any:
    for step in steps:
        node = _child(node, step)
        if node is _MISSING:
            break
    return node


def _plain(value: Any) -> Any:
    if isinstance(value, _Keyed):
        return [_plain(item) for item in value.values()]
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
