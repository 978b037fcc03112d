"""One Kubernetes provider per VKS cluster, configured from a kubeconfig secret in stack config.

An environment has several VKS clusters; each resource must go to exactly one of them, so every
resource gets an explicit provider and the ambient ~/.kube/config is never used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from zerotrust.kube import ClusterSpec
from zerotrust.kube.kubeconfig import KubeconfigError, read_kubeconfig
from zerotrust.kubeapi import ask_version
from zerotrust.resources import stop

DELETION_POLICY = {"pulumi.com/deletionPropagationPolicy": "background"}
"""pulumi-kubernetes deletes with foreground propagation by default and waits until the garbage
collector removes the `foregroundDeletion` finalizer. The objects managed here own no dependents,
so foreground buys nothing, and it would turn a slow or unhealthy GC (or an API server without
kube-controller-manager, as in the tests) into a destroy that never finishes."""


def managed_metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """Object metadata with the annotations every object we manage carries."""
    annotations = {**metadata.get("annotations", {}), **DELETION_POLICY}
    return {**metadata, "annotations": annotations}


def cluster_provider(
    cluster: ClusterSpec,
    *,
    config: pulumi.Config,
    gate: pulumi.Input[object] | None = None,
    opts: pulumi.ResourceOptions | None = None,
) -> k8s.Provider:
    """The provider for `cluster`, from the stack-config secret named by `cluster.kubeconfig_key`.

    `cluster_identifier` keeps the provider (and so every object on the cluster) from being
    replaced when the kubeconfig is rotated: only a different cluster means new resources.
    `gate`, when given, must resolve before the provider is configured; failing it (a pre-apply
    check that raises) therefore stops every resource on the cluster, not just some of them.
    """
    return _provider(cluster.name, cluster.kubeconfig_key, config=config, gate=gate, opts=opts)


def supervisor_provider(
    kubeconfig_key: str, *, config: pulumi.Config, gate: pulumi.Input[object] | None = None
) -> k8s.Provider:
    """The Supervisor's provider (AntreaConfig objects live there, not in the guest clusters)."""
    return _provider("supervisor", kubeconfig_key, config=config, gate=gate, opts=None)


def _usable(text: str, name: str, key: str) -> str:
    """The kubeconfig, or one line naming the stack config key when it cannot work: malformed,
    expired, or its API server does not answer (pulumi-kubernetes would preview such a cluster
    without a word and fail only the ``up``)."""
    fix = f"pulumi config set --secret {key} < <a current kubeconfig of the cluster>"
    try:
        kubeconfig = read_kubeconfig(text)
    except KubeconfigError as error:
        stop(
            f"Kubernetes cluster {name!r}: the kubeconfig in stack config {key!r} cannot work: {error}. "
            f"Fix: {fix}. Nothing was changed in the cluster."
        )
    answer = ask_version(kubeconfig)
    if answer.problem is not None:
        stop(
            f"Kubernetes cluster {name!r}: {answer.problem}. Fix: check the cluster and the network path to it, "
            f"or the kubeconfig in stack config {key!r} ({fix}). Nothing was changed in the cluster."
        )
    return text


def _provider(
    name: str,
    kubeconfig_key: str,
    *,
    config: pulumi.Config,
    gate: pulumi.Input[object] | None,
    opts: pulumi.ResourceOptions | None,
) -> k8s.Provider:
    kubeconfig: pulumi.Output[str] = config.require_secret(kubeconfig_key).apply(
        lambda text: _usable(text, name, kubeconfig_key)
    )
    if gate is not None:
        kubeconfig = pulumi.Output.all(kubeconfig, gate).apply(lambda pair: str(pair[0]))
    return k8s.Provider(
        name,
        kubeconfig=kubeconfig,  # stays secret: require_secret taints every derived Output
        cluster_identifier=name,
        enable_server_side_apply=True,
        delete_unreachable=False,
        suppress_deprecation_warnings=True,
        opts=opts,
    )
