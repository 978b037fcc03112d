"""Antrea cluster health: ``GET <ccp path>/status`` returns an ``AntreaClusterInfo``
(vcf-nsx 9.1.1.0 SDK: ``cluster_control_planes.Status``, model ``AntreaClusterInfo``),
and the emulator-only ways a test makes a cluster unhealthy (seed ``status:`` and
``PUT /emulator/admin/clusters/{id}/status``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tests.support.emulator_process import RunningEmulator, start_emulator

from . import _admin
from ._nsx import (
    EP,
    JSON,
    P,
    assert_nsx_error,
    ccp_path,
    delete,
    get,
    get_json,
    make_client,
    ok,
    put,
    uid,
)

pytestmark = pytest.mark.conformance("cluster_status")

STATUSES = ("HEALTHY", "DEGRADED", "FAILED", "UNKNOWN")
"""vcf-nsx AntreaClusterInfo / AntreaControllerStatus / AntreaAdapterStatus: status enum."""

CLUSTER_INFO_FIELDS = {"status", "controller_status", "mp_adapter_status", "ccp_adapter_status", "agent_info"}
CONTROLLER_FIELDS = {"status", "connected_agent_num", "conditions"}
ADAPTER_FIELDS = {"status", "conditions"}
AGENT_FIELDS = {"healthy_agent_num", "degraded_agent_num", "failed_agent_num"}
CONDITION_FIELDS = {"condition_type", "last_heartbeat_time", "status", "reason", "message"}
CONDITION_TYPES = {
    "CONTROLLER_HEALTHY",
    "MP_ADAPTER_HEALTHY",
    "MP_CONNECTED",
    "CCP_ADAPTER_HEALTHY",
    "CCP_SESSION_STATE_UP",
}
POLICY_RESOURCE_FIELDS = {
    "resource_type",
    "path",
    "parent_path",
    "relative_path",
    "marked_for_delete",
    "overridden",
    "id",
    "display_name",
    "unique_id",
}

SEEDED_DEGRADED = "seeded-degraded"
SEEDED_HEALTHY = "seeded-healthy"
SEEDED_CUSTOM_ID = "seeded-ccp-custom"


def _register(nsx: httpx.Client) -> str:
    cid = uid("ccp")
    ok(put(nsx, ccp_path(cid), {"resource_type": "ClusterControlPlane", "id": cid, "display_name": cid}))
    return cid


def _status(client: httpx.Client, cid: str) -> JSON:
    return get_json(client, f"{ccp_path(cid)}/status")


def _check_shape(info: JSON, cid: str) -> None:
    """vcf-nsx AntreaClusterInfo and its parts: only documented field names, enums in range."""
    assert info["resource_type"] == "AntreaClusterInfo"
    documented = CLUSTER_INFO_FIELDS | POLICY_RESOURCE_FIELDS
    assert set(info) <= documented, set(info) - documented
    assert set(info) >= CLUSTER_INFO_FIELDS
    assert info["parent_path"] == ccp_path(cid)
    assert info["path"] == f"{ccp_path(cid)}/status"
    assert info["status"] in STATUSES
    assert set(info["controller_status"]) == CONTROLLER_FIELDS
    assert set(info["mp_adapter_status"]) == ADAPTER_FIELDS
    assert set(info["ccp_adapter_status"]) == ADAPTER_FIELDS
    assert set(info["agent_info"]) == AGENT_FIELDS
    assert all(type(v) is int and v >= 0 for v in info["agent_info"].values())
    assert type(info["controller_status"]["connected_agent_num"]) is int
    for part in ("controller_status", "mp_adapter_status", "ccp_adapter_status"):
        assert info[part]["status"] in STATUSES
        for cond in info[part]["conditions"]:
            assert set(cond) <= CONDITION_FIELDS, cond
            assert cond["condition_type"] in CONDITION_TYPES
            assert cond["status"] in ("HEALTHY", "UNHEALTHY")


def _components(info: JSON) -> tuple[str, str, str]:
    return (
        info["controller_status"]["status"],
        info["mp_adapter_status"]["status"],
        info["ccp_adapter_status"]["status"],
    )


# --------------------------------------------------------------------------- shared emulator


def test_registered_cluster_is_healthy_by_default(nsx: httpx.Client) -> None:
    """vcf-nsx AntreaClusterInfo: GET /infra/sites/{site}/enforcement-points/{ep}/
    cluster-control-planes/{id}/status returns the roll-up and component statuses; a
    cluster nothing is wrong with is HEALTHY throughout."""
    cid = _register(nsx)
    info = _status(nsx, cid)
    _check_shape(info, cid)
    assert info["status"] == "HEALTHY"
    assert _components(info) == ("HEALTHY", "HEALTHY", "HEALTHY")
    assert info["agent_info"]["degraded_agent_num"] == info["agent_info"]["failed_agent_num"] == 0
    for part in ("controller_status", "mp_adapter_status", "ccp_adapter_status"):
        assert {c["status"] for c in info[part]["conditions"]} <= {"HEALTHY"}


def test_hook_sets_failed(nsx: httpx.Client) -> None:
    """vcf-nsx AntreaClusterInfo: status is the roll-up of the components; a FAILED
    cluster has a FAILED controller (its CONTROLLER_ condition UNHEALTHY)."""
    cid = _register(nsx)
    answered = _admin.set_cluster_status(nsx, cid, "FAILED")
    info = _status(nsx, cid)
    _check_shape(info, cid)
    assert answered["status"] == info["status"] == "FAILED"
    assert info["controller_status"]["status"] == "FAILED"
    assert "UNHEALTHY" in {c["status"] for c in info["controller_status"]["conditions"]}


def test_hook_sets_degraded_then_healthy_again(nsx: httpx.Client) -> None:
    """vcf-nsx AntreaClusterInfo: DEGRADED is a roll-up value; the component that makes it
    so is DEGRADED and none is worse. Setting HEALTHY restores every component."""
    cid = _register(nsx)
    _admin.set_cluster_status(nsx, cid, "DEGRADED")
    info = _status(nsx, cid)
    _check_shape(info, cid)
    assert info["status"] == "DEGRADED"
    assert "DEGRADED" in _components(info)
    assert not {"FAILED", "UNKNOWN"} & set(_components(info))
    _admin.set_cluster_status(nsx, cid, "HEALTHY")
    info = _status(nsx, cid)
    assert info["status"] == "HEALTHY"
    assert _components(info) == ("HEALTHY", "HEALTHY", "HEALTHY")


def test_hook_sets_unknown(nsx: httpx.Client) -> None:
    """vcf-nsx AntreaClusterInfo: 'If lose connection, status will be UNKNOWN' - and so
    are the components; connected_agent_num is then meaningless (AntreaControllerStatus)."""
    cid = _register(nsx)
    _admin.set_cluster_status(nsx, cid, "UNKNOWN")
    info = _status(nsx, cid)
    _check_shape(info, cid)
    assert info["status"] == "UNKNOWN"
    assert _components(info) == ("UNKNOWN", "UNKNOWN", "UNKNOWN")


def test_status_of_other_cluster_untouched(nsx: httpx.Client) -> None:
    """Emulator contract: the health is per cluster control plane."""
    sick, well = _register(nsx), _register(nsx)
    _admin.set_cluster_status(nsx, sick, "FAILED")
    assert _status(nsx, well)["status"] == "HEALTHY"


def test_reregistered_cluster_starts_healthy(nsx: httpx.Client) -> None:
    """Emulator contract: deleting a cluster control plane forgets its health; the same id
    registered again is a new cluster and HEALTHY."""
    cid = _register(nsx)
    _admin.set_cluster_status(nsx, cid, "FAILED")
    ok(delete(nsx, ccp_path(cid)), 200)
    ok(put(nsx, ccp_path(cid), {"resource_type": "ClusterControlPlane", "id": cid}))
    assert _status(nsx, cid)["status"] == "HEALTHY"


def test_unknown_cluster_is_404(nsx: httpx.Client) -> None:
    """vcf-nsx cluster_control_planes Status.get raises ApiError (404 among its codes);
    ref §1.3 / §3.1: a missing object is 404 with an NSX-shaped body."""
    missing = uid("nope")
    assert_nsx_error(get(nsx, f"{ccp_path(missing)}/status"), 404)
    assert_nsx_error(
        get(nsx, f"/infra/sites/nosite/enforcement-points/default/cluster-control-planes/{missing}/status"), 404
    )


def test_status_is_read_only(nsx: httpx.Client) -> None:
    """vcf-nsx cluster_control_planes.Status has only get (GET); other methods -> 405 with
    an NSX body (ref §3.1)."""
    cid = _register(nsx)
    url = f"{P}{ccp_path(cid)}/status"
    assert_nsx_error(nsx.put(url, json={"status": "FAILED"}), 405)
    assert_nsx_error(nsx.patch(url, json={"status": "FAILED"}), 405)
    assert_nsx_error(nsx.delete(url), 405)
    assert _status(nsx, cid)["status"] == "HEALTHY"


def test_hook_unknown_cluster_is_404(nsx: httpx.Client) -> None:
    """Emulator contract: the health hook needs a registered cluster control plane (404, NSX body)."""
    resp = nsx.put(f"{_admin.ADMIN}/clusters/{uid('nope')}/status", json={"status": "FAILED"})
    assert_nsx_error(resp, 404)


@pytest.mark.parametrize(
    "body",
    [{"status": "BROKEN"}, {"status": "failed"}, {"status": None}, {}, {"state": "FAILED"}, ["FAILED"]],
)
def test_hook_rejects_bad_status(nsx: httpx.Client, body: object) -> None:
    """vcf-nsx AntreaClusterInfo status enum is HEALTHY|DEGRADED|FAILED|UNKNOWN; the hook
    rejects anything else with 400 and an NSX body, and the health stays as it was."""
    cid = _register(nsx)
    _admin.set_cluster_status(nsx, cid, "DEGRADED")
    assert_nsx_error(nsx.put(f"{_admin.ADMIN}/clusters/{cid}/status", json=body), 400)
    assert _status(nsx, cid)["status"] == "DEGRADED"


def test_auditor_reads_status_but_cannot_set_it(nsx: httpx.Client, auditor: httpx.Client) -> None:
    """ref §9: the read-only auditor may GET the status; the test hooks are admin only
    (403, NSX body) and the health stays as it was."""
    cid = _register(nsx)
    _admin.set_cluster_status(nsx, cid, "DEGRADED")
    assert _status(auditor, cid)["status"] == "DEGRADED"
    resp = auditor.put(f"{_admin.ADMIN}/clusters/{cid}/status", json={"status": "HEALTHY"})
    assert_nsx_error(resp, 403)
    assert _status(nsx, cid)["status"] == "DEGRADED"


def test_inventory_hook_takes_seed_status(nsx: httpx.Client) -> None:
    """Emulator contract: POST /emulator/admin/inventory takes the seed format, ``status``
    included; a bad value is a 400 and registers nothing."""
    name = uid("inv")
    doc = {"clusters": [{"name": name, "status": "FAILED", "nodes": [{"name": f"{name}-n1"}]}]}
    ok(nsx.post(f"{_admin.ADMIN}/inventory", json=doc))
    info = _status(nsx, name)
    assert info["status"] == "FAILED"
    assert info["agent_info"]["degraded_agent_num"] + info["agent_info"]["failed_agent_num"] == 1
    bad = uid("inv")
    resp = nsx.post(f"{_admin.ADMIN}/inventory", json={"clusters": [{"name": bad, "status": "SICK"}]})
    assert_nsx_error(resp, 400)
    assert_nsx_error(get(nsx, ccp_path(bad)), 404)


# --------------------------------------------------------------------------- seeded emulator


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """A private emulator started from a seed whose clusters carry ``status``."""
    workdir: Path = tmp_path_factory.mktemp("cluster-status-seed")
    seed = workdir / "seed.yaml"
    nodes = [{"name": f"n{i}", "ip_addresses": [f"10.0.0.{i}"], "pod_cidrs": [f"10.244.{i}.0/24"]} for i in (1, 2, 3)]
    seed.write_text(
        yaml.safe_dump(
            {
                "clusters": [
                    {"name": SEEDED_DEGRADED, "status": "DEGRADED", "nodes": nodes},
                    {"name": SEEDED_HEALTHY, "nodes": nodes[:2]},
                    {"name": "seeded-custom", "cluster_control_plane": {"id": SEEDED_CUSTOM_ID}, "status": "UNKNOWN"},
                ]
            }
        )
    )
    emu = start_emulator(workdir, seed=seed)
    try:
        yield emu
    finally:
        emu.stop()


def test_seed_status(seeded: RunningEmulator) -> None:
    """Emulator contract (seed format): a cluster's ``status`` is what the vcf-nsx
    AntreaClusterInfo roll-up reports; without it the cluster is HEALTHY, with one healthy
    agent per node (AntreaAgentsInfo healthy_agent_num)."""
    with make_client(seeded) as client:
        degraded = _status(client, SEEDED_DEGRADED)
        _check_shape(degraded, SEEDED_DEGRADED)
        assert degraded["status"] == "DEGRADED"
        assert "DEGRADED" in _components(degraded)
        healthy = _status(client, SEEDED_HEALTHY)
        assert healthy["status"] == "HEALTHY"
        assert healthy["agent_info"] == {"healthy_agent_num": 2, "degraded_agent_num": 0, "failed_agent_num": 0}
        assert healthy["controller_status"]["connected_agent_num"] == 2
        custom = _status(client, SEEDED_CUSTOM_ID)
        assert custom["status"] == "UNKNOWN"
        assert custom["parent_path"] == f"{EP}/cluster-control-planes/{SEEDED_CUSTOM_ID}"


def test_status_survives_restart_and_reset_restores_seed(seeded: RunningEmulator) -> None:
    """Emulator contract: the health is persistent state (kept across restarts, like every
    acknowledged write); the admin reset goes back to the seed's statuses."""
    with make_client(seeded) as client:
        _admin.set_cluster_status(client, SEEDED_HEALTHY, "FAILED")
    seeded.restart()
    with make_client(seeded) as client:
        assert _status(client, SEEDED_HEALTHY)["status"] == "FAILED"
        _admin.reset(client)
        assert _status(client, SEEDED_HEALTHY)["status"] == "HEALTHY"
        assert _status(client, SEEDED_DEGRADED)["status"] == "DEGRADED"
