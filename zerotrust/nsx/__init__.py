"""Async httpx client of the NSX Policy API (ref: nsx-policy-api.md). Never imports pulumi.

Start at :class:`NsxClient` and :class:`NsxConfig`; errors are in :mod:`.errors`.
"""

from zerotrust.nsx.client import ApiCallCounter, NsxClient
from zerotrust.nsx.config import NsxConfig, RetrySettings, Secret, Timeouts
from zerotrust.nsx.errors import (
    AlreadyExists,
    AuthError,
    BadRequest,
    BadXSRF,
    Forbidden,
    NotFound,
    NsxApiError,
    NsxConnectionError,
    NsxError,
    NsxTlsError,
    PendingDelete,
    RateLimited,
    ResourceInUse,
    ServerBusy,
    ServerError,
    StaleRevision,
)
from zerotrust.nsx.hierarchy import PolicyIndex

__all__ = [
    "AlreadyExists",
    "ApiCallCounter",
    "AuthError",
    "BadRequest",
    "BadXSRF",
    "Forbidden",
    "NotFound",
    "NsxApiError",
    "NsxClient",
    "NsxConfig",
    "NsxConnectionError",
    "NsxError",
    "NsxTlsError",
    "PendingDelete",
    "PolicyIndex",
    "RateLimited",
    "ResourceInUse",
    "RetrySettings",
    "Secret",
    "ServerBusy",
    "ServerError",
    "StaleRevision",
    "Timeouts",
]
