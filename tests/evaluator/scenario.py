"""The hand-derived scenario: inventory, groups, DFW sections, Antrea-spanned policy, manifests."""

from __future__ import annotations

from typing import Any

from zerotrust.evaluator.config import PolicyConfig, load_config

D = "/infra/domains/default"
G = f"{D}/groups"
P = f"{D}/security-policies"
CCP1 = "/infra/sites/default/enforcement-points/default/cluster-control-planes/c1"


def tag(member: str, value: str) -> dict[str, Any]:
    return {"resource_type": "Condition", "member_type": member, "key": "Tag", "operator": "EQUALS", "value": value}


def group(gid: str, *expression: dict[str, Any], group_type: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"expression": list(expression)}
    if group_type:
        body["group_type"] = group_type
    return {"path": f"{G}/{gid}", "body": body}


def rule(rid: str, seq: int, action: str, src: list[str], dst: list[str], **extra: Any) -> dict[str, Any]:
    body = {
        "id": rid,
        "sequence_number": seq,
        "action": action,
        "source_groups": [
            s if s == "ANY" or (not s.isidentifier() and "/" not in s and "." in s) else f"{G}/{s}" if s != "ANY" else s
            for s in src
        ],
        "destination_groups": [d if d == "ANY" or "." in d else f"{G}/{d}" for d in dst],
    }
    body.update(extra)
    return body


def tcp(*ports: str) -> list[dict[str, Any]]:
    return [
        {"resource_type": "L4PortSetServiceEntry", "id": "e", "l4_protocol": "TCP", "destination_ports": list(ports)}
    ]


def policy(
    pid: str, category: str, seq: int, rules: list[dict[str, Any]], scope: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"category": category, "sequence_number": seq, "rules": rules, **extra}
    if scope:
        body["scope"] = scope
    return {"path": f"{P}/{pid}", "body": body}


def default_section(action: str = "DROP") -> dict[str, Any]:
    return policy(
        "default-layer3-section",
        "Application",
        2**31 - 1,
        [rule("default-layer3-rule", 2**31 - 1, action, ["ANY"], ["ANY"])],
        is_default=True,
    )


def manifests() -> list[dict[str, Any]]:
    net = "networking.k8s.io/v1"
    crd = "crd.antrea.io/v1beta1"
    return [
        {
            "apiVersion": net,
            "kind": "NetworkPolicy",
            "metadata": {"name": "allow-fe", "namespace": "shop"},
            "spec": {
                "podSelector": {"matchLabels": {"app": "api"}},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {
                        "from": [{"podSelector": {"matchLabels": {"app": "frontend"}}}],
                        "ports": [{"protocol": "TCP", "port": 8080, "endPort": 8090}],
                    }
                ],
            },
        },
        {
            "apiVersion": net,
            "kind": "NetworkPolicy",
            "metadata": {"name": "egress-lock", "namespace": "pay"},
            "spec": {
                "podSelector": {"matchLabels": {"app": "payments"}},
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [{"ipBlock": {"cidr": "203.0.113.0/24", "except": ["203.0.113.128/25"]}}],
                        "ports": [{"protocol": "TCP", "port": 5432}],
                    },
                    {"to": [{"ipBlock": {"cidr": "192.0.2.20/32"}}], "ports": [{"protocol": "TCP", "port": 5433}]},
                ],
            },
        },
        {
            "apiVersion": crd,
            "kind": "ClusterNetworkPolicy",
            "metadata": {"name": "sec-pass"},
            "spec": {
                "tier": "securityops",
                "priority": 5,
                "appliedTo": [{"podSelector": {"matchLabels": {"app": "api"}}}],
                "ingress": [
                    {
                        "name": "pass-pay",
                        "action": "Pass",
                        "from": [{"namespaceSelector": {"matchLabels": {"team": "pay"}}}],
                    },
                    {
                        "name": "drop-forensic",
                        "action": "Drop",
                        "from": [{"podSelector": {"matchLabels": {"app": "forensic"}}}],
                    },
                ],
            },
        },
        {
            "apiVersion": crd,
            "kind": "ClusterNetworkPolicy",
            "metadata": {"name": "app-drop"},
            "spec": {
                "tier": "application",
                "priority": 10,
                "appliedTo": [{"namespaceSelector": {"matchLabels": {"team": "pay"}}}],
                "ingress": [
                    {
                        "name": "no-ssh",
                        "action": "Drop",
                        "from": [{"ipBlock": {"cidr": "192.0.2.5/32"}}],
                        "ports": [{"protocol": "TCP", "port": 22}],
                    }
                ],
            },
        },
        {
            "apiVersion": crd,
            "kind": "ClusterNetworkPolicy",
            "metadata": {"name": "base"},
            "spec": {
                "tier": "baseline",
                "priority": 1,
                "appliedTo": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "shop"}}}],
                "ingress": [
                    {
                        "name": "no-pay",
                        "action": "Drop",
                        "from": [{"namespaceSelector": {"matchLabels": {"team": "pay"}}}],
                    }
                ],
            },
        },
    ]


def scenario_data(default_action: str | None = "DROP") -> dict[str, Any]:
    vms = [
        ("web-1", "192.0.2.10", [("tier", "web"), ("env", "prod")]),
        ("web-2", "192.0.2.11", [("tier", "web"), ("env", "dev")]),
        ("db-1", "192.0.2.20", [("tier", "db"), ("env", "prod")]),
        ("jump", "192.0.2.5", [("role", "jump")]),
        ("quar-vm", "192.0.2.66", [("tier", "web"), ("quarantine", "true")]),
        ("legacy", "192.0.2.99", []),
    ]
    objects = [
        group("web", tag("VirtualMachine", "tier|web")),
        group("db", tag("VirtualMachine", "tier|db")),
        group("jump", tag("VirtualMachine", "role|jump")),
        group("quarantine", tag("VirtualMachine", "quarantine|true")),
        group("prod", tag("VirtualMachine", "env|prod")),
        group(
            "c1-nodes",
            {
                "resource_type": "NestedExpression",
                "expressions": [
                    {
                        "resource_type": "Condition",
                        "member_type": "KubernetesCluster",
                        "key": "Name",
                        "operator": "EQUALS",
                        "value": "c1",
                    },
                    {"resource_type": "ConjunctionOperator", "conjunction_operator": "AND"},
                    {
                        "resource_type": "Condition",
                        "member_type": "KubernetesNode",
                        "key": "IPAddress",
                        "operator": "MATCHES",
                        "value": "*",
                    },
                ],
            },
        ),
        group(
            "pay-egress",
            {
                "resource_type": "Condition",
                "member_type": "AntreaEgress",
                "key": "Name",
                "operator": "EQUALS",
                "value": "payments-egress",
            },
        ),
        group("ext-db", {"resource_type": "IPAddressExpression", "ip_addresses": ["203.0.113.0/28"]}),
        group("ant-frontend", tag("Pod", "app|frontend"), group_type=["ANTREA"]),
        group("ant-quarantine", tag("Pod", "quarantine|true"), group_type=["ANTREA"]),
        group(
            "ant-shop",
            {
                "resource_type": "Condition",
                "member_type": "Namespace",
                "key": "Name",
                "operator": "EQUALS",
                "value": "shop",
            },
            group_type=["ANTREA"],
        ),
        policy(
            "quarantine",
            "Emergency",
            10,
            [rule("q-out", 10, "DROP", ["quarantine"], ["ANY"]), rule("q-in", 20, "DROP", ["ANY"], ["quarantine"])],
        ),
        policy(
            "ant-quarantine",
            "Emergency",
            20,
            [
                rule("aq-in", 10, "DROP", ["ant-quarantine"], ["ANY"]),
                rule("aq-out", 20, "DROP", ["ANY"], ["ant-quarantine"]),
            ],
            scope=[CCP1],
        ),
        policy(
            "infra", "Infrastructure", 10, [rule("jump-ssh", 10, "ALLOW", ["jump"], ["ANY"], service_entries=tcp("22"))]
        ),
        policy(
            "env",
            "Environment",
            10,
            [
                rule("env-jump", 10, "JUMP_TO_APPLICATION", ["web"], ["db"]),
                rule("env-deny-dev", 20, "DROP", ["web"], ["prod"]),
            ],
        ),
        policy(
            "app-db",
            "Application",
            10,
            [
                rule("db-pg", 10, "ALLOW", ["web"], ["db"], service_entries=tcp("5432")),
                rule("db-disabled", 20, "ALLOW", ["ANY"], ["ANY"], service_entries=tcp("6000-6010"), disabled=True),
                rule("db-from-c1", 30, "ALLOW", ["c1-nodes"], ["db"], service_entries=tcp("5432"), direction="IN"),
                rule("db-from-egress", 40, "ALLOW", ["pay-egress"], ["db"], service_entries=tcp("5433")),
            ],
            scope=[f"{G}/db"],
        ),
        policy(
            "app-web",
            "Application",
            20,
            [
                rule("web-http", 10, "ALLOW", ["ANY"], ["web"], service_entries=tcp("80", "443")),
                rule("web-out", 20, "ALLOW", ["web"], ["ANY"], direction="OUT"),
                rule("web-ext", 30, "ALLOW", ["ANY"], ["ext-db"], service_entries=tcp("3306")),
            ],
        ),
        policy("tie-a", "Application", 30, [rule("t1", 10, "ALLOW", ["ANY"], ["jump"], service_entries=tcp("9000"))]),
        policy(
            "tie-b",
            "Application",
            30,
            [
                rule("t2", 10, "DROP", ["ANY"], ["jump"], service_entries=tcp("9000")),
                rule("t3", 20, "ALLOW", ["ANY"], ["jump"], service_entries=tcp("9001")),
            ],
        ),
        policy(
            "ant-app",
            "Application",
            40,
            [
                rule("ant-fe-allow", 10, "ALLOW", ["ant-frontend"], ["ANY"], service_entries=tcp("8080")),
                rule("ant-shop-deny", 20, "DROP", ["ANY"], ["ext-db"], service_entries=tcp("3306")),
            ],
            scope=[CCP1, f"{G}/ant-shop"],
        ),
    ]
    if default_action is not None:
        objects.append(default_section(default_action))
    return {
        "virtual_machines": [
            {
                "display_name": n,
                "external_id": f"id-{n}",
                "ip_addresses": [ip],
                "tags": [{"scope": s, "tag": t} for s, t in tags],
            }
            for n, ip, tags in vms
        ],
        "clusters": [
            {
                "name": "c1",
                "nodes": [
                    {"name": "n1", "ip_addresses": ["192.0.2.101"]},
                    {"name": "n2", "ip_addresses": ["192.0.2.102"]},
                ],
                "namespaces": [
                    {"name": "shop", "labels": {"team": "shop"}},
                    {"name": "pay", "labels": {"team": "pay"}},
                    {"name": "forensics", "labels": {"team": "security"}},
                ],
                "pods": [
                    {
                        "name": "fe-1",
                        "namespace": "shop",
                        "labels": {"app": "frontend"},
                        "ip_addresses": ["10.244.1.10"],
                        "node": "n1",
                    },
                    {
                        "name": "fe-2",
                        "namespace": "shop",
                        "labels": {"app": "frontend"},
                        "ip_addresses": ["10.244.2.11"],
                        "node": "n2",
                    },
                    {
                        "name": "api-1",
                        "namespace": "shop",
                        "labels": {"app": "api"},
                        "ip_addresses": ["10.244.1.12"],
                        "node": "n1",
                    },
                    {
                        "name": "pay-1",
                        "namespace": "pay",
                        "labels": {"app": "payments"},
                        "ip_addresses": ["10.244.1.20"],
                        "node": "n1",
                    },
                    {
                        "name": "pay-b",
                        "namespace": "pay",
                        "labels": {"app": "batch"},
                        "ip_addresses": ["10.244.2.21"],
                        "node": "n2",
                    },
                    {
                        "name": "for-1",
                        "namespace": "forensics",
                        "labels": {"app": "forensic", "quarantine": "true"},
                        "ip_addresses": ["10.244.2.30"],
                        "node": "n2",
                    },
                ],
                "egresses": [
                    {
                        "name": "payments-egress",
                        "egress_ip": "198.51.100.10",
                        "applied_to": {"namespace": "pay", "pod_selector": {"app": "payments"}},
                    }
                ],
            },
            {
                "name": "c2",
                "cluster_control_plane": False,
                "nodes": [{"name": "m1", "ip_addresses": ["192.0.2.201"]}],
                "pods": [
                    {
                        "name": "other-1",
                        "namespace": "default",
                        "labels": {"app": "other"},
                        "ip_addresses": ["10.245.1.5"],
                        "node": "m1",
                    }
                ],
            },
        ],
        "objects": objects,
        "kubernetes": {"c1": manifests()},
    }


def scenario(default_action: str | None = "DROP") -> PolicyConfig:
    return load_config(scenario_data(default_action))
