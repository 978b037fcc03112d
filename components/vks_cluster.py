"""VksCluster: a VKS cluster registered with NSX, found by name.

Registration itself is the cluster's Antrea interworking (principal identity + cluster
control plane, ref §6.1; on the Supervisor, ``components/antrea_nsx_registration.py`` turns it
on). This component finds the cluster-control-plane NSX created for it, waiting a bounded time
for it to appear and for NSX to report it usable (its status neither FAILED nor UNKNOWN), and
exposes its path so DFW sections can be spanned to the cluster. A cluster still missing or
unusable at the deadline ends the run with one line naming what to check.

Example::

    dev = VksCluster("vks-dev-01", VksClusterArgs(control_plane="vks-dev-01", provider=nsx))
    pulumi.export("cluster", dev.path)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from zerotrust.resources import NsxProvider, provider_line, stop

LOOKUP = "zerotrust:nsx:getClusterControlPlane"


@dataclass(frozen=True)
class VksClusterArgs:
    control_plane: str
    """Name (or id) of the cluster-control-plane in NSX."""
    provider: NsxProvider
    timeout_seconds: int = 60


class VksCluster(pulumi.ComponentResource):
    """Outputs: ``path`` (cluster-control-plane path), ``control_plane_id``."""

    path: pulumi.Output[str]
    control_plane_id: pulumi.Output[str]

    def __init__(self, name: str, args: VksClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("zerotrust:components:VksCluster", name, None, opts)
        found: pulumi.Output[Any] = pulumi.runtime.invoke_output(
            LOOKUP,
            {"name": args.control_plane, "timeoutSeconds": args.timeout_seconds},
            opts=pulumi.InvokeOutputOptions(provider=args.provider, parent=self),
        ).recover(lambda error: stop(f"cluster {args.control_plane!r}: {provider_line(error)}"))
        self.path = found.apply(lambda r: str(r["path"]))
        self.control_plane_id = found.apply(lambda r: str(r["id"]))
        self.register_outputs({"path": self.path, "control_plane_id": self.control_plane_id})
