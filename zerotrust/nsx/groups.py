"""Groups: ``/infra/domains/{domain}/groups`` (ref §1.1, §4)."""

from __future__ import annotations

from zerotrust.models import Group
from zerotrust.nsx._api import Requester
from zerotrust.nsx._collection import Collection

__all__ = ["groups"]


def groups(api: Requester, domain: str = "default") -> Collection[Group]:
    """The groups of ``domain``. Deleting one still referenced raises ``ResourceInUse``."""
    return Collection(api, Group, f"/infra/domains/{domain}/groups")
