"""Authentication and roles like NSX (ref §9, §3.2).

- HTTP Basic on any request (``Authorization: Remote`` is accepted the same way,
  as Terraform's remote_auth sends it, ref §9);
- session: ``POST /api/session/create`` with form fields ``j_username``/``j_password``
  returns 200, a ``JSESSIONID`` cookie and an ``X-XSRF-TOKEN`` header; later
  requests must send both, a missing/bad token is 403/98 (ref §12.10);
- bad or missing credentials are 403/403 with NSX's message. Whether NSX answers
  401 in some of these cases is [UNV]; 403 is what clients are documented to
  handle (they re-login on 401 or 403).
- roles: ``admin`` is read-write; ``auditor`` (only if a password was given) is
  read-only and gets 403 on writes.
Sessions live in memory: like a real manager node's, they do not survive a restart.
On plain HTTP the cookie is sent without ``Secure`` so clients send it back.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from .errors import bad_credentials, bad_xsrf

ADMIN_ROLE = "enterprise_admin"
AUDITOR_ROLE = "auditor"
SESSION_COOKIE = "JSESSIONID"
XSRF_HEADER = "x-xsrf-token"


@dataclass(frozen=True)
class User:
    name: str
    password: str
    role: str

    @property
    def read_only(self) -> bool:
        return self.role == AUDITOR_ROLE

    def roles_body(self) -> dict[str, Any]:
        if self.read_only:
            return {"roles": [{"role": "auditor", "permissions": ["read-api", "read-cli"]}]}
        return {
            "roles": [
                {
                    "role": "superusers",
                    "permissions": ["read-api", "read-write-api", "read-cli", "read-write-cli"],
                }
            ]
        }


@dataclass(frozen=True)
class Session:
    user: User
    xsrf: str


class Authenticator:
    def __init__(self, admin_password: str, auditor_password: str | None) -> None:
        self.users: dict[str, User] = {"admin": User("admin", admin_password, ADMIN_ROLE)}
        if auditor_password:
            self.users["auditor"] = User("auditor", auditor_password, AUDITOR_ROLE)
        self.sessions: dict[str, Session] = {}

    def check_password(self, name: str, password: str) -> User:
        user = self.users.get(name)
        # compare even for unknown users so timing does not reveal names
        expected = user.password if user else secrets.token_hex(16)
        if not hmac.compare_digest(expected.encode(), password.encode()) or user is None:
            raise bad_credentials()
        return user

    def authenticate(self, headers: Any, cookies: dict[str, str]) -> User:
        header = headers.get("authorization")
        if header:
            scheme, _, payload = header.partition(" ")
            if scheme.lower() not in ("basic", "remote"):
                raise bad_credentials()
            try:
                decoded = base64.b64decode(payload.strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                raise bad_credentials() from None
            name, sep, password = decoded.partition(":")
            if not sep:
                raise bad_credentials()
            return self.check_password(name, password)
        sid = cookies.get(SESSION_COOKIE)
        if sid:
            session = self.sessions.get(sid)
            if session is None:
                raise bad_credentials()
            token = headers.get(XSRF_HEADER)
            if not token or not hmac.compare_digest(token.encode(), session.xsrf.encode()):
                raise bad_xsrf()
            return session.user
        raise bad_credentials()

    def create_session(self, form: dict[str, str]) -> tuple[str, Session]:
        user = self.check_password(form.get("j_username", ""), form.get("j_password", ""))
        sid = secrets.token_hex(16).upper()
        session = Session(user, str(uuid.uuid4()))
        self.sessions[sid] = session
        return sid, session

    def destroy_session(self, cookies: dict[str, str]) -> None:
        sid = cookies.get(SESSION_COOKIE)
        if sid:
            self.sessions.pop(sid, None)
