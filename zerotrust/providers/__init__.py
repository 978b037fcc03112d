"""The ``zerotrust`` Pulumi provider plugin: NSX objects as resources (``zerotrust:nsx:*``).

KINDS is the list of resource kinds, sorted by token; each kind's module holds its CRUD
contract. SCHEMA is the package schema the engine asks for (import code generation, docs):
NSX sub-objects are open maps there, because the pydantic models are the real schema and
run in ``check``.
"""

from __future__ import annotations

from typing import Any

from zerotrust import __version__
from zerotrust.providers._kind import Kind
from zerotrust.providers.cluster_span import ContainerClusterSpanKind
from zerotrust.providers.group import GroupKind
from zerotrust.providers.policy_set import PolicySetKind
from zerotrust.providers.security_policy import SecurityPolicyKind
from zerotrust.providers.service import ServiceKind
from zerotrust.providers.vm_tags import VmTagsKind

VERSION = __version__
"""Plugin version = the library's (also in the program's resource options, so the engine finds this plugin)."""

_ALL: list[Kind] = [
    ContainerClusterSpanKind(),
    GroupKind(),
    PolicySetKind(),
    SecurityPolicyKind(),
    ServiceKind(),
    VmTagsKind(),
]
KINDS: dict[str, Kind] = {kind.token: kind for kind in sorted(_ALL, key=lambda k: k.token)}

_ANY: dict[str, Any] = {"$ref": "pulumi.json#/Any"}
_MAP: dict[str, Any] = {"type": "object", "additionalProperties": _ANY}

_OBJECT_PROPERTIES: dict[str, Any] = {
    "inputProperties": {"nsx_id": {"type": "string"}, "domain": {"type": "string"}},
    "properties": {"path": {"type": "string"}, "revision": {"type": "integer"}},
    "additionalProperties": _ANY,
}
"""One NSX object: its location, and its wire fields as further (open) properties."""
_SET_PROPERTIES: dict[str, Any] = {
    "inputProperties": {
        "domain": {"type": "string"},
        **{key: _MAP for key in ("groups", "policies", "spans")},
        "owners": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "properties": {
        "domain": {"type": "string"},
        "adopted": {"type": "array", "items": {"type": "string"}},
        "applied": _MAP,
    },
}
"""A policy set: member maps keyed by NSX id (docs/scale.md)."""

SCHEMA: dict[str, Any] = {
    "name": "zerotrust",
    "version": VERSION,
    "description": "NSX (vDefend) distributed firewall objects as Pulumi resources",
    "config": {
        "variables": {
            "host": {"type": "string", "description": "https://<nsx-manager>[:port]"},
            "username": {"type": "string"},
            "password": {"type": "string", "secret": True},
            "caFile": {"type": "string", "description": "PEM file of the CA that signs NSX's certificate"},
            "insecure": {"type": "boolean", "description": "skip TLS verification (labs only)"},
            "auth": {"type": "string", "description": "session (default) or basic"},
            "connectTimeout": {"type": "number", "description": "seconds to connect (TCP + TLS); default 5"},
            "readTimeout": {"type": "number", "description": "seconds to wait for an answer; default 60"},
            "retryAttempts": {"type": "integer", "description": "attempts per call (429/503/transport); default 5"},
            "retrySeconds": {"type": "number", "description": "no retry starts after this many seconds; default 20"},
        }
    },
    "provider": {
        "inputProperties": {
            "host": {"type": "string"},
            "username": {"type": "string"},
            "password": {"type": "string", "secret": True},
            "caFile": {"type": "string"},
            "insecure": {"type": "boolean"},
            "auth": {"type": "string"},
            "connectTimeout": {"type": "number"},
            "readTimeout": {"type": "number"},
            "retryAttempts": {"type": "integer"},
            "retrySeconds": {"type": "number"},
        },
    },
    "resources": {
        token: {
            "description": (type(kind).__doc__ or token).strip().splitlines()[0],
            **(_SET_PROPERTIES if token == PolicySetKind.token else _OBJECT_PROPERTIES),
        }
        for token, kind in KINDS.items()
    },
}

__all__ = ["KINDS", "SCHEMA", "VERSION", "Kind"]
