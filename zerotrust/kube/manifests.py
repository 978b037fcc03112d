"""Kubernetes objects in normal form: exactly what the API server stores back.

Every default the API server (or an Antrea webhook) would fill in is written out here, so the
object we send equals the object we read back and a no-op preview stays empty. The one field we
cannot know in advance - the `spec.egressIP` Antrea's controller allocates for an Egress that
names only its pool - is handled by the component (pin it, or ignore it); see docs/kubernetes.md.
"""

from __future__ import annotations

from typing import Any

from zerotrust.kube.spec import (
    AppPolicies,
    ClusterSpec,
    EgressPoolSpec,
    EgressSpec,
    NetworkPolicySpec,
    PolicyPeer,
    PolicyPort,
)

MANAGED_BY = {"app.kubernetes.io/managed-by": "zerotrust-iac"}


def external_ip_pool(cluster: ClusterSpec, pool: EgressPoolSpec) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "ipRanges": [r.to_wire() for r in pool.ip_ranges],
        "nodeSelector": pool.node_selector.to_wire(),  # `{}` is sent: the schema requires the key
    }
    if pool.subnet_info is not None:
        info = pool.subnet_info
        spec["subnetInfo"] = {"gateway": info.gateway, "prefixLength": info.prefix_length}
        if info.vlan is not None:
            spec["subnetInfo"]["vlan"] = info.vlan
    return {
        "apiVersion": cluster.egress_api_version,
        "kind": "ExternalIPPool",
        "metadata": {"name": pool.name, "labels": dict(MANAGED_BY)},
        "spec": spec,
    }


def egress(cluster: ClusterSpec, pool: EgressPoolSpec, item: EgressSpec) -> dict[str, Any]:
    applied: dict[str, Any] = {}
    if item.applied_to.pod_selector is not None:
        applied["podSelector"] = item.applied_to.pod_selector.to_wire()
    if item.applied_to.namespace_selector is not None:
        applied["namespaceSelector"] = item.applied_to.namespace_selector.to_wire()
    spec: dict[str, Any] = {"appliedTo": applied, "externalIPPool": pool.name}
    if item.egress_ip is not None:
        spec["egressIP"] = item.egress_ip
    return {
        "apiVersion": cluster.egress_api_version,
        "kind": "Egress",
        "metadata": {"name": item.name, "labels": {**MANAGED_BY, "zerotrust.io/egress-pool": pool.name}},
        "spec": spec,
    }


ANTREA_CONFIG_API = "cni.tanzu.vmware.com/v1alpha2"


def antrea_nsx_registration(cluster: ClusterSpec) -> dict[str, Any]:
    """The one field of the Supervisor's AntreaConfig this project owns: `spec.antreaNsx.enable`.

    The object itself belongs to the VKS platform (named `<cluster>-antrea-package`, in the
    cluster's vSphere Namespace); we apply only this field, server-side, and leave the rest alone.
    """
    if cluster.nsx_registration is None:
        raise ValueError(f"cluster {cluster.name} declares no nsxRegistration")
    return {
        "apiVersion": ANTREA_CONFIG_API,
        "kind": "AntreaConfig",
        "metadata": {
            "name": f"{cluster.name}-antrea-package",
            "namespace": cluster.nsx_registration.vsphere_namespace,
        },
        "spec": {"antreaNsx": {"enable": cluster.nsx_registration.enabled}},
    }


def _port(port: PolicyPort) -> dict[str, Any]:
    wire: dict[str, Any] = {"protocol": port.protocol}  # the API server defaults TCP: say it
    if port.port is not None:
        wire["port"] = port.port
    if port.end_port is not None:
        wire["endPort"] = port.end_port
    return wire


def _peer(peer: PolicyPeer) -> dict[str, Any]:
    if peer.ip_block is not None:
        block: dict[str, Any] = {"cidr": peer.ip_block.cidr}
        if peer.ip_block.except_:
            block["except"] = list(peer.ip_block.except_)
        return {"ipBlock": block}
    wire: dict[str, Any] = {}
    if peer.pod_selector is not None:
        wire["podSelector"] = peer.pod_selector.to_wire()
    if peer.namespace_selector is not None:
        wire["namespaceSelector"] = peer.namespace_selector.to_wire()
    return wire


def network_policy(app: AppPolicies, policy: NetworkPolicySpec) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "podSelector": policy.pod_selector.to_wire(),
        "policyTypes": policy.policy_types(),
    }
    # An empty rule list (deny all in that direction) is carried by policyTypes alone: the API
    # server drops empty lists (omitempty), so sending one would read back as a change.
    if policy.ingress:
        spec["ingress"] = [
            {
                **({"from": [_peer(p) for p in rule.from_]} if rule.from_ else {}),
                **({"ports": [_port(p) for p in rule.ports]} if rule.ports else {}),
            }
            for rule in policy.ingress
        ]
    if policy.egress:
        spec["egress"] = [
            {
                **({"to": [_peer(p) for p in rule.to]} if rule.to else {}),
                **({"ports": [_port(p) for p in rule.ports]} if rule.ports else {}),
            }
            for rule in policy.egress
        ]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": policy.name,
            "namespace": app.namespace,
            "labels": {**MANAGED_BY, "app.kubernetes.io/part-of": app.app},
        },
        "spec": spec,
    }
