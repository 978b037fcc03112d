"""A real Kubernetes API server standing in for a VKS cluster: etcd + kube-apiserver on loopback.

No kubelet, scheduler or controllers: the objects this project manages (Antrea CRs, Namespaces,
NetworkPolicies) only need the API server's storage, validation, defaulting and server-side
apply, which is exactly what pulumi-kubernetes talks to. One etcd can back several API servers
(one `--etcd-prefix` each), so a test can stand up "several VKS clusters" cheaply, each with the
CRD set of its Antrea version.

Binaries come from `make kubernetes` (toolchain/ensure-kubernetes.sh) in `.tools/bin`; a missing
binary is an error, never a skip. Certificates are generated per run with `cryptography`.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import datetime as dt
import ipaddress
import json
import os
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

REPO = Path(__file__).resolve().parents[1]
BIN = REPO / ".tools" / "bin"
CRDS = REPO / "kubernetes" / "crds"
ADMIN_USER = "zerotrust-admin"


class KubeStartError(RuntimeError):
    """The control plane did not come up; the message carries the process's own stderr."""


def binary(name: str) -> Path:
    path = BIN / name
    if not path.exists():
        raise KubeStartError(f"{path} is missing: run `make kubernetes` (toolchain/ensure-kubernetes.sh)")
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- certificates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _KeyPair:
    cert_pem: bytes
    key_pem: bytes


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _issue(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None,
    *,
    ca: bool = False,
    server: bool = False,
) -> bytes:
    now = dt.datetime.now(dt.UTC)
    issuer_name, issuer_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                key_encipherment=False, data_encipherment=False, key_agreement=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
    else:
        usage = x509.oid.ExtendedKeyUsageOID.SERVER_AUTH if server else x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if server:
        names: list[x509.GeneralName] = [
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        ]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class Pki:
    """CA, serving cert, an admin client cert (group system:masters) and the service-account key."""

    ca: _KeyPair
    serving: _KeyPair
    admin: _KeyPair
    service_account_key_pem: bytes
    service_account_pub_pem: bytes

    @classmethod
    def generate(cls) -> Pki:
        ca_key = _key()
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "zerotrust-test-ca")])
        ca = _KeyPair(_issue(ca_name, ca_key, None, ca=True), _pem_key(ca_key))
        serving_key = _key()
        serving_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")])
        serving = _KeyPair(_issue(serving_name, serving_key, (ca_name, ca_key), server=True), _pem_key(serving_key))
        admin_key = _key()
        admin_name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:masters"),
                x509.NameAttribute(NameOID.COMMON_NAME, ADMIN_USER),
            ]
        )
        admin = _KeyPair(_issue(admin_name, admin_key, (ca_name, ca_key)), _pem_key(admin_key))
        sa_key = _key()
        sa_pub = sa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return cls(ca, serving, admin, _pem_key(sa_key), sa_pub)

    def write(self, folder: Path) -> dict[str, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        files = {
            "ca.crt": self.ca.cert_pem,
            "serving.crt": self.serving.cert_pem,
            "serving.key": self.serving.key_pem,
            "admin.crt": self.admin.cert_pem,
            "admin.key": self.admin.key_pem,
            "sa.key": self.service_account_key_pem,
            "sa.pub": self.service_account_pub_pem,
        }
        paths = {}
        for name, data in files.items():
            path = folder / name
            path.write_bytes(data)
            path.chmod(0o600)
            paths[name] = path
        return paths


# --- processes --------------------------------------------------------------------------------


@dataclass
class _Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(text[-lines:])

    def stop(self, timeout: float = 10.0) -> None:
        if self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout)


def _die_with_parent() -> None:
    """Linux PR_SET_PDEATHSIG: if the test process is killed outright (no fixture teardown), the
    kernel kills etcd and the API servers too instead of leaving them orphaned. SIGKILL, not
    SIGTERM: a terminating API server whose etcd is going away at the same moment hangs in its
    graceful shutdown, and the data is throw-away anyway."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


def _spawn(name: str, argv: list[str], workdir: Path) -> _Process:
    log = workdir / f"{name}.log"
    handle = log.open("wb")
    try:
        popen = subprocess.Popen(
            argv,
            stdout=handle,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - only a prctl, no locks touched
        )
    finally:
        handle.close()
    return _Process(name, popen, log)


@dataclass
class KubeCluster:
    """One running API server, seen as one VKS cluster by the code under test."""

    name: str
    url: str
    kubeconfig: str
    kubeconfig_path: Path
    pki_files: Mapping[str, Path]
    process: _Process | None = None

    def client(self, timeout: float = 10.0) -> httpx.Client:
        """An admin client (system:masters) for setup and out-of-band edits, like kubectl would be."""
        tls = ssl.create_default_context(cafile=str(self.pki_files["ca.crt"]))
        tls.load_cert_chain(str(self.pki_files["admin.crt"]), str(self.pki_files["admin.key"]))
        return httpx.Client(base_url=self.url, verify=tls, timeout=timeout)

    def get(self, path: str) -> dict[str, Any] | None:
        with self.client() as http:
            response = http.get(path)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return dict(response.json())

    def merge_patch(self, path: str, patch: Mapping[str, Any], *, field_manager: str = "kubectl-edit") -> Any:
        """The raw HTTPS equivalent of `kubectl patch --type merge` / an edit by someone else."""
        with self.client() as http:
            response = http.patch(
                path,
                params={"fieldManager": field_manager},
                content=json.dumps(patch),
                headers={"Content-Type": "application/merge-patch+json"},
            )
        response.raise_for_status()
        return response.json()

    def ensure_namespace(self, name: str, labels: Mapping[str, str] | None = None) -> None:
        body = {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "labels": dict(labels or {})},
        }
        with self.client() as http:
            response = http.post("/api/v1/namespaces", json=body)
        if response.status_code != 409:
            response.raise_for_status()

    def install_crds(self, folder: Path, timeout: float = 30.0) -> list[str]:
        """Create every CRD in `folder` (*.yaml) and wait until each is Established."""
        names: list[str] = []
        lists: list[str] = []
        with self.client() as http:
            for path in sorted(folder.glob("*.yaml")):
                for doc in yaml.safe_load_all(path.read_text()):
                    if not doc:
                        continue
                    response = http.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=doc)
                    if response.status_code not in (201, 409):
                        raise KubeStartError(f"{path}: the API server rejected the CRD: {response.text}")
                    names.append(doc["metadata"]["name"])
                    lists.append(_list_path(doc))
            deadline = time.monotonic() + timeout
            for name, served in zip(names, lists, strict=True):
                # Established first, then the resource actually served (a fresh CRD answers 429
                # for a moment while its storage initialises).
                while not (_established(http, name) and http.get(served).status_code == 200):
                    if time.monotonic() > deadline:
                        raise KubeStartError(f"CRD {name} not served at {served} after {timeout:.0f}s")
                    time.sleep(0.1)
        return names


def _list_path(crd: Mapping[str, Any]) -> str:
    spec = crd["spec"]
    version = next(v["name"] for v in spec["versions"] if v.get("served"))
    return f"/apis/{spec['group']}/{version}/{spec['names']['plural']}"


def _established(http: httpx.Client, name: str) -> bool:
    response = http.get(f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}")
    if response.status_code != 200:
        return False
    conditions = (response.json().get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions)


def kubeconfig_text(name: str, url: str, pki: Pki) -> str:
    """A self-contained kubeconfig (certs inline), the form a VKS kubeconfig secret takes."""

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": {"server": url, "certificate-authority-data": b64(pki.ca.cert_pem)}}],
        "users": [
            {
                "name": ADMIN_USER,
                "user": {
                    "client-certificate-data": b64(pki.admin.cert_pem),
                    "client-key-data": b64(pki.admin.key_pem),
                },
            }
        ],
        "contexts": [{"name": name, "context": {"cluster": name, "user": ADMIN_USER}}],
        "current-context": name,
    }
    return yaml.safe_dump(config, sort_keys=False)


@dataclass
class KubeControlPlane:
    """etcd plus one kube-apiserver per named cluster, each with its own CRD set and etcd prefix."""

    workdir: Path
    clusters: Mapping[str, Path]  # cluster name -> CRD folder
    timeout: float = 90.0
    started: dict[str, KubeCluster] = field(default_factory=dict)
    _processes: list[_Process] = field(default_factory=list)

    def start(self) -> dict[str, KubeCluster]:
        self.workdir.mkdir(parents=True, exist_ok=True)
        pki = Pki.generate()
        files = pki.write(self.workdir / "pki")
        etcd_url = self._start_etcd()
        pending: dict[str, tuple[KubeCluster, _Process]] = {}
        for name in self.clusters:  # start all API servers first; they boot in parallel
            pending[name] = self._start_apiserver(name, etcd_url, pki, files)
        deadline = time.monotonic() + self.timeout
        for name, (cluster, process) in pending.items():
            self._wait_ready(cluster, process, deadline)
            cluster.install_crds(self.clusters[name])
            self.started[name] = cluster
        return self.started

    def _start_etcd(self) -> str:
        client, peer = free_port(), free_port()
        data = self.workdir / "etcd-data"
        argv = [
            str(binary("etcd")),
            "--name=zerotrust-test",
            f"--data-dir={data}",
            f"--listen-client-urls=http://127.0.0.1:{client}",
            f"--advertise-client-urls=http://127.0.0.1:{client}",
            f"--listen-peer-urls=http://127.0.0.1:{peer}",
            f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
            f"--initial-cluster=zerotrust-test=http://127.0.0.1:{peer}",
            "--unsafe-no-fsync=true",  # test data: durability is not the point, speed is
            "--log-level=warn",
        ]
        process = _spawn("etcd", argv, self.workdir)
        self._processes.append(process)
        url = f"http://127.0.0.1:{client}"
        deadline = time.monotonic() + self.timeout
        while True:
            if process.popen.poll() is not None:
                raise KubeStartError(f"etcd exited with {process.popen.returncode}:\n{process.tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=2).json().get("health") == "true":
                    return url
            if time.monotonic() > deadline:
                raise KubeStartError(f"etcd not healthy after {self.timeout:.0f}s:\n{process.tail()}")
            time.sleep(0.1)

    def _start_apiserver(
        self, name: str, etcd_url: str, pki: Pki, files: Mapping[str, Path]
    ) -> tuple[KubeCluster, _Process]:
        port = free_port()
        home = self.workdir / name
        home.mkdir(parents=True, exist_ok=True)
        argv = [
            str(binary("kube-apiserver")),
            f"--etcd-servers={etcd_url}",
            f"--etcd-prefix=/registry-{name}",
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            f"--secure-port={port}",
            f"--cert-dir={home / 'certs'}",
            f"--tls-cert-file={files['serving.crt']}",
            f"--tls-private-key-file={files['serving.key']}",
            f"--client-ca-file={files['ca.crt']}",
            f"--service-account-key-file={files['sa.pub']}",
            f"--service-account-signing-key-file={files['sa.key']}",
            "--service-account-issuer=https://kubernetes.default.svc",
            "--service-cluster-ip-range=10.96.0.0/24",
            "--authorization-mode=RBAC",
            "--enable-priority-and-fairness=false",
            "--profiling=false",
            "--v=1",
        ]
        process = _spawn(f"kube-apiserver-{name}", argv, self.workdir)
        self._processes.append(process)
        url = f"https://127.0.0.1:{port}"
        kubeconfig = kubeconfig_text(name, url, pki)
        path = home / "kubeconfig"
        path.write_text(kubeconfig)
        path.chmod(0o600)
        return KubeCluster(name, url, kubeconfig, path, files, process), process

    def _wait_ready(self, cluster: KubeCluster, process: _Process, deadline: float) -> None:
        last = "no answer yet"
        while True:
            if process.popen.poll() is not None:
                code = process.popen.returncode
                raise KubeStartError(f"kube-apiserver for {cluster.name} exited with {code}:\n{process.tail()}")
            try:
                with cluster.client(timeout=2) as http:
                    response = http.get("/readyz")
                if response.status_code == 200:
                    return
                last = f"/readyz {response.status_code}: {response.text[-500:]}"
            except httpx.HTTPError as exc:
                last = repr(exc)
            if time.monotonic() > deadline:
                raise KubeStartError(
                    f"kube-apiserver for {cluster.name} not ready after {self.timeout:.0f}s ({last}):\n{process.tail()}"
                )
            time.sleep(0.2)

    def stop(self) -> None:
        """API servers first (they hold etcd connections), etcd last."""
        for process in reversed(self._processes):
            process.stop()
        self._processes.clear()


@contextlib.contextmanager
def running_control_plane(workdir: Path, clusters: Mapping[str, Path]) -> Iterator[dict[str, KubeCluster]]:
    plane = KubeControlPlane(workdir, clusters)
    try:
        yield plane.start()
    finally:
        plane.stop()


def kubectl_env() -> dict[str, str]:
    """Environment for running the built kubectl against a cluster (no user kubeconfig leaks in)."""
    home = os.environ.get("HOME") or str(Path.home())
    return {"PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "HOME": home}


def main(argv: list[str] | None = None) -> int:
    """Run a control plane in the foreground (a hand-run `pulumi up` against a local cluster).

    `python -m local_cluster --cluster vks-dev-01=antrea-v2 [--workdir .tools/kube-demo]` prints one
    kubeconfig per cluster (its CRD set is a folder of kubernetes/crds) and stops everything
    cleanly on Ctrl-C / SIGTERM.
    """
    import argparse  # noqa: PLC0415 - only the CLI needs it

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--workdir", type=Path, default=REPO / ".tools" / "kube-demo")
    parser.add_argument("--cluster", action="append", default=[], metavar="NAME=CRDSET", required=True)
    args = parser.parse_args(argv)
    clusters = {}
    for item in args.cluster:
        name, _, crd_set = item.partition("=")
        clusters[name] = CRDS / (crd_set or "antrea-v2")
    stop = {"now": False}

    def request_stop(_signum: int, _frame: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    with running_control_plane(args.workdir.resolve(), clusters) as started:
        for name, cluster in started.items():
            print(f"{name}: {cluster.url} kubeconfig={cluster.kubeconfig_path}", flush=True)
        print("ready; Ctrl-C stops etcd and the API servers", flush=True)
        while not stop["now"]:
            time.sleep(0.2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def expired_kubeconfig(kube: KubeCluster) -> str:
    """The cluster's kubeconfig with a client certificate that expired yesterday."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "admin")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=30))
        .not_valid_after(now - dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = base64.b64encode(cert.public_bytes(serialization.Encoding.PEM)).decode()
    lines = [
        f"    client-certificate-data: {pem}" if line.strip().startswith("client-certificate-data:") else line
        for line in kube.kubeconfig.splitlines()
    ]
    return "\n".join(lines) + "\n"
