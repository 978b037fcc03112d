"""The Kubernetes half of the doctor: each cluster's kubeconfig, and its API server's answer.

The kubeconfigs are the stack's secrets (``kubeconfig-<cluster>``, named in the
``kubernetesEnvironment`` file); each is read as the program reads it (``read_kubeconfig``:
malformed, expired) and then used for one ``GET /version``, as pulumi-kubernetes would.
"""

from __future__ import annotations

from zerotrust.doctor.report import Row
from zerotrust.kube import load_environment
from zerotrust.kube.errors import SpecError
from zerotrust.kube.kubeconfig import Kubeconfig, KubeconfigError, read_kubeconfig
from zerotrust.kubeapi import ask_version
from zerotrust.stack_settings import StackSettings

__all__ = ["kube_rows"]


def kube_rows(stack: StackSettings) -> list[Row]:
    source = stack.values.get("kubernetesEnvironment")
    if not source:
        return [Row("Kubernetes", "skip", "the stack has no kubernetesEnvironment: NSX only")]
    try:
        env = load_environment(stack.repo / str(source))
    except SpecError as error:
        return [Row("Kubernetes", "fail", str(error))]
    targets = [(cluster.name, cluster.kubeconfig_key) for cluster in env.clusters]
    if env.supervisor is not None:
        targets.append(("supervisor", env.supervisor.kubeconfig))
    return [_row(stack, name, key) for name, key in targets]


def _row(stack: StackSettings, name: str, key: str) -> Row:
    check = f"Kubernetes {name}"
    text = stack.secret(key)
    if text is None:
        return Row(check, "fail", f"no stack config {key!r}. Fix: pulumi config set --secret {key} < <kubeconfig>")
    try:
        config = read_kubeconfig(text)
    except KubeconfigError as error:
        return Row(check, "fail", f"the kubeconfig in {key!r} cannot work: {error}")
    return _probe(check, key, config)


def _probe(check: str, key: str, config: Kubeconfig) -> Row:
    answer = ask_version(config)
    if answer.problem is not None:
        return Row(check, "fail", f"{answer.problem} (stack config {key!r})")
    expires = config.client_cert_expires
    expiry = f"; client certificate valid until {expires:%Y-%m-%d}" if expires else ""
    return Row(check, "ok", f"{config.server} answers (Kubernetes {answer.version}){expiry}")
