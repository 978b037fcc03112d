"""Errors that point a platform engineer at the file, the field and the fix.

Everything here is raised before any API call, so a bad desired-state file never becomes a
half-applied change or an admission-webhook rejection in the middle of `pulumi up`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the desired state, located by a dotted field path."""

    field: str
    message: str
    fix: str

    def render(self, source: str) -> str:
        return f"{source}: {self.field}: {self.message}\n  fix: {self.fix}"


class SpecError(ValueError):
    """The Kubernetes desired state is invalid; `problems` lists every finding, not just the first."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(p.render(source) for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the Kubernetes desired state:\n{lines}")
