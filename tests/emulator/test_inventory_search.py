"""Search over inventory objects: the lookups Terraform's ``nsxt_policy_vm`` data source
and ``nsxt_policy_vm_tags`` resource make against NSX 4.1.2+ (ref §10;
terraform-provider-nsxt ``policy_search.go``: ``resource_type:<T> AND display_name:<escaped
prefix>*`` and ``resource_type:<T> AND <escaped id>``, the id then compared with
``external_id`` and the ``biosUuid:``/``instanceUuid:`` entries of ``compute_ids``)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from ._admin import add_pod, add_vm
from ._nsx import JSON, P, ok, token

pytestmark = pytest.mark.conformance("search")

#: Terraform's escapeSpecialCharacters set
SPECIALS = "()[]+-=&|><!{}^~*?:/"


def escape(value: str) -> str:
    """Backslash-escape every special character, as Terraform does."""
    return "".join("\\" + ch if ch in SPECIALS else ch for ch in value)


def search(nsx: httpx.Client, query: str, **params: Any) -> JSON:
    body = ok(nsx.get(f"{P}/search/query", params={"query": query, **params}), 200).json()
    assert isinstance(body, dict)
    return body


def mp_vm(nsx: httpx.Client, external_id: str) -> JSON:
    """The VM as the manager's inventory list reports it (ref §1.2)."""
    body = ok(nsx.get("/api/v1/fabric/virtual-machines", params={"external_id": external_id}), 200).json()
    (vm,) = body["results"]
    assert isinstance(vm, dict)
    return vm


def compute_id(vm: JSON, key: str) -> str:
    """The value of ``key:<value>`` in ``compute_ids`` (Terraform's bios/instance ids)."""
    (value,) = [str(c).split(":", 1)[1] for c in vm["compute_ids"] if str(c).startswith(key + ":")]
    return value


def test_vm_by_display_name_prefix(nsx: httpx.Client) -> None:
    """display_name:<prefix>* finds every VM whose name starts with the prefix, as a
    VirtualMachine with the manager's fields; other VMs stay out."""
    prefix = token("vmp")
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    tag = token("web")
    add_vm(nsx, first, display_name=f"{prefix}-web-1", tags=[{"scope": "app", "tag": tag}])
    add_vm(nsx, second, display_name=f"{prefix}-web-2")
    add_vm(nsx, str(uuid.uuid4()), display_name=token("other"))
    body = search(nsx, f"resource_type:VirtualMachine AND display_name:{escape(prefix + '-web')}*")
    assert body["result_count"] == 2
    by_id = {r["external_id"]: r for r in body["results"]}
    assert set(by_id) == {first, second}
    hit = by_id[first]
    assert hit["resource_type"] == "VirtualMachine"
    assert hit["display_name"] == f"{prefix}-web-1"
    assert hit["tags"] == [{"scope": "app", "tag": tag}]
    assert hit["compute_ids"] == mp_vm(nsx, first)["compute_ids"]


def test_vm_by_external_id_field(nsx: httpx.Client) -> None:
    """external_id:<id> is an ordinary field query on the VM document."""
    ext = str(uuid.uuid4())
    add_vm(nsx, ext, display_name=token("vme"))
    body = search(nsx, f"resource_type:VirtualMachine AND external_id:{escape(ext)}")
    assert [r["external_id"] for r in body["results"]] == [ext]


@pytest.mark.parametrize("which", ["external_id", "biosUuid", "instanceUuid"])
def test_vm_by_any_of_its_ids_as_bare_term(nsx: httpx.Client, which: str) -> None:
    """Terraform's 'resource_type:VirtualMachine AND <escaped id>' finds the VM by its
    external id, BIOS UUID or instance UUID (the three ids nsxt_policy_vm accepts)."""
    ext = str(uuid.uuid4())
    add_vm(nsx, ext, display_name=token("vmb"))
    vm = mp_vm(nsx, ext)
    wanted = ext if which == "external_id" else compute_id(vm, which)
    body = search(nsx, f"resource_type:VirtualMachine AND {escape(wanted)}")
    assert [r["external_id"] for r in body["results"]] == [ext]


def test_policy_object_queries_do_not_return_vms(nsx: httpx.Client) -> None:
    """Terraform's Policy-object searches add 'AND path:\\/infra*' and
    'AND marked_for_delete:false'; inventory documents have neither field."""
    name = token("vmq")
    add_vm(nsx, str(uuid.uuid4()), display_name=name)
    assert search(nsx, f"resource_type:VirtualMachine AND display_name:{name}")["result_count"] == 1
    assert search(nsx, f"resource_type:VirtualMachine AND display_name:{name} AND path:\\/infra*")["result_count"] == 0
    query = f"display_name:{name} AND marked_for_delete:false"
    assert search(nsx, query)["result_count"] == 0


def test_vm_tags_are_searchable(nsx: httpx.Client) -> None:
    """tags.scope / tags.tag match VM tags like they match Policy object tags (ref §10)."""
    tag = token("tg")
    ext = str(uuid.uuid4())
    add_vm(nsx, ext, display_name=token("vmt"), tags=[{"scope": "tier", "tag": tag}])
    body = search(nsx, f"resource_type:VirtualMachine AND tags.scope:tier AND tags.tag:{tag}")
    assert [r["external_id"] for r in body["results"]] == [ext]


def test_pod_is_searchable_as_container_application_instance(nsx: httpx.Client) -> None:
    """Container inventory is indexed too: a pod is a ContainerApplicationInstance with its
    cluster's id, found by name."""
    pod = token("pod")
    add_pod(nsx, token("cl"), pod, namespace="shop", labels={"app": "cart"})
    body = search(nsx, f"resource_type:ContainerApplicationInstance AND display_name:{pod}")
    (hit,) = body["results"]
    assert hit["display_name"] == pod
    assert hit["resource_type"] == "ContainerApplicationInstance"
    assert {"scope": "app", "tag": "cart"} in hit["tags"]
    assert isinstance(hit["container_cluster_id"], str)


def test_vm_search_pages_with_numeric_cursor(nsx: httpx.Client) -> None:
    """Inventory results page like Policy ones: numeric-string cursor, present on the last
    page, result_count the total (ref §10, §12.8)."""
    prefix = token("vmc")
    for i in range(3):
        add_vm(nsx, str(uuid.uuid4()), display_name=f"{prefix}{i}")
    query = f"resource_type:VirtualMachine AND display_name:{prefix}*"
    first = search(nsx, query, page_size=2)
    assert first["result_count"] == 3
    assert len(first["results"]) == 2
    assert first["cursor"] == "2"
    last = search(nsx, query, page_size=2, cursor=first["cursor"])
    assert len(last["results"]) == 1
    assert last["cursor"] == "3"
    names = {r["display_name"] for r in first["results"] + last["results"]}
    assert names == {f"{prefix}{i}" for i in range(3)}
