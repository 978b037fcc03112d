"""Deploy the Kubernetes half of an environment: per cluster a provider, its pools and app policies.

The one check that needs history - Antrea only lets an ExternalIPPool grow by appended ranges -
compares the file against the ranges this stack applied last time (its own `kubernetes` output,
read through a StackReference to itself). It gates every cluster's provider, so a forbidden
change fails the preview before any object is touched, naming the file, the field and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi

from components.antrea_nsx_registration import AntreaNsxRegistration, AntreaNsxRegistrationArgs
from components.app_network_policy import AppNetworkPolicy, AppNetworkPolicyArgs
from components.egress_pool import EgressPool, EgressPoolArgs
from components.kube_provider import cluster_provider, supervisor_provider
from zerotrust.kube import (
    KubeEnvironment,
    SpecError,
    applied_ranges,
    load_environment,
    range_update_problems,
)
from zerotrust.resources import stop

OUTPUT = "kubernetes"


@dataclass
class ClusterDeployment:
    """What was declared on one cluster, for other components (e.g. NSX groups of egress IPs)."""

    pools: dict[str, EgressPool] = field(default_factory=dict)
    apps: dict[str, AppNetworkPolicy] = field(default_factory=dict)
    nsx_registration: AntreaNsxRegistration | None = None


def _previous_ranges() -> pulumi.Output[Any]:
    """This stack's last applied ranges; empty on the first deployment."""
    me = pulumi.StackReference(f"{pulumi.get_organization()}/{pulumi.get_project()}/{pulumi.get_stack()}")
    return me.get_output(OUTPUT).apply(lambda out: (out or {}).get("appliedRanges") or {})


def load_environment_or_fail(source: str) -> KubeEnvironment:
    """The environment file, or a clean engine error listing every problem (no Python traceback:
    the reader needs the file, field and fix, not our stack)."""
    try:
        return load_environment(Path(source))
    except SpecError as exc:
        stop(str(exc))


def deploy_environment(env: KubeEnvironment, *, source: str, config: pulumi.Config) -> dict[str, ClusterDeployment]:
    """Declare everything in `env`; export the applied ranges and egress IPs under `kubernetes`."""

    def check(previous: Any) -> bool:
        problems = range_update_problems(env, previous)
        if problems:
            stop(str(SpecError(source, problems)))
        return True

    gate = _previous_ranges().apply(check)
    supervisor = (
        None if env.supervisor is None else supervisor_provider(env.supervisor.kubeconfig, config=config, gate=gate)
    )
    out: dict[str, ClusterDeployment] = {}
    for cluster in env.clusters:
        provider = cluster_provider(cluster, config=config, gate=gate)
        on_cluster = pulumi.ResourceOptions(providers=[provider])
        deployment = ClusterDeployment()
        for pool in cluster.egress_pools:
            deployment.pools[pool.name] = EgressPool(
                f"{cluster.name}-{pool.name}", EgressPoolArgs(cluster, pool), on_cluster
            )
        for app in cluster.apps:
            deployment.apps[app.app] = AppNetworkPolicy(
                f"{cluster.name}-{app.app}", AppNetworkPolicyArgs(app), on_cluster
            )
        if cluster.nsx_registration is not None and supervisor is not None:
            deployment.nsx_registration = AntreaNsxRegistration(
                f"{cluster.name}-nsx-registration",
                AntreaNsxRegistrationArgs(cluster),
                pulumi.ResourceOptions(providers=[supervisor]),
            )
        out[cluster.name] = deployment
    pulumi.export(
        OUTPUT,
        {
            "appliedRanges": applied_ranges(env),
            "egressIPs": {c: {p: pool.egress_ips for p, pool in d.pools.items()} for c, d in out.items()},
        },
    )
    return out
