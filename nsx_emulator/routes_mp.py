"""Manager (``/api``) routes: health, version, sessions, the authentication policy and
inventory (ref §1.2, §9)."""

from __future__ import annotations

from urllib.parse import parse_qs

from .auth import read_auth_policy, reset_auth_policy, update_auth_policy
from .errors import bad_request, not_found
from .http import Call, Reply, Router
from .inventory import Inventory, apply_tag_action
from .paging import page

PRODUCT_VERSION = "4.2.1.0.0.24304122"

#: MP container inventory endpoint -> inventory kind
CONTAINER_ENDPOINTS = {
    "container-clusters": "cluster",
    "container-projects": "namespace",
    "container-application-instances": "pod",
    "container-applications": "service",
    "container-cluster-nodes": "node",
    "container-egresses": "egress",
    "container-ip-pools": "ippool",
}


async def health(call: Call) -> Reply:
    return Reply(body={"healthy": True, "components_health": "POLICY:UP, SEARCH:UP, MANAGER:UP, NODE_MGMT:UP, UI:UP"})


async def version(call: Call) -> Reply:
    """A ``NodeVersion``: exactly its two fields (vcf-nsx 9.1.1.0), nothing emulator-specific."""
    return Reply(body={"node_version": PRODUCT_VERSION, "product_version": PRODUCT_VERSION})


async def session_create(call: Call) -> Reply:
    raw = (await call.body_bytes()).decode("utf-8", "replace")
    form = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
    sid, session = call.state.auth.create_session(form)
    secure = "; Secure" if call.state.tls else ""
    return Reply(
        body=session.user.roles_body(),
        headers={
            "set-cookie": f"JSESSIONID={sid}; Path=/{secure}; HttpOnly; SameSite=Lax",
            "x-xsrf-token": session.xsrf,
        },
    )


async def session_destroy(call: Call) -> Reply:
    call.state.auth.destroy_session(dict(call.request.cookies))
    return Reply(headers={"set-cookie": "JSESSIONID=; Path=/; Max-Age=0; HttpOnly"})


async def auth_policy(call: Call) -> Reply:
    """``GET|PUT /api/v1/node/aaa/auth-policy`` and ``POST ?action=reset-...``: the node's
    AuthenticationPolicyProperties (lockout semantics in ``auth.py``). Writes are
    admin-only through the pipeline's role check; the auditor may read."""
    store = call.state.store
    if call.method == "PUT":
        return Reply(body=update_auth_policy(store, await call.json()))
    if call.method == "POST":
        return Reply(body=reset_auth_policy(store, call.params.get("action", "")))
    return Reply(body=read_auth_policy(store))


async def virtual_machines(call: Call) -> Reply:
    store = call.state.store
    if call.method == "POST":
        if call.request.headers.get("vmw-async", "").lower() == "true":
            raise bad_request("The header vmw-async: True is not allowed on this API.")  # ref §1.2
        body = await call.json()
        if not isinstance(body, dict):
            raise bad_request('Expected {"external_id": ..., "tags": [...]}.')
        apply_tag_action(store, call.params.get("action", ""), body.get("external_id"), body.get("tags"))
        return Reply()
    inv = Inventory(store)
    vms = [inv.render_vm(v) for v in inv.records("vm")]
    for name in ("display_name", "external_id", "host_id"):
        if call.params.get(name):
            vms = [v for v in vms if v.get(name) == call.params[name]]
    return Reply(body=page(vms, call.params))


async def vifs(call: Call) -> Reply:
    inv = Inventory(call.state.store)
    items = [inv.render_vif(v) for v in inv.records("vm")]
    if call.params.get("owner_vm_id"):
        items = [i for i in items if i["owner_vm_id"] == call.params["owner_vm_id"]]
    return Reply(body=page(items, call.params))


async def containers(call: Call) -> Reply:
    endpoint = call.path_params["endpoint"]
    if endpoint == "container-network-policies":
        return Reply(body=page([], call.params))
    kind = CONTAINER_ENDPOINTS.get(endpoint)
    if kind is None:
        raise not_found("/api/v1/fabric/" + endpoint)
    inv = Inventory(call.state.store)
    items = [inv.render_container(kind, r) for r in inv.records(kind)]
    filters = {
        "container_cluster_id": "container_cluster_id",
        "scope_id": "container_cluster_id",
        "container_project_id": "container_project_id",
        "cluster_type": "cluster_type",
    }
    for param, field in filters.items():
        if call.params.get(param):
            items = [i for i in items if i.get(field) == call.params[param]]
    one = call.path_params.get("item_id")
    if one is not None:
        for item in items:
            if item["external_id"] == one:
                return Reply(body=item)
        raise not_found(f"/api/v1/fabric/{endpoint}/{one}")
    return Reply(body=page(items, call.params))


def register(router: Router) -> None:
    router.add("/api/v1/reverse-proxy/node/health", {"GET": health}, authenticated=False)
    router.add("/api/session/create", {"POST": session_create}, authenticated=False)
    router.add("/api/session/destroy", {"POST": session_destroy})
    router.add("/api/v1/node/version", {"GET": version})
    router.add("/api/v1/node/aaa/auth-policy", {"GET": auth_policy, "PUT": auth_policy, "POST": auth_policy})
    router.add("/api/v1/fabric/virtual-machines", {"GET": virtual_machines, "POST": virtual_machines})
    router.add("/api/v1/fabric/vifs", {"GET": vifs})
    router.add("/api/v1/fabric/{endpoint}", {"GET": containers})
    router.add("/api/v1/fabric/{endpoint}/{item-id}", {"GET": containers})
