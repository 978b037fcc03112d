"""Antrea cluster health: ``GET .../cluster-control-planes/{id}/status`` (vcf-nsx 9.1.1.0).

The SDK (``cluster_control_planes.Status``, operation ``policy_lm_read_antrea_status``)
returns an ``AntreaClusterInfo``: a roll-up ``status`` plus ``controller_status``
(``AntreaControllerStatus``: status, connected_agent_num, conditions),
``mp_adapter_status`` and ``ccp_adapter_status`` (``AntreaAdapterStatus``: status,
conditions) and ``agent_info`` (``AntreaAgentsInfo``: healthy/degraded/failed_agent_num).
Every status takes ``HEALTHY|DEGRADED|FAILED|UNKNOWN``; "if lose connection, status
will be UNKNOWN". Conditions are ``ComponentConditionItem`` (condition_type,
last_heartbeat_time in ms, status ``HEALTHY|UNHEALTHY``, reason, message); the
controller's carry a ``CONTROLLER_`` prefix, the adapters' ``MP_``/``CCP_``.

Real NSX learns the health from the Antrea adapters; the emulator keeps the roll-up a
test chose (seed ``status:`` or the admin hook) under ``@meta/cluster-status<ccp path>``
and derives the components from it. A registered cluster without a record is HEALTHY.
The record remembers the cluster's ``unique_id``, so a cluster deleted and registered
again starts HEALTHY. Components per roll-up ([INF], the SDK gives no mapping):

=========  ==========  ========  ====================  =================
roll-up    controller  adapters  agents (n nodes)      connected agents
=========  ==========  ========  ====================  =================
HEALTHY    HEALTHY     HEALTHY   n healthy             n
DEGRADED   DEGRADED    HEALTHY   n healthy             n
FAILED     FAILED      HEALTHY   n degraded            0
UNKNOWN    UNKNOWN     UNKNOWN   0 / 0 / 0             0 (meaningless)
=========  ==========  ========  ====================  =================

``n`` counts the inventory nodes of the cluster whose name or external id equals the
control plane's id or ``node_id`` (the seed registers clusters that way); 0 otherwise.
The reply's ``id``/``display_name`` are not documented for this sub-resource and are
left out; ``path`` is the status URL's policy path, ``parent_path`` the cluster's.
"""

from __future__ import annotations

import time
from typing import Any

from .errors import bad_request
from .inventory import Inventory, key
from .store import Store

Obj = dict[str, Any]
STATUSES = ("HEALTHY", "DEGRADED", "FAILED", "UNKNOWN")
DEFAULT_STATUS = "HEALTHY"
META_PREFIX = "@meta/cluster-status"


def status_key(ccp_path: str) -> str:
    return META_PREFIX + ccp_path


def check_status(value: Any, where: str = "status") -> str:
    """The roll-up status, or a 400 naming the allowed values."""
    if not isinstance(value, str) or value not in STATUSES:
        raise bad_request(f"{where}: invalid value {value!r}; expected one of {', '.join(STATUSES)}.")
    return value


def status_record(store: Store, ccp_path: str, status: str) -> dict[str, Obj | None]:
    """The store change that sets the cluster's roll-up (the cluster must exist)."""
    ccp = store.get(ccp_path)
    assert ccp is not None, ccp_path
    rec = {"status": check_status(status), "unique_id": ccp.get("unique_id"), "since": _now_ms()}
    return {status_key(ccp_path): rec}


def current_status(store: Store, ccp_path: str) -> str:
    ccp = store.get(ccp_path)
    rec = store.get(status_key(ccp_path))
    if ccp is None or rec is None or rec.get("unique_id") != ccp.get("unique_id"):
        return DEFAULT_STATUS
    status = rec.get("status")
    return status if status in STATUSES else DEFAULT_STATUS


def node_count(store: Store, ccp: Obj) -> int:
    names = {ccp.get("id"), ccp.get("node_id"), ccp.get("path", "").rsplit("/", 1)[-1]} - {None, ""}
    for cluster in Inventory(store).records("cluster"):
        if cluster.get("name") in names or cluster.get("external_id") in names:
            return sum(1 for _ in store.keys_with_prefix(key("node", cluster["name"]) + "/"))
    return 0


def _now_ms() -> int:
    return int(time.time() * 1000)


def _condition(kind: str, healthy: bool, now: int, reason: str) -> Obj:
    item: Obj = {
        "condition_type": kind,
        "last_heartbeat_time": now,
        "status": "HEALTHY" if healthy else "UNHEALTHY",
    }
    if not healthy:
        item["reason"] = reason
        item["message"] = f"{kind} is not healthy (set by the emulator)."
    return item


def render_status(store: Store, ccp_path: str) -> Obj:
    """The ``AntreaClusterInfo`` of an existing cluster control plane."""
    ccp = store.get(ccp_path)
    assert ccp is not None, ccp_path
    rollup = current_status(store, ccp_path)
    nodes = node_count(store, ccp)
    now = _now_ms()
    if rollup == "UNKNOWN":
        controller: Obj = {"status": "UNKNOWN", "connected_agent_num": 0, "conditions": []}
        mp: Obj = {"status": "UNKNOWN", "conditions": []}
        ccp_adapter: Obj = {"status": "UNKNOWN", "conditions": []}
        agents = {"healthy_agent_num": 0, "degraded_agent_num": 0, "failed_agent_num": 0}
    else:
        failed = rollup == "FAILED"
        controller = {
            "status": rollup,
            "connected_agent_num": 0 if failed else nodes,
            "conditions": [_condition("CONTROLLER_HEALTHY", rollup == "HEALTHY", now, f"Controller{rollup.title()}")],
        }
        mp = {
            "status": "HEALTHY",
            "conditions": [
                _condition("MP_ADAPTER_HEALTHY", True, now, ""),
                _condition("MP_CONNECTED", True, now, ""),
            ],
        }
        ccp_adapter = {
            "status": "HEALTHY",
            "conditions": [
                _condition("CCP_ADAPTER_HEALTHY", True, now, ""),
                _condition("CCP_SESSION_STATE_UP", True, now, ""),
            ],
        }
        agents = {
            "healthy_agent_num": 0 if failed else nodes,
            "degraded_agent_num": nodes if failed else 0,
            "failed_agent_num": 0,
        }
    return {
        "resource_type": "AntreaClusterInfo",
        "path": ccp_path + "/status",
        "parent_path": ccp_path,
        "relative_path": "status",
        "marked_for_delete": False,
        "overridden": False,
        "status": rollup,
        "controller_status": controller,
        "mp_adapter_status": mp,
        "ccp_adapter_status": ccp_adapter,
        "agent_info": agents,
    }
