"""EgressPool: an Antrea ExternalIPPool and the Egresses that SNAT an app's Pods to its addresses.

Typed fields (``EgressPoolArgs(antrea_version=..., ip_ranges=..., egresses=[Egress(...)])``)
or the stack files' validated specs; both go through the same checks before anything exists.

Why a component: the pool and its Egresses are one decision (which Pods leave the cluster with
which source IPs), created in order (pool first, so Antrea's webhook finds it) and deleted in
reverse. Its output, the egress IPs, is what an NSX group of egress IPs is built from later.

Drift handled on purpose (docs/kubernetes.md):
* an Egress that names only its pool gets `spec.egressIP` written by the Antrea controller. We
  never send that field, so under server-side apply it stays the controller's (preview, refresh
  and update leave it alone - the engine test proves this); `ignore_changes` on it additionally
  keeps the engine from ever planning to clear it (e.g. with client-side apply);
* an Egress with `egressIP` pinned sends it, so the controller's write equals ours and the IP is
  known at preview time;
* every API-server default is written out by `zerotrust.kube.manifests` (normal form).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s

from components.kube_provider import managed_metadata
from zerotrust.kube import ClusterSpec, EgressPoolSpec, manifests
from zerotrust.kube.spec import parse_environment
from zerotrust.kube.versions import V1ALPHA2, V1BETA1

CONTROLLER_WRITTEN = "spec.egressIP"


@dataclass(frozen=True)
class Egress:
    """Pods that leave the cluster from one address of the pool (an Antrea Egress)."""

    name: str
    pod_labels: Mapping[str, str] = field(default_factory=dict)
    namespace_labels: Mapping[str, str] = field(default_factory=dict)
    """E.g. ``{"kubernetes.io/metadata.name": "payments"}`` for one namespace."""
    egress_ip: str | None = None
    """Pin the address (inside the pool): known at preview time, so NSX groups can name it."""


@dataclass(frozen=True)
class EgressPoolArgs:
    """The pool as typed fields (``antrea_version``, ``ip_ranges``, ``egresses``), or, from the
    stack files (``kube_environment.py``), the validated ``cluster`` and ``pool`` specs."""

    cluster: ClusterSpec | None = None
    pool: EgressPoolSpec | None = None
    antrea_version: str | None = None
    """The cluster's Antrea version: it picks the apiVersion (and which features exist)."""
    ip_ranges: Sequence[str] = ()
    """CIDRs (``198.51.100.0/28``) or ranges (``198.51.100.10-198.51.100.19``)."""
    egresses: Sequence[Egress] = ()
    node_selector: Mapping[str, str] = field(default_factory=dict)
    """Labels of the Nodes that may hold the addresses; empty means every Node."""
    pool_name: str | None = None
    """The ExternalIPPool's name (default: the component's name)."""

    def specs(self, name: str) -> tuple[ClusterSpec, EgressPoolSpec]:
        """The validated specs; typed fields go through the stack files' checks (shape and
        meaning: an Egress IP outside the pool, features the Antrea version lacks), raising
        ``zerotrust.kube.SpecError`` naming the field and the fix before anything exists."""
        if self.cluster is not None and self.pool is not None:
            return self.cluster, self.pool
        pool: dict[str, Any] = {
            "name": self.pool_name or name,
            "ipRanges": [_range(r) for r in self.ip_ranges],
            "nodeSelector": {"matchLabels": dict(self.node_selector)} if self.node_selector else {},
            "egresses": [_egress(e) for e in self.egresses],
        }
        cluster = {"name": "cluster", "antreaVersion": self.antrea_version or "", "egressPools": [pool]}
        env = parse_environment({"clusters": [cluster]}, f"EgressPool {name!r}")
        return env.clusters[0], env.clusters[0].egress_pools[0]


def _range(value: str) -> dict[str, str] | str:
    if isinstance(value, str) and "-" in value:
        start, end = value.split("-", 1)
        return {"start": start.strip(), "end": end.strip()}
    return {"cidr": value} if isinstance(value, str) else value


def _egress(item: Egress) -> dict[str, Any] | Egress:
    if not isinstance(item, Egress):
        return item  # the shape check names it
    applied: dict[str, Any] = {}
    if item.pod_labels:
        applied["podSelector"] = {"matchLabels": dict(item.pod_labels)}
    if item.namespace_labels:
        applied["namespaceSelector"] = {"matchLabels": dict(item.namespace_labels)}
    body: dict[str, Any] = {"name": item.name, "appliedTo": applied}
    if item.egress_ip is not None:
        body["egressIP"] = item.egress_ip
    return body


def _other_version_alias(api_version: str, kind: str) -> list[pulumi.Input[pulumi.Alias]]:
    """Raising a cluster's Antrea past 1.13 changes the apiVersion (and so the Pulumi type): the
    alias makes that an in-place update of the same object, not a delete-and-recreate."""
    other = V1ALPHA2 if api_version == V1BETA1 else V1BETA1
    return [pulumi.Alias(type_=f"kubernetes:{other}:{kind}")]


def _custom(name: str, manifest: dict[str, Any], opts: pulumi.ResourceOptions) -> k8s.apiextensions.CustomResource:
    alias = pulumi.ResourceOptions(aliases=_other_version_alias(manifest["apiVersion"], manifest["kind"]))
    return k8s.apiextensions.CustomResource(
        name,
        api_version=manifest["apiVersion"],
        kind=manifest["kind"],
        metadata=managed_metadata(manifest["metadata"]),
        spec=manifest["spec"],
        opts=pulumi.ResourceOptions.merge(opts, alias),
    )


def _output(resource: k8s.apiextensions.CustomResource, prop: str) -> pulumi.Output[Any]:
    """A CustomResource output by name: the SDK sets one attribute per property at runtime but
    declares none, because a custom resource's schema is not known to it."""
    return cast("pulumi.Output[Any]", getattr(resource, prop))


class EgressPool(pulumi.ComponentResource):
    """ExternalIPPool + Egresses on one cluster. Outputs: `pool_name`, `ip_ranges`, `egress_ips`."""

    pool_name: pulumi.Output[str]
    ip_ranges: pulumi.Output[list[str]]
    """The pool's ranges (`cidr` or `start-end`), e.g. for an NSX AntreaIPPool group."""
    egress_ips: pulumi.Output[dict[str, str]]
    """`""` for an unpinned Egress until the controller has allocated (then read by refresh)."""

    def __init__(self, name: str, args: EgressPoolArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        cluster, spec = args.specs(name)
        super().__init__("zerotrust:kubernetes:EgressPool", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.external_ip_pool = _custom(name, manifests.external_ip_pool(cluster, spec), child)
        self.egresses: dict[str, k8s.apiextensions.CustomResource] = {}
        for item in spec.egresses:
            pinned = item.egress_ip is not None
            self.egresses[item.name] = _custom(
                f"{name}-{item.name}",
                manifests.egress(cluster, spec, item),
                pulumi.ResourceOptions(
                    parent=self,
                    depends_on=[self.external_ip_pool],
                    ignore_changes=[] if pinned else [CONTROLLER_WRITTEN],
                ),
            )
        self.pool_name = pulumi.Output.from_input(spec.name)
        self.ip_ranges = pulumi.Output.from_input([str(r) for r in spec.ip_ranges])
        names = list(self.egresses)
        self.egress_ips = pulumi.Output.all(*[_output(e, "spec") for e in self.egresses.values()]).apply(
            lambda specs: {n: str((s or {}).get("egressIP") or "") for n, s in zip(names, specs, strict=True)}
        )
        self.register_outputs({"pool_name": self.pool_name, "ip_ranges": self.ip_ranges, "egress_ips": self.egress_ips})
