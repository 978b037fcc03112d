"""AntreaNsxRegistration: the Supervisor-side switch that registers a VKS cluster with NSX.

Why a patch, not a resource: the `AntreaConfig` named `<cluster>-antrea-package` belongs to the
VKS platform (it carries the cluster's whole Antrea configuration). We own exactly one field,
`spec.antreaNsx.enable`, through server-side apply under our own field manager; destroy gives the
field back instead of deleting the cluster's Antrea configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from zerotrust.kube import ClusterSpec, manifests


@dataclass(frozen=True)
class AntreaNsxRegistrationArgs:
    """The guest cluster whose `nsxRegistration` is switched (the provider must be the Supervisor's)."""

    cluster: ClusterSpec


class AntreaNsxRegistration(pulumi.ComponentResource):
    """Output: `antrea_config` (namespace/name of the patched AntreaConfig)."""

    antrea_config: pulumi.Output[str]

    def __init__(self, name: str, args: AntreaNsxRegistrationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("zerotrust:kubernetes:AntreaNsxRegistration", name, None, opts)
        manifest = manifests.antrea_nsx_registration(args.cluster)
        self.patch = k8s.apiextensions.CustomResourcePatch(
            name,
            api_version=manifest["apiVersion"],
            kind=manifest["kind"],
            metadata=manifest["metadata"],
            spec=manifest["spec"],
            opts=pulumi.ResourceOptions(parent=self),
        )
        meta = manifest["metadata"]
        self.antrea_config = pulumi.Output.from_input(f"{meta['namespace']}/{meta['name']}")
        self.register_outputs({"antrea_config": self.antrea_config})
