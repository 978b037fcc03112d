"""Pulumi component resources: the concepts platform teams write (clusters, groups, sections).

The typed building blocks, declared into one ``Firewall`` whose whole rule base is one
``PolicySet`` resource (docs/components.md, docs/scale.md)::

    fw = Firewall("dev", FirewallArgs(provider=nsx))
    web = SecurityGroup("web", SecurityGroupArgs(firewall=fw, vm_tags={"app": "web"}))
    DfwSection("web-in", DfwSectionArgs(firewall=fw, category="Application", rules=[
        Rule("https", destinations=[web], services=["tcp/443"]),
    ]))
"""

from components.dfw_section import DfwSection, DfwSectionArgs, Rule
from components.egress_pool import Egress, EgressPool, EgressPoolArgs
from components.errors import ArgumentError, FirewallSealedError
from components.firewall import Firewall, FirewallArgs
from components.security_group import Namespaces, Pods, SecurityGroup, SecurityGroupArgs
from components.vks_cluster import VksCluster, VksClusterArgs

__all__ = [
    "ArgumentError",
    "DfwSection",
    "DfwSectionArgs",
    "Egress",
    "EgressPool",
    "EgressPoolArgs",
    "Firewall",
    "FirewallArgs",
    "FirewallSealedError",
    "Namespaces",
    "Pods",
    "Rule",
    "SecurityGroup",
    "SecurityGroupArgs",
    "VksCluster",
    "VksClusterArgs",
]
