"""YAML in, with positions: every value knows the file and line it came from.

Errors in desired state must name the file, the line (or the path within it) and the fix.
PyYAML's composer keeps each node's start mark; we walk the node tree once to build both
the plain data and a ``path -> line`` map, so a pydantic error location such as
``("groups", "web", "vms", 0, "tags")`` can be printed as ``stacks/dev/environment.yaml:14``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Source:
    """One spec file: its data and where each value sits."""

    file: Path
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """The line of the deepest known prefix of ``loc`` (1-based)."""
        path = tuple(loc)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


class SpecError(Exception):
    """Everything wrong with the desired state, each line naming file, place and fix."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def where(source: Source, loc: Sequence[str | int]) -> str:
    """``file:line (path)`` for messages."""
    line = source.line_of(loc)
    dotted = ".".join(str(p) for p in loc) or "(top level)"
    return f"{source.file}:{line} ({dotted})" if line else f"{source.file} ({dotted})"


_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it (10x faster on an adopted estate's files), same nodes."""


def _build(node: yaml.Node, loc: Loc, lines: dict[Loc, int], scalars: yaml.constructor.SafeConstructor) -> Any:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = scalars.construct_object(key_node, deep=True)
            lines[(*loc, key)] = key_node.start_mark.line + 1  # a key's own line reads best
            result[key] = _build(value_node, (*loc, key), lines, scalars)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*loc, i), lines, scalars) for i, item in enumerate(node.value)]
    return scalars.construct_object(node, deep=True)


def load(file: Path) -> Source:
    """Parse one YAML file; a syntax error is a SpecError naming the line."""
    text = file.read_text()
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise SpecError(
            [f"{file}{line}: not valid YAML ({getattr(error, 'problem', error)}). Fix the syntax."]
        ) from None
    lines: dict[Loc, int] = {}
    data = _build(node, (), lines, yaml.constructor.SafeConstructor()) if node is not None else None
    return Source(file=file, data=data, lines=lines)
