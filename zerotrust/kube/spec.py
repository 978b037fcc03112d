"""The Kubernetes half of an environment's desired state, validated before anything is applied.

One YAML file per environment lists its VKS clusters; per cluster: the Antrea version it runs
(which decides the apiVersion), the stack-config key of its kubeconfig secret, the workloads the
platform knows about, the egress pools with their Egresses, and each app's NetworkPolicies.

Two layers of checks, both before apply:

* shape (pydantic): types, required fields (an ExternalIPPool `nodeSelector` has no default on
  purpose), one-of forms, IP syntax;
* meaning (`environment_problems`): overlapping pools, an Egress IP outside its pool, features the
  cluster's Antrea does not have, duplicate names, and - in a strict environment - selectors that
  match no declared workload.

Every finding names the file, the field path and the fix (`SpecError`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

from zerotrust.kube.errors import Problem, SpecError
from zerotrust.kube.ipranges import IPRange, removed_or_changed
from zerotrust.kube.selectors import LabelSelector
from zerotrust.kube.versions import (
    EGRESS_DEFAULT_ON_SINCE,
    EGRESS_POOLS_SINCE,
    SUBNET_INFO_SINCE,
    AntreaVersion,
    egress_api_version,
)

_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True, alias_generator=to_camel)


class Workload(_Spec):
    """Pods the platform knows exist (or will exist): the inventory strict selectors are checked against."""

    namespace: str = Field(pattern=_LABEL, max_length=63)
    labels: dict[str, str] = Field(default_factory=dict)
    namespace_labels: dict[str, str] = Field(default_factory=dict)

    def all_namespace_labels(self) -> dict[str, str]:
        """Kubernetes labels every Namespace with its own name (since 1.21)."""
        return {**self.namespace_labels, NAMESPACE_NAME_LABEL: self.namespace}


class EgressAppliedTo(_Spec):
    """One object (not a list): Pods matching podSelector inside Namespaces matching namespaceSelector."""

    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None

    @model_validator(mode="after")
    def _selects_something(self) -> Self:
        if self.pod_selector is None and self.namespace_selector is None:
            raise ValueError("an empty appliedTo selects no Pods; set podSelector and/or namespaceSelector")
        return self

    def selects(self, workload: Workload) -> bool:
        pods = self.pod_selector is None or self.pod_selector.matches(workload.labels)
        spaces = self.namespace_selector is None or self.namespace_selector.matches(workload.all_namespace_labels())
        return pods and spaces

    def describe(self) -> str:
        parts = []
        if self.pod_selector is not None:
            parts.append(f"podSelector {self.pod_selector.describe()}")
        if self.namespace_selector is not None:
            parts.append(f"namespaceSelector {self.namespace_selector.describe()}")
        return " in ".join(parts)


class EgressSpec(_Spec):
    """An Egress backed by its pool. `egressIP` pins the address (must lie inside the pool)."""

    name: str = Field(pattern=_NAME, max_length=253)
    applied_to: EgressAppliedTo
    egress_ip: str | None = Field(default=None, alias="egressIP")

    @field_validator("egress_ip")
    @classmethod
    def _is_ip(cls, value: str | None) -> str | None:
        if value is not None:
            ipaddress.ip_address(value)
        return value


class SubnetInfo(_Spec):
    """For a pool outside the Node subnet (Antrea >= 1.15): gateway, prefix and optional VLAN."""

    gateway: str
    prefix_length: int = Field(ge=1, le=127)
    vlan: int | None = Field(default=None, ge=0, le=4094)

    @model_validator(mode="after")
    def _valid_network(self) -> Self:
        gateway = ipaddress.ip_address(self.gateway)
        if gateway.version == 4 and self.prefix_length > 31:
            raise ValueError("prefixLength must be 1..31 for an IPv4 gateway")
        return self

    def network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
        return ipaddress.ip_network(f"{self.gateway}/{self.prefix_length}", strict=False)


class EgressPoolSpec(_Spec):
    """One ExternalIPPool and the Egresses that draw from it."""

    name: str = Field(pattern=_NAME, max_length=253)
    ip_ranges: list[IPRange] = Field(min_length=1, alias="ipRanges")
    node_selector: LabelSelector  # required, like the CRD: `{}` means every Node, and must be said
    subnet_info: SubnetInfo | None = None
    egresses: list[EgressSpec] = Field(default_factory=list)


class PolicyPort(_Spec):
    protocol: Literal["TCP", "UDP", "SCTP"] = "TCP"
    port: int | str | None = None
    end_port: int | None = Field(default=None, ge=1, le=65535)

    @model_validator(mode="after")
    def _range(self) -> Self:
        if self.end_port is not None and not (isinstance(self.port, int) and self.port <= self.end_port):
            raise ValueError("endPort needs a numeric port <= endPort")
        return self


class IPBlock(_Spec):
    cidr: str
    except_: list[str] = Field(default_factory=list, alias="except")

    @model_validator(mode="after")
    def _subsets(self) -> Self:
        outer = ipaddress.ip_network(self.cidr, strict=False)
        for item in self.except_:
            inner = ipaddress.ip_network(item, strict=False)
            if inner.version != outer.version or not inner.subnet_of(outer):  # type: ignore[arg-type]
                raise ValueError(f"except {item} is not inside cidr {self.cidr}")
        return self


class PolicyPeer(_Spec):
    """podSelector (same Namespace) / namespaceSelector (both in one entry = AND) or an ipBlock."""

    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None
    ip_block: IPBlock | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        selectors = self.pod_selector is not None or self.namespace_selector is not None
        if self.ip_block is not None and selectors:
            raise ValueError("ipBlock cannot be combined with podSelector/namespaceSelector in one peer")
        if self.ip_block is None and not selectors:
            raise ValueError("a peer needs podSelector, namespaceSelector or ipBlock")
        return self


class IngressRule(_Spec):
    from_: list[PolicyPeer] = Field(default_factory=list, alias="from")
    ports: list[PolicyPort] = Field(default_factory=list)


class EgressRule(_Spec):
    to: list[PolicyPeer] = Field(default_factory=list)
    ports: list[PolicyPort] = Field(default_factory=list)


class NetworkPolicySpec(_Spec):
    """A networking.k8s.io/v1 NetworkPolicy. `ingress: []` isolates for ingress (deny all)."""

    name: str = Field(pattern=_NAME, max_length=253)
    pod_selector: LabelSelector
    ingress: list[IngressRule] | None = None
    egress: list[EgressRule] | None = None

    @model_validator(mode="after")
    def _has_direction(self) -> Self:
        if self.ingress is None and self.egress is None:
            raise ValueError("set ingress and/or egress (an empty list isolates that direction)")
        return self

    def policy_types(self) -> list[str]:
        """Sent explicitly: the API server would otherwise default it, and defaults become drift."""
        return [t for t, rules in (("Ingress", self.ingress), ("Egress", self.egress)) if rules is not None]


class AppPolicies(_Spec):
    """The NetworkPolicies one app team owns, all in the app's Namespace."""

    app: str = Field(pattern=_LABEL, max_length=63)
    namespace: str = Field(pattern=_LABEL, max_length=63)
    policies: list[NetworkPolicySpec] = Field(min_length=1)


class NsxRegistration(_Spec):
    """The Supervisor-side switch: `AntreaConfig <cluster>-antrea-package` in the vSphere Namespace."""

    vsphere_namespace: str = Field(pattern=_LABEL, max_length=63)
    enabled: bool = True


class SupervisorSpec(_Spec):
    """The Supervisor cluster (its own provider): where NSX registration of guest clusters is switched."""

    kubeconfig: str = "kubeconfig-supervisor"


class ClusterSpec(_Spec):
    """One VKS guest cluster (one Kubernetes provider)."""

    name: str = Field(pattern=_LABEL, max_length=63)
    antrea_version: str
    kubeconfig: str = Field(default="", description="stack config key holding the kubeconfig secret")
    workloads: list[Workload] = Field(default_factory=list)
    egress_pools: list[EgressPoolSpec] = Field(default_factory=list)
    apps: list[AppPolicies] = Field(default_factory=list)
    nsx_registration: NsxRegistration | None = None

    @field_validator("antrea_version")
    @classmethod
    def _version(cls, value: str) -> str:
        AntreaVersion.parse(value)
        return value

    @property
    def antrea(self) -> AntreaVersion:
        return AntreaVersion.parse(self.antrea_version)

    @property
    def kubeconfig_key(self) -> str:
        return self.kubeconfig or f"kubeconfig-{self.name}"

    @property
    def egress_api_version(self) -> str:
        return egress_api_version(self.antrea)


class KubeEnvironment(_Spec):
    """All VKS clusters of one environment. `strict`: every selector must match a declared workload."""

    strict: bool = False
    supervisor: SupervisorSpec | None = None
    clusters: list[ClusterSpec] = Field(default_factory=list)


# --- meaning checks ----------------------------------------------------------------------------


def _cluster_problems(c: ClusterSpec, at: str, *, strict: bool) -> Iterator[Problem]:
    if c.egress_pools and c.antrea < EGRESS_POOLS_SINCE:
        yield Problem(
            f"{at}.antreaVersion",
            f"Antrea {c.antrea} has no ExternalIPPool (added in {EGRESS_POOLS_SINCE})",
            "upgrade the cluster's Antrea, or remove egressPools for this cluster",
        )
    if c.egress_pools and c.antrea < EGRESS_DEFAULT_ON_SINCE:
        yield Problem(
            f"{at}.antreaVersion",
            f"the Egress feature gate is alpha and off by default before Antrea {EGRESS_DEFAULT_ON_SINCE}",
            "set featureGates.Egress: true in the cluster's AntreaConfig, then raise antreaVersion here",
        )
    yield from _duplicates([p.name for p in c.egress_pools], f"{at}.egressPools", "ExternalIPPool")
    yield from _duplicates(
        [e.name for p in c.egress_pools for e in p.egresses], f"{at}.egressPools[*].egresses", "Egress"
    )
    seen: list[tuple[str, str, IPRange]] = []
    for i, pool in enumerate(c.egress_pools):
        yield from _pool_problems(c, pool, f"{at}.egressPools[{i}]", seen)
        for k, egress in enumerate(pool.egresses):
            if strict and not any(egress.applied_to.selects(w) for w in c.workloads):
                yield Problem(
                    f"{at}.egressPools[{i}].egresses[{k}].appliedTo",
                    f"selects no declared workload ({egress.applied_to.describe()})",
                    f"fix the selector, declare the workload under {at}.workloads, or set strict: false",
                )
    yield from _duplicates([f"{a.namespace}/{p.name}" for a in c.apps for p in a.policies], f"{at}.apps", "policy")
    for i, app in enumerate(c.apps):
        yield from _app_problems(c, app, f"{at}.apps[{i}]", at, strict=strict)


def _pool_problems(
    c: ClusterSpec, pool: EgressPoolSpec, here: str, seen: list[tuple[str, str, IPRange]]
) -> Iterator[Problem]:
    """Ranges against every range seen so far in the cluster, the subnet, and pinned Egress IPs."""
    if pool.subnet_info is not None and c.antrea < SUBNET_INFO_SINCE:
        yield Problem(
            f"{here}.subnetInfo",
            f"subnetInfo needs Antrea >= {SUBNET_INFO_SINCE}; this cluster runs {c.antrea}",
            "drop subnetInfo (use addresses of the Node subnet) or upgrade the cluster",
        )
    for j, rng in enumerate(pool.ip_ranges):
        field = f"{here}.ipRanges[{j}]"
        for other_field, other_pool, other in seen:
            if rng.overlaps(other):
                where = "the same pool" if other_pool == pool.name else f"pool {other_pool}"
                yield Problem(
                    field,
                    f"range {rng} overlaps {other} ({other_field}, {where}); Antrea would hand one "
                    "address to two Egresses (Antrea >= 2.5 rejects it)",
                    "make the ranges disjoint",
                )
        seen.append((field, pool.name, rng))
        if pool.subnet_info is not None:
            yield from _subnet_problems(rng, pool.subnet_info, field)
    for k, egress in enumerate(pool.egresses):
        if egress.egress_ip is not None and not any(
            r.contains(ipaddress.ip_address(egress.egress_ip)) for r in pool.ip_ranges
        ):
            yield Problem(
                f"{here}.egresses[{k}].egressIP",
                f"{egress.egress_ip} is not an allocatable address of pool {pool.name} "
                f"({', '.join(map(str, pool.ip_ranges))}; a cidr loses its first and broadcast address)",
                "pick an address inside the pool, or remove egressIP to let Antrea allocate one",
            )


def _subnet_problems(rng: IPRange, info: SubnetInfo, field: str) -> Iterator[Problem]:
    net = info.network()
    first, last = rng.bounds
    if first not in net or last not in net:
        yield Problem(field, f"range {rng} is outside subnetInfo {net}", "move it inside the subnet")
    gateway = ipaddress.ip_address(info.gateway)
    if rng.contains(gateway):
        yield Problem(
            field,
            f"range {rng} contains the gateway {gateway}, which Antrea may allocate (#7868)",
            "use start/end ranges that exclude the gateway",
        )


def _app_problems(c: ClusterSpec, app: AppPolicies, here: str, at: str, *, strict: bool) -> Iterator[Problem]:
    if not strict:
        return
    local = [w for w in c.workloads if w.namespace == app.namespace]
    fix = f"fix the selector, declare the workload under {at}.workloads, or set strict: false"
    for j, policy in enumerate(app.policies):
        field = f"{here}.policies[{j}]"
        if not any(policy.pod_selector.matches(w.labels) for w in local):
            yield Problem(
                f"{field}.podSelector",
                f"selects no declared workload in namespace {app.namespace} ({policy.pod_selector.describe()})",
                fix,
            )
        rules: list[tuple[str, list[PolicyPeer]]] = [
            (f"{field}.ingress[{k}].from", r.from_) for k, r in enumerate(policy.ingress or [])
        ] + [(f"{field}.egress[{k}].to", r.to) for k, r in enumerate(policy.egress or [])]
        for rule_field, peers in rules:
            for m, peer in enumerate(peers):
                if peer.ip_block is None and not any(_peer_selects(peer, app.namespace, w) for w in c.workloads):
                    yield Problem(f"{rule_field}[{m}]", "selects no declared workload", fix)


def _peer_selects(peer: PolicyPeer, namespace: str, workload: Workload) -> bool:
    if peer.namespace_selector is None:
        in_scope = workload.namespace == namespace
    else:
        in_scope = peer.namespace_selector.matches(workload.all_namespace_labels())
    return in_scope and (peer.pod_selector is None or peer.pod_selector.matches(workload.labels))


def _duplicates(names: list[str], field: str, kind: str) -> Iterator[Problem]:
    for name in sorted({n for n in names if names.count(n) > 1}):
        yield Problem(field, f"{kind} name {name!r} is used more than once", "give each one a unique name")


def environment_problems(env: KubeEnvironment) -> list[Problem]:
    problems = list(_duplicates([c.name for c in env.clusters], "clusters", "cluster"))
    for i, cluster in enumerate(env.clusters):
        problems += _cluster_problems(cluster, f"clusters[{i}]", strict=env.strict)
        if cluster.nsx_registration is not None and env.supervisor is None:
            problems.append(
                Problem(
                    f"clusters[{i}].nsxRegistration",
                    "NSX registration is switched on the Supervisor, but the file declares no supervisor",
                    "add `supervisor: {kubeconfig: <stack config key of the Supervisor kubeconfig>}`",
                )
            )
    return problems


# --- loading -----------------------------------------------------------------------------------

_FIXES = {
    "nodeSelector": "add nodeSelector: {} to let every Node host the pool's IPs, or matchLabels for the egress Nodes",
    "ipRanges": "list at least one range: {cidr: 10.0.0.0/28} or {start: 10.0.0.10, end: 10.0.0.20}",
    "appliedTo": "set podSelector and/or namespaceSelector",
}


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after", "function-before") or part.startswith(("function-", "json-or-python")):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _shape_problems(error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        field = _location(item["loc"])
        last = next((str(p) for p in reversed(item["loc"]) if isinstance(p, str)), "")
        message = item["msg"].removeprefix("Value error, ")
        fix = _FIXES.get(last) or "correct the value (field reference: docs/kubernetes.md)"
        if item["type"] == "extra_forbidden":
            fix = "remove it, or check its spelling against docs/kubernetes.md"
        problems.append(Problem(field, message, fix))
    return problems


def parse_environment(data: Any, source: str) -> KubeEnvironment:
    """Validate a decoded document; raise `SpecError` with every problem found."""
    try:
        env = KubeEnvironment.model_validate(data or {})
    except ValidationError as exc:
        raise SpecError(source, _shape_problems(exc)) from None
    problems = environment_problems(env)
    if problems:
        raise SpecError(source, problems)
    return env


def load_environment(path: Path) -> KubeEnvironment:
    """Read and validate one environment file (YAML)."""
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError(str(path), [Problem("(file)", str(exc), "fix the YAML syntax or the path")]) from None
    return parse_environment(data, str(path))


AppliedRanges = Mapping[str, Mapping[str, list[str]]]
"""cluster name -> pool name -> ranges as last applied (strings), e.g. from the stack's outputs."""


def applied_ranges(env: KubeEnvironment) -> dict[str, dict[str, list[str]]]:
    """What this environment applies, in the form `range_update_problems` compares next time."""
    return {c.name: {p.name: [str(r) for r in p.ip_ranges] for p in c.egress_pools} for c in env.clusters}


def range_update_problems(env: KubeEnvironment, previous: AppliedRanges) -> list[Problem]:
    """Existing pool ranges that were changed or removed: Antrea forbids it, only appending is allowed."""
    problems = []
    for i, cluster in enumerate(env.clusters):
        before = previous.get(cluster.name, {})
        for j, pool in enumerate(cluster.egress_pools):
            gone = removed_or_changed(list(before.get(pool.name, [])), pool.ip_ranges)
            if gone:
                problems.append(
                    Problem(
                        f"clusters[{i}].egressPools[{j}].ipRanges",
                        f"existing range(s) {', '.join(gone)} of pool {pool.name} were changed or removed; "
                        "Antrea only allows appending ranges to an ExternalIPPool",
                        "keep the existing ranges and append new ones, or create a new pool under a new "
                        "name and move the Egresses to it",
                    )
                )
    return problems
