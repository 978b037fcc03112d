"""Mandatory: cluster workloads reach external networks only through an Egress IP group.

Pods leaving a VKS cluster without an Antrea Egress are SNATed to whatever node they run on, so
a rule allowing "the cluster" to an external address allows every pod on those nodes. An
Egress gives the chosen pods one stable IP, and its NSX group (member type ``AntreaEgress``)
is the only honest source for such a rule (docs/kubernetes.md).

* external destination: ANY, or a group of IP addresses (addresses outside the NSX inventory);
* cluster source: ANY, or a group selecting Kubernetes objects (pods, namespaces, nodes,
  clusters, services) that is not an Egress IP group. VM groups are not cluster egress.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policypack.guardrails.stack import SECURITY_POLICY, Finding, Level, Stack, is_any, rule_name, rules, section_name
from policypack.guardrails.stack import short as short_name

NAME = "external-egress-through-egress-ip"
DESCRIPTION = "ALLOW rules from cluster workloads to external networks must use an Egress IP group as source."
LEVEL: Level = "mandatory"

KUBERNETES_MEMBERS = {
    "Pod",
    "Namespace",
    "KubernetesCluster",
    "KubernetesNode",
    "KubernetesService",
    "KubernetesNamespace",
    "KubernetesIngress",
    "AntreaEgress",
}


def _expressions(expressions: Any) -> Iterator[Mapping[str, Any]]:
    """Every expression of a group, nested ones included."""
    for expression in expressions or []:
        if isinstance(expression, Mapping):
            yield expression
            yield from _expressions(expression.get("expressions"))


def is_egress_ip_group(group: Mapping[str, Any]) -> bool:
    return any(e.get("member_type") == "AntreaEgress" for e in _expressions(group.get("expression")))


def is_external_group(group: Mapping[str, Any]) -> bool:
    return any(e.get("resource_type") == "IPAddressExpression" for e in _expressions(group.get("expression")))


def selects_cluster_workloads(group: Mapping[str, Any]) -> bool:
    if is_egress_ip_group(group):
        return False
    if "ANTREA" in (group.get("group_type") or []):
        return True
    return any(e.get("member_type") in KUBERNETES_MEMBERS for e in _expressions(group.get("expression")))


def check(stack: Stack) -> list[Finding]:
    groups = {path: g.props for path, g in stack.groups_by_path().items()}
    findings = []
    for section in stack.of_type(SECURITY_POLICY):
        for rule in rules(section.props):
            if rule.get("action") != "ALLOW":
                continue
            destinations = rule.get("destination_groups") or []
            sources = rule.get("source_groups") or []
            if is_any(destinations, rule.get("destinations_excluded")):
                external = ["ANY"]
            else:
                external = [short_name(d) for d in destinations if d in groups and is_external_group(groups[d])]
            if not external:
                continue
            if is_any(sources, rule.get("sources_excluded")):
                offending = ["ANY"]
            else:
                offending = [short_name(s) for s in sources if s in groups and selects_cluster_workloads(groups[s])]
            if offending:
                findings.append(
                    Finding(
                        f"rule '{rule_name(rule)}' of section '{section_name(section.props)}' lets "
                        f"{', '.join(offending)} reach external {', '.join(external)} without an Egress IP; "
                        "use the app's egress group (apps/<app>.yaml egress:) as the source",
                        section.urn,
                    )
                )
    return findings
