"""Authentication to NSX as httpx auth flows: HTTP Basic, or a session (ref §9).

Session auth logs in once with ``POST /api/session/create`` (form-encoded
``j_username``/``j_password``), then sends the ``JSESSIONID`` cookie *and* the
``X-XSRF-TOKEN`` header on every request. When NSX refuses the token (403 /
error_code 98) or the session has ended (401, or 403 / 403 "credentials incorrect"
for a cookie that no longer works -- [UNV] which one real NSX sends, ref §9), the flow
logs in again and repeats the request once; a failed login surfaces as ``AuthError``.
Concurrent requests share one login (an ``asyncio.Lock``), and a login NSX refused is not
tried again by this client: NSX locks an account after a few failed logins (5 by default,
for 15 minutes), and a run with a wrong password must not be what locks it.

Credentials live only inside these objects: never in headers that get logged by this
package, never in exceptions (errors carry method and path only).
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncGenerator, Generator
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from zerotrust.nsx.config import NsxConfig, Secret
from zerotrust.nsx.errors import AuthError, NsxApiError, error_for_status

__all__ = ["SESSION_CREATE_PATH", "BasicAuth", "LoginInfo", "SessionAuth", "auth_for"]

SESSION_CREATE_PATH = "/api/session/create"
XSRF_HEADER = "X-XSRF-TOKEN"
SESSION_COOKIE = "JSESSIONID"
BAD_XSRF_CODE = 98
ENDED_SESSION_CODE = 403


class BasicAuth(httpx.Auth):
    """``Authorization: Basic`` on every request (slow with remote users, ref §9)."""

    def __init__(self, username: str, password: Secret) -> None:
        raw = f"{username}:{password.reveal()}".encode()
        self._header = "Basic " + base64.b64encode(raw).decode("ascii")

    def __repr__(self) -> str:
        return "BasicAuth(<credentials hidden>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


@dataclass(frozen=True)
class _Session:
    cookie: str
    xsrf: str


@dataclass(frozen=True)
class LoginInfo:
    """What NSX said when it created the session: the account's roles and its own clock."""

    permissions: frozenset[str]
    """Union over the roles, e.g. ``read-api``, ``read-write-api`` (ref §9)."""
    roles: tuple[str, ...]
    server_date: str | None
    """The ``Date`` header (RFC 7231), for a clock-skew check."""
    local_time: float
    """This machine's clock (epoch seconds) when the answer arrived."""

    @property
    def can_write(self) -> bool:
        return "read-write-api" in self.permissions


def _login_info(response: httpx.Response) -> LoginInfo:
    try:
        body = json.loads(response.content) if response.content else {}
    except ValueError:
        body = {}
    roles = [r for r in (body.get("roles") or []) if isinstance(r, dict)] if isinstance(body, dict) else []
    permissions = frozenset(str(p) for r in roles for p in r.get("permissions") or [])
    roles_named = tuple(str(r.get("role")) for r in roles)
    return LoginInfo(permissions, roles_named, response.headers.get("date"), time.time())


class SessionAuth(httpx.Auth):
    """One NSX session shared by all requests of a client; renewed once when refused."""

    def __init__(self, username: str, password: Secret) -> None:
        self._username = username
        self._password = password
        self._session: _Session | None = None
        self._refused: NsxApiError | None = None
        self._lock = asyncio.Lock()
        self.login: LoginInfo | None = None
        """From the latest login (the doctor reads the account's role from it)."""
        self.logins = 0
        """Sessions created so far (tests and benchmarks read it)."""

    def __repr__(self) -> str:
        return f"SessionAuth(username={self._username!r}, logins={self.logins})"

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("SessionAuth is for httpx.AsyncClient only")
        yield request  # pragma: no cover  (makes this a generator)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        session = self._session
        if session is None:
            async with self._lock:
                self._raise_if_refused()
                if self._session is None:
                    created = yield self._login_request(request)
                    await created.aread()
                    if not self._accept_login(created):
                        return  # the caller sees the failed login response and maps it
                session = self._session
        assert session is not None
        self._apply(request, session)
        response = yield request
        await response.aread()  # small JSON bodies; needed to see error_code 98
        if not _session_refused(response):
            return
        async with self._lock:
            self._raise_if_refused()
            if self._session == session:  # nobody renewed it meanwhile
                self._session = None
                created = yield self._login_request(request)
                await created.aread()
                if not self._accept_login(created):
                    return
            session = self._session
        assert session is not None
        self._apply(request, session)
        yield request

    def _login_request(self, request: httpx.Request) -> httpx.Request:
        body = urlencode({"j_username": self._username, "j_password": self._password.reveal()})
        return httpx.Request(
            "POST",
            request.url.copy_with(path=SESSION_CREATE_PATH, query=None),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
            content=body.encode(),
            extensions=request.extensions,
        )

    def _raise_if_refused(self) -> None:
        if self._refused is not None:
            raise self._refused

    def _accept_login(self, response: httpx.Response) -> bool:
        """Keep the session NSX created; a refused login (credentials) is raised, and remembered."""
        cookie = _session_cookie(response)
        xsrf = response.headers.get(XSRF_HEADER)
        if response.status_code in (401, 403):
            refused = error_for_status(response.status_code, response.content, method="POST", path=SESSION_CREATE_PATH)
            if isinstance(refused, AuthError):
                self._refused = refused
                raise refused
        if response.status_code not in (200, 201) or not cookie or not xsrf:
            return False
        self._session = _Session(cookie=cookie, xsrf=xsrf)
        self.login = _login_info(response)
        self.logins += 1
        return True

    @staticmethod
    def _apply(request: httpx.Request, session: _Session) -> None:
        request.headers["Cookie"] = f"{SESSION_COOKIE}={session.cookie}"
        request.headers[XSRF_HEADER] = session.xsrf


def _session_cookie(response: httpx.Response) -> str | None:
    """JSESSIONID from Set-Cookie, read directly (no cookie-jar policy in the way)."""
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        if name.strip() == SESSION_COOKIE:
            return rest.split(";", 1)[0].strip() or None
    return None


def _session_refused(response: httpx.Response) -> bool:
    """403 / 98 (bad XSRF), 401 or 403 / 403 (session ended): a new login may fix it."""
    if response.status_code == 401:
        return True
    if response.status_code != 403:
        return False
    try:
        code = json.loads(response.content).get("error_code")
    except (ValueError, AttributeError):
        return False
    return code in (BAD_XSRF_CODE, ENDED_SESSION_CODE)


def auth_for(config: NsxConfig) -> httpx.Auth:
    """The auth flow the config asks for."""
    if config.auth == "basic":
        return BasicAuth(config.username, config.password)
    return SessionAuth(config.username, config.password)
