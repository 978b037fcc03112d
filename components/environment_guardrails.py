"""EnvironmentGuardrails: what the security admins own in one environment.

Built from ``stacks/<env>/environment.yaml``: the shared groups (jump host, forensic pods,
quarantined workloads, external databases, the clusters' node groups) and the sections in
the categories NSX enforces before any application: Emergency (quarantine by tag: a VM or pod
tagged ``quarantine=malicious`` is isolated except for forensics, without a policy redeploy),
Infrastructure, and Environment (cluster ingress/egress, e.g. only the payments Egress IP may
reach the external database). App teams cannot change these; their files have no category.

Example (see __main__.py)::

    admins = EnvironmentGuardrails("environment", PersonaArgs(desired, nsx, clusters))
    ...create the apps' groups...
    admins.add_sections(all_groups); admins.finish()
"""

from __future__ import annotations

import pulumi

from components._persona import Persona, PersonaArgs
from zerotrust.spec.compile import ADMINS


class EnvironmentGuardrails(Persona):
    owner = ADMINS

    def __init__(self, name: str, args: PersonaArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("zerotrust:components:EnvironmentGuardrails", name, args, opts)
