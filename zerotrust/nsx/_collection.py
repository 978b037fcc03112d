"""CRUD on one collection of policy objects, the shape every per-kind module shares.

NSX semantics this encodes (ref §1.3):

* ``patch`` creates or replaces without a revision check (NSX's PATCH is an upsert);
  use it to create. ``put`` is revision-checked: an existing object needs the
  ``_revision`` it was read with, else NSX answers 412 -> :class:`StaleRevision`.
* :meth:`Collection.update_with_reread` is the safe update: read, apply the caller's
  change to the *fresh* object, PUT with its revision, and on ``StaleRevision`` do it
  all again (bounded). The client never overwrites someone else's change blindly.
* Ids are checked before any I/O (empty or containing ``/`` is a ``ValueError``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from zerotrust.models import NsxObject
from zerotrust.nsx._api import Requester, policy_url
from zerotrust.nsx.errors import StaleRevision
from zerotrust.nsx.paging import list_all

__all__ = ["Collection", "ReadOnlyCollection", "query_params"]

M = TypeVar("M", bound=NsxObject)

DEFAULT_REREAD_ATTEMPTS = 3


def query_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """NSX wants ``true``/``false`` in query strings; ``None`` values are left out."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else value
    return out


class ReadOnlyCollection(Generic[M]):
    """GET one object or the whole list under policy path ``base``."""

    def __init__(self, api: Requester, model: type[M], base: str) -> None:
        self._api = api
        self.model = model
        self.base = base
        """Policy path of the collection, e.g. ``/infra/domains/default/groups``."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.model.__name__} at {self.base})"

    def path_of(self, object_id: str) -> str:
        """Policy path of one object; rejects ids NSX could not address, before any I/O."""
        if not object_id or "/" in object_id:
            raise ValueError(f"{self.model.__name__} id {object_id!r} must be non-empty and contain no '/'")
        return f"{self.base}/{quote(object_id, safe='')}"

    async def get(self, object_id: str) -> M:
        """The live object; :class:`NotFound` if absent."""
        data = await self._api.request("GET", policy_url(self.path_of(object_id)))
        return self.model.from_live(data)

    async def list(self, **params: Any) -> list[M]:
        """All objects of the collection, every page."""
        items = await list_all(self._api, policy_url(self.base), query_params(params))
        return [self.model.from_live(item) for item in items]


class Collection(ReadOnlyCollection[M]):
    """Read plus PATCH/PUT/DELETE."""

    async def patch(self, obj: M) -> None:
        """Create or replace ``obj`` at its id (no revision check; NSX returns no body)."""
        await self._api.request("PATCH", policy_url(self._path_for(obj)), json=obj.to_wire())

    async def put(self, obj: M) -> M:
        """Create, or update an existing object carrying its current ``_revision``."""
        data = await self._api.request("PUT", policy_url(self._path_for(obj)), json=obj.to_wire())
        return self.model.from_live(data) if data else obj

    async def delete(self, object_id: str, **params: Any) -> None:
        """Delete (soft in NSX: marked for delete until unrealized, ref §1.3)."""
        await self._api.request("DELETE", policy_url(self.path_of(object_id)), params=query_params(params))

    async def update_with_reread(
        self,
        object_id: str,
        mutate: Callable[[M], M | None],
        *,
        attempts: int = DEFAULT_REREAD_ATTEMPTS,
    ) -> M:
        """Apply ``mutate(live) -> desired`` to the current object and PUT it.

        ``mutate`` gets a fresh copy each attempt and returns the object to write, or
        ``None`` when no change is needed (then the live object is returned, no write).
        On :class:`StaleRevision` the object is read again and ``mutate`` re-applied, at
        most ``attempts`` times; the last ``StaleRevision`` is raised.
        """
        for attempt in range(1, attempts + 1):
            live = await self.get(object_id)
            desired = mutate(live.model_copy(deep=True))
            if desired is None:
                return live
            desired = desired.model_copy(update={"revision": live.revision})
            try:
                return await self.put(desired)
            except StaleRevision:
                if attempt == attempts:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _path_for(self, obj: M) -> str:
        if obj.id is None:
            raise ValueError(f"{self.model.__name__} has no id; cannot address it")
        return self.path_of(obj.id)
