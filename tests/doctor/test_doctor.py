"""``make doctor``: green on the dev stack against the demo emulator and a real API server,
and red, on the right row with the right facts, for each fault injected one at a time.

The checks run as the CLI runs them (``zerotrust.doctor.__main__.rows``) against real parts:
the emulator over HTTPS (its auditor, its cluster-status hook), sockets that refuse or never
accept, certificates that are expired or name another host, and a real kube-apiserver with
the stack's kubeconfig, then an expired, malformed or unreachable one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from local_cluster.apiserver import CRDS, KubeCluster, expired_kubeconfig, running_control_plane
from tests.support.emulator_process import RunningEmulator, start_emulator
from tests.support.faulty_endpoints import TlsEndpoint, closed_port, silent_port, tls_endpoint
from tests.support.nsx_stack import raw
from tests.support.pulumi_harness import REPO
from zerotrust.doctor.__main__ import main, rows
from zerotrust.doctor.report import Row, blocking
from zerotrust.stack_settings import StackSettings

SEED = REPO / "nsx_emulator" / "seeds" / "demo.yaml"
CLUSTER = "vks-dev-01"
KUBE_ENV = f"""clusters:
  - name: {CLUSTER}
    antreaVersion: 2.3.0
    kubeconfig: kubeconfig-{CLUSTER}
"""


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    emulator = start_emulator(tmp_path_factory.mktemp("doctor-emulator"), seed=SEED)
    yield emulator
    emulator.stop()


@pytest.fixture(scope="module")
def kube(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KubeCluster]:
    with running_control_plane(tmp_path_factory.mktemp("doctor-kube"), {CLUSTER: CRDS / "antrea-v2"}) as clusters:
        yield clusters[CLUSTER]


def dev_stack(tmp_path: Path, emu: RunningEmulator, kubeconfig: str | None, **nsx: Any) -> StackSettings:
    """stacks/dev as the doctor reads it, pointed at ``emu`` (``nsx`` overrides; None drops one)."""
    (tmp_path / "kube.yaml").write_text(KUBE_ENV)
    settings = {"host": emu.base_url, "username": "admin", "caFile": str(emu.ca_file)} | nsx
    values = {
        "nsx": {k: str(v) for k, v in settings.items() if v is not None},
        "specDir": str(REPO / "stacks" / "dev"),
        "kubernetesEnvironment": str(tmp_path / "kube.yaml"),
    }
    password = str(nsx.get("password", emu.admin_password))
    secrets = {"nsxPassword": password} | ({f"kubeconfig-{CLUSTER}": kubeconfig} if kubeconfig is not None else {})
    return StackSettings("zerotrust-dfw", "dev", values, REPO, secrets)


def the_row(table: list[Row], check: str) -> Row:
    return next(row for row in table if row.check == check)


@dataclass(frozen=True)
class Fault:
    name: str
    check: str
    """The row that must fail (``warn`` for the one fault that does not block)."""
    facts: tuple[str, ...]
    nsx: Callable[[Any, RunningEmulator], dict[str, Any]] = lambda _where, _emu: {}
    around: Callable[[Path, RunningEmulator], AbstractContextManager[Any]] = lambda _t, _e: nullcontext()
    kubeconfig: Callable[[KubeCluster], str | None] = lambda kube: kube.kubeconfig
    status: str = "fail"
    for_up: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def _host(where: Any, _emu: RunningEmulator) -> dict[str, Any]:
    if isinstance(where, TlsEndpoint):
        return {"host": where.url, "caFile": where.ca_file}
    return {"host": where}


class _ClusterStatus(AbstractContextManager[None]):
    def __init__(self, emu: RunningEmulator, status: str) -> None:
        self.emu, self.status = emu, status

    def _set(self, status: str) -> None:
        with raw(self.emu) as admin:
            admin.put(f"/emulator/admin/clusters/{CLUSTER}/status", json={"status": status}).raise_for_status()

    def __enter__(self) -> None:
        self._set(self.status)

    def __exit__(self, *_: object) -> None:
        self._set("HEALTHY")


def _closed(_t: Path, _e: RunningEmulator) -> AbstractContextManager[str]:
    return closed_port()


FAULTS = [
    Fault(
        "dns",
        "NSX reachable",
        ("'nsx.invalid' does not resolve", "nsx.host"),
        lambda _w, _e: {"host": "https://nsx.invalid"},
    ),
    Fault("refused", "NSX reachable", ("connection was refused",), _host, _closed),
    Fault(
        "connect-timeout",
        "NSX reachable",
        ("no connection within 1 s", "nsx.connectTimeout"),
        lambda where, emu: {**_host(where, emu), "connectTimeout": 1},
        lambda _t, _e: silent_port(),
    ),
    Fault(
        "unknown-ca",
        "TLS verified",
        ("not signed by the CA in", "nsx.caFile"),
        lambda other, _e: {"caFile": other.ca_file},
        lambda tmp, _e: tls_endpoint(tmp / "other"),
    ),
    Fault(
        "expired-cert", "TLS verified", ("certificate has expired",), _host, lambda t, _e: tls_endpoint(t, expired=True)
    ),
    Fault(
        "name-mismatch",
        "TLS verified",
        ("does not name '127.0.0.1'",),
        _host,
        lambda t, _e: tls_endpoint(t, names=("nsx.example",)),
    ),
    Fault(
        "ca-missing", "NSX settings", ("does not exist", "nsx.caFile"), lambda _w, _e: {"caFile": "/nonexistent/ca.pem"}
    ),
    Fault(
        "password",
        "credentials",
        ("refused the credentials of 'admin'", "nsxPassword"),
        lambda _w, _e: {"password": "Nope-1!"},
    ),
    Fault(
        "read-only-for-up",
        "account role",
        ("read-only (auditor)", "`pulumi up` will be refused"),
        lambda _w, emu: {"username": "auditor", "password": emu.auditor_password},
    ),
    Fault(
        "cluster-failed",
        f"cluster {CLUSTER}",
        ("not usable: FAILED", "vmware-system-antrea"),
        around=lambda _t, emu: _ClusterStatus(emu, "FAILED"),
    ),
    Fault(
        "cluster-degraded",
        f"cluster {CLUSTER}",
        ("DEGRADED",),
        around=lambda _t, emu: _ClusterStatus(emu, "DEGRADED"),
        status="warn",
    ),
    Fault("kubeconfig-missing", f"Kubernetes {CLUSTER}", ("no stack config",), kubeconfig=lambda _k: None),
    Fault("kubeconfig-malformed", f"Kubernetes {CLUSTER}", ("not valid YAML",), kubeconfig=lambda _k: "{:"),
    Fault(
        "kubeconfig-expired", f"Kubernetes {CLUSTER}", ("client certificate expired on",), kubeconfig=expired_kubeconfig
    ),
    Fault(
        "kube-unreachable",
        f"Kubernetes {CLUSTER}",
        ("is unreachable",),
        kubeconfig=lambda kube: kube.kubeconfig.replace(kube.url, "https://127.0.0.1:9"),
    ),
]


def test_green_on_the_dev_stack_against_the_demo_emulator(
    tmp_path: Path, emu: RunningEmulator, kube: KubeCluster
) -> None:
    table = rows(dev_stack(tmp_path, emu, kube.kubeconfig), for_up=True)
    assert [row for row in table if row.status != "ok"] == [], table
    checks = [row.check for row in table]
    assert checks == [
        "stack files",
        "NSX reachable",
        "TLS verified",
        "credentials",
        "account role",
        "NSX version",
        "clock",
        f"cluster {CLUSTER}",
        f"Kubernetes {CLUSTER}",
    ]
    assert "HEALTHY" in the_row(table, f"cluster {CLUSTER}").detail
    assert "Kubernetes v1." in the_row(table, f"Kubernetes {CLUSTER}").detail


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_each_fault_is_red_on_its_row(tmp_path: Path, emu: RunningEmulator, kube: KubeCluster, fault: Fault) -> None:
    with fault.around(tmp_path, emu) as where:
        nsx = fault.nsx(where, emu)
        table = rows(dev_stack(tmp_path, emu, fault.kubeconfig(kube), **nsx), for_up=fault.for_up)
    row = the_row(table, fault.check)
    assert row.status == fault.status, table
    for fact in fault.facts:
        assert fact in row.detail, row.detail
    failing = blocking(table)
    assert failing == ([row] if fault.status == "fail" else []), failing
    assert emu.admin_password not in str(table)


def test_a_read_only_account_is_enough_for_previews(tmp_path: Path, emu: RunningEmulator, kube: KubeCluster) -> None:
    stack = dev_stack(tmp_path, emu, kube.kubeconfig, username="auditor", password=emu.auditor_password)
    table = rows(stack, for_up=False)
    assert blocking(table) == []
    assert the_row(table, "account role").detail.startswith("read-only (auditor)")


def test_the_cli_prints_the_table_and_exits_1_when_something_blocks(
    tmp_path: Path, emu: RunningEmulator, kube: KubeCluster, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    for folder in ("green", "ro"):
        (tmp_path / folder).mkdir()
    stacks = {
        "green": dev_stack(tmp_path / "green", emu, kube.kubeconfig),
        "auditor": dev_stack(tmp_path / "ro", emu, kube.kubeconfig, username="auditor", password=emu.auditor_password),
    }
    monkeypatch.setattr("zerotrust.doctor.__main__.read_stack", lambda name: stacks[name])
    assert main(["--stack", "green"]) == 0
    assert "doctor: stack green is ready for `pulumi up`" in capsys.readouterr().out
    assert main(["--stack", "auditor"]) == 1
    out = capsys.readouterr().out
    assert "account role  " in out
    assert "doctor: 1 problem(s) block `pulumi up` on stack auditor" in out
    assert main(["--stack", "auditor", "--for", "preview"]) == 0
