"""One question to a cluster's API server, as pulumi-kubernetes would ask it: do you answer us?

``GET /version`` with the kubeconfig's own trust and credentials, bounded in time. The
program asks it before planning (pulumi-kubernetes previews an unreachable cluster without a
word, then fails the ``up``), and ``make doctor`` shows the answer. Why not in
``zerotrust.kube``: that package stays pure (no network).
"""

from __future__ import annotations

import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx

from zerotrust.kube.kubeconfig import Kubeconfig

__all__ = ["TIMEOUT_S", "Answer", "ask_version"]

TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Answer:
    version: str | None
    """``gitVersion`` when the server answered; None otherwise."""
    problem: str | None
    """Why it did not, in one clause naming the server (None when it did)."""


def _tls_context(config: Kubeconfig, folder: Path) -> ssl.SSLContext:
    """The cluster's trust and, for certificate users, the client certificate (from private
    temporary files in ``folder``: ssl loads a key only from a file)."""
    context = ssl.create_default_context(cadata=config.ca_pem) if config.ca_pem else ssl.create_default_context()
    if config.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if config.client_cert_pem and config.client_key_pem:
        cert, key = folder / "client.pem", folder / "client-key.pem"
        for path, text in ((cert, config.client_cert_pem), (key, config.client_key_pem)):
            path.touch(mode=0o600)
            path.write_text(text)
        context.load_cert_chain(cert, key)
    return context


def ask_version(config: Kubeconfig, *, timeout: float = TIMEOUT_S) -> Answer:
    headers = {"Authorization": f"Bearer {config.token}"} if config.token else {}
    server = config.server
    try:
        with tempfile.TemporaryDirectory(prefix="zt-kubeapi-") as folder:
            context = _tls_context(config, Path(folder))
            with httpx.Client(verify=context, timeout=timeout) as http:
                reply = http.get(f"{server}/version", headers=headers)
    except httpx.ConnectTimeout:
        return Answer(None, f"{server} is unreachable: no connection within {timeout:g} s")
    except httpx.TransportError as error:
        cause = error.__cause__ or error.__context__ or error
        return Answer(None, f"{server} is unreachable or not trusted: {cause}")
    except ssl.SSLError as error:
        return Answer(None, f"the kubeconfig's client key or CA for {server} is refused by ssl: {error}")
    if reply.status_code in (401, 403):
        return Answer(
            None,
            f"{server} refused the kubeconfig's credentials (HTTP {reply.status_code}): an expired token or a "
            "certificate the cluster no longer trusts",
        )
    if reply.is_error:
        return Answer(None, f"{server} answered HTTP {reply.status_code} to GET /version")
    body = reply.json() if reply.content else {}
    return Answer(str(body.get("gitVersion") or "?"), None)
