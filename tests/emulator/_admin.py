"""Thin wrappers over the emulator's test-only hooks (``/emulator/admin/...``).

These are the only emulator-specific (non-NSX) calls in the suite; everything about
their shape lives here so the NSX-facing tests read as NSX facts.
"""

from __future__ import annotations

from typing import Any

import httpx

from ._nsx import JSON, ok

ADMIN = "/emulator/admin"


def add_vm(
    client: httpx.Client,
    external_id: str,
    *,
    display_name: str | None = None,
    ip_addresses: list[str] | None = None,
    tags: list[JSON] | None = None,
    os_name: str | None = None,
    computer_name: str | None = None,
) -> JSON:
    """Put a VM into the management-plane inventory out of band (as vCenter would);
    ``os_name`` and ``computer_name`` are the guest info that OSName/ComputerName conditions test."""
    body: JSON = {
        "external_id": external_id,
        "display_name": display_name or external_id,
        "ip_addresses": ip_addresses or [],
    }
    if tags is not None:
        body["tags"] = tags
    if os_name is not None:
        body["os_name"] = os_name
    if computer_name is not None:
        body["computer_name"] = computer_name
    resp = ok(client.post(f"{ADMIN}/inventory/virtual-machines", json=body))
    return resp.json() if resp.content else body


def remove_vm(client: httpx.Client, external_id: str) -> None:
    ok(client.delete(f"{ADMIN}/inventory/virtual-machines/{external_id}"), 200, 204)


def add_pod(
    client: httpx.Client,
    cluster_id: str,
    pod_id: str,
    *,
    namespace: str = "default",
    ip_addresses: list[str] | None = None,
    labels: dict[str, str] | None = None,
) -> JSON:
    """Report a pod of an Antrea cluster into the container inventory out of band."""
    body: JSON = {
        "cluster_id": cluster_id,
        "external_id": pod_id,
        "display_name": pod_id,
        "namespace": namespace,
        "ip_addresses": ip_addresses or [],
        "labels": labels or {},
    }
    resp = ok(client.post(f"{ADMIN}/inventory/pods", json=body))
    return resp.json() if resp.content else body


def set_rate_limit(client: httpx.Client, per_second: int | None) -> None:
    """Enable (N per second) or disable (None) the per-client rate limit."""
    ok(client.put(f"{ADMIN}/rate-limit", json={"requests_per_second": per_second}), 200, 204)


def set_faults(client: httpx.Client, **spec: Any) -> None:
    """Configure fault injection (see the emulator's admin module for the fields)."""
    ok(client.put(f"{ADMIN}/faults", json=spec), 200, 204)


def clear_faults(client: httpx.Client) -> None:
    ok(client.delete(f"{ADMIN}/faults"), 200, 204)


def counters(client: httpx.Client) -> JSON:
    data = ok(client.get(f"{ADMIN}/counters"), 200).json()
    assert isinstance(data, dict)
    return data


def reset_counters(client: httpx.Client) -> None:
    ok(client.delete(f"{ADMIN}/counters"), 200, 204)


def set_concurrency_limit(client: httpx.Client, max_in_flight: int | None) -> None:
    """Enable (N outstanding requests) or disable (None) the per-client concurrency limit."""
    ok(client.put(f"{ADMIN}/concurrency-limit", json={"max_in_flight": max_in_flight}), 200, 204)


def set_realization(client: httpx.Client, *, delay_ms: int = 0, overrides: list[JSON] | None = None) -> None:
    """Delay realization, or force a state for intent paths matching a regex."""
    body = {"delay_ms": delay_ms, "overrides": overrides or []}
    ok(client.put(f"{ADMIN}/realization", json=body), 200, 204)


def reset(client: httpx.Client) -> None:
    """Back to a freshly seeded state."""
    ok(client.post(f"{ADMIN}/reset"), 200, 204)


def update_pod(client: httpx.Client, external_id: str, **fields: Any) -> None:
    """Change a pod's labels / IPs out of band (as the Antrea adapter would report)."""
    ok(client.patch(f"{ADMIN}/inventory/pods/{external_id}", json=fields), 200, 204)


def set_cluster_status(client: httpx.Client, ccp_id: str, status: str) -> JSON:
    """Set the Antrea health roll-up NSX reports for a registered cluster control plane."""
    data = ok(client.put(f"{ADMIN}/clusters/{ccp_id}/status", json={"status": status}), 200).json()
    assert isinstance(data, dict)
    return data
