"""The provider's side of an operational fault: one line, the stack config to fix, what changed.

The diagnosis itself is the NSX layer's (:mod:`zerotrust.nsx.faults`); here it is rendered
with the names an operator types (``nsx.caFile``, ``nsxPassword``: the stack config of this
project's program, docs/operations.md) and completed with the outcome of the operation:
nothing changed in NSX, or exactly which writes NSX had accepted before the failure.

``ZEROTRUST_DEBUG=1`` keeps the Python traceback under the line (for a bug report).
"""

from __future__ import annotations

import os
from collections import Counter

from zerotrust.nsx.config import NsxConfig
from zerotrust.nsx.errors import ConfigError, NsxError
from zerotrust.nsx.faults import config_fault, diagnose

__all__ = ["CONFIG_KEYS", "DEBUG_ENV", "debugging", "explain", "explain_config"]

DEBUG_ENV = "ZEROTRUST_DEBUG"

CONFIG_KEYS = {
    "endpoint": "nsx.host",
    "username": "nsx.username",
    "password": "nsxPassword",
    "ca_file": "nsx.caFile",
    "insecure": "nsx.insecure",
    "connect_timeout": "nsx.connectTimeout",
    "read_timeout": "nsx.readTimeout",
    "retry_seconds": "nsx.retrySeconds",
    "retry": "nsx.retryAttempts and nsx.retrySeconds",
    "timeouts": "nsx.connectTimeout and nsx.readTimeout",
}
"""NsxConfig settings as stack config keys (the provider's own keys: host, caFile ...)."""


def debugging() -> bool:
    return os.environ.get(DEBUG_ENV, "").lower() in ("1", "true", "yes")


def outcome(writes: list[str]) -> str:
    """What NSX holds now because of the failed operation."""
    if not writes:
        return "Nothing was changed in NSX."
    counted = ", ".join(f"{call} x{n}" if n > 1 else call for call, n in Counter(writes).items())
    return (
        f"NSX had accepted {len(writes)} write(s) before the failure ({counted}); what they wrote carries "
        "this stack's ownership tag, and running `pulumi up` again converges."
    )


def explain(error: NsxError, config: NsxConfig, writes: list[str]) -> str:
    """One line: the diagnosis with stack config keys, then the outcome."""
    fault = diagnose(error, config)
    head = fault.line(CONFIG_KEYS) if fault is not None else str(error)
    return f"{head} {outcome(writes)}"


def explain_config(error: ConfigError, endpoint: str) -> str:
    """A provider configuration that cannot work, found before any request."""
    return f"{config_fault(error, endpoint).line(CONFIG_KEYS)} {outcome([])}"
