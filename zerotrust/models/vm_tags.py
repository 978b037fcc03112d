"""VM inventory and VM tag updates (ref §1.2).

VM tags are not policy intent: NSX replaces the whole tag list of a VM in one call
and keeps no history, so the update body always carries the complete list.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, ValidationInfo, model_validator

from zerotrust.models._base import NsxModel, Tag, is_live, problem, raise_problems

__all__ = ["MAX_VM_TAGS", "VirtualMachine", "VirtualMachineTagsUpdate"]

MAX_VM_TAGS = 30
"""Tags per VM on NSX 3.x+ [UNV: nsxlib reads the live limit; ref §2.2]."""


class VirtualMachine(NsxModel):
    """A VM from ``GET /api/v1/fabric/virtual-machines`` (MP inventory, read-only)."""

    external_id: str
    """The VM's instance UUID; the id used to tag it."""
    display_name: str | None = None
    tags: list[Tag] | None = None
    """Left out by NSX when the VM has no tags (ref §1.2)."""
    compute_ids: list[str] | None = None
    """e.g. ``biosUuid:<uuid>``, ``instanceUuid:<uuid>``."""
    power_state: str | None = None
    host_id: str | None = None


class VirtualMachineTagsUpdate(NsxModel):
    """Body of ``POST /policy/api/v1/infra/realized-state/virtual-machines/{vm}/tags``.

    Replaces every tag of the VM; an empty list clears them. NSX ignores
    ``virtual_machine_id`` in favour of the URL (ref §1.2), so it is sent for clarity only.
    """

    virtual_machine_id: str
    tags: list[Tag] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Self:
        if is_live(info):
            return self
        problems = []
        if not self.virtual_machine_id:
            problems.append(
                problem(
                    "VirtualMachineTagsUpdate",
                    None,
                    "virtual_machine_id",
                    "is empty",
                    "give the VM's external_id",
                )
            )
        if len(self.tags) > MAX_VM_TAGS:
            problems.append(
                problem(
                    "VirtualMachineTagsUpdate",
                    self.virtual_machine_id,
                    "tags",
                    f"has {len(self.tags)} tags (max {MAX_VM_TAGS})",
                    "drop tags that no group matches",
                )
            )
        pairs = [(t.scope, t.tag) for t in self.tags]
        if len(set(pairs)) != len(pairs):
            problems.append(
                problem(
                    "VirtualMachineTagsUpdate",
                    self.virtual_machine_id,
                    "tags",
                    "repeats a scope/tag pair",
                    "list each tag once",
                )
            )
        raise_problems(problems)
        return self
