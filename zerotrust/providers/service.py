"""``zerotrust:nsx:Service``: a named set of ports/protocols (ref §5.5); not in a domain."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from zerotrust.models import Service
from zerotrust.nsx._collection import Collection
from zerotrust.providers._context import Context
from zerotrust.providers._kind import Location, PolicyObjectKind


class ServiceKind(PolicyObjectKind):
    token: ClassVar[str] = "zerotrust:nsx:Service"
    model = Service
    resource_type = "Service"
    location_fields: ClassVar[tuple[str, ...]] = ("nsx_id",)
    defaults: ClassVar[Mapping[str, Any]] = {}

    def location(self, inputs: Mapping[str, Any]) -> Location:
        return Location(domain=None, nsx_id=str(inputs["nsx_id"]))

    def collection_path(self, loc: Location) -> str:
        return f"/infra/services/{loc.nsx_id}"

    def collection(self, ctx: Context, loc: Location) -> Collection[Any]:
        return ctx.nsx.services()
