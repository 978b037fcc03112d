"""The shop team's stack: its Application section on the admins' shared groups, by StackReference.

Stack config: ``nsx`` and the secret ``nsxPassword`` (as the admins' stack), and ``adminsStack``,
the admins' stack name (``<org>/<project>/<stack>``). The intents are checked before anything
is written, against the whole rule base NSX holds (the admins' Emergency section included) with
this stack's section in place: splitting stacks does not blind the checks.
"""

import pulumi

from components import DfwSection, DfwSectionArgs, Firewall, FirewallArgs, Rule
from zerotrust.resources import NsxProvider

config = pulumi.Config()
nsx = NsxProvider.from_config("nsx", config)
shared = pulumi.StackReference(config.require("adminsStack")).get_output("groups")
orders_db = shared.apply(lambda groups: str(groups["orders-db"]))
jump_host = shared.apply(lambda groups: str(groups["jump-host"]))

firewall = Firewall(
    "shop",
    FirewallArgs(
        provider=nsx,
        owner="app:shop",
        intents=[
            "vm:jump-host -> vm:orders-db tcp/5432 allow",  # this stack's own rule
            "vm:jump-host -> vm:orders-db tcp/22 deny",  # this stack's own rule
            "vm:jump-host -> vm:legacy-web tcp/22 deny",  # the admins' quarantine, read from NSX
        ],
    ),
)
DfwSection(
    "orders",
    DfwSectionArgs(
        firewall=firewall,
        category="Application",
        rules=[
            Rule("jump-to-db", sources=[jump_host], destinations=[orders_db], services=["tcp/5432"]),
            Rule("nothing-else-to-db", destinations=[orders_db], action="drop", log=True),
        ],
    ),
)
pulumi.export("sections", firewall.sections)
