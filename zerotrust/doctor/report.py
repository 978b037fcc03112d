"""The doctor's table: one row per check, and whether anything blocks the run asked for."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["Row", "Status", "blocking", "render"]

Status = Literal["ok", "warn", "fail", "skip"]
_MARK = {"ok": "ok", "warn": "WARN", "fail": "FAIL", "skip": "skip"}


@dataclass(frozen=True)
class Row:
    check: str
    status: Status
    detail: str

    @property
    def blocks(self) -> bool:
        """A failed check blocks the run; a warning does not."""
        return self.status == "fail"


def blocking(rows: Iterable[Row]) -> list[Row]:
    return [row for row in rows if row.blocks]


def render(rows: list[Row]) -> str:
    """A plain-text table (a terminal and a CI log read it alike)."""
    width = max(len(row.check) for row in rows)
    lines = [f"{'check'.ljust(width)}  status  detail", f"{'-' * width}  ------  ------"]
    lines += [f"{row.check.ljust(width)}  {_MARK[row.status].ljust(6)}  {row.detail}" for row in rows]
    return "\n".join(lines)
