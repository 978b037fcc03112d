"""``zerotrust:nsx:Group``: a security group by workload identity (ref §4).

Replaced, not updated, when ``group_type`` changes: NSX fixes a group's type once saved
(ref §4.3; Terraform forces a new group too).
"""

from __future__ import annotations

from typing import Any, ClassVar

from zerotrust.models import Group
from zerotrust.nsx._collection import Collection
from zerotrust.providers._context import Context
from zerotrust.providers._kind import Location, PolicyObjectKind


class GroupKind(PolicyObjectKind):
    token: ClassVar[str] = "zerotrust:nsx:Group"
    model = Group
    resource_type = "Group"
    extra_replace_on: ClassVar[frozenset[str]] = frozenset({"group_type"})

    def collection_path(self, loc: Location) -> str:
        return f"/infra/domains/{loc.domain}/groups/{loc.nsx_id}"

    def collection(self, ctx: Context, loc: Location) -> Collection[Any]:
        return ctx.nsx.groups(loc.domain or "default")
