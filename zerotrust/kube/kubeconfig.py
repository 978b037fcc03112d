"""What a kubeconfig says, and whether it can work, read before anything talks to the cluster.

pulumi-kubernetes reports a malformed or expired kubeconfig late and in its own words (or, in
a preview, as an unreachable cluster); reading it here first gives one line that names the
stack config key to fix. Pure: YAML and X.509 parsing only, no network.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from typing import Any

import yaml
from cryptography import x509

__all__ = ["Kubeconfig", "KubeconfigError", "read_kubeconfig"]


class KubeconfigError(ValueError):
    """The kubeconfig cannot work; the message says why, without any secret from it."""


@dataclass(frozen=True)
class Kubeconfig:
    """The current context's cluster and credentials, as far as a check needs them."""

    context: str
    server: str
    ca_pem: str | None
    """The cluster's CA (PEM), when given inline; None: the system store or a file."""
    insecure: bool
    client_cert_pem: str | None
    client_key_pem: str | None
    token: str | None
    client_cert_expires: dt.datetime | None

    @property
    def has_credentials(self) -> bool:
        return bool(self.token or (self.client_cert_pem and self.client_key_pem))


def _named(items: Any, name: str, kind: str) -> dict[str, Any]:
    for item in items or []:
        if isinstance(item, dict) and item.get("name") == name and isinstance(item.get(kind), dict):
            return dict(item[kind])
    raise KubeconfigError(f"its current context names {kind} {name!r}, which it does not define")


def _pem(entry: dict[str, Any], key: str) -> str | None:
    value = entry.get(f"{key}-data")
    if value is None:
        return None
    try:
        return base64.b64decode(str(value), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise KubeconfigError(f"{key}-data is not base64-encoded PEM") from None


def read_kubeconfig(text: str, *, now: dt.datetime | None = None) -> Kubeconfig:
    """The kubeconfig's current context; KubeconfigError when it is malformed or expired."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise KubeconfigError("it is not valid YAML") from None
    if not isinstance(data, dict) or data.get("kind", "Config") != "Config":
        raise KubeconfigError("it is not a kubeconfig (kind: Config)")
    context_name = data.get("current-context")
    if not context_name:
        raise KubeconfigError("it has no current-context")
    context = _named(data.get("contexts"), str(context_name), "context")
    cluster = _named(data.get("clusters"), str(context.get("cluster")), "cluster")
    user = _named(data.get("users"), str(context.get("user")), "user")
    server = str(cluster.get("server") or "")
    if not server.startswith(("https://", "http://")):
        raise KubeconfigError(f"the cluster's server {server!r} is not an https:// URL")
    cert_pem = _pem(user, "client-certificate")
    expires = None
    if cert_pem is not None:
        try:
            cert = x509.load_pem_x509_certificate(cert_pem.encode())
        except ValueError:
            raise KubeconfigError("client-certificate-data holds no PEM certificate") from None
        expires = cert.not_valid_after_utc
        if expires <= (now or dt.datetime.now(dt.UTC)):
            raise KubeconfigError(f"its client certificate expired on {expires:%Y-%m-%d %H:%M} UTC")
    return Kubeconfig(
        context=str(context_name),
        server=server.rstrip("/"),
        ca_pem=_pem(cluster, "certificate-authority"),
        insecure=bool(cluster.get("insecure-skip-tls-verify", False)),
        client_cert_pem=cert_pem,
        client_key_pem=_pem(user, "client-key"),
        token=str(user["token"]) if user.get("token") else None,
        client_cert_expires=expires,
    )
