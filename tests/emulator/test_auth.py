"""Authentication: Basic, session (JSESSIONID + X-XSRF-TOKEN), read-only role (ref §9)."""

from __future__ import annotations

import httpx
import pytest

from tests.support.emulator_process import RunningEmulator

from ._nsx import (
    ADMIN_USER,
    AUDITOR_USER,
    P,
    assert_nsx_error,
    group_body,
    group_path,
    make_client,
    ok,
    tag_condition,
    uid,
)

pytestmark = pytest.mark.conformance("auth")


def _session(emu: RunningEmulator, user: str, password: str) -> tuple[str, str]:
    """Create a session the way clients do; return (JSESSIONID, XSRF token)."""
    with make_client(emu, user=None) as anon:
        resp = anon.post(
            "/api/session/create",
            data={"j_username": user, "j_password": password},
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        ok(resp, 200, 201)
        jsession = resp.cookies.get("JSESSIONID")
        xsrf = resp.headers.get("X-XSRF-TOKEN")
    assert jsession, f"no JSESSIONID cookie: {resp.headers}"
    assert xsrf, f"no X-XSRF-TOKEN header: {resp.headers}"
    return jsession, xsrf


def _anon(emu: RunningEmulator) -> httpx.Client:
    return make_client(emu, user=None)


def test_basic_auth_reads(nsx: httpx.Client) -> None:
    """ref §9: HTTP Basic on every request authenticates."""
    ok(nsx.get(f"{P}/infra/domains/default"), 200)


def test_bad_password_is_403_error_code_403(emulator: RunningEmulator) -> None:
    """ref §9 / §3.2: bad credentials -> 403, error_code 403, 'The credentials were incorrect'."""
    with make_client(emulator, user=ADMIN_USER, password="definitely-wrong") as bad:
        resp = bad.get(f"{P}/infra/domains/default")
    assert_nsx_error(resp, 403, error_code=403, message="The credentials were incorrect")


def test_unknown_user_is_403_error_code_403(emulator: RunningEmulator) -> None:
    """ref §9: an unknown user is 'credentials incorrect' too (403 / 403)."""
    with make_client(emulator, user="nobody", password="x") as bad:
        resp = bad.get(f"{P}/infra/domains/default")
    assert_nsx_error(resp, 403, error_code=403)


def test_no_credentials_rejected(emulator: RunningEmulator) -> None:
    """ref §9: no credentials is refused ([UNV] 401 vs 403, so either) and never served."""
    with _anon(emulator) as anon:
        resp = anon.get(f"{P}/infra/domains/default")
    assert resp.status_code in (401, 403), resp.text


def test_session_create_returns_cookie_and_xsrf(emulator: RunningEmulator) -> None:
    """ref §9: POST /api/session/create (form j_username/j_password) -> 200,
    Set-Cookie JSESSIONID (Secure; HttpOnly), header X-XSRF-TOKEN, body {'roles': [...]}."""
    with _anon(emulator) as anon:
        resp = anon.post(
            "/api/session/create",
            content=f"j_username={ADMIN_USER}&j_password={emulator.admin_password}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    ok(resp, 200, 201)
    set_cookie = resp.headers.get("set-cookie", "")
    assert "JSESSIONID=" in set_cookie
    assert "httponly" in set_cookie.lower()
    assert "secure" in set_cookie.lower()
    assert resp.headers.get("x-xsrf-token")
    roles = resp.json()["roles"]
    assert isinstance(roles, list)
    assert roles


def test_session_with_cookie_and_xsrf_reads_and_writes(emulator: RunningEmulator) -> None:
    """ref §9: later requests send Cookie JSESSIONID and X-XSRF-TOKEN; both work for writes."""
    jsession, xsrf = _session(emulator, ADMIN_USER, emulator.admin_password)
    headers = {"Cookie": f"JSESSIONID={jsession}", "X-XSRF-TOKEN": xsrf}
    gid = uid("auth")
    with _anon(emulator) as anon:
        ok(anon.get(f"{P}/infra/domains/default", headers=headers), 200)
        body = group_body(gid, [tag_condition("s|t")])
        ok(anon.patch(f"{P}{group_path(gid)}", json=body, headers=headers))
        ok(anon.get(f"{P}{group_path(gid)}", headers=headers), 200)


def test_session_write_without_xsrf_is_403_error_code_98(emulator: RunningEmulator) -> None:
    """ref §12.10 / §3.2: a cookie without the XSRF token -> 403, error_code 98."""
    jsession, _ = _session(emulator, ADMIN_USER, emulator.admin_password)
    gid = uid("auth")
    with _anon(emulator) as anon:
        resp = anon.patch(
            f"{P}{group_path(gid)}",
            json=group_body(gid, [tag_condition("s|t")]),
            headers={"Cookie": f"JSESSIONID={jsession}"},
        )
    assert_nsx_error(resp, 403, error_code=98)


def test_session_bad_xsrf_is_403_error_code_98(emulator: RunningEmulator) -> None:
    """ref §12.10: a wrong XSRF token -> 403, error_code 98 (client must re-login)."""
    jsession, _ = _session(emulator, ADMIN_USER, emulator.admin_password)
    gid = uid("auth")
    with _anon(emulator) as anon:
        resp = anon.patch(
            f"{P}{group_path(gid)}",
            json=group_body(gid, [tag_condition("s|t")]),
            headers={"Cookie": f"JSESSIONID={jsession}", "X-XSRF-TOKEN": "not-the-token"},
        )
    assert_nsx_error(resp, 403, error_code=98)


def test_session_create_bad_credentials_is_403(emulator: RunningEmulator) -> None:
    """ref §9: bad credentials on session create -> 403 error_code 403, no session."""
    with _anon(emulator) as anon:
        resp = anon.post(
            "/api/session/create",
            data={"j_username": ADMIN_USER, "j_password": "wrong"},
        )
    assert_nsx_error(resp, 403, error_code=403)
    assert "JSESSIONID" not in resp.cookies


def test_session_destroy_invalidates_session(emulator: RunningEmulator) -> None:
    """ref §9: POST /api/session/destroy ends the session; the cookie no longer works."""
    jsession, xsrf = _session(emulator, ADMIN_USER, emulator.admin_password)
    headers = {"Cookie": f"JSESSIONID={jsession}", "X-XSRF-TOKEN": xsrf}
    with _anon(emulator) as anon:
        ok(anon.get(f"{P}/infra/domains/default", headers=headers), 200)
        destroy = anon.post("/api/session/destroy", headers=headers)
        assert 200 <= destroy.status_code < 300, destroy.text
        after = anon.get(f"{P}/infra/domains/default", headers=headers)
    assert after.status_code in (401, 403), after.text


def test_auditor_can_read(auditor: httpx.Client, nsx: httpx.Client) -> None:
    """ref §9 (roles): a read-only user can GET policy objects."""
    gpath = group_path(uid("aud"))
    ok(nsx.patch(f"{P}{gpath}", json=group_body(gpath.rsplit("/", 1)[1], [tag_condition("a|b")])))
    ok(auditor.get(f"{P}{gpath}"), 200)
    ok(auditor.get(f"{P}/infra/domains/default/groups"), 200)


@pytest.mark.parametrize("method", ["PATCH", "PUT", "DELETE"])
def test_auditor_cannot_write(auditor: httpx.Client, method: str) -> None:
    """ref §9 / §3.2: a read-only user's writes are refused with an NSX-shaped 403."""
    gid = uid("aud")
    body = group_body(gid, [tag_condition("a|b")])
    resp = auditor.request(method, f"{P}{group_path(gid)}", json=None if method == "DELETE" else body)
    assert_nsx_error(resp, 403)


def test_auditor_session_cannot_write(emulator: RunningEmulator) -> None:
    """ref §9: roles follow the session identity; an auditor session still cannot write."""
    assert emulator.auditor_password is not None
    jsession, xsrf = _session(emulator, AUDITOR_USER, emulator.auditor_password)
    headers = {"Cookie": f"JSESSIONID={jsession}", "X-XSRF-TOKEN": xsrf}
    gid = uid("aud")
    with _anon(emulator) as anon:
        ok(anon.get(f"{P}/infra/domains/default", headers=headers), 200)
        resp = anon.patch(f"{P}{group_path(gid)}", json=group_body(gid, [tag_condition("a|b")]), headers=headers)
    assert_nsx_error(resp, 403)
