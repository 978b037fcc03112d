"""Services: ``/infra/services`` with their entries inline (ref §1.1, §5.5)."""

from __future__ import annotations

from zerotrust.models import Service
from zerotrust.nsx._api import Requester
from zerotrust.nsx._collection import Collection

__all__ = ["services"]


def services(api: Requester) -> Collection[Service]:
    """All services; built-in ones (``HTTPS``, ...) are listed too (``default_service``)."""
    return Collection(api, Service, "/infra/services")
