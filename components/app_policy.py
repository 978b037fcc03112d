"""AppPolicy: what one app team owns: its groups, Egress groups and Application sections.

Built from ``stacks/<env>/apps/<app>.yaml``. Everything lands in the Application category,
after the admins' guardrails; NSX ids are prefixed with the app name, so two apps cannot
collide, and the loader rejects an app file that names another app's groups or reaches for an
admin category. The Kubernetes half of an app (NetworkPolicies, its Antrea Egress) is added by
``components/app_network_policy.py`` and ``components/egress_pool.py`` when the stack has the
cluster's kubeconfig.

Example::

    shop = AppPolicy("shop", PersonaArgs(desired, nsx, clusters))
"""

from __future__ import annotations

import pulumi

from components._persona import Persona, PersonaArgs


class AppPolicy(Persona):
    def __init__(self, name: str, args: PersonaArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        self.owner = f"app:{name}"
        super().__init__("zerotrust:components:AppPolicy", name, args, opts)
