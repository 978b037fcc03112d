"""Realization state (ref §8).

Every intent is realized at once unless a test asks otherwise through the admin
hooks: a delay (objects stay ``UNREALIZED`` / ``IN_PROGRESS`` until that long after
their last change) or a per-path override (e.g. ``ERROR``). Entity ``state`` takes
only ``UNAVAILABLE|UNREALIZED|REALIZED|ERROR`` (ref §12.4), and so does the status's
``publish_status`` (vcf-nsx 9.1.1.0 ``ConsolidatedRealizedStatus``); the consolidated
status uses ``SUCCESS|IN_PROGRESS|ERROR|UNKNOWN`` ([UNV] beyond SUCCESS).
An intent path with no object has no realized entities (an empty list, which
clients read as "not yet"); its status is a 404.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_request, not_found
from .policy.kinds import kind_of_path
from .store import Store

Obj = dict[str, Any]
ENTITY_TYPES = {
    "Group": "RealizedGroup",
    "SecurityPolicy": "RealizedFirewallSection",
    "Rule": "RealizedFirewallRule",
    "Service": "RealizedService",
    "ServiceEntry": "RealizedServiceEntry",
    "Domain": "RealizedDomain",
    "SecurityPolicyContainerCluster": "RealizedContainerClusterSpan",
    "ClusterControlPlane": "RealizedClusterControlPlane",
    "PolicyContextProfile": "RealizedContextProfile",
}
STATES = ("UNAVAILABLE", "UNREALIZED", "REALIZED", "ERROR")
CONSOLIDATED = {
    "REALIZED": "SUCCESS",
    "UNREALIZED": "IN_PROGRESS",
    "ERROR": "ERROR",
    "UNAVAILABLE": "UNKNOWN",
}
SITE = "/infra/sites/default"
ENFORCEMENT_POINT = SITE + "/enforcement-points/default"
#: consolidated status -> runtime state of ``EnforcedStatusNsxt.status`` (vcf-nsx 9.1.1.0)
ENFORCED = {"SUCCESS": "SUCCESS", "IN_PROGRESS": "IN_PROGRESS", "ERROR": "FAILURE", "UNKNOWN": "UNKNOWN"}


@dataclass
class RealizationControl:
    delay_ms: int = 0
    overrides: list[tuple[re.Pattern[str], str]] = field(default_factory=list)

    def configure(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise bad_request('Expected {"delay_ms": int, "overrides": [{"path_regex", "state"}]}.')
        overrides = []
        for o in body.get("overrides") or []:
            state = o.get("state") if isinstance(o, dict) else None
            if state not in STATES:
                raise bad_request(f"state must be one of {', '.join(STATES)}.")
            try:
                overrides.append((re.compile(str(o.get("path_regex", ".*"))), state))
            except re.error as exc:
                raise bad_request(f"Invalid path_regex: {exc}.") from None
        self.delay_ms = int(body.get("delay_ms", 0))
        self.overrides = overrides

    def describe(self) -> Obj:
        return {
            "delay_ms": self.delay_ms,
            "overrides": [{"path_regex": p.pattern, "state": s} for p, s in self.overrides],
        }

    def state_of(self, path: str, obj: Obj) -> str:
        for pattern, state in self.overrides:
            if pattern.search(path):
                return state
        if self.delay_ms and int(time.time() * 1000) < int(obj.get("_last_modified_time", 0)) + self.delay_ms:
            return "UNREALIZED"
        return "REALIZED"


def realized_entities(store: Store, control: RealizationControl, intent_path: str) -> list[Obj]:
    obj = store.get(intent_path)
    kind = kind_of_path(intent_path)
    if obj is None or kind is None:
        return []
    state = control.state_of(intent_path, obj)
    entity: Obj = {
        "resource_type": "GenericPolicyRealizedResource",
        "id": obj["unique_id"],
        "display_name": obj.get("display_name", obj["id"]),
        "path": f"{ENFORCEMENT_POINT}/realized-entities/{obj['unique_id']}",
        "parent_path": ENFORCEMENT_POINT,
        "state": state,
        "entity_type": ENTITY_TYPES.get(kind.name, "Realized" + kind.name),
        "realization_specific_identifier": obj["unique_id"],
        "intent_reference": [intent_path],
        "realization_api": "",
        "runtime_status": "UNINITIALIZED",
        "publish_status": "SUCCESS" if state == "REALIZED" else ("ERROR" if state == "ERROR" else "IN_PROGRESS"),
        "alarms": [],
        "extended_attributes": [],
        "_last_modified_time": obj.get("_last_modified_time"),
    }
    if state == "ERROR":
        entity["alarms"] = [
            {
                "message": "Realization failed (injected by the emulator).",
                "error_details": {
                    "error_code": 500,
                    "module_name": "Policy",
                    "error_message": "Realization failed.",
                },
            }
        ]
    return [entity]


def consolidated_status(
    store: Store, control: RealizationControl, intent_path: str, *, include_enforced_status: bool = False
) -> Obj:
    """A ``ConsolidatedRealizedStatus`` (vcf-nsx 9.1.1.0): ``publish_status`` takes the
    realization states, and each per-enforcement-point entry names its type in
    ``resource_type``: ``ConsolidatedStatusPerEnforcementPoint``, or
    ``ConsolidatedStatusNsxT`` with ``enforced_status`` when ``include_enforced_status=true``."""
    obj = store.get(intent_path)
    if obj is None:
        raise not_found(intent_path)
    state = control.state_of(intent_path, obj)
    status = CONSOLIDATED[state]
    per_point: Obj = {
        "resource_type": "ConsolidatedStatusPerEnforcementPoint",
        "site_path": SITE,
        "enforcement_point_id": ENFORCEMENT_POINT.rsplit("/", 1)[1],
        "enforcement_point_path": ENFORCEMENT_POINT,
        "consolidated_status": {"consolidated_status": status},
    }
    if include_enforced_status:
        per_point["resource_type"] = "ConsolidatedStatusNsxT"
        per_point["enforced_status"] = {
            "enforced_status_info": {"enforced_status": {"status": ENFORCED[status]}, "enforced_status_per_scope": []}
        }
    return {
        "intent_path": intent_path,
        "consolidated_status": {"consolidated_status": status},
        "consolidated_status_per_enforcement_point": [per_point],
        "publish_status": state,
    }
