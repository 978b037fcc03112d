"""``zerotrust:nsx:VmTags``: the tags this stack puts on one VM (ref §1.2).

NSX replaces a VM's whole tag list in one call and keeps no intent for it. A VM is shared
by many owners (vSphere admins, other stacks), so this resource manages only *its* tags:
it writes ``(live tags - tags it wrote before) + desired tags`` and, on delete, removes only
what it wrote. Tags set by anyone else are never touched. The Pulumi id is
``vm/<external_id>``. Quarantine works through this: tagging a VM ``quarantine=malicious``
is a tag change, not a policy redeploy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from zerotrust.models import FieldChange, Tag, VirtualMachineTagsUpdate, diff
from zerotrust.providers._context import Context

ID_PREFIX = "vm/"


def _key(tag: Mapping[str, Any]) -> tuple[str, str]:
    return str(tag.get("scope", "")), str(tag.get("tag", ""))


def _tags(values: Any) -> list[dict[str, str]]:
    return sorted(({"scope": k[0], "tag": k[1]} for k in {_key(t) for t in values or []}), key=_key)


class VmTagsKind:
    token: ClassVar[str] = "zerotrust:nsx:VmTags"
    replace_on: frozenset[str] = frozenset({"vm_id"})
    output_changes: frozenset[str] = frozenset()

    def check(self, inputs: dict[str, Any], olds: Mapping[str, Any] | None = None) -> dict[str, Any]:
        if not inputs.get("vm_id"):
            raise ValueError(f"{self.token}: field vm_id: is missing. Fix: give the VM's external_id.")
        VirtualMachineTagsUpdate.model_validate(
            {"virtual_machine_id": inputs["vm_id"], "tags": inputs.get("tags") or []}
        )
        return {"vm_id": inputs["vm_id"], "tags": _tags(inputs.get("tags"))}

    def resource_id(self, inputs: Mapping[str, Any]) -> str:
        return ID_PREFIX + str(inputs["vm_id"])

    def planned(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        return {"vm_id": inputs["vm_id"], "tags": _tags(inputs.get("tags"))}

    def changes(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[FieldChange]:
        def as_update(values: Mapping[str, Any]) -> VirtualMachineTagsUpdate:
            return VirtualMachineTagsUpdate.from_live(
                {"virtual_machine_id": values.get("vm_id", ""), "tags": _tags(values.get("tags"))}
            )

        return diff(as_update(news), as_update(olds))

    async def read(
        self, ctx: Context, resource_id: str, olds: Mapping[str, Any] | None
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        vm_id = resource_id.removeprefix(ID_PREFIX)
        vm = (await ctx.snapshots.virtual_machines()).get(vm_id)
        if vm is None:
            return None
        live = {_key(t.model_dump()) for t in vm.tags or []}
        # On import (no state) the stack adopts every tag the VM has now.
        mine = live if olds is None else {_key(t) for t in olds.get("tags") or []} & live
        state = {"vm_id": vm_id, "tags": _tags({"scope": s, "tag": t} for s, t in mine)}
        return state, state

    async def _write(self, ctx: Context, vm_id: str, remove: list[Any], add: list[Any]) -> dict[str, Any]:
        vm = await ctx.nsx.virtual_machines.get(vm_id)
        if vm is None:
            raise ValueError(f"VM with external_id {vm_id!r} is not in the NSX inventory")
        drop = {_key(t) for t in remove}
        kept = [t for t in vm.tags or [] if _key(t.model_dump()) not in drop]
        have = {_key(t.model_dump()) for t in kept}
        extra = [Tag(scope=s, tag=t) for s, t in (_key(x) for x in add) if (s, t) not in have]
        try:
            await ctx.nsx.virtual_machines.set_tags(vm_id, [*kept, *extra])
        finally:
            ctx.snapshots.invalidate()
        return {"vm_id": vm_id, "tags": _tags(add)}

    async def create(self, ctx: Context, inputs: Mapping[str, Any]) -> dict[str, Any]:
        return await self._write(ctx, str(inputs["vm_id"]), [], list(inputs.get("tags") or []))

    async def update(
        self, ctx: Context, resource_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]:
        return await self._write(ctx, str(news["vm_id"]), list(olds.get("tags") or []), list(news.get("tags") or []))

    async def delete(self, ctx: Context, resource_id: str, olds: Mapping[str, Any]) -> None:
        vm_id = resource_id.removeprefix(ID_PREFIX)
        if await ctx.nsx.virtual_machines.get(vm_id) is None:
            return
        await self._write(ctx, vm_id, list(olds.get("tags") or []), [])
