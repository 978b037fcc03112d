"""``ContainerEgress.spec``: the Egress resource as the Antrea adapter reports it, in YAML.

vcf-nsx 9.1.1.0 documents the field as "the yaml definition of ContainerEgress resource, e.g.
yaml definition of kubernetes egress resource". The emulator writes the Antrea Egress
(``crd.antrea.io/v1beta1``, antrea §1.3) its seed record describes: ``metadata`` (name,
labels) and ``spec`` with ``appliedTo`` (a namespace by its ``kubernetes.io/metadata.name``
label, or a namespace selector, and a pod selector), ``egressIP`` and ``externalIPPool``.
That NSX keeps the resource as the cluster holds it, without ``status``, is [INF].
"""

from __future__ import annotations

from typing import Any

import yaml

EGRESS_API_VERSION = "crd.antrea.io/v1beta1"
NS_NAME_LABEL = "kubernetes.io/metadata.name"


def _selector(value: Any) -> dict[str, Any] | None:
    """A LabelSelector from the seed's plain ``{key: value}`` map (or a LabelSelector already)."""
    if not isinstance(value, dict):
        return None
    if set(value) <= {"matchLabels", "matchExpressions"}:
        return dict(value)
    return {"matchLabels": dict(value)}


def applied_to(seed: dict[str, Any]) -> dict[str, Any]:
    """Egress ``spec.appliedTo`` from the seed's ``applied_to`` (``namespace``, ``pod_selector``)."""
    out: dict[str, Any] = {}
    if seed.get("namespace"):
        out["namespaceSelector"] = {"matchLabels": {NS_NAME_LABEL: seed["namespace"]}}
    elif (namespaces := _selector(seed.get("namespace_selector"))) is not None:
        out["namespaceSelector"] = namespaces
    if (pods := _selector(seed.get("pod_selector"))) is not None:
        out["podSelector"] = pods
    return out


def egress_spec(rec: dict[str, Any]) -> str:
    """The YAML ``ContainerEgress.spec`` of an inventory Egress record."""
    spec: dict[str, Any] = {"appliedTo": applied_to(rec.get("applied_to") or {})}
    if rec.get("egress_ip"):
        spec["egressIP"] = rec["egress_ip"]
    if rec.get("external_ip_pool"):
        spec["externalIPPool"] = rec["external_ip_pool"]
    metadata: dict[str, Any] = {"name": rec["name"]}
    if rec.get("labels"):
        metadata["labels"] = dict(rec["labels"])
    resource = {"apiVersion": EGRESS_API_VERSION, "kind": "Egress", "metadata": metadata, "spec": spec}
    return yaml.safe_dump(resource, sort_keys=False)
