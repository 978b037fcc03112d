"""Emulator-only hooks under ``/emulator/admin`` (admin role required).

- ``GET|PUT /rate-limit`` ``{"requests_per_second": N|null}`` (per client, 429, ref §3.3)
- ``GET|PUT /concurrency-limit`` ``{"max_in_flight": N|null}`` (per client, 429)
- ``GET|PUT|DELETE /faults``: one rule ``{"seed": 7, "rate": 0.5, "statuses": [503, 429],
  "methods": ["GET"], "path_regex": "...", "retry_after": 1, "delay_ms": 0, "count": null,
  "after": 0}``
  or ``{"seed": 7, "rules": [rule, ...]}``; statuses are 429, 503, 500, 412, "drop", "delay"
- ``GET|DELETE /counters`` (``POST`` resets too): requests by method and path template
- ``GET|PUT /realization`` ``{"delay_ms": 0, "overrides": [{"path_regex", "state"}]}``
- ``POST /reset`` (``?seed=false`` skips the startup seed): back to a fresh state
- ``POST /inventory``: merge a document in the seed format (:mod:`nsx_emulator.seed`)
- ``POST /inventory/virtual-machines`` ``{external_id, display_name, ip_addresses, tags}``,
  ``DELETE /inventory/virtual-machines/{external_id}``
- ``POST /inventory/pods`` ``{cluster_id, external_id?, display_name, namespace, labels,
  ip_addresses, node?}`` (the cluster and namespace are created if new),
  ``PATCH|DELETE /inventory/pods/{external_id}`` (PATCH replaces the given fields; this is
  how tests change pod labels, which real NSX learns from the Antrea adapter)
- ``POST /inventory/namespaces`` ``{cluster_id, name, labels}``
- ``PUT /clusters/{cluster-control-plane-id}/status`` ``{"status": "HEALTHY"|"DEGRADED"|
  "FAILED"|"UNKNOWN"}``: the roll-up health of a registered cluster (site and enforcement
  point ``default``) that ``GET .../cluster-control-planes/{id}/status`` reports, kept across
  restarts; answers that ``AntreaClusterInfo``. 404 for an unknown cluster, 400 for another
  value (see :mod:`nsx_emulator.cluster_status`)
"""

from __future__ import annotations

from typing import Any

from .cluster_status import check_status, render_status, status_record
from .errors import bad_request, not_found
from .http import Call, Reply, Router
from .inventory import NS_NAME_LABEL, cluster_records, key, namespace_record, pod_record, vm_record
from .policy.defaults import install_defaults
from .seed import CCP_PARENT, apply_seed, load_seed_file
from .store import Store

PREFIX = "/emulator/admin"


def _limit(body: Any, name: str) -> int | None:
    if not isinstance(body, dict) or name not in body:
        raise bad_request(f'Expected {{"{name}": N|null}}.')
    value: int | None = body[name]  # validated by Limits.configure
    return value


def _labels(body: dict[str, Any]) -> dict[str, str] | None:
    labels = body.get("labels")
    if labels is None:
        return None
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise bad_request("labels must map strings to strings.")
    return dict(labels)


async def rate_limit(call: Call) -> Reply:
    if call.method == "PUT":
        call.state.limits.set_rate(_limit(await call.json(), "requests_per_second"))
    return Reply(body={"requests_per_second": call.state.limits.rate})


async def concurrency_limit(call: Call) -> Reply:
    if call.method == "PUT":
        call.state.limits.set_concurrency(_limit(await call.json(), "max_in_flight"))
    return Reply(body={"max_in_flight": call.state.limits.concurrency})


async def faults(call: Call) -> Reply:
    if call.method == "PUT":
        call.state.faults.configure(await call.json())
    elif call.method == "DELETE":
        call.state.faults.clear()
    return Reply(body=call.state.faults.describe())


async def counters(call: Call) -> Reply:
    body = call.state.counters.describe()
    if call.method in ("DELETE", "POST"):
        call.state.counters.reset()
    return Reply(body=body)


async def realization(call: Call) -> Reply:
    if call.method == "PUT":
        call.state.realization.configure(await call.json())
    return Reply(body=call.state.realization.describe())


async def reset(call: Call) -> Reply:
    state = call.state
    state.store.wipe()
    install_defaults(state.store)
    if state.seed_file is not None and call.params.get("seed", "true").lower() != "false":
        apply_seed(state.store, load_seed_file(state.seed_file))
    state.faults.clear()
    state.limits.set_rate(None)
    state.limits.set_concurrency(None)
    state.counters.reset()
    state.realization.configure({})
    state.auth.sessions.clear()
    return Reply(body={"reset": True})


async def inventory(call: Call) -> Reply:
    body = await call.json()
    if not isinstance(body, dict):
        raise bad_request("Expected a document in the seed format.")
    apply_seed(call.state.store, body, user=call.user_name)
    return Reply(body={"ok": True})


async def add_vm(call: Call) -> Reply:
    body = await call.json()
    k, rec = vm_record(body)
    call.state.store.commit({k: rec})
    return Reply(body=rec)


async def remove_vm(call: Call) -> Reply:
    ext = call.path_params["external_id"]
    store = call.state.store
    if store.get(key("vm", ext)) is None:
        raise not_found(f"{PREFIX}/inventory/virtual-machines/{ext}")
    store.commit({key("vm", ext): None})
    return Reply()


def _ensure_cluster(store: Store, cluster: str, namespace: str) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if store.get(key("cluster", cluster)) is None:
        changes.update(cluster_records({"name": cluster}))
    if store.get(key("namespace", cluster, namespace)) is None:
        changes.update(namespace_record(cluster, namespace, {NS_NAME_LABEL: namespace}))
    return changes


def _find_pod(store: Store, external_id: str) -> tuple[str, dict[str, Any]]:
    for k in store.keys_with_prefix("@inv/pod/"):
        rec = store.get(k)
        if rec is not None and rec["external_id"] == external_id:
            return k, rec
    raise not_found(f"{PREFIX}/inventory/pods/{external_id}")


async def add_pod(call: Call) -> Reply:
    body = await call.json()
    if not isinstance(body, dict) or not isinstance(body.get("cluster_id"), str):
        raise bad_request('Expected {"cluster_id", "display_name", "namespace", "labels", ...}.')
    cluster = body["cluster_id"]
    name = body.get("display_name") or body.get("name") or body.get("external_id")
    ns = body.get("namespace") or "default"
    spec = {
        "name": name,
        "namespace": ns,
        "labels": body.get("labels"),
        "ip_addresses": body.get("ip_addresses"),
        "node": body.get("node"),
        "external_id": body.get("external_id"),
    }
    store = call.state.store
    changes = _ensure_cluster(store, cluster, ns)
    records = pod_record(cluster, spec)
    changes.update(records)
    store.commit(changes)
    return Reply(body=next(iter(records.values())))


async def pod(call: Call) -> Reply:
    store = call.state.store
    k, current = _find_pod(store, call.path_params["external_id"])
    if call.method == "DELETE":
        store.commit({k: None})
        return Reply()
    body = await call.json()
    if not isinstance(body, dict):
        raise bad_request('Expected {"labels": {...}, "ip_addresses": [...]}.')
    spec = {
        "name": current["name"],
        "namespace": current["namespace"],
        "labels": current.get("labels"),
        "ip_addresses": current.get("ip_addresses"),
        "node": current.get("node"),
        "external_id": current["external_id"],
    }
    spec.update({f: body[f] for f in ("labels", "ip_addresses", "node") if f in body})
    records = pod_record(current["cluster"], spec)
    store.commit(dict(records))
    return Reply(body=records[k])


async def namespace(call: Call) -> Reply:
    body = await call.json()
    if not isinstance(body, dict) or not isinstance(body.get("cluster_id"), str) or not body.get("name"):
        raise bad_request('Expected {"cluster_id", "name", "labels"}.')
    cluster, ns = body["cluster_id"], str(body["name"])
    labels = _labels(body) or {}
    labels.setdefault(NS_NAME_LABEL, ns)
    store = call.state.store
    changes = _ensure_cluster(store, cluster, ns)
    records = namespace_record(cluster, ns, labels)
    changes.update(records)
    store.commit(changes)
    return Reply(body=next(iter(records.values())))


async def cluster_status(call: Call) -> Reply:
    path = f"{CCP_PARENT}/{call.path_params['cluster_control_plane_id']}"
    store = call.state.store
    if store.get(path) is None:
        raise not_found(path)
    body = await call.json()
    if not isinstance(body, dict) or set(body) != {"status"}:
        raise bad_request('Expected {"status": "HEALTHY"|"DEGRADED"|"FAILED"|"UNKNOWN"}.')
    store.commit(status_record(store, path, check_status(body["status"])))
    return Reply(body=render_status(store, path))


def register(router: Router) -> None:
    router.add(PREFIX + "/rate-limit", {"GET": rate_limit, "PUT": rate_limit})
    router.add(PREFIX + "/concurrency-limit", {"GET": concurrency_limit, "PUT": concurrency_limit})
    router.add(PREFIX + "/faults", {"GET": faults, "PUT": faults, "DELETE": faults})
    router.add(PREFIX + "/counters", {"GET": counters, "DELETE": counters, "POST": counters})
    router.add(PREFIX + "/realization", {"GET": realization, "PUT": realization})
    router.add(PREFIX + "/reset", {"POST": reset})
    router.add(PREFIX + "/inventory", {"POST": inventory})
    router.add(PREFIX + "/inventory/virtual-machines", {"POST": add_vm})
    router.add(PREFIX + "/inventory/virtual-machines/{external_id}", {"DELETE": remove_vm})
    router.add(PREFIX + "/inventory/pods", {"POST": add_pod})
    router.add(PREFIX + "/inventory/pods/{external_id}", {"PATCH": pod, "DELETE": pod})
    router.add(PREFIX + "/inventory/namespaces", {"POST": namespace})
    router.add(PREFIX + "/clusters/{cluster-control-plane-id}/status", {"PUT": cluster_status})
