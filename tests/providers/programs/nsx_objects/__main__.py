"""Provider test program: a service, groups, one policy with eight ordered rules, VM tags.

Config: ``nsx`` (host, username, caFile), ``nsxPassword`` (secret), ``port7`` (the port of
rule 7), ``extraGroups`` (scale), ``adopt`` (import the hand-made group), ``collide`` (declare a
group whose id an unowned object already holds), ``badRule`` (a rule NSX would refuse).
"""

from __future__ import annotations

import pulumi

from zerotrust.resources import Group, NsxProvider, SecurityPolicy, Service, VmTags

cfg = pulumi.Config()
nsx = cfg.require_object("nsx")
provider = NsxProvider(
    "nsx",
    host=nsx["host"],
    username=nsx["username"],
    password=cfg.require_secret("nsxPassword"),
    ca_file=nsx.get("caFile"),
)
opts = pulumi.ResourceOptions(provider=provider)


def tag_group(name: str, scope: str, value: str) -> Group:
    condition = {
        "resource_type": "Condition",
        "member_type": "VirtualMachine",
        "key": "Tag",
        "operator": "EQUALS",
        "value": f"{scope}|{value}",
    }
    return Group(name, nsx_id=f"zt-{name}", display_name=name, expression=[condition], opts=opts)


web = tag_group("web", "tier", "web")
db = tag_group("db", "tier", "db")
postgres = Service(
    "postgres",
    nsx_id="zt-postgres",
    service_entries=[
        {
            "resource_type": "L4PortSetServiceEntry",
            "id": "pg",
            "l4_protocol": "TCP",
            "destination_ports": ["5432"],
        }
    ],
    opts=opts,
)

ports = {i: str(8000 + i) for i in range(1, 9)}
ports[7] = cfg.get("port7") or ports[7]
bad = cfg.get_bool("badRule")
rules = [
    {
        "id": f"rule-{i}",
        "display_name": f"rule {i}",
        "sequence_number": i * 10,
        "action": "ALLOW",
        "source_groups": [web.path],
        "destination_groups": [db.path],
        "services": [postgres.path] if i == 1 else ["ANY"],
        "service_entries": []
        if i == 1
        else [
            {
                "resource_type": "L4PortSetServiceEntry",
                "id": f"port-{i}",
                "l4_protocol": "TCP",
                "destination_ports": [ports[i]],
            }
        ],
        "logged": True,
    }
    for i in range(1, 9)
]
if bad:  # JUMP_TO_APPLICATION is only valid in the Environment category (ref 5.2)
    rules[0] = {**rules[0], "action": "JUMP_TO_APPLICATION"}
policy = SecurityPolicy(
    "app",
    nsx_id="zt-app",
    display_name="app",
    category="Application",
    sequence_number=10,
    rules=rules,
    opts=opts,
)
tags = VmTags("orders-db-tags", vm_id=cfg.require("vmId"), tags=[{"scope": "tier", "tag": "db"}], opts=opts)

for i in range(cfg.get_int("extraGroups") or 0):
    tag_group(f"extra-{i}", "bench", str(i))

if cfg.get_bool("collide"):
    tag_group("collide", "tier", "collide")

if cfg.get_bool("adopt"):
    hand = pulumi.ResourceOptions(provider=provider, import_="/infra/domains/default/groups/hand-made")
    Group(
        "hand-made",
        nsx_id="hand-made",
        display_name="made by hand",
        expression=[
            {"resource_type": "IPAddressExpression", "ip_addresses": ["192.0.2.10"]},
        ],
        opts=hand,
    )

pulumi.export("policy_path", policy.path)
pulumi.export("web_path", web.path)
