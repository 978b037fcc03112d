"""Every 2xx body the conformance suite receives is checked against its official NSX type.

:func:`check_response` is an httpx response hook, installed by ``_nsx.make_client`` on every
client the suite opens, so no test can read an emulator body the check has not seen. A
body that is not an instance of its route's output type (see :mod:`._official_shapes`)
fails the test that received it, naming the route, the JSON path and what is wrong.

Routes the SDK does not declare are not checked: the emulator's own ``/emulator/admin``
hooks, and the few NSX routes missing from the SDK (``POST /api/session/create``, the
legacy ``GET /policy/api/v1/search``). They are tallied by name so the session summary
shows what went unchecked.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from ._official_routes import OfficialOperation, route_index
from ._official_shapes import ShapeProblem, check_body

EMULATOR_ADMIN = "/emulator/admin"
SHOWN_UNCHECKED = 12


class ShapeMismatchError(AssertionError):
    """A response body that the official type of its route does not describe."""

    def __init__(
        self, request: httpx.Request, status: int, op: OfficialOperation, problems: list[ShapeProblem]
    ) -> None:
        lines = [
            f"{request.method} {request.url.path} -> {status}: the body is not the official "
            f"{_output_name(op)} of {op.route} ({op.service}.{op.operation}):",
            *(f"  {problem}" for problem in problems),
        ]
        super().__init__("\n".join(lines))
        self.problems = problems


def _output_name(op: OfficialOperation) -> str:
    typ = op.output_type
    while hasattr(typ, "element_type") or hasattr(typ, "resolved_type"):
        typ = getattr(typ, "element_type", None) or typ.resolved_type
    cls = getattr(typ, "binding_class", None)
    return getattr(cls, "__name__", type(typ).__name__)


@dataclass
class ShapeTally:
    """What this process checked: bodies and routes validated, and what went unchecked."""

    bodies: int = 0
    routes: Counter[str] = field(default_factory=Counter)
    undeclared: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def validated(self, op: OfficialOperation) -> None:
        with self._lock:
            self.bodies += 1
            self.routes[op.route] += 1

    def skipped(self, route: str) -> None:
        with self._lock:
            self.undeclared[route] += 1

    def as_dict(self) -> dict[str, Any]:
        """A plain form that survives the trip from an xdist worker to the controller."""
        return {"bodies": self.bodies, "routes": dict(self.routes), "undeclared": dict(self.undeclared)}

    def add(self, other: dict[str, Any]) -> None:
        self.bodies += int(other.get("bodies", 0))
        self.routes.update(other.get("routes", {}))
        self.undeclared.update(other.get("undeclared", {}))


TALLY = ShapeTally()


_GENERATED_SEGMENT = re.compile(r"^(?!v\d+$).*\d")


def _undeclared_name(method: str, path: str) -> str:
    """How an unchecked request is tallied: admin hooks as one, ids (segments with a digit) as ``*``."""
    if path.startswith(EMULATOR_ADMIN):
        return f"{method} {EMULATOR_ADMIN}/..."
    return f"{method} " + "/".join("*" if _GENERATED_SEGMENT.match(s) else s for s in path.split("/"))


def check_response(response: httpx.Response) -> None:
    """httpx response hook: validate a 2xx body against the official type of its route."""
    if not 200 <= response.status_code < 300:
        return
    response.read()
    if not response.content:
        return
    request = response.request
    op = route_index().match(request.method, request.url.path, dict(request.url.params))
    if op is None:
        TALLY.skipped(_undeclared_name(request.method, request.url.path))
        return
    problems = check_body(op, response.status_code, dict(response.headers), response.text)
    TALLY.validated(op)
    if problems:
        raise ShapeMismatchError(request, response.status_code, op, problems)


def summary(tally: ShapeTally) -> list[str]:
    """Lines for the session's terminal summary."""
    lines = [
        f"official NSX shapes (vcf-nsx): {tally.bodies} response bodies validated "
        f"over {len(tally.routes)} distinct routes"
    ]
    if tally.undeclared:
        shown = sorted(tally.undeclared.items())[:SHOWN_UNCHECKED]
        more = len(tally.undeclared) - len(shown)
        unchecked = ", ".join(f"{route} x{n}" for route, n in shown) + (f", and {more} more" if more else "")
        lines.append(f"  not declared by the SDK, so unchecked: {unchecked}")
    return lines
