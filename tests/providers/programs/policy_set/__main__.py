"""Provider test program: a rule base as ONE ``PolicySet`` (docs/scale.md).

Four groups, two policies (``zt-app`` with eight ordered rules, ``zt-cluster`` spanned to the
cluster ``vks-test``), owners per member. Config: ``nsx`` / ``nsxPassword`` (the emulator),
``port7`` (the port of rule 7), ``dropOld`` (remove the group ``zt-old`` and the rule that
names it, in one change), ``adopt`` (a second set importing a hand-made group and policy),
``collide`` (declare a group whose id an object this stack does not own already holds),
``badRule`` (a rule NSX would refuse).
"""

from __future__ import annotations

from typing import Any

import pulumi

from zerotrust.resources import NsxProvider, PolicySet

cfg = pulumi.Config()
nsx = cfg.require_object("nsx")
provider = NsxProvider(
    "nsx",
    host=nsx["host"],
    username=nsx["username"],
    password=cfg.require_secret("nsxPassword"),
    ca_file=nsx.get("caFile"),
)
GROUPS = "/infra/domains/default/groups/"
CLUSTER = "/infra/sites/default/enforcement-points/default/cluster-control-planes/vks-test"


def tag_group(scope: str, value: str) -> dict[str, Any]:
    condition = {
        "resource_type": "Condition",
        "member_type": "VirtualMachine",
        "key": "Tag",
        "operator": "EQUALS",
        "value": f"{scope}|{value}",
    }
    return {"display_name": value, "expression": [condition]}


def ports_rule(i: int, port: str, src: str, dst: str) -> dict[str, Any]:
    return {
        "id": f"rule-{i}",
        "display_name": f"rule {i}",
        "sequence_number": i * 10,
        "action": "ALLOW",
        "source_groups": [GROUPS + src],
        "destination_groups": [GROUPS + dst],
        "services": ["ANY"],
        "service_entries": [
            {
                "resource_type": "L4PortSetServiceEntry",
                "id": f"port-{i}",
                "l4_protocol": "TCP",
                "destination_ports": [port],
            }
        ],
        "logged": True,
    }


drop_old = cfg.get_bool("dropOld")
groups = {f"zt-{name}": tag_group("tier", name) for name in ("web", "db", "old")}
groups["zt-pods"] = {
    "group_type": ["ANTREA"],
    "expression": [
        {"resource_type": "Condition", "member_type": "Pod", "key": "Tag", "operator": "EQUALS", "value": "app|web"}
    ],
}
ports = {i: str(8000 + i) for i in range(1, 9)}
ports[7] = cfg.get("port7") or ports[7]
rules = [ports_rule(i, ports[i], "zt-web", "zt-old" if i == 8 else "zt-db") for i in range(1, 9)]
if drop_old:
    del groups["zt-old"]
    rules = rules[:-1]
if cfg.get_bool("badRule"):  # JUMP_TO_APPLICATION is only valid in the Environment category (ref 5.2)
    rules[0] = {**rules[0], "action": "JUMP_TO_APPLICATION"}
if cfg.get_bool("collide"):
    groups["zt-collide"] = tag_group("tier", "collide")
policies = {
    "zt-app": {"display_name": "app", "category": "Application", "sequence_number": 10, "rules": rules},
    "zt-cluster": {
        "category": "Application",
        "sequence_number": 20,
        "rules": [ports_rule(1, "80", "zt-pods", "zt-pods")],
    },
}
owners = {f"groups/{g}": "admins" for g in groups} | {"policies/zt-app": "app:shop", "policies/zt-cluster": "admins"}
rule_base = PolicySet(
    "rule-base",
    groups=groups,
    policies=policies,
    spans={"zt-cluster/cluster": {"container_cluster_path": CLUSTER}},
    owners=owners,
    opts=pulumi.ResourceOptions(provider=provider),
)

if cfg.get_bool("adopt"):
    PolicySet(
        "adopted",
        groups={
            "hand-made": {
                "display_name": "made by hand",
                "expression": [{"resource_type": "IPAddressExpression", "ip_addresses": ["192.0.2.10"]}],
            }
        },
        policies={
            "hand-policy": {
                "category": "Application",
                "sequence_number": 90,
                "rules": [
                    {
                        "id": "hand-rule",
                        "action": "DROP",
                        "sequence_number": 10,
                        "source_groups": [GROUPS + "hand-made"],
                        "destination_groups": ["ANY"],
                        "services": ["ANY"],
                    }
                ],
            }
        },
        opts=pulumi.ResourceOptions(
            provider=provider, import_="/infra/domains/default?groups=hand-made&policies=hand-policy"
        ),
    )

pulumi.export("adopted", rule_base.adopted)
