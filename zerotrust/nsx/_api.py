"""What the per-kind modules need from the client: one ``request`` method.

A Protocol, so ``groups.py`` and friends do not import ``client.py`` (which composes
them) and can be exercised with any object that sends requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

__all__ = ["POLICY_PREFIX", "Requester", "policy_url"]

POLICY_PREFIX = "/policy/api/v1"
"""Every Policy API path starts here; object ``path`` fields do not include it (ref §1.1)."""


def policy_url(path: str) -> str:
    """The request path for a policy path such as ``/infra/domains/default``."""
    return POLICY_PREFIX + path


class Requester(Protocol):
    """Sends one logical API call (retries, auth and error mapping included)."""

    @property
    def page_size(self) -> int: ...

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Return the parsed JSON body (``None`` when empty) or raise an ``NsxError``."""
        ...
