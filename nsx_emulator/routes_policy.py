"""Policy API routes under ``/policy/api/v1`` (ref §1, §7, §8, §10).

Replies: GET returns the object; PUT and ``action=revise`` return the written
object; PATCH returns 200 with an empty body (observed for rules, ref §1.3, and
the SDK declares no PATCH return value, so all kinds do the same); DELETE returns
200 with an empty body, also when the object is already gone (idempotent delete;
clients treat a 404 on DELETE as success anyway, ref §1.3).
"""

from __future__ import annotations

from typing import Any

from .cluster_status import render_status
from .errors import bad_request, method_not_allowed, not_found
from .firewall import check_request_path
from .group_associations import groups_of_vm
from .group_members import list_members
from .hapi import apply_children, get_infra_json, patch_infra
from .http import Call, Reply, Router
from .inventory import Inventory, apply_tag_action
from .inventory_search import inventory_documents
from .paging import page
from .policy import statistics
from .policy.kinds import resolve
from .policy.ordering import revise
from .policy.reads import render
from .policy.security import rule_sort_key
from .policy.services import SUPPORTED_ATTRIBUTES
from .policy.writer import Writer
from .realization import consolidated_status, realized_entities
from .search import compile_query

PREFIX = "/policy/api/v1"


async def policy_object(call: Call) -> Reply:
    """Every ``/infra/...`` object or collection path of a modelled kind."""
    check_request_path(call.request.scope.get("raw_path"), call.request.scope["path"])
    path = "/infra/" + call.path_params["rest"].rstrip("/")
    resolved = resolve(path)
    if resolved is None:
        raise not_found(path)
    call.template = PREFIX + resolved.template
    store = call.state.store
    method = call.method
    if resolved.is_collection:
        if method != "GET":
            raise method_not_allowed(method, PREFIX + path)
        return _list_collection(call, path)
    kind = resolved.kind
    assert kind is not None
    if method == "GET":
        obj = render(store, path)
        if obj is None:
            raise not_found(path)
        return Reply(body=obj)
    if method == "POST":
        action = call.params.get("action")
        if action != "revise" or kind.name not in ("SecurityPolicy", "Rule"):
            raise bad_request(f"Unsupported action {action!r} for path=[{path}].")
        w = Writer(store, call.user_name)
        revise(
            w,
            path,
            await call.json(required=False),
            call.params.get("operation"),
            call.params.get("anchor_path"),
        )
        w.finish()
        return Reply(body=render(store, path))
    if method not in kind.methods:
        raise method_not_allowed(method, PREFIX + path)
    w = Writer(store, call.user_name)
    if method == "DELETE":
        if kind.name == "ClusterControlPlane" and call.flag("cascade"):
            w.detach(path)
        w.delete(path)
        w.finish()
        return Reply()
    body = await call.json()
    if method == "PUT":
        w.upsert(path, body, replace=True, check_revision=True)
        w.finish()
        return Reply(body=render(store, path))
    w.upsert(path, body)
    if isinstance(body, dict) and body.get("children"):
        apply_children(w, path, kind.name, body["children"])
    w.finish()
    return Reply()


def _list_collection(call: Call, path: str) -> Reply:
    store = call.state.store
    parent, segment = path.rsplit("/", 1)
    if parent != "/infra" and store.get(parent) is None:
        raise not_found(parent)
    items = [o for o in (render(store, p) for p in store.children(parent, segment)) if o is not None]
    if segment == "rules":
        items.sort(key=rule_sort_key)  # evaluation order, as in the policy's inline list
    if segment == "security-policies":
        counted = call.flag("include_rule_count")
        items = [
            {k: v for k, v in o.items() if k != "rules"} | ({"rule_count": len(o.get("rules", []))} if counted else {})
            for o in items
        ]
    if segment == "services" and "default_service" in call.params:
        want = call.flag("default_service")
        items = [o for o in items if bool(o.get("_system_owned")) == want]
    if segment == "groups" and call.params.get("member_types"):
        items = _filter_member_types(items, call.params["member_types"])
    return Reply(body=page(items, call.params))


def _filter_member_types(items: list[dict[str, Any]], raw: str) -> list[dict[str, Any]]:
    wanted = {t.strip() for t in raw.split(",") if t.strip()}

    def types(expr: list[Any]) -> set[str]:
        out: set[str] = set()
        for e in expr:
            if e.get("resource_type") == "Condition":
                out.add(e.get("member_type"))
            elif e.get("resource_type") == "NestedExpression":
                out |= types(e.get("expressions", []))
            elif e.get("resource_type") == "IPAddressExpression":
                out.add("IPAddress")
            elif e.get("resource_type") == "ExternalIDExpression":
                out.add(e.get("member_type"))
        return out

    return [g for g in items if types(g.get("expression") or []) <= wanted]


async def profile_attributes(call: Call) -> Reply:
    """Supported context-profile attributes (ref §1.1); ``attribute_key`` filters.

    vcf-nsx 9.1.1.0 declares a ``PolicyContextProfileListResult``: each result is a
    ``PolicyContextProfile`` whose ``attributes`` hold the ``PolicyAttributes`` of one key.
    """
    wanted = call.params.get("attribute_key")
    items = [
        {"attributes": [{"key": k, "value": v, "datatype": "STRING", "description": k, "attribute_source": "SYSTEM"}]}
        for k, v in SUPPORTED_ATTRIBUTES.items()
        if wanted in (None, k)
    ]
    return Reply(body=page(items, call.params))


async def infra(call: Call) -> Reply:
    if call.method == "GET":
        return Reply(raw=get_infra_json(call.state.store, call.params))
    if call.method == "PATCH":
        patch_infra(
            call.state.store,
            call.user_name,
            await call.json(),
            enforce_revision=call.flag("enforce_revision_check"),
        )
        return Reply()
    # PUT /infra updates only the Infra object itself (ref §1.1), which we do not model.
    await call.json()
    return Reply(raw=get_infra_json(call.state.store, {}))


async def search(call: Call) -> Reply:
    query = call.params.get("query")
    if not query:
        raise bad_request("The query parameter is required.", 60513)
    matcher = compile_query(query)
    store = call.state.store
    results = [o for k, o in list(store.objects.items()) if k.startswith("/") and matcher(o)]
    results += [o for o in inventory_documents(store) if matcher(o)]
    if not call.flag("include_mark_for_delete_objects"):
        results = [o for o in results if not o.get("marked_for_delete")]
    return Reply(body=page(results, call.params, keep_last_cursor=True))


async def realized(call: Call) -> Reply:
    intent = call.params.get("intent_path")
    if not intent:
        raise bad_request("The intent_path query parameter is required.")
    results = realized_entities(call.state.store, call.state.realization, intent)
    return Reply(body={"results": results, "result_count": len(results)})


async def realized_status(call: Call) -> Reply:
    intent = call.params.get("intent_path")
    if not intent:
        raise bad_request("The intent_path query parameter is required.")
    return Reply(
        body=consolidated_status(
            call.state.store,
            call.state.realization,
            intent,
            include_enforced_status=call.flag("include_enforced_status"),
        )
    )


async def realized_vms(call: Call) -> Reply:
    """No cursor and no result_count here, but an incoming cursor is honoured (ref §1.2)."""
    inv = Inventory(call.state.store)
    vms = [inv.render_vm(v) for v in inv.records("vm")]
    out = page(vms, call.params, with_result_count=False)
    out.pop("cursor", None)
    return Reply(body=out)


async def realized_vm_tags(call: Call) -> Reply:
    """Replaces all tags of the VM; the URL id wins over the body (ref §1.2)."""
    body = await call.json()
    if not isinstance(body, dict):
        raise bad_request("Expected a VirtualMachineTags object.")
    apply_tag_action(call.state.store, "update_tags", call.path_params["vm_id"], body.get("tags", []))
    return Reply()


async def ep_vms(call: Call) -> Reply:
    if call.method == "GET":
        return await realized_vms(call)
    if call.params.get("action") != "update_tags":
        raise bad_request("Only action=update_tags is supported here.")
    body = await call.json()
    if not isinstance(body, dict):
        raise bad_request("Expected a VirtualMachineTagsUpdate object.")
    apply_tag_action(call.state.store, "update_tags", body.get("virtual_machine_id"), body.get("tags", []))
    return Reply()


async def group_members(call: Call) -> Reply:
    """``members/{kind}`` of a group, in the list-result type of that kind (see group_members.py)."""
    domain, group, kind = (call.path_params[k] for k in ("domain_id", "group_id", "member_kind"))
    path = f"/infra/domains/{domain}/groups/{group}"
    if call.state.store.get(path) is None:
        raise not_found(path)
    return Reply(body=list_members(call.state.store, path, kind, call.params))


async def cluster_status(call: Call) -> Reply:
    """Antrea cluster health, an ``AntreaClusterInfo`` (vcf-nsx 9.1.1.0
    ``cluster_control_planes.Status.get``); 404 when the cluster is not registered."""
    site, ep, cid = (call.path_params[k] for k in ("site_id", "enforcementpoint_id", "cluster_control_plane_id"))
    path = f"/infra/sites/{site}/enforcement-points/{ep}/cluster-control-planes/{cid}"
    store = call.state.store
    if store.get(path) is None:
        raise not_found(path)
    return Reply(body=render_status(store, path))


async def policy_statistics(call: Call) -> Reply:
    """Per-rule hit counts of a policy, a ``SecurityPolicyStatisticsListResult`` (see statistics.py)."""
    domain, policy = call.path_params["domain_id"], call.path_params["security_policy_id"]
    path = f"/infra/domains/{domain}/security-policies/{policy}"
    return Reply(body=statistics.policy_statistics(call.state.store, path, call.params))


async def rule_statistics(call: Call) -> Reply:
    """Hit counts of one rule, a ``RuleStatisticsListResult`` (see statistics.py)."""
    domain, policy, rule = (call.path_params[k] for k in ("domain_id", "security_policy_id", "rule_id"))
    path = f"/infra/domains/{domain}/security-policies/{policy}/rules/{rule}"
    return Reply(body=statistics.single_rule_statistics(call.state.store, path, call.params))


async def vm_group_associations(call: Call) -> Reply:
    """The groups a VM is in, a ``PolicyResourceReferenceForEPListResult`` (see group_associations.py)."""
    return Reply(body=groups_of_vm(call.state.store, call.params))


def register(router: Router) -> None:
    router.add(PREFIX + "/infra", {"GET": infra, "PATCH": infra, "PUT": infra})
    router.add(PREFIX + "/infra/realized-state/realized-entities", {"GET": realized})
    router.add(PREFIX + "/infra/realized-state/status", {"GET": realized_status})
    router.add(PREFIX + "/infra/realized-state/virtual-machines", {"GET": realized_vms})
    router.add(PREFIX + "/infra/realized-state/virtual-machines/{vm-id}/tags", {"POST": realized_vm_tags})
    router.add(
        PREFIX + "/infra/realized-state/enforcement-points/{enforcement-point-name}/virtual-machines",
        {"GET": ep_vms, "POST": ep_vms},
    )
    router.add(PREFIX + "/infra/domains/{domain-id}/groups/{group-id}/members/{member-kind}", {"GET": group_members})
    router.add(PREFIX + "/infra/context-profiles/attributes", {"GET": profile_attributes})
    router.add(
        PREFIX + "/infra/sites/{site-id}/enforcement-points/{enforcementpoint-id}"
        "/cluster-control-planes/{cluster-control-plane-id}/status",
        {"GET": cluster_status},
    )
    router.add(PREFIX + "/infra/virtual-machine-group-associations", {"GET": vm_group_associations})
    policy_template = PREFIX + "/infra/domains/{domain-id}/security-policies/{security-policy-id}"
    router.add(policy_template + "/statistics", {"GET": policy_statistics})
    router.add(policy_template + "/rules/{rule-id}/statistics", {"GET": rule_statistics})
    router.add(PREFIX + "/search/query", {"GET": search})
    router.add(PREFIX + "/search", {"GET": search})
    handlers = {m: policy_object for m in ("GET", "PATCH", "PUT", "DELETE", "POST")}
    router.add(PREFIX + "/infra/{rest:path}", handlers)
