"""Where a stack's intents get their inventory: NSX itself (the default), or a snapshot file.

Stack config ``inventory`` unset or ``live``: the preview reads VMs, tags, IPs, pods, labels,
nodes and Egress IPs from NSX with the stack's own NSX settings, read-only, before any
resource exists (:mod:`zerotrust.nsx.inventory` states the calls). A tag changed in NSX
changes the next preview's verdicts, without a change to any file. ``inventory: <file>``
names a snapshot in the emulator's seed format instead: offline, and as old as the file.

NSX does not hold everything the evaluator needs, so a live read is completed here:

* Pod addresses. ``ContainerApplicationInstance`` has no address field (vcf-nsx 9.1.1.0).
  Each pod gets a stand-in address from its node's pod CIDR, one per pod, in name order
  after the CIDR's first host address (the node's gateway): Antrea's default node IPAM
  gives a pod its address from that CIDR [INF]. Verdicts that hang on identities, labels,
  nodes and Egress IPs are exact; a rule that tells apart two addresses of one node's pod
  CIDR is not. A pod on a node without a pod CIDR gets none and cannot be an endpoint.
* An Egress whose ``spec`` NSX does not report (older managers) selects no pod: its pods are
  seen leaving with their node's IP. A warning names it.

Named container ports and service accounts are not in NSX either; rules that use them
(Antrea ``serviceAccount`` peers, named ports) see the defaults (``default``, none).
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import yaml

from zerotrust.nsx.client import NsxClient
from zerotrust.nsx.config import NsxConfig
from zerotrust.nsx.errors import ConfigError, NsxError
from zerotrust.nsx.inventory import read_inventory
from zerotrust.providers._faults import explain, explain_config

__all__ = [
    "LIVE",
    "OFF",
    "InventoryReadError",
    "StackInventory",
    "complete_live_inventory",
    "is_live",
    "read_live",
    "stack_inventory",
]

LIVE = "live"
"""The ``inventory`` value (also the default) that reads NSX."""
OFF = "off"
"""The ``inventory`` value that skips the intent checks (the preview warns that it did)."""


@dataclass(frozen=True)
class StackInventory:
    """The inventory a check runs on, in the seed format, and what to tell about it."""

    data: dict[str, Any]
    source: str
    """For the preview's summary line: the snapshot file, or the endpoint and the calls it took."""
    notes: tuple[str, ...] = ()
    """Warnings: what the live inventory could not know."""


class InventoryReadError(Exception):
    """NSX could not be read; the message is the operator's one line (fault, fix, outcome)."""


def is_live(setting: str | None) -> bool:
    """Whether stack config ``inventory`` asks for NSX (unset does)."""
    return not setting or setting == LIVE


def stack_inventory(setting: str | None, nsx_config: Callable[[], NsxConfig], *, endpoint: str) -> StackInventory:
    """The snapshot ``setting`` names, or NSX read live with ``nsx_config()`` (called only then).

    ``endpoint`` names NSX in the line when the settings themselves cannot work.
    """
    if not is_live(setting):
        path = Path(str(setting))
        if not path.is_file():
            raise InventoryReadError(
                f"the inventory snapshot {path} (stack config 'inventory') does not exist. Fix: name a file in "
                f"the seed format, or remove the setting to read the inventory from NSX."
            )
        return StackInventory(yaml.safe_load(path.read_text()) or {}, str(path))
    try:
        config = nsx_config()
    except ConfigError as error:
        raise InventoryReadError(f"live inventory: {explain_config(error, endpoint)}") from error
    return read_live(config)


def read_live(config: NsxConfig) -> StackInventory:
    """Read NSX now, and complete what it does not hold (see the module docstring).

    Runs on a thread of its own: the Pulumi program calls this while its event loop runs.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-inventory") as pool:
        data, calls = pool.submit(asyncio.run, _read(config)).result()
    data, notes = complete_live_inventory(data)
    source = f"the live inventory of NSX at {config.endpoint} ({calls} API calls)"
    return StackInventory(data, source, tuple(notes))


def complete_live_inventory(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """What NSX does not hold, filled in (see the module docstring), and the warnings about it."""
    notes = _stand_in_pod_addresses(data) + _egresses_without_pods(data)
    return data, notes


async def _read(config: NsxConfig) -> tuple[dict[str, Any], int]:
    try:
        async with NsxClient(config) as nsx:
            return await read_inventory(nsx), nsx.calls.total
    except ConfigError as error:  # the CA file, checked when the client is built
        raise InventoryReadError(f"live inventory: {explain_config(error, config.endpoint)}") from error
    except NsxError as error:  # only reads were sent: whatever failed, NSX is as it was
        raise InventoryReadError(f"live inventory: {explain(error, config, [])}") from error


def _stand_in_pod_addresses(data: Mapping[str, Any]) -> list[str]:
    """Give each pod without an address one of its node's pod CIDR; a note per cluster where some
    pod could get none."""
    notes = []
    for cluster in data.get("clusters") or []:
        cidrs = {n["name"]: n["pod_cidrs"][0] for n in cluster.get("nodes") or [] if n.get("pod_cidrs")}
        free = {name: islice(ipaddress.ip_network(cidr, strict=False).hosts(), 1, None) for name, cidr in cidrs.items()}
        homeless = []
        for pod in sorted(cluster.get("pods") or [], key=lambda p: (str(p.get("namespace", "")), str(p["name"]))):
            if pod.get("ip_addresses"):
                continue
            address = next(free[pod["node"]], None) if pod.get("node") in free else None
            if address is None:
                homeless.append(f"{pod.get('namespace', 'default')}/{pod['name']}")
            else:
                pod["ip_addresses"] = [str(address)]
        if homeless:
            notes.append(
                f"live inventory: cluster {cluster['name']!r}: {len(homeless)} pod(s) have no node pod CIDR to "
                f"stand in for their address (NSX reports no pod IP), so intents cannot name them: "
                f"{', '.join(homeless[:5])}"
            )
    return notes


def _egresses_without_pods(data: Mapping[str, Any]) -> list[str]:
    return [
        f"live inventory: cluster {cluster['name']!r}: NSX reports Egress {egress['name']!r} "
        f"({egress['egress_ip']}) without its spec, so no pod is taken to leave through it"
        for cluster in data.get("clusters") or []
        for egress in cluster.get("egresses") or []
        if not egress.get("applied_to")
    ]
