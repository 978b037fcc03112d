"""Inventory objects the search API finds besides Policy objects (ref §10).

Since NSX 4.1.2 the search index holds the inventory too, and Terraform relies on it:
its ``nsxt_policy_vm`` data source and ``nsxt_policy_vm_tags`` resource look VMs up
with ``resource_type:VirtualMachine AND display_name:<escaped prefix>*`` and with
``resource_type:VirtualMachine AND <escaped id>``, then keep the VM whose
``external_id``, ``biosUuid:`` or ``instanceUuid:`` entry of ``compute_ids`` equals the
id (terraform-provider-nsxt ``policy_search.go``, ``resource_nsxt_policy_vm_tags.go``).
A bare term therefore also matches ``external_id`` and the value part of each
``compute_ids`` entry (see :mod:`.search`).

Documents have the manager shapes of the inventory lists: ``VirtualMachine``,
``VirtualNetworkInterface`` and the container objects (``ContainerCluster``,
``ContainerProject``, ``ContainerApplicationInstance``, ``ContainerApplication``,
``ContainerClusterNode``, ``ContainerEgress``, ``ContainerIpPool``). They carry no
``path`` and no ``marked_for_delete``, so Terraform's Policy-object searches (``AND
path:\\/infra*``, ``AND marked_for_delete:false``) never return them.
"""

from __future__ import annotations

from typing import Any

from .inventory import Inventory
from .store import Store

Obj = dict[str, Any]
#: container inventory kinds, in the order they are listed
CONTAINER_KINDS = ("cluster", "namespace", "node", "pod", "service", "egress", "ippool")


def inventory_documents(store: Store) -> list[Obj]:
    """Every inventory object as the search API returns it."""
    inventory = Inventory(store)
    vms = list(inventory.records("vm"))
    documents = [inventory.render_vm(vm) for vm in vms]
    documents += [inventory.render_vif(vm) for vm in vms]
    for kind in CONTAINER_KINDS:
        documents += [inventory.render_container(kind, rec) for rec in inventory.records(kind)]
    return documents
