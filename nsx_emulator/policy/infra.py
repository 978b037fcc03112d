"""Domains, sites, enforcement points and cluster control planes (ref §1.1, §6.1).

The ClusterControlPlane has PUT but no PATCH (ref §1.1, §6.1); its full field
list is [UNV], so it accepts unknown properties rather than reject a field a
real NSX would take. Deleting one that a container-cluster span or a scope
references fails unless ``cascade=true`` (ref §6.1), which removes the
references first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import bad_request
from .common import Obj, expect

if TYPE_CHECKING:
    from .writer import Writer

CCP_FIELDS = frozenset({"node_id", "certificate", "vhc_path"})


def normalize_domain(w: Writer, path: str, obj: Obj, existing: Obj | None) -> None:
    return None


def normalize_ccp(w: Writer, path: str, obj: Obj, existing: Obj | None) -> None:
    for name in CCP_FIELDS:
        expect(obj, name, str, "a string")
    if (
        existing is not None
        and existing.get("node_id")
        and obj.get("node_id")
        not in (
            None,
            existing.get("node_id"),
        )
    ):
        raise bad_request(f"ClusterControlPlane {path}: node_id cannot be changed.")
    if obj.get("node_id") is None:
        obj["node_id"] = existing.get("node_id") if existing else path.rsplit("/", 1)[1]
