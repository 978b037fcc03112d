"""A plain Pulumi program using the typed components: no stack files, no compiled models.

Stack config: ``nsx`` (``host``, ``username``, optional ``caFile``), the secret ``nsxPassword``,
and, for the egress pool, the secret ``kubeconfig`` of the cluster (leave it out for NSX only).
"""

import pulumi
import pulumi_kubernetes as k8s

from components import (
    DfwSection,
    DfwSectionArgs,
    Egress,
    EgressPool,
    EgressPoolArgs,
    Firewall,
    FirewallArgs,
    Rule,
    SecurityGroup,
    SecurityGroupArgs,
)
from zerotrust.resources import NsxProvider

config = pulumi.Config()
nsx = NsxProvider.from_config("nsx", config)

# The whole rule base of this stack: every group and section below is a member of its one
# PolicySet resource, written once the program body has finished.
firewall = Firewall("example", FirewallArgs(provider=nsx))

web = SecurityGroup("web", SecurityGroupArgs(firewall=firewall, vm_tags={"app": "web"}))
db = SecurityGroup("db", SecurityGroupArgs(firewall=firewall, vm_tags={"tier": "db"}, ips=["192.0.2.20"]))
quarantined = SecurityGroup("quarantined", SecurityGroupArgs(firewall=firewall, vm_tags={"quarantine": "malicious"}))

DfwSection(
    "quarantine",
    DfwSectionArgs(
        firewall=firewall,
        category="Emergency",
        rules=[
            Rule("isolate-in", destinations=[quarantined], action="drop", log=True),
            Rule("isolate-out", sources=[quarantined], action="drop", log=True),
        ],
    ),
)
DfwSection(
    "web-db",
    DfwSectionArgs(
        firewall=firewall,
        category="Application",
        rules=[
            Rule("web-to-db", sources=[web], destinations=[db], services=["tcp/5432"]),
            Rule("rest", destinations=[db], action="drop", log=True),
        ],
    ),
)

kubeconfig = config.get_secret("kubeconfig")
if kubeconfig is not None:
    cluster = k8s.Provider("vks", kubeconfig=kubeconfig, enable_server_side_apply=True)
    pool = EgressPool(
        "egress-pool",
        EgressPoolArgs(
            antrea_version="2.3.0",
            ip_ranges=["198.51.100.10-198.51.100.19"],
            egresses=[
                Egress(
                    "payments-egress",
                    pod_labels={"app": "payments"},
                    namespace_labels={"kubernetes.io/metadata.name": "payments"},
                    egress_ip="198.51.100.10",
                )
            ],
        ),
        pulumi.ResourceOptions(providers=[cluster]),
    )
    pulumi.export("egress_ips", pool.egress_ips)

pulumi.export("db_group", db.path)
pulumi.export("groups", firewall.groups)
pulumi.export("sections", firewall.sections)
