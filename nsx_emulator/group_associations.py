"""Which groups a VM is in: ``GET /infra/virtual-machine-group-associations?vm_external_id=``.

vcf-nsx 9.1.1.0 ``infra.VirtualMachineGroupAssociations`` answers a
``PolicyResourceReferenceForEPListResult``: one ``PolicyResourceReferenceForEP`` per
group whose effective members include the VM, across all domains, paged like any list
(ref §1.4). Terraform reads ``target_id`` as the group's policy path, with
``target_display_name``, ``target_type`` and ``is_valid`` (terraform-provider-nsxt
``data_source_nsxt_policy_baremetal_server_group_associations.go``, the same type), so
``target_id`` and ``path`` carry the group path here. ``vm_external_id`` is required
(400 without it); a VM the inventory does not know is a 404 and an unknown
``enforcement_point_path`` too [UNV: NSX's answers for both].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import NsxError, bad_request, not_found
from .inventory import Inventory
from .membership import Evaluator
from .paging import page
from .store import Store

Obj = dict[str, Any]
DEFAULT_ENFORCEMENT_POINT = "/infra/sites/default/enforcement-points/default"


def groups_of_vm(store: Store, params: Mapping[str, str]) -> Obj:
    """The paged ``PolicyResourceReferenceForEPListResult`` for ``params["vm_external_id"]``."""
    external_id = params.get("vm_external_id")
    if not external_id:
        raise bad_request("The vm_external_id query parameter is required.")
    point = params.get("enforcement_point_path") or DEFAULT_ENFORCEMENT_POINT
    if store.get(point) is None or not point.startswith("/infra/sites/"):
        raise not_found(point)
    if Inventory(store).get("vm", external_id) is None:
        raise NsxError(404, 404, f"VirtualMachine with external_id {external_id} was not found.")
    evaluator = Evaluator(store)
    references = []
    for domain in store.children("/infra", "domains"):
        for group_path in store.children(domain, "groups"):
            members = evaluator.records_of(evaluator.group(group_path), "vm")
            if any(vm.get("external_id") == external_id for vm in members):
                references.append(_reference(store, group_path))
    return page(references, params)


def _reference(store: Store, group_path: str) -> Obj:
    group = store.get(group_path) or {}
    return {
        "target_id": group_path,
        "target_display_name": group.get("display_name", group_path.rsplit("/", 1)[1]),
        "target_type": "Group",
        "path": group_path,
        "is_valid": True,
    }
