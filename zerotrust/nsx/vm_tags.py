"""VM inventory and VM tags (ref §1.2).

VMs are read from the management-plane inventory (``/api/v1/fabric/virtual-machines``).
Tags are set with the current Policy call, ``POST /infra/realized-state/virtual-machines/
{vm}/tags``, which *replaces* all tags of the VM; NSX keeps no intent for it and does
not retry, so callers read, merge and write the complete list.
"""

from __future__ import annotations

import builtins
from typing import Any
from urllib.parse import quote

from zerotrust.models import Tag, VirtualMachine, VirtualMachineTagsUpdate
from zerotrust.nsx._api import Requester, policy_url
from zerotrust.nsx._collection import query_params
from zerotrust.nsx.paging import list_all

__all__ = ["FABRIC_VMS_PATH", "VirtualMachines"]

FABRIC_VMS_PATH = "/api/v1/fabric/virtual-machines"


class VirtualMachines:
    """List VMs and replace their tags."""

    def __init__(self, api: Requester) -> None:
        self._api = api

    async def list(self, **filters: Any) -> list[VirtualMachine]:
        """All VMs; filters such as ``display_name=`` or ``external_id=`` pass through."""
        items = await list_all(self._api, FABRIC_VMS_PATH, query_params(filters))
        return [VirtualMachine.from_live(item) for item in items]

    async def get(self, external_id: str) -> VirtualMachine | None:
        """The VM with this external id, or ``None``."""
        found = await self.list(external_id=external_id)
        return next((vm for vm in found if vm.external_id == external_id), None)

    async def set_tags(self, external_id: str, tags: builtins.list[Tag]) -> None:
        """Replace every tag of the VM with ``tags`` (an empty list clears them)."""
        if not external_id:
            raise ValueError("VM external_id must be non-empty")
        body = VirtualMachineTagsUpdate(virtual_machine_id=external_id, tags=tags)
        path = f"/infra/realized-state/virtual-machines/{quote(external_id, safe='')}/tags"
        await self._api.request("POST", policy_url(path), json=body.to_wire())
