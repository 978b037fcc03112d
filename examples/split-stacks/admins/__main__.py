"""The security admins' stack: shared groups, the Emergency quarantine, and the paths app teams use.

Stack config: ``nsx`` (``host``, ``username``, optional ``caFile``) and the secret ``nsxPassword``.
Its own state, its own owner label (``admins``): an app team's stack can name these groups by
path but can neither change nor delete them.
"""

import pulumi

from components import DfwSection, DfwSectionArgs, Firewall, FirewallArgs, Rule, SecurityGroup, SecurityGroupArgs
from zerotrust.resources import NsxProvider

config = pulumi.Config()
nsx = NsxProvider.from_config("nsx", config)
firewall = Firewall("admins", FirewallArgs(provider=nsx, owner="admins"))

orders_db = SecurityGroup("orders-db", SecurityGroupArgs(firewall=firewall, vm_tags={"tier": "db"}))
jump_host = SecurityGroup("jump-host", SecurityGroupArgs(firewall=firewall, vm_tags={"role": "jump-host"}))
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

# What app teams may name: group paths, known before anything exists.
pulumi.export("groups", {"orders-db": orders_db.path, "jump-host": jump_host.path})
