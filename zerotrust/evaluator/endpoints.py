"""Endpoint selectors (``vm:``, ``pod:``, ``group:``, ``ip:``, ``any``, bare names) -> endpoints.

Why representatives: ``any`` and IP-range group members are infinite sets of
addresses; outside the inventory an address only matters through the IP literals that
rules, groups and ipBlocks mention, so the interval ends of those literals plus one
address outside all of them stand for every "other IP" exactly (verification.md §3.1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from zerotrust.evaluator.addresses import IPSet, parse_ip
from zerotrust.evaluator.flows import Endpoint
from zerotrust.evaluator.inventory import Inventory, Pod
from zerotrust.evaluator.membership import Members

__all__ = ["EndpointError", "representative_ips", "resolve_endpoints"]


class EndpointError(ValueError):
    """A selector that names nothing, or is ambiguous."""


def representative_ips(address_sets: Iterable[IPSet]) -> list[int]:
    """Both ends of every interval, the address after each, and one address outside all."""
    union = IPSet()
    keys: set[int] = set()
    for addresses in address_sets:
        union = union.union(addresses)
        for low, high in addresses.intervals:
            keys |= {low, high, high + 1}
            if low > 0:
                keys.add(low - 1)
    outside = 0x01000001  # 1.0.0.1, moved past any interval holding it
    while outside in union:
        outside = next(high + 1 for low, high in union.intervals if low <= outside <= high)
    keys.add(outside)
    return sorted(keys)


def _endpoint(inventory: Inventory, ip: int) -> Endpoint:
    vm = next((vm for vm in inventory.vms if ip in vm.ips), None)
    return Endpoint("vm", vm.name, ip) if vm is not None else Endpoint("ip", str(ip), ip)


def _pod_endpoint(pod: Pod) -> Endpoint:
    return Endpoint("pod", pod.key, pod.ips[0], pod.cluster)


def _pods(inventory: Inventory, spec: str) -> list[Pod]:
    parts = spec.split("/")
    if len(parts) == 2:
        cluster, (namespace, name) = None, parts
    elif len(parts) == 3:
        cluster, namespace, name = parts
    else:
        raise EndpointError(f"pod:{spec}: write pod:<namespace>/<name> or pod:<cluster>/<namespace>/<name>")
    candidates = [p for p in inventory.pods() if p.namespace == namespace and (cluster is None or p.cluster == cluster)]
    exact = [p for p in candidates if p.name == name]
    return exact or [p for p in candidates if p.labels.get("app") == name]


def resolve_endpoints(  # noqa: PLR0912
    selector: str, inventory: Inventory, members: Mapping[str, Members], other_ips: list[int]
) -> list[Endpoint]:
    """Every endpoint a selector stands for, each pod/VM once, pods and VMs by their first IP."""
    kind, colon, rest = selector.partition(":")
    if selector == "any":
        out = [Endpoint("vm", vm.name, vm.ips[0]) for vm in inventory.vms if vm.ips]
        out += [_pod_endpoint(p) for p in inventory.pods() if p.ips]
        known = {e.ip for e in out}
        return out + [Endpoint("ip", str(ip), ip) for ip in other_ips if ip not in known]
    if colon and kind == "vm":
        vm = inventory.vm(rest)
        if vm is None or not vm.ips:
            raise EndpointError(f"{selector}: no VM called {rest!r} with an IP in the inventory")
        return [Endpoint("vm", vm.name, vm.ips[0])]
    if colon and kind == "pod":
        pods = [p for p in _pods(inventory, rest) if p.ips]
        if not pods:
            raise EndpointError(f"{selector}: no pod with that name or app label in that namespace")
        return [_pod_endpoint(p) for p in pods]
    if colon and kind == "ip":
        return [_endpoint(inventory, parse_ip(rest))]
    if colon and kind == "group":
        path = rest if rest.startswith("/") else next((p for p in members if p.rsplit("/", 1)[-1] == rest), None)
        if path is None or path not in members:
            raise EndpointError(f"{selector}: no group with that id or path in the configuration")
        return _group_endpoints(inventory, members[path])
    if colon:
        raise EndpointError(f"{selector}: unknown kind {kind!r}; use vm:, pod:, group:, ip: or any")
    found: list[list[Endpoint]] = []
    if inventory.vm(selector) is not None:
        found.append(resolve_endpoints(f"vm:{selector}", inventory, members, other_ips))
    if any(p.rsplit("/", 1)[-1] == selector for p in members):
        found.append(resolve_endpoints(f"group:{selector}", inventory, members, other_ips))
    app_pods = [p for p in inventory.pods() if p.labels.get("app") == selector and p.ips]
    if app_pods:
        found.append([_pod_endpoint(p) for p in app_pods])
    if len(found) != 1:
        what = "nothing" if not found else "more than one of a VM, a group and an app label"
        raise EndpointError(f"{selector!r} names {what}; qualify it as vm:, group: or pod:<ns>/<name>")
    return found[0]


def _group_endpoints(inventory: Inventory, members: Members) -> list[Endpoint]:
    out = [Endpoint("vm", vm.name, vm.ips[0]) for vm in inventory.vms if vm.name in members.vms and vm.ips]
    out += [_pod_endpoint(p) for p in inventory.pods() if p.key in members.pods and p.ips]
    known = {e.ip for e in out}
    for low, high in members.ips.intervals:
        for ip in sorted({low, high}):
            if ip not in known:
                out.append(_endpoint(inventory, ip))
                known.add(ip)
    if not out:
        raise EndpointError("the group has no members in the inventory")
    return out
