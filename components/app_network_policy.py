"""AppNetworkPolicy: the Kubernetes NetworkPolicies (networking.k8s.io/v1) one app team owns.

Why a component: an app's policies live and die together in the app's Namespace, and reviewers
read them per app. The manifests are in normal form (explicit policyTypes and protocols), because
the API server fills those defaults and a filled default would otherwise show as a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pulumi
import pulumi_kubernetes as k8s

from components.kube_provider import managed_metadata
from zerotrust.kube import AppPolicies, manifests


@dataclass(frozen=True)
class AppNetworkPolicyArgs:
    """One app's validated policies (`zerotrust.kube.AppPolicies`)."""

    app: AppPolicies


class AppNetworkPolicy(pulumi.ComponentResource):
    """All NetworkPolicies of one app. Output: `policy_names` (namespace/name)."""

    policy_names: pulumi.Output[list[str]]

    def __init__(self, name: str, args: AppNetworkPolicyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("zerotrust:kubernetes:AppNetworkPolicy", name, None, opts)
        self.policies: dict[str, k8s.networking.v1.NetworkPolicy] = {}
        for policy in args.app.policies:
            manifest = manifests.network_policy(args.app, policy)
            self.policies[policy.name] = k8s.networking.v1.NetworkPolicy(
                f"{name}-{policy.name}",
                metadata=cast("k8s.meta.v1.ObjectMetaArgsDict", managed_metadata(manifest["metadata"])),
                spec=cast("k8s.networking.v1.NetworkPolicySpecArgsDict", manifest["spec"]),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.policy_names = pulumi.Output.from_input([f"{args.app.namespace}/{p}" for p in self.policies])
        self.register_outputs({"policy_names": self.policy_names})
