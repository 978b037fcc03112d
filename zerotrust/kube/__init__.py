"""Pure logic for the Kubernetes half (Antrea egress pools, app NetworkPolicies) of an environment.

No Pulumi, no NSX: desired-state models with their validation, apiVersion choice per cluster and
the normal-form manifests. The components in `components/` turn these into pulumi-kubernetes
resources.
"""

from zerotrust.kube.errors import Problem, SpecError
from zerotrust.kube.spec import (
    AppPolicies,
    ClusterSpec,
    EgressPoolSpec,
    EgressSpec,
    KubeEnvironment,
    NetworkPolicySpec,
    applied_ranges,
    load_environment,
    parse_environment,
    range_update_problems,
)
from zerotrust.kube.versions import AntreaVersion, egress_api_version

__all__ = [
    "AntreaVersion",
    "AppPolicies",
    "ClusterSpec",
    "EgressPoolSpec",
    "EgressSpec",
    "KubeEnvironment",
    "NetworkPolicySpec",
    "Problem",
    "SpecError",
    "applied_ranges",
    "egress_api_version",
    "load_environment",
    "parse_environment",
    "range_update_problems",
]
