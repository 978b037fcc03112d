"""A deliberately naive Antrea-native policy interpreter, written from antrea.md §2.2-2.5 only.

Why a second implementation: the differential test (test_antrea_differential.py) compares it
with zerotrust.evaluator on random policies. It shares no code with the evaluator: it works on
the raw manifests and the seed inventory dicts, collects *every* rule that matches a side,
sorts them by (tier priority, policy priority, rule index) and looks only at the best rank:
one action wins, several different actions are an ERROR. ``Pass`` goes on to the baseline
tier (the generator emits no Kubernetes NetworkPolicies). Nothing matched: ALLOW.
It covers what the generator emits: pod/namespace selectors (matchLabels only), namespaces
Self / sameLabels, ipBlock, serviceAccount, nodeSelector, ClusterGroups (selectors,
ipBlocks, one level of childGroups), ports with ranges and source ranges, named ports,
ICMP type/code, toServices.
"""

from __future__ import annotations

import ipaddress
from typing import Any

TIERS = {"securityops": 100, "application": 250, "baseline": 253}


def _labels_match(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in ((selector or {}).get("matchLabels") or {}).items())


def _in_block(ip: str, block: dict[str, Any]) -> bool:
    address = ipaddress.ip_address(ip)
    if address not in ipaddress.ip_network(block["cidr"]):
        return False
    return not any(address in ipaddress.ip_network(e) for e in block.get("except") or [])


class NaiveAntrea:
    """One cluster: its inventory dict and its manifests."""

    def __init__(self, cluster: dict[str, Any], manifests: list[dict[str, Any]]) -> None:
        self.cluster = cluster
        self.policies = [m for m in manifests if m["kind"] == "ClusterNetworkPolicy"]
        self.groups = {m["metadata"]["name"]: m["spec"] for m in manifests if m["kind"] == "ClusterGroup"}
        self.ns_labels = {
            n["name"]: {**n.get("labels", {}), "kubernetes.io/metadata.name": n["name"]} for n in cluster["namespaces"]
        }

    def pod_by_ip(self, ip: str) -> dict[str, Any] | None:
        return next((p for p in self.cluster["pods"] if ip in p["ip_addresses"]), None)

    # membership ---------------------------------------------------------------------

    def _pod_selected(self, sel: dict[str, Any], pod: dict[str, Any]) -> bool:
        if "podSelector" not in sel and "namespaceSelector" not in sel:
            return False
        if "namespaceSelector" in sel and not _labels_match(sel["namespaceSelector"], self.ns_labels[pod["namespace"]]):
            return False
        return _labels_match(sel.get("podSelector"), pod.get("labels", {}))

    def _applied(self, entry: dict[str, Any], pod: dict[str, Any]) -> bool:
        if "group" not in entry:
            return self._pod_selected(entry, pod)
        spec = self.groups[entry["group"]]
        children = [self.groups[c] for c in spec["childGroups"]] if "childGroups" in spec else [spec]
        return any("ipBlocks" not in c and self._pod_selected(c, pod) for c in children)

    def _group_has(self, name: str, ip: str, pod: dict[str, Any] | None) -> bool | None:
        spec = self.groups[name]
        if "childGroups" in spec:
            answers: list[bool | None] = []
            for child in spec["childGroups"]:
                if "childGroups" in self.groups[child]:
                    return None
                answers.append(self._group_has(child, ip, pod))
            return any(answers)
        if "ipBlocks" in spec:
            return any(_in_block(ip, b) for b in spec["ipBlocks"])
        return pod is not None and self._pod_selected(spec, pod)

    def _peer(self, peer: dict[str, Any], me: dict[str, Any], ip: str) -> bool | None:  # noqa: PLR0911
        other = self.pod_by_ip(ip)
        if "ipBlock" in peer:
            return _in_block(ip, peer["ipBlock"])
        if "group" in peer:
            return self._group_has(peer["group"], ip, other)
        if "nodeSelector" in peer:
            nodes = [n for n in self.cluster["nodes"] if _labels_match(peer["nodeSelector"], n.get("labels", {}))]
            return any(ip in n["ip_addresses"] for n in nodes)
        if other is None:
            return False
        if "serviceAccount" in peer:
            account = peer["serviceAccount"]
            return bool(
                other["namespace"] == account["namespace"]
                and other.get("service_account", "default") == account["name"]
            )
        namespaces = peer.get("namespaces") or {}
        if namespaces.get("match") == "Self" and other["namespace"] != me["namespace"]:
            return False
        for key in namespaces.get("sameLabels") or []:
            mine = self.ns_labels[me["namespace"]]
            if key not in mine or self.ns_labels[other["namespace"]].get(key) != mine[key]:
                return False
        if "namespaceSelector" in peer and not _labels_match(
            peer["namespaceSelector"], self.ns_labels[other["namespace"]]
        ):
            return False
        return _labels_match(peer.get("podSelector"), other.get("labels", {}))

    # rules ----------------------------------------------------------------------------

    def _ports(self, rule: dict[str, Any], flow: dict[str, Any], dest: dict[str, Any] | None) -> bool:
        if not rule.get("ports") and not rule.get("protocols"):
            return True
        for entry in rule.get("ports") or []:
            if entry.get("protocol", "TCP") != flow["protocol"]:
                continue
            if "sourcePort" in entry and not entry["sourcePort"] <= flow["src_port"] <= entry.get(
                "sourceEndPort", entry["sourcePort"]
            ):
                continue
            port = entry.get("port")
            if isinstance(port, str):
                named = {p["name"]: p["containerPort"] for p in (dest or {}).get("ports", [])}
                if named.get(port) == flow["port"]:
                    return True
                continue
            if port is None or port <= flow["port"] <= entry.get("endPort", port):
                return True
        for entry in rule.get("protocols") or []:
            icmp = entry.get("icmp")
            if icmp is None or flow["protocol"] != "ICMPv4":
                continue
            wanted = (icmp.get("icmpType", flow["icmp_type"]), icmp.get("icmpCode", flow["icmp_code"]))
            if wanted == (flow["icmp_type"], flow["icmp_code"]):
                return True
        return False

    def _services(self, rule: dict[str, Any], flow: dict[str, Any], ip: str) -> bool:
        wanted = {(ref["namespace"], ref["name"]) for ref in rule["toServices"]}
        for service in self.cluster.get("services", []):
            if (service["namespace"], service["name"]) not in wanted or service["cluster_ip"] != ip:
                continue
            if any((p.get("protocol", "TCP"), p["port"]) == (flow["protocol"], flow["port"]) for p in service["ports"]):
                return True
        return False

    def _matching(
        self, me: dict[str, Any], direction: str, ip: str, flow: dict[str, Any], dest: dict[str, Any] | None
    ) -> list[tuple[tuple[float, float, int], str, str]]:
        """(rank, action, rule label) of every rule of every policy that matches this side."""
        found: list[tuple[tuple[float, float, int], str, str]] = []
        key, peer_key = ("ingress", "from") if direction == "IN" else ("egress", "to")
        for policy in self.policies:
            spec = policy["spec"]
            if not any(self._applied(a, me) for a in spec["appliedTo"]):
                continue
            for index, rule in enumerate(spec.get(key) or []):
                if "toServices" in rule:
                    peer_ok: bool | None = self._services(rule, flow, ip)
                elif rule.get(peer_key):
                    answers = [self._peer(p, me, ip) for p in rule[peer_key]]
                    peer_ok = True if True in answers else (None if None in answers else False)
                else:
                    peer_ok = True
                if peer_ok is False or not self._ports(rule, flow, dest):
                    continue
                action = "UNKNOWN" if peer_ok is None else rule["action"]
                rank = (TIERS[spec["tier"]], float(spec["priority"]), index)
                found.append((rank, action, f"acnp/{policy['metadata']['name']}/{rule['name']}"))
        return found

    def side(
        self, me: dict[str, Any], direction: str, ip: str, flow: dict[str, Any], dest: dict[str, Any] | None
    ) -> tuple[str, str]:
        """(action, deciding rule) at one pod for one direction."""
        matches = sorted(self._matching(me, direction, ip, flow, dest))
        for stage in ("tiers", "baseline"):
            candidates = [
                m
                for m in matches
                if (m[0][0] == 253) == (stage == "baseline") and not (stage == "baseline" and m[1] == "Pass")
            ]
            if not candidates:
                continue
            best = [m for m in candidates if m[0] == candidates[0][0]]
            actions = {m[1] for m in best}
            if "UNKNOWN" in actions:
                return "UNKNOWN", next(m[2] for m in best if m[1] == "UNKNOWN")
            if len(actions) > 1:
                return "ERROR", "error"
            if best[0][1] != "Pass":
                return best[0][1].upper(), best[0][2]
        return "ALLOW", "antrea-default-allow"

    def verdict(self, src: dict[str, Any], dst_ip: str, flow: dict[str, Any]) -> tuple[str, str]:
        """Egress at the source pod, then ingress at the destination pod if it is one."""
        dest = self.pod_by_ip(dst_ip)
        sides = [self.side(src, "OUT", dst_ip, flow, dest)]
        if dest is not None:
            sides.append(self.side(dest, "IN", src["ip_addresses"][0], flow, dest))
        for action, rule in sides:
            if action not in {"ALLOW", "UNKNOWN"}:
                return action, rule
        unknown = next((s for s in sides if s[0] == "UNKNOWN"), None)
        return unknown or ("ALLOW", sides[-1][1])
