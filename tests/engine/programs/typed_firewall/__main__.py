"""Groups and a section declared into one Firewall; stack config ``step`` picks what goes wrong.

* ``ok``: two groups and a section;
* ``typo``: the section is declared with a misspelt service after the groups (the body raises);
* ``late``: one more group is declared inside an apply, after the body has finished.
"""

import pulumi

from components import DfwSection, DfwSectionArgs, Firewall, FirewallArgs, Rule, SecurityGroup, SecurityGroupArgs
from zerotrust.resources import NsxProvider

config = pulumi.Config()
step = config.get("step") or "ok"
nsx = NsxProvider.from_config("nsx", config)
firewall = Firewall("typed", FirewallArgs(provider=nsx))
web = SecurityGroup("web", SecurityGroupArgs(firewall=firewall, vm_tags={"app": "web"}))
db = SecurityGroup("db", SecurityGroupArgs(firewall=firewall, vm_tags={"tier": "db"}))
service = "tpc/5432" if step == "typo" else "tcp/5432"
DfwSection(
    "web-db",
    DfwSectionArgs(
        firewall=firewall,
        category="Application",
        rules=[Rule("web-to-db", sources=[web], destinations=[db], services=[service])],
    ),
)
if step == "late":
    firewall.sections.apply(
        lambda _: SecurityGroup("late", SecurityGroupArgs(firewall=firewall, vm_tags={"app": "late"}))
    )
pulumi.export("sections", firewall.sections)
