"""Operational faults under the real engine: one diagnostic line each, no traceback, NSX unchanged.

The repository's own program and ``stacks/dev`` run ``pulumi preview`` (or ``up``, for faults
that only writes meet) against an endpoint broken one way at a time: a name that does not
resolve, a closed port, a connect that never completes, certificates that are expired, name
another host or come from another CA, a CA file that is missing or not PEM, wrong credentials,
the emulator's read-only auditor writing, and its fault hooks (slow answers, 429s and 500s
that outlast the retry budget, a concurrent edit on every write, a failure halfway through an
apply). Each case checks the key facts of the single line (kind, the setting to fix, what
changed), not its wording, and what NSX holds afterwards.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pulumi.automation import ConfigValue
from pulumi.automation.errors import CommandError

from tests.support.emulator_process import RunningEmulator, start_emulator
from tests.support.faulty_endpoints import TlsEndpoint, closed_port, silent_port, tls_endpoint
from tests.support.nsx_stack import configure_nsx, domain_snapshot, raw, set_diff_paths
from tests.support.pulumi_harness import REPO, EngineWorkspace, changes, one_error_line

pytestmark = pytest.mark.engine

SEED = REPO / "nsx_emulator" / "seeds" / "demo.yaml"


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    emulator = start_emulator(tmp_path_factory.mktemp("faults-emulator"), seed=SEED)
    yield emulator
    emulator.stop()


def dev_stack(
    tmp_path: Path, emu: RunningEmulator, *, env: dict[str, str] | None = None, **nsx: Any
) -> EngineWorkspace:
    """The repository's program on stacks/dev, pointed at ``emu`` with ``nsx.*`` overrides."""
    program = ("Pulumi.yaml", "__main__.py", "stacks")
    ws = EngineWorkspace.create(REPO, tmp_path / "ws", stack_name="dev", include=program, extra_env=env)
    configure_nsx(ws, emu)
    for key, value in nsx.items():
        if key == "password":
            ws.stack.set_config("nsxPassword", ConfigValue(str(value), secret=True))
        else:  # nsx.<key>, as an operator sets it
            ws.stack.set_config(f"nsx.{key}", ConfigValue(str(value)), path=True)
    return ws


@contextmanager
def faults(emu: RunningEmulator, **rule: Any) -> Iterator[None]:
    with raw(emu) as admin:
        admin.put("/emulator/admin/faults", json={"rate": 1.0, **rule}).raise_for_status()
    try:
        yield
    finally:
        with raw(emu) as admin:
            admin.delete("/emulator/admin/faults").raise_for_status()


@dataclass(frozen=True)
class Case:
    name: str
    facts: tuple[str, ...]
    """Fragments the line must hold: the cause, the setting to fix, the outcome."""
    nsx: Callable[[Path, RunningEmulator, Any], dict[str, Any]] = lambda _t, _e, _w: {}
    around: Callable[[Path, RunningEmulator], AbstractContextManager[Any]] = lambda _t, _e: nullcontext()
    command: str = "preview"
    cluster: str = "{}"
    """The dev cluster's entry in environment.yaml (``vks-dev-01: <this>``)."""


def _at(url: str) -> Callable[[Path, RunningEmulator, Any], dict[str, Any]]:
    return lambda _t, _e, _w: {"host": url}


def _endpoint(where: Any) -> dict[str, Any]:
    if isinstance(where, TlsEndpoint):
        return {"host": where.url, "caFile": where.ca_file}
    return {"host": where}


def _not_pem(tmp: Path, _e: RunningEmulator, _w: Any) -> dict[str, Any]:
    (tmp / "not.pem").write_text("not a certificate")
    return {"caFile": tmp / "not.pem"}


@contextmanager
def cluster_status(emu: RunningEmulator, status: str) -> Iterator[None]:
    """The dev cluster as NSX reports it (the emulator's status hook), HEALTHY again after."""
    hook = "/emulator/admin/clusters/vks-dev-01/status"
    with raw(emu) as admin:
        admin.put(hook, json={"status": status}).raise_for_status()
    try:
        yield
    finally:
        with raw(emu) as admin:
            admin.put(hook, json={"status": "HEALTHY"}).raise_for_status()


NOTHING = "Nothing was changed in NSX"
CASES = [
    Case("dns", ("'nsx.invalid' does not resolve", "nsx.host", NOTHING), _at("https://nsx.invalid:443")),
    Case(
        "refused",
        ("connection was refused", "nsx.host", NOTHING),
        lambda _t, _e, where: _endpoint(where),
        lambda _t, _e: closed_port(),
    ),
    Case(
        "connect-timeout",
        ("no connection within 1 s", "nsx.connectTimeout", NOTHING),
        lambda _t, _e, where: {**_endpoint(where), "connectTimeout": 1, "retrySeconds": 2},
        lambda _t, _e: silent_port(),
    ),
    Case(
        "read-timeout",
        ("did not answer GET", "within 1 s", "nsx.readTimeout", NOTHING),
        lambda _t, _e, _w: {"readTimeout": 1, "retryAttempts": 1},
        lambda _t, emu: faults(emu, statuses=["delay"], delay_ms=2500, path_regex="cluster-control-planes"),
    ),
    Case(
        "tls-unknown-ca",
        ("not signed by the CA in", "nsx.caFile", NOTHING),
        lambda _t, _e, other: {"caFile": other.ca_file},
        lambda tmp, _e: tls_endpoint(tmp / "other-ca"),
    ),
    Case(
        "tls-name",
        ("does not name '127.0.0.1'", "nsx.host", NOTHING),
        lambda _t, _e, where: _endpoint(where),
        lambda tmp, _e: tls_endpoint(tmp, names=("nsx.example",)),
    ),
    Case(
        "tls-expired",
        ("certificate has expired", "renew", NOTHING),
        lambda _t, _e, where: _endpoint(where),
        lambda tmp, _e: tls_endpoint(tmp, expired=True),
    ),
    Case("ca-missing", ("does not exist", "nsx.caFile", NOTHING), lambda tmp, _e, _w: {"caFile": tmp / "nope.pem"}),
    Case("ca-not-pem", ("no PEM certificate", "nsx.caFile", NOTHING), _not_pem),
    Case(
        "credentials",
        ("refused the credentials of 'admin'", "nsxPassword", "locked", NOTHING),
        lambda _t, _e, _w: {"password": "Not-The-Passw0rd!"},
    ),
    Case(
        "read-only-up",
        ("'auditor' may not change NSX", "read-only account is enough for previews", NOTHING),
        lambda _t, emu, _w: {"username": "auditor", "password": emu.auditor_password},
        command="up",
    ),
    Case(
        "throttled-up",
        ("kept answering 429", "attempts in", "nsx.retrySeconds", NOTHING),
        lambda _t, _e, _w: {"retrySeconds": 1},
        lambda _t, emu: faults(emu, statuses=["429"], methods=["PATCH"], retry_after=0),
        command="up",
    ),
    Case(
        "server-error-up",
        ("failed with HTTP 500", "NSX's own fault", NOTHING),
        around=lambda _t, emu: faults(emu, statuses=["500"], methods=["PATCH"]),
        command="up",
    ),
    Case(
        "cluster-failed",
        ("cluster 'vks-dev-01': registered with NSX but not usable: FAILED", "vmware-system-antrea"),
        around=lambda _t, emu: cluster_status(emu, "FAILED"),
        cluster="{wait_seconds: 0}",
    ),
    Case(
        "cluster-lost",
        ("not usable: UNKNOWN",),
        around=lambda _t, emu: cluster_status(emu, "UNKNOWN"),
        cluster="{wait_seconds: 0}",
    ),
    Case(
        "cluster-unregistered",
        ("not registered with NSX (no cluster-control-plane named 'vks-ghost'", "control_plane"),
        cluster="{control_plane: vks-ghost, wait_seconds: 0}",
    ),
    Case(
        "conflict-up",
        ("someone else kept changing the same objects", "re-run", NOTHING),
        around=lambda _t, emu: faults(emu, statuses=["412"], methods=["PATCH"]),
        command="up",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_one_line_per_fault_and_nsx_unchanged(tmp_path: Path, emu: RunningEmulator, case: Case) -> None:
    with case.around(tmp_path, emu) as where:
        ws = dev_stack(tmp_path, emu, **case.nsx(tmp_path, emu, where))
        environment = ws.program / "stacks" / "dev" / "environment.yaml"
        environment.write_text(environment.read_text().replace("vks-dev-01: {}", f"vks-dev-01: {case.cluster}", 1))
        with raw(emu) as nsx:
            before = domain_snapshot(nsx)
        with pytest.raises(CommandError) as failed:
            ws.preview() if case.command == "preview" else ws.up()
    line = one_error_line(failed.value)
    for fact in case.facts:
        assert fact in line, line
    with raw(emu) as nsx:
        assert domain_snapshot(nsx) == before


def test_a_failure_halfway_says_what_landed_and_a_rerun_converges(tmp_path: Path, emu: RunningEmulator) -> None:
    """Removing a group and the rule naming it is two PATCHes (the group goes in a later one).
    The first lands, the second fails: the line names the accepted write, and the next ``up``
    finishes the job."""
    ws = dev_stack(tmp_path, emu)
    shop = ws.program / "stacks" / "dev" / "apps" / "shop.yaml"
    original = shop.read_text()
    rule = "{name: scanner-to-orders-db, from: [scanner], to: [orders-db], action: drop, log: true}"
    shop.write_text(
        original.replace("groups:\n", "groups:\n  scanner:\n    vms: [{tags: {app: scanner}}]\n", 1).replace(
            "    rules:\n", f"    rules:\n      - {rule}\n", 1
        )
    )
    ws.up()
    shop.write_text(original)
    halfway = faults(emu, statuses=["500"], methods=["PATCH"], path_regex="^/policy/api/v1/infra$", after=1)
    with halfway, pytest.raises(CommandError) as failed:
        ws.up()
    line = one_error_line(failed.value)
    assert "had accepted 1 write(s) before the failure (PATCH /policy/api/v1/infra)" in line, line
    assert "running `pulumi up` again converges" in line
    with raw(emu) as nsx:
        assert "shop-scanner" in _owned_groups(nsx), "the group's delete is the PATCH that failed"
    assert changes(ws.up().summary.resource_changes) == {"update": 1}
    assert changes(ws.preview().change_summary) == {}
    with raw(emu) as nsx:
        owned = _owned_groups(nsx)
    assert "shop-scanner" not in owned
    assert {"forensics-forensic", "quarantined", "shop-frontend"} <= owned
    ws.destroy()


def _owned_groups(nsx: httpx.Client) -> set[str]:
    groups = nsx.get("/policy/api/v1/infra/domains/default/groups").json()["results"]
    return {g["id"] for g in groups if any(t.get("scope") == "zerotrust/managed-by" for t in g.get("tags") or [])}


def test_a_read_only_account_previews_the_same_plan_and_cannot_apply_it(tmp_path: Path, emu: RunningEmulator) -> None:
    """Least privilege: previews and the drift check need only NSX's read-only role. The
    auditor's preview (with refresh) plans exactly the admin's changes to NSX (plus the
    provider's own new credentials, which write nothing); its ``up`` stops at the first
    write with one line, and NSX is unchanged."""
    ws = dev_stack(tmp_path, emu)
    ws.up()
    shop = ws.program / "stacks" / "dev" / "apps" / "shop.yaml"
    shop.write_text(shop.read_text().replace("and nothing else does", "and nothing else may", 1))
    admin = set_diff_paths(ws)[:2]
    assert admin == ({"update": 1}, {'policies["shop-orders"].description'})
    use_account(ws, "auditor", emu.auditor_password or "")
    with_provider = ({"update": 2}, admin[1])
    assert set_diff_paths(ws)[:2] == with_provider
    assert set_diff_paths(ws, refresh=True)[:2] == with_provider
    with raw(emu) as nsx:
        before = domain_snapshot(nsx)
    with pytest.raises(CommandError) as refused:
        ws.up()
    assert "'auditor' may not change NSX" in one_error_line(refused.value)
    with raw(emu) as nsx:
        assert domain_snapshot(nsx) == before
    use_account(ws, "admin", emu.admin_password)
    ws.up()  # the failed up recorded the auditor as the provider's account; destroy would use it
    ws.destroy()


def use_account(ws: EngineWorkspace, username: str, password: str) -> None:
    ws.stack.set_config("nsx.username", ConfigValue(username), path=True)
    ws.stack.set_config("nsxPassword", ConfigValue(password, secret=True))


def test_a_run_with_a_wrong_password_logs_in_once_and_a_locked_account_is_named(tmp_path: Path) -> None:
    """NSX locks an account after 5 consecutive failed logins (emulated with NSX's default
    auth-policy). A preview with a wrong password costs one failed login, not one per resource
    or retry: after it and three more, the account still works. Once it is locked, even the
    right password gets the one line that names both causes."""
    private = start_emulator(tmp_path / "emulator", seed=SEED)
    trust = ssl.create_default_context(cafile=str(private.ca_file))

    def fail_logins(times: int) -> None:
        with httpx.Client(base_url=private.base_url, verify=trust) as anonymous:
            for _ in range(times):
                form = {"j_username": "admin", "j_password": "still-wrong"}
                assert anonymous.post("/api/session/create", data=form).status_code == 403

    try:
        ws = dev_stack(tmp_path, private, password="Not-The-Passw0rd!")
        with pytest.raises(CommandError) as wrong:
            ws.preview()
        assert "refused the credentials of 'admin'" in one_error_line(wrong.value)
        fail_logins(3)  # with the run's one failure: four, one short of the lockout
        use_account(ws, "admin", private.admin_password)
        ws.preview()  # a success clears the count
        fail_logins(5)
        with pytest.raises(CommandError) as locked:
            ws.preview()
        line = one_error_line(locked.value)
        for fact in ("refused the credentials of 'admin'", "locked", "nsxPassword", "Nothing was changed"):
            assert fact in line, line
    finally:
        private.stop()


def test_zerotrust_debug_keeps_the_traceback_under_the_line(tmp_path: Path, emu: RunningEmulator) -> None:
    """For a bug report: the same diagnosis, followed by the provider's Python traceback."""
    ws = dev_stack(tmp_path, emu, env={"ZEROTRUST_DEBUG": "1"}, host="https://nsx.invalid:443")
    with pytest.raises(CommandError) as failed:
        ws.preview()
    text = str(failed.value)
    assert "'nsx.invalid' does not resolve (DNS)" in text
    assert 'File "' in text, "the traceback follows the line"
