"""The hierarchical API (H-API): one read of a whole subtree, one PATCH for a change set.

Reading (ref §7): ``GET /policy/api/v1/infra?filter=Type-Domain|Group|...&base_path=
/infra/domains/<d>`` returns an ``Infra`` tree of ``Child<Type>`` wrappers. The
provider's refresh shares ONE such read per domain; :class:`PolicyIndex` turns it into
``path -> model``. Rules appear both in their policy's ``rules`` and by their own path.

Writing (ref §7, §12.9): ``PATCH /policy/api/v1/infra`` with ``Infra -> ChildResourceReference
(Domain) -> Child<Type>`` wrappers; the wrapped object sits under a key equal to its
type name. ``marked_for_delete: true`` on a wrapper deletes the whole subtree. NSX treats
the call as one operation; ``enforce_revision_check`` defaults to false there (ref §2.1).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

from zerotrust.models import (
    ClusterControlPlane,
    Group,
    NsxObject,
    Rule,
    SecurityPolicy,
    SecurityPolicyContainerCluster,
    Service,
)
from zerotrust.nsx._api import Requester, policy_url
from zerotrust.nsx._collection import query_params

__all__ = [
    "DOMAIN_TYPES",
    "HAPI_MAX_OBJECTS",
    "Hierarchy",
    "PolicyIndex",
    "child",
    "child_delete",
    "child_reference",
    "domain_children",
    "infra",
]

DOMAIN_TYPES: tuple[str, ...] = (
    "Domain",
    "Group",
    "SecurityPolicy",
    "Rule",
    "SecurityPolicyContainerCluster",
)
"""What a domain refresh reads: everything this project manages under a domain."""

HAPI_MAX_OBJECTS = 5000
"""Intent objects one ``PATCH /infra`` may hold on a Local Manager (ref §7; 1,000 on Global)."""

MODELS: Mapping[str, type[NsxObject]] = {
    "Group": Group,
    "SecurityPolicy": SecurityPolicy,
    "Rule": Rule,
    "SecurityPolicyContainerCluster": SecurityPolicyContainerCluster,
    "Service": Service,
    "ClusterControlPlane": ClusterControlPlane,
}
_SEGMENTS: Mapping[str, str] = {
    "Domain": "domains",
    "Group": "groups",
    "SecurityPolicy": "security-policies",
    "Rule": "rules",
    "SecurityPolicyContainerCluster": "container-cluster-span",
    "Service": "services",
}
"""Collection segment per type, to rebuild a path when the server leaves it out."""

M = TypeVar("M", bound=NsxObject)


class PolicyIndex(Mapping[str, NsxObject]):
    """``policy path -> live object`` for one hierarchical read."""

    def __init__(self, objects: Mapping[str, NsxObject]) -> None:
        self._objects = dict(objects)

    def __getitem__(self, path: str) -> NsxObject:
        return self._objects[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._objects)

    def __len__(self) -> int:
        return len(self._objects)

    def of_type(self, model: type[M]) -> dict[str, M]:
        """Only the objects of one kind, e.g. ``index.of_type(Group)``."""
        return {path: obj for path, obj in self._objects.items() if type(obj) is model}


class Hierarchy:
    """H-API calls over a :class:`Requester`."""

    def __init__(self, api: Requester) -> None:
        self._api = api

    async def read(self, base_path: str, types: Sequence[str]) -> PolicyIndex:
        """One filtered GET of the subtree at ``base_path``, indexed by path."""
        params = query_params({"filter": "Type-" + "|".join(types), "base_path": base_path})
        tree = await self._api.request("GET", policy_url("/infra"), params=params) or {}
        objects: dict[str, NsxObject] = {}
        for wrapped, parent in _wrapped_objects(tree.get("children") or [], "/infra"):
            _visit(wrapped, parent, objects)
        return PolicyIndex(objects)

    async def read_domain(self, domain: str = "default", types: Sequence[str] = DOMAIN_TYPES) -> PolicyIndex:
        """Everything under ``/infra/domains/<domain>`` this project manages, in one call."""
        return await self.read(f"/infra/domains/{domain}", types)

    async def patch(self, children: list[dict[str, Any]], *, enforce_revision_check: bool = False) -> None:
        """``PATCH /infra`` with ``children`` (see :func:`domain_children`)."""
        params = query_params({"enforce_revision_check": enforce_revision_check})
        await self._api.request("PATCH", policy_url("/infra"), params=params, json=infra(children))


# --- reading ------------------------------------------------------------------------


def _wrapped_objects(wrappers: list[Any], parent: str) -> Iterator[tuple[dict[str, Any], str]]:
    """The objects inside a ``children`` list, descending through references."""
    for wrapper in wrappers:
        if not isinstance(wrapper, dict):
            continue
        kind = str(wrapper.get("resource_type", ""))
        if kind == "ChildResourceReference":
            segment = _SEGMENTS.get(str(wrapper.get("target_type")), "")
            ref_path = f"{parent}/{segment}/{wrapper.get('id')}" if segment else parent
            yield from _wrapped_objects(wrapper.get("children") or [], ref_path)
            continue
        inner = wrapper.get(kind.removeprefix("Child"))
        if not isinstance(inner, dict):
            inner = next((v for v in wrapper.values() if isinstance(v, dict) and "resource_type" in v), None)
        if inner is not None and not wrapper.get("marked_for_delete") and not inner.get("marked_for_delete"):
            yield inner, parent


def _visit(data: dict[str, Any], parent: str, objects: dict[str, NsxObject]) -> None:
    kind = str(data.get("resource_type", ""))
    path = data.get("path") or f"{parent}/{_SEGMENTS.get(kind, kind.lower())}/{data.get('id')}"
    children = list(_wrapped_objects(data.get("children") or [], path))
    body = {key: value for key, value in data.items() if key != "children"}
    body.setdefault("path", path)
    if kind == "SecurityPolicy" and not body.get("rules"):
        rules = [inner for inner, _ in children if inner.get("resource_type") == "Rule"]
        body["rules"] = sorted(rules, key=lambda r: (r.get("sequence_number") is None, r.get("sequence_number") or 0))
    model = MODELS.get(kind, NsxObject)
    obj = objects[path] = model.from_live(body)
    if isinstance(obj, SecurityPolicy):  # its rules, parsed once, also by their own path
        for rule in obj.rules or []:
            objects[rule.path or f"{path}/rules/{rule.id}"] = rule
    for inner, inner_parent in children:
        if not (isinstance(obj, SecurityPolicy) and inner.get("resource_type") == "Rule"):
            _visit(inner, inner_parent, objects)


# --- writing ------------------------------------------------------------------------


def child(obj: NsxObject, *, children: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``{"resource_type": "Child<Type>", "<Type>": {...}}``: create or update ``obj``."""
    kind = _kind(obj)
    body = obj.to_wire()
    if children:
        body["children"] = children
    return {"resource_type": f"Child{kind}", kind: body}


def child_delete(resource_type: str, object_id: str) -> dict[str, Any]:
    """A wrapper that deletes the object and its whole subtree (ref §7)."""
    return {
        "resource_type": f"Child{resource_type}",
        "id": object_id,
        "marked_for_delete": True,
        resource_type: {"resource_type": resource_type, "id": object_id},
    }


def child_reference(target_type: str, object_id: str, children: list[dict[str, Any]]) -> dict[str, Any]:
    """Names an existing parent without updating it; only ``children`` are processed."""
    return {
        "resource_type": "ChildResourceReference",
        "id": object_id,
        "target_type": target_type,
        "children": children,
    }


def domain_children(domain: str, children: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The children list for changes under ``/infra/domains/<domain>``."""
    return [child_reference("Domain", domain, children)]


def infra(children: list[dict[str, Any]]) -> dict[str, Any]:
    """The H-API PATCH body."""
    return {"resource_type": "Infra", "children": children}


def _kind(obj: NsxObject) -> str:
    if not obj.resource_type:
        raise ValueError(f"{type(obj).__name__} has no resource_type; cannot wrap it")
    return obj.resource_type
