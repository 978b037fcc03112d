"""The ASGI application: one Starlette endpoint in front of the emulator's router.

Order of concerns for each request: route match (404/405) -> authentication ->
rate/concurrency limits -> injected fault (non-admin paths; a delayed request
counts as in flight) -> role check (auditor is read-only) -> handler. Every
failure, including a bug, leaves as an NSX error body (ref §3.1); nothing ever
returns a traceback.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from . import routes_admin, routes_mp, routes_policy
from .admin import Faults, Limits, RequestCounters, fault_error
from .auth import Authenticator
from .errors import NsxError, forbidden_role, internal, not_found
from .http import Call, Handler, Reply, Router
from .realization import RealizationControl
from .store import Store

log = logging.getLogger("nsx_emulator")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: POSTs that do not change state and so stay open to read-only users
READ_ONLY_POSTS = ("/api/session/destroy",)
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"]


class DropConnectionError(Exception):
    """Raised after a partial response so the server cuts the connection."""


class _DropResponse(Response):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b"{", "more_body": True})
        raise DropConnectionError()


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        while exc is not None:
            if isinstance(exc, DropConnectionError):
                return False
            exc = exc.__cause__ or exc.__context__
        return True


@dataclass
class EmulatorState:
    store: Store
    auth: Authenticator
    tls: bool
    seed_file: Path | None = None
    faults: Faults = field(default_factory=Faults)
    limits: Limits = field(default_factory=Limits)
    counters: RequestCounters = field(default_factory=RequestCounters)
    realization: RealizationControl = field(default_factory=RealizationControl)
    router: Router = field(default_factory=Router)

    def __post_init__(self) -> None:
        self.auth.attach_store(self.store)  # the lockout policy is persisted state
        routes_admin.register(self.router)
        routes_mp.register(self.router)
        routes_policy.register(self.router)


def _response(reply: Reply) -> Response:
    headers = {"x-nsx-requestid": uuid.uuid4().hex, "server": "envoy", **reply.headers}
    if reply.raw is not None:
        return Response(reply.raw, status_code=reply.status, headers=headers, media_type="application/json")
    if reply.body is None:
        return Response(b"", status_code=reply.status, headers=headers)
    data = json.dumps(reply.body, separators=(",", ":")).encode()
    return Response(data, status_code=reply.status, headers=headers, media_type="application/json")


def _error(exc: NsxError) -> Response:
    return _response(Reply(exc.status, exc.body(), headers=dict(exc.headers)))


async def _inject_fault(state: EmulatorState, method: str, path: str) -> bool:
    """Apply an injected fault; True means "drop the connection"."""
    picked = state.faults.pick(method, path)
    if picked is None:
        return False
    rule, kind = picked
    if kind == "drop":
        return True
    if kind == "delay":
        await asyncio.sleep(rule.delay_ms / 1000)
        return False
    raise fault_error(rule, kind)


async def _serve(state: EmulatorState, call: Call, handler: Handler, *, admin: bool) -> Response:
    """Limits, faults and roles for an authenticated call, then the handler."""
    user = call.user
    if user is None:  # unauthenticated endpoints (health, session create)
        if not admin and await _inject_fault(state, call.method, call.request.url.path):
            return _DropResponse()
        return _response(await handler(call))
    if admin and user.read_only:
        raise forbidden_role(user.name)
    if not admin:
        state.limits.check_rate(user.name)
    state.limits.enter(user.name)
    try:
        # faults come after entering so that a delayed request counts as in flight
        if not admin and await _inject_fault(state, call.method, call.request.url.path):
            return _DropResponse()
        path = call.request.url.path
        if call.method in WRITE_METHODS and user.read_only and path not in READ_ONLY_POSTS:
            raise forbidden_role(user.name)
        return _response(await handler(call))
    finally:
        state.limits.leave(user.name)


async def dispatch(state: EmulatorState, request: Request) -> Response:
    method, path = request.method, request.url.path
    admin = path.startswith(routes_admin.PREFIX)
    call: Call | None = None
    try:
        found = state.router.match(method, path)
        if found is None:
            raise not_found(path)
        route, path_params, handler = found
        call = Call(request, state, dict(request.query_params), path_params, route.template)
        if route.authenticated:
            call.user = state.auth.authenticate(request.headers, request.cookies)
        return await _serve(state, call, handler, admin=admin)
    except NsxError as exc:
        return _error(exc)
    except Exception:  # a bug: still answer like NSX, never with a traceback
        log.exception("unhandled error on %s %s", method, path)
        return _error(internal())
    finally:
        if not admin:
            state.counters.count(method, call.template if call is not None else "unmatched")


def create_app(state: EmulatorState) -> Starlette:
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())

    async def endpoint(request: Request) -> Response:
        return await dispatch(state, request)

    app = Starlette(routes=[Route("/{path:path}", endpoint, methods=ALL_METHODS)])
    app.state.emulator = state
    return app


def describe(state: EmulatorState) -> dict[str, Any]:
    return {"objects": sum(1 for k in state.store.objects if k.startswith("/"))}
