"""Small routing layer: path templates, the per-request call and the reply.

Templates use ``{name}`` for one segment and ``{name:path}`` for the rest of the
path; the template string itself is what the request counters report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from .errors import deserialization, method_not_allowed

if TYPE_CHECKING:
    from .app import EmulatorState
    from .auth import User

Handler = Callable[["Call"], Awaitable["Reply"]]


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # None -> empty body
    raw: bytes | None = None  # pre-serialised JSON, sent as is
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    request: Request
    state: EmulatorState
    params: dict[str, str]
    path_params: dict[str, str]
    template: str
    user: User | None = None
    _body: bytes | None = None

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def user_name(self) -> str:
        return self.user.name if self.user else "anonymous"

    async def body_bytes(self) -> bytes:
        if self._body is None:
            self._body = await self.request.body()
        return self._body

    async def json(self, *, required: bool = True) -> Any:
        raw = await self.body_bytes()
        if not raw.strip():
            if required:
                raise deserialization("No content to map due to end-of-input.")
            return None
        try:
            return json.loads(raw, parse_constant=_reject_constant)
        except RecursionError:
            raise deserialization("JSON input is nested too deeply.") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise deserialization(f"Unexpected character in JSON input: {exc}.") from None

    def flag(self, name: str) -> bool:
        return self.params.get(name, "false").lower() == "true"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON number {name}")


@dataclass
class Route:
    template: str
    regex: re.Pattern[str]
    handlers: dict[str, Handler]
    authenticated: bool = True


def _compile(template: str) -> re.Pattern[str]:
    out = "^"
    for part in re.split(r"(\{[^}]+\})", template):
        if part.startswith("{") and part.endswith("}"):
            name, _, kind = part[1:-1].partition(":")
            name = name.replace("-", "_")
            out += f"(?P<{name}>.+)" if kind == "path" else f"(?P<{name}>[^/]+)"
        else:
            out += re.escape(part)
    return re.compile(out + "$")


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, template: str, handlers: Mapping[str, Handler], *, authenticated: bool = True) -> None:
        self.routes.append(Route(template, _compile(template), dict(handlers), authenticated))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str], Handler] | None:
        """Return the route and handler; raises 405 when the path exists without that method."""
        for route in self.routes:
            m = route.regex.match(path)
            if m is None:
                continue
            handler = route.handlers.get(method)
            if handler is None:
                raise method_not_allowed(method, path)
            return route, m.groupdict(), handler
        return None
