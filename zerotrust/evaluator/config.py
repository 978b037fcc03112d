"""The evaluator's input: desired NSX objects, Kubernetes manifests and the inventory.

Why this shape: the lead's stack feeds the same models the providers use (``zerotrust.models``),
and a config file is the emulator's seed file (``virtual_machines``, ``clusters``,
``objects: [{path, body}]``) plus ``kubernetes: {<cluster>: [manifests]}``, so one file
drives the emulator demo and the evaluator. Objects are read tolerantly (``from_live``):
the evaluator must *report* problems such as equal sequence numbers, not refuse to load.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from zerotrust.evaluator.inventory import Inventory, load_inventory
from zerotrust.models import Group, SecurityPolicy, Service

__all__ = ["PolicyConfig", "default_section", "load_config", "load_config_file"]


@dataclass(frozen=True)
class PolicyConfig:
    """Everything one evaluation needs; paths default to domain ``default``."""

    inventory: Inventory
    groups: Sequence[Group] = ()
    policies: Sequence[SecurityPolicy] = ()
    services: Sequence[Service] = ()
    spans: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Policy path -> cluster-control-plane paths (``container-cluster-span`` children)."""
    kubernetes: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    """Cluster name -> manifests: NetworkPolicy, Antrea ClusterNetworkPolicy/NetworkPolicy, Tier."""
    domain: str = "default"

    def group_path(self, group: Group) -> str:
        """The group's path (its own, or derived from its id)."""
        return group.path or f"/infra/domains/{self.domain}/groups/{group.id}"

    def service_path(self, service: Service) -> str:
        """The service's path (its own, or derived from its id)."""
        return service.path or f"/infra/services/{service.id}"


DEFAULT_SEQUENCE = 2**31 - 1
"""NSX's default layer-3 section and rule sit last (sequence_number int32 max, ref §5.3)."""


def default_section(action: str, domain: str = "default") -> dict[str, Any]:
    """The seed-format ``objects`` entry of NSX's default layer-3 section with ``action``.

    Configs must carry it explicitly: the evaluator reads the default action, never assumes it.
    """
    rule = {
        "id": "default-layer3-rule",
        "sequence_number": DEFAULT_SEQUENCE,
        "action": action,
        "source_groups": ["ANY"],
        "destination_groups": ["ANY"],
    }
    body = {"category": "Application", "sequence_number": DEFAULT_SEQUENCE, "is_default": True, "rules": [rule]}
    return {"path": f"/infra/domains/{domain}/security-policies/default-layer3-section", "body": body}


def load_config(data: Mapping[str, Any]) -> PolicyConfig:
    """From a seed-format mapping; ``objects`` entries become groups, policies, rules, services, spans."""
    groups: list[Group] = []
    policies: dict[str, dict[str, Any]] = {}
    rules: dict[str, list[dict[str, Any]]] = {}
    services: list[Service] = []
    spans: dict[str, list[str]] = {}
    for item in data.get("objects") or []:
        path = str(item["path"])
        body = dict(item.get("body") or {})
        body.setdefault("id", path.rsplit("/", 1)[-1])
        body["path"] = path
        parts = path.strip("/").split("/")
        if len(parts) == 5 and parts[3] == "groups":
            groups.append(Group.from_live(body))
        elif len(parts) == 5 and parts[3] == "security-policies":
            policies[path] = body
        elif len(parts) == 7 and parts[3] == "security-policies" and parts[5] == "rules":
            rules.setdefault("/" + "/".join(parts[:5]), []).append(body)
        elif len(parts) == 7 and parts[5] == "container-cluster-span":
            spans.setdefault("/" + "/".join(parts[:5]), []).append(str(body["container_cluster_path"]))
        elif len(parts) == 3 and parts[1] == "services":
            services.append(Service.from_live(body))
    built = []
    for path, policy_body in policies.items():
        whole = dict(policy_body)
        whole["rules"] = [
            {"path": f"{path}/rules/{r.get('id')}", **r} for r in list(whole.get("rules") or []) + rules.get(path, [])
        ]
        built.append(SecurityPolicy.from_live(whole))
    for path in rules.keys() - policies.keys():
        raise ValueError(f"rules under {path} but no such security policy in objects")
    kubernetes = {str(k): list(v or []) for k, v in (data.get("kubernetes") or {}).items()}
    return PolicyConfig(load_inventory(data), groups, built, services, spans, kubernetes)


def load_config_file(path: Path) -> PolicyConfig:
    """YAML or JSON file in the seed format."""
    text = path.read_text()
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the configuration must be a mapping")
    return load_config(data)
