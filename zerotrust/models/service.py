"""Service: a named set of protocol/port entries, referenced by rules (ref §5.5)."""

from __future__ import annotations

from typing import ClassVar, Literal, Self

from pydantic import Field, ValidationInfo, model_validator

from zerotrust.models._base import NsxObject, id_problems, is_live, problem, raise_problems
from zerotrust.models.service_entry import ServiceEntry

__all__ = ["Service"]


class Service(NsxObject):
    """``/infra/services/{id}``; entries are children at ``.../service-entries/{entry}``."""

    KIND: ClassVar[str] = "Service"

    resource_type: Literal["Service"] = "Service"
    service_entries: list[ServiceEntry] = Field(default_factory=list)
    """At least one: NSX refuses a Service without an entry (ref §5.5)."""

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Self:
        if is_live(info):
            return self
        problems = self.common_problems()
        if not self.service_entries:
            problems.append(
                problem(
                    self.KIND,
                    self.id,
                    "service_entries",
                    "is empty; NSX refuses a Service without an entry",
                    "add an entry such as an L4PortSetServiceEntry",
                )
            )
        seen: set[str] = set()
        for index, entry in enumerate(self.service_entries):
            field = f"service_entries[{index}].id"
            problems += id_problems(self.KIND, self.id, entry.id, field)
            if entry.id is not None and entry.id in seen:
                problems.append(
                    problem(self.KIND, self.id, field, f"repeats {entry.id!r}", "give each entry its own id")
                )
            if entry.id is not None:
                seen.add(entry.id)
        raise_problems(problems)
        return self
