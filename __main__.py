"""The Pulumi program: load this stack's desired state, build the components, export results.

It grows with the project: today it reads the NSX endpoint of the stack (the embedded emulator
for `dev`) and exports where it points; the provider and component layers add the NSX and
Kubernetes resources.
"""

from __future__ import annotations

import pulumi

config = pulumi.Config()
nsx = config.require_object("nsx")

pulumi.export("nsx_endpoint", nsx["host"])
pulumi.export("environment", pulumi.get_stack())
