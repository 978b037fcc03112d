"""A deliberately naive interpreter of verification.md §4, for differential testing.

It reads the raw seed-format dict (not the models, not the evaluator's compiled form),
recomputes every group membership per packet by brute force, and transcribes the
semantics literally: egress at source AND ingress at destination; one flat list of DFW
rules sorted by (category rank, policy sequence, rule sequence); first match; JUMP
skips to Application; pods: NSX-spanned rules, then K8s NP isolation, then allow.
It supports the subset the generator emits (unique sequence numbers, VM tag / IP /
Antrea pod-tag groups, TCP/UDP port services, K8s NP with pod selectors and ipBlocks).
"""

from __future__ import annotations

import ipaddress
from typing import Any

RANK = {"Ethernet": 0, "Emergency": 1, "Infrastructure": 2, "Environment": 3, "Application": 4}
CCP = "/cluster-control-planes/"


def ip(text: str) -> int:
    return int(ipaddress.ip_address(text))


def in_cidr(addr: int, cidr: str) -> bool:
    if "/" in cidr:
        return ipaddress.ip_address(addr) in ipaddress.ip_network(cidr, strict=False)
    if "-" in cidr:
        low, high = cidr.split("-")
        return ip(low) <= addr <= ip(high)
    return addr == ip(cidr)


def tag_condition(item: dict[str, Any], pairs: list[tuple[str, str]]) -> bool:
    """A Tag Condition on (scope, tag) pairs, read off the vcf-nsx 9.1.1.0 ``Condition`` text.

    "Evaluation of the condition expression will be case insensitive": everything is lowered.
    scope_operator "Default ... EQUALS"; "value as "|tag" would be evaluated for tag value not
    for empty scope value": an empty scope (or no "|" at all) checks no scope, and likewise an
    empty tag checks no tag. NOTEQUALS/NOTIN: no tag of the object is EQUALS/IN the value.
    """
    value = item["value"].lower()
    scope, tag = value.split("|", 1) if "|" in value else ("", value)
    operator = item.get("operator") or "EQUALS"
    opposite = {"NOTEQUALS": "EQUALS", "NOTIN": "IN"}
    test = opposite.get(operator, operator)
    scope_differs = item.get("scope_operator") == "NOTEQUALS"
    for raw_scope, raw_tag in pairs:
        their_scope, their_tag = raw_scope.lower(), raw_tag.lower()
        if scope and (their_scope != scope) != scope_differs:
            continue
        if tag == "":
            hit = True
        elif test == "EQUALS":
            hit = their_tag == tag
        elif test == "CONTAINS":
            hit = tag in their_tag
        elif test == "STARTSWITH":
            hit = their_tag[: len(tag)] == tag
        elif test == "ENDSWITH":
            hit = their_tag[len(their_tag) - len(tag) :] == tag
        elif test == "IN":
            hit = their_tag in [word.strip() for word in tag.split(",")]
        else:
            raise NotImplementedError(f"operator {operator} is not generated")
        if hit:
            return operator not in opposite
    return operator in opposite


class Naive:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.objects = {o["path"]: o["body"] for o in data.get("objects", [])}
        self.cluster = data["clusters"][0]
        self.ccp = f"/infra/sites/default/enforcement-points/default/cluster-control-planes/{self.cluster['name']}"

    # what is an endpoint -------------------------------------------------------
    def vm(self, name: str) -> dict[str, Any]:
        return next(v for v in self.data["virtual_machines"] if v["display_name"] == name)

    def pod(self, name: str) -> dict[str, Any]:
        return next(p for p in self.cluster["pods"] if p["name"] == name)

    def in_group(self, path: str, who: tuple[str, str], addr: int) -> bool:
        """who = ('vm', name) | ('pod', name) | ('ip', '')."""
        body = self.objects.get(path)
        if body is None:
            return False
        for item in body.get("expression", []):
            kind = item["resource_type"]
            if kind == "IPAddressExpression":
                if who[0] != "pod" and any(in_cidr(addr, c) for c in item["ip_addresses"]):
                    return True
                if who[0] == "pod" and any(in_cidr(addr, c) for c in item["ip_addresses"]):
                    return True
            if kind == "Condition":
                if item["member_type"] == "VirtualMachine":
                    vm = self.vm(who[1]) if who[0] == "vm" else None
                    if vm is None and who[0] == "ip":
                        vm = next((v for v in self.data["virtual_machines"] if ip(v["ip_addresses"][0]) == addr), None)
                    if vm is not None and tag_condition(item, [(t["scope"], t["tag"]) for t in vm.get("tags", [])]):
                        return True
                if item["member_type"] == "Pod" and who[0] == "pod":  # noqa: SIM102
                    if tag_condition(item, list(self.pod(who[1]).get("labels", {}).items())):
                        return True
        return False

    def side(self, values: list[str], excluded: bool, who: tuple[str, str], addr: int) -> bool:
        if values == ["ANY"]:
            hit = True
        else:
            hit = any(self.in_group(v, who, addr) if v.startswith("/") else in_cidr(addr, v) for v in values)
        return hit != excluded

    # DFW / NSX tiers -------------------------------------------------------------
    def rules(self) -> list[tuple[tuple[int, int, int], str, dict[str, Any], dict[str, Any]]]:
        out = []
        for path, body in self.objects.items():
            if "/security-policies/" not in path:
                continue
            for rule in body.get("rules", []):
                key = (RANK[body["category"]], body["sequence_number"], rule["sequence_number"])
                out.append((key, f"{path}/rules/{rule['id']}", body, rule))
        return sorted(out, key=lambda x: x[0])

    def nsx(  # noqa: PLR0917, PLR0912
        self, at: tuple[str, str], at_ip: int, peer: tuple[str, str], peer_ip: int, direction: str, flow: dict[str, Any]
    ) -> tuple[str, str] | None:
        skip_env = False
        for (rank, _, _), path, policy, rule in self.rules():
            if rule.get("disabled"):
                continue
            if skip_env and rank == 3:
                continue
            pscope = policy.get("scope", ["ANY"])
            scope = pscope if pscope != ["ANY"] else rule.get("scope", ["ANY"])
            spanned = any(CCP in s for s in scope)
            if (at[0] == "pod") != spanned:
                continue
            groups = [s for s in scope if CCP not in s and s != "ANY"]
            if groups and not any(self.in_group(g, at, at_ip) for g in groups):
                continue
            src, dst = rule["source_groups"], rule["destination_groups"]
            allowed_dirs = {"IN_OUT": "IN OUT", "IN": "IN", "OUT": "OUT"}[rule.get("direction", "IN_OUT")].split()
            if spanned:
                if src != ["ANY"] and dst == ["ANY"]:
                    allowed_dirs = [d for d in allowed_dirs if d == "IN"]
                if src == ["ANY"] and dst != ["ANY"]:
                    allowed_dirs = [d for d in allowed_dirs if d == "OUT"]
            if direction not in allowed_dirs:
                continue
            if direction == "OUT":
                ok = self.side(src, rule.get("sources_excluded", False), at, at_ip) and self.side(
                    dst, rule.get("destinations_excluded", False), peer, peer_ip
                )
            else:
                ok = self.side(dst, rule.get("destinations_excluded", False), at, at_ip) and self.side(
                    src, rule.get("sources_excluded", False), peer, peer_ip
                )
            if not ok:
                continue
            entries = rule.get("service_entries")
            if entries:
                hit = False
                for e in entries:
                    proto = e["l4_protocol"]
                    ports = e.get("destination_ports") or ["0-65535"]
                    for p in ports:
                        low, _, high = p.partition("-")
                        if proto == flow["protocol"] and int(low) <= flow["port"] <= int(high or low):
                            hit = True
                if not hit:
                    continue
            if rule["action"] == "JUMP_TO_APPLICATION":
                if spanned:
                    return ("ERROR", path)
                skip_env = True
                continue
            return (rule["action"], path)
        return None

    # K8s NP ---------------------------------------------------------------------
    def k8s(  # noqa: PLR0912
        self, pod: dict[str, Any], direction: str, peer: tuple[str, str], peer_ip: int, flow: dict[str, Any]
    ) -> tuple[str, str] | None:
        kind = "Ingress" if direction == "IN" else "Egress"
        isolated = False
        for m in self.data.get("kubernetes", {}).get(self.cluster["name"], []):
            if m["kind"] != "NetworkPolicy" or not m["apiVersion"].startswith("networking"):
                continue
            spec = m["spec"]
            if m["metadata"]["namespace"] != pod["namespace"]:
                continue
            sel = spec["podSelector"].get("matchLabels", {})
            if any(pod.get("labels", {}).get(k) != v for k, v in sel.items()):
                continue
            if kind not in spec["policyTypes"]:
                continue
            isolated = True
            for i, rule in enumerate(spec.get(kind.lower(), [])):
                peers = rule.get("from" if kind == "Ingress" else "to")
                peer_ok = not peers
                for pe in peers or []:
                    if "ipBlock" in pe:
                        block = pe["ipBlock"]
                        if in_cidr(peer_ip, block["cidr"]) and not any(
                            in_cidr(peer_ip, e) for e in block.get("except", [])
                        ):
                            peer_ok = True
                    elif peer[0] == "pod":
                        other = self.pod(peer[1])
                        want = pe["podSelector"].get("matchLabels", {})
                        if other["namespace"] == m["metadata"]["namespace"] and all(
                            other.get("labels", {}).get(k) == v for k, v in want.items()
                        ):
                            peer_ok = True
                ports = rule.get("ports")
                port_ok = not ports or any(
                    p.get("protocol", "TCP") == flow["protocol"]
                    and p["port"] <= flow["port"] <= p.get("endPort", p["port"])
                    for p in ports
                )
                if peer_ok and port_ok:
                    return ("ALLOW", f"k8s:{pod['namespace']}/{m['metadata']['name']}/{kind.lower()}[{i}]")
        if isolated:
            return ("DROP", f"k8s-isolation:{kind.lower()}")
        return None

    # one side -------------------------------------------------------------------
    def point(  # noqa: PLR0917
        self,
        who: tuple[str, str],
        who_ip: int,
        peer: tuple[str, str],
        peer_ip: int,
        direction: str,
        flow: dict[str, Any],
    ) -> str:
        if who[0] == "ip":
            return "ALLOW"
        if who[0] == "vm":
            found = self.nsx(who, who_ip, peer, peer_ip, direction, flow)
            return "ERROR" if found is None else found[0]
        found = self.nsx(who, who_ip, peer, peer_ip, direction, flow)
        if found is not None:
            return found[0]
        found = self.k8s(self.pod(who[1]), direction, peer, peer_ip, flow)
        return "ALLOW" if found is None else found[0]

    def address(self, who: tuple[str, str]) -> int:
        if who[0] == "vm":
            return ip(self.vm(who[1])["ip_addresses"][0])
        if who[0] == "pod":
            return ip(self.pod(who[1])["ip_addresses"][0])
        return ip(who[1])

    def verdict(self, src: tuple[str, str], dst: tuple[str, str], protocol: str, port: int) -> str:
        if src == dst:
            return "ALLOW"
        flow = {"protocol": protocol, "port": port}
        s_ip, d_ip = self.address(src), self.address(dst)
        # what the destination sees as the source
        seen_src, seen_ip = (src, s_ip)
        if src[0] == "pod" and dst[0] != "pod":
            pod = self.pod(src[1])
            seen_src, seen_ip = (
                ("ip", ""),
                ip(next(n for n in self.cluster["nodes"] if n["name"] == pod["node"])["ip_addresses"][0]),
            )
            for e in self.cluster.get("egresses", []):
                sel = e["applied_to"]
                if pod["namespace"] == sel["namespace"] and all(
                    pod.get("labels", {}).get(k) == v for k, v in sel["pod_selector"].items()
                ):
                    seen_ip = ip(e["egress_ip"])
                    break
        seen_dst = dst if not (dst[0] == "pod" and src[0] != "pod") else ("ip", "")
        egress = self.point(src, s_ip, seen_dst, d_ip, "OUT", flow)
        if egress != "ALLOW":
            return egress
        return self.point(dst, d_ip, seen_src, seen_ip, "IN", flow)
