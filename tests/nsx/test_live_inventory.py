"""The live inventory read against the emulator over HTTPS, started from the demo seed.

What NSX holds must come back exactly as the seed put it (VMs, tags, IPs, pods, labels, node
IPs, Egress IPs and the pods they apply to), in a fixed number of GETs, and nothing else is sent.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.emulator_process import RunningEmulator, start_emulator
from tests.support.nsx_stack import requests_since_reset, reset_counters
from zerotrust.evaluator.inventory import Inventory, load_inventory
from zerotrust.evaluator.selectors import selector_matches
from zerotrust.nsx import NsxClient, NsxConfig, Secret
from zerotrust.nsx.inventory import INVENTORY_READS, MP_LISTS, read_inventory
from zerotrust.nsx.inventory_format import seed_format

from .conftest import FAST_RETRY

pytestmark = pytest.mark.anyio

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "nsx_emulator" / "seeds" / "demo.yaml"
CCP_LIST = "/policy/api/v1/infra/sites/{site-id}/enforcement-points/{enforcementpoint-id}/cluster-control-planes"
LOGIN = ("POST", "/api/session/create")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    emu = start_emulator(tmp_path_factory.mktemp("live-inventory"), seed=SEED)
    yield emu
    emu.stop()


def config(emu: RunningEmulator, **overrides: Any) -> NsxConfig:
    values: dict[str, Any] = {
        "endpoint": emu.base_url,
        "username": "admin",
        "password": Secret(emu.admin_password),
        "ca_file": emu.ca_file,
        "retry": FAST_RETRY,
    }
    return NsxConfig(**{**values, **overrides})


async def read(cfg: NsxConfig) -> tuple[dict[str, Any], int]:
    async with NsxClient(cfg) as nsx:
        return await read_inventory(nsx), nsx.calls.total


def view(inventory: Inventory) -> dict[str, Any]:
    """What the evaluator knows, as comparable data (pod addresses apart: NSX has none)."""
    clusters = {}
    for c in inventory.clusters:
        clusters[c.name] = {
            "ccp": c.ccp_path,
            "namespaces": {n: dict(ns.labels) for n, ns in c.namespaces.items()},
            "nodes": {n.name: (n.ips, n.pod_cidrs, dict(n.labels)) for n in c.nodes},
            "pods": {p.key: (dict(p.labels), p.node) for p in c.pods},
            "egresses": {
                e.name: (e.egress_ip, e.namespace_selector, e.pod_selector, dict(e.labels)) for e in c.egresses
            },
            "egress of pod": {p.key: getattr(c.egress_for(p), "name", None) for p in c.pods},
            "ip pools": {p.name: p.ranges for p in c.ip_pools},
            "services": {
                s.name: (
                    s.namespace,
                    s.type,
                    s.cluster_ip,
                    s.load_balancer_ip,
                    sorted(
                        p.key for p in c.pods if p.namespace == s.namespace and selector_matches(s.selector, p.labels)
                    ),
                )
                for s in c.services
            },
        }
    vms = {vm.name: (vm.external_id, vm.ips, vm.tags, vm.os_name, vm.computer_name) for vm in inventory.vms}
    return {"vms": vms, "clusters": clusters}


async def test_the_live_read_is_the_seed_nsx_was_started_from(demo: RunningEmulator) -> None:
    live, _ = await read(config(demo))
    seed = yaml.safe_load(SEED.read_text())
    assert view(load_inventory(live)) == view(load_inventory(seed))
    # NSX reports no pod address (ContainerApplicationInstance has no such field)
    assert all(not pod["ip_addresses"] for c in live["clusters"] for pod in c["pods"])


async def test_one_read_is_a_fixed_number_of_gets_and_nothing_else(demo: RunningEmulator) -> None:
    reset_counters(demo)
    _, calls = await read(config(demo))
    served = requests_since_reset(demo)
    assert calls == INVENTORY_READS + 1 == 11  # ten lists, one session login
    gets = {path: count for method, path, count in served if method == "GET"}  # by route template
    assert gets == {
        "/api/v1/fabric/virtual-machines": 1,
        "/api/v1/fabric/vifs": 1,
        "/api/v1/fabric/{endpoint}": len(MP_LISTS) - 2,  # the seven container-* lists
        CCP_LIST: 1,
    }
    assert [(m, p) for m, p, _ in served if m != "GET"] == [LOGIN]


async def test_each_further_page_costs_one_more_get(demo: RunningEmulator) -> None:
    """With pages of 2, a list of n results takes ceil(n / 2) GETs: the count grows with pages only."""
    seed = yaml.safe_load(SEED.read_text())
    cluster = seed["clusters"][0]
    sizes = [len(seed["virtual_machines"])] * 2  # VMs, and their one VIF each
    sizes += [1, 1, len(cluster["namespaces"]), len(cluster["pods"]), len(cluster["nodes"])]  # CCPs, clusters
    sizes += [len(cluster["services"]), len(cluster["egresses"]), len(cluster["ip_pools"])]
    reset_counters(demo)
    paged, calls = await read(config(demo, page_size=2))
    pages = sum(math.ceil(n / 2) for n in sizes)
    assert calls - 1 == pages > INVENTORY_READS
    assert sum(count for method, _, count in requests_since_reset(demo) if method == "GET") == pages
    whole, _ = await read(config(demo))
    assert paged == whole


async def test_the_read_only_auditor_account_is_enough(demo: RunningEmulator) -> None:
    assert demo.auditor_password is not None
    as_auditor, _ = await read(config(demo, username="auditor", password=Secret(demo.auditor_password)))
    as_admin, _ = await read(config(demo))
    assert as_auditor == as_admin


def test_what_nsx_does_not_say_is_left_out_not_guessed() -> None:
    """A VM with two interfaces and no tags, a cluster nobody registered, a Service without
    backends, an Egress whose resource cannot be read, a LoadBalancer with its ports."""
    nsx: dict[str, list[dict[str, Any]]] = {
        "virtual_machines": [{"display_name": "db", "external_id": "vm-1"}],
        "vifs": [
            {"owner_vm_id": "vm-1", "ip_address_info": [{"ip_addresses": ["192.0.2.1"]}]},
            {"owner_vm_id": "vm-1", "ip_address_info": [{"ip_addresses": ["192.0.2.2", "192.0.2.1"]}]},
        ],
        "cluster_control_planes": [{"id": "other", "display_name": "other"}],
        "clusters": [{"display_name": "c1", "external_id": "c-1"}],
        "services": [
            {
                "display_name": "web",
                "external_id": "s-1",
                "container_cluster_id": "c-1",
                "type": "LOAD_BALANCER",
                "cluster_ips": ["10.96.0.1"],
                "load_balancer_ingress": [{"ip": "198.51.100.1"}],
                "service_ports": [{"port": 443, "protocol": "TCP", "name": "https"}],
            }
        ],
        "egresses": [
            {"display_name": "e", "external_id": "e-1", "container_cluster_id": "c-1", "egress_ip": "198.51.100.9"},
            {"display_name": "pending", "external_id": "e-2", "container_cluster_id": "c-1"},
            {
                "display_name": "odd",
                "external_id": "e-3",
                "container_cluster_id": "c-1",
                "egress_ip": "198.51.100.8",
                "spec": "a: [",
            },
        ],
    }
    out = seed_format(nsx)
    assert out["virtual_machines"] == [
        {"display_name": "db", "external_id": "vm-1", "ip_addresses": ["192.0.2.1", "192.0.2.2"], "tags": []}
    ]
    (cluster,) = out["clusters"]
    assert cluster["cluster_control_plane"] is False
    assert cluster["services"] == [
        {
            "name": "web",
            "namespace": "default",
            "labels": {},
            "selector": {},  # no backend: selects no pod
            "type": "LoadBalancer",
            "cluster_ip": "10.96.0.1",
            "load_balancer_ip": "198.51.100.1",
            "ports": [{"port": 443, "protocol": "TCP"}],
        }
    ]
    # an Egress without an IP yet is left out; one without a readable resource has no appliedTo
    assert cluster["egresses"] == [
        {"name": "e", "egress_ip": "198.51.100.9", "labels": {}},
        {"name": "odd", "egress_ip": "198.51.100.8", "labels": {}},
    ]
