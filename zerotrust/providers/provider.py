"""The ``zerotrust`` provider: the engine's CRUD calls, dispatched to one kind each.

Why a provider plugin and not a dynamic provider: docs/provider-mechanism.md.

* ``configure`` builds one async NSX client per provider instance from its config
  (``host``, ``username``, ``password`` as a Pulumi secret, ``caFile`` or ``insecure``,
  ``auth``). TLS is verified unless ``insecure`` is set explicitly.
* ``check`` validates inputs with the models before any API call; a failure names the
  object, the field and the fix.
* ``diff`` compares normal forms (models) and reports a detailed, per-field diff.
* ``create``/``update`` are called in preview too (``supports_preview``): then they only
  plan; they never write.
* Errors a user can act on (bad input, NSX refusing a change, an object this stack does not
  own) are raised as :class:`UserError`; the plugin shows them without a Python traceback.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    InvokeRequest,
    InvokeResponse,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)

from zerotrust.nsx.client import NsxClient
from zerotrust.nsx.config import NsxConfig, Secret
from zerotrust.nsx.errors import NsxError
from zerotrust.providers import KINDS, SCHEMA
from zerotrust.providers._context import Context, Snapshots
from zerotrust.providers._diff import detailed_diff
from zerotrust.providers._kind import Kind
from zerotrust.providers._ownership import NotOwned, owner_from_urn
from zerotrust.providers._values import (
    UNKNOWN,
    has_unknowns,
    plain_map,
    property_map,
    secret_keys,
    with_placeholders,
)
from zerotrust.providers.cluster_lookup import TOKEN as CLUSTER_LOOKUP
from zerotrust.providers.cluster_lookup import find_cluster_control_plane

USER_ERROR_PREFIX = "zerotrust: "


class UserError(Exception):
    """An error the user can act on; shown as its message only."""

    def __init__(self, message: str) -> None:
        super().__init__(USER_ERROR_PREFIX + message)


def _type_of(urn: str) -> str:
    """The resource's own type token (a URN carries its parents' types before ``$``)."""
    return urn.split("::")[2].rsplit("$", maxsplit=1)[-1] if urn.count("::") >= 3 else ""


def config_from(args: Mapping[str, Any]) -> NsxConfig:
    """The provider's config (from an explicit provider resource) as an NsxConfig."""
    missing = [k for k in ("host", "username", "password") if not args.get(k)]
    if missing:
        raise UserError(
            f"provider config: missing {', '.join(missing)}. Fix: set them on the zerotrust "
            "provider (stack config nsx.host / nsx.username / nsx.password --secret)."
        )
    ca_file = args.get("caFile")
    return NsxConfig(
        endpoint=str(args["host"]).rstrip("/"),
        username=str(args["username"]),
        password=Secret(str(args["password"])),
        ca_file=Path(ca_file) if ca_file else None,
        insecure=bool(args.get("insecure", False)),
        auth=args.get("auth") or "session",
    )


class NsxProvider(Provider):
    """One instance per provider resource; all calls of that provider share its client."""

    def __init__(self) -> None:
        self._nsx: NsxClient | None = None
        self._snapshots: Snapshots | None = None

    # --- plumbing ----------------------------------------------------------------------

    def _kind(self, urn: str) -> Kind:
        token = _type_of(urn)
        kind = KINDS.get(token)
        if kind is None:
            raise UserError(f"unknown resource type {token!r}; this provider serves {sorted(KINDS)}")
        return kind

    def _context(self, urn: str, *, preview: bool = False) -> Context:
        if self._nsx is None or self._snapshots is None:
            raise UserError("the provider was not configured with an NSX endpoint")
        return Context(self._nsx, self._snapshots, owner_from_urn(urn), preview=preview)

    @staticmethod
    async def _guard(call: Any) -> Any:
        """Turn errors users can act on into UserError (no traceback in the engine output)."""
        try:
            return await call
        except (NsxError, NotOwned, ValueError) as error:
            raise UserError(str(error)) from error

    # --- configuration ---------------------------------------------------------------

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        return GetSchemaResponse(json.dumps(SCHEMA))

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        args = plain_map(request.args)
        if not args:  # default provider: stack config under the provider's namespace
            args = {k.split(":", 1)[1]: v for k, v in request.variables.items() if k.startswith("zerotrust:")}
        if not has_unknowns(args) and args:
            config = config_from(args)
            if self._nsx is not None:
                await self._nsx.aclose()
            self._nsx = NsxClient(config)
            self._snapshots = Snapshots(self._nsx)
        return ConfigureResponse(
            accept_secrets=True, supports_preview=True, accept_outputs=False, accept_resources=False
        )

    # --- functions -------------------------------------------------------------------

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        if request.tok != CLUSTER_LOOKUP:
            raise UserError(f"unknown function {request.tok!r}; this provider offers {CLUSTER_LOOKUP}")
        if self._nsx is None:
            raise UserError("the provider was not configured with an NSX endpoint")
        args = plain_map(request.args)
        name = str(args.get("name", ""))
        found = await self._guard(find_cluster_control_plane(self._nsx, name, float(args.get("timeoutSeconds", 60))))
        if found is None:
            reason = (
                f"cluster {name!r} is not registered with NSX (no cluster-control-plane with that name). "
                "Fix: check the cluster's Antrea-NSX registration (interworking pod, principal identity), "
                "or the cluster name in environment.yaml."
            )
            return InvokeResponse(failures=[CheckFailure("name", reason)])
        return InvokeResponse(return_value=property_map(found))

    # --- resources -------------------------------------------------------------------

    async def check(self, request: CheckRequest) -> CheckResponse:
        kind = self._kind(request.urn)
        inputs = plain_map(request.new_inputs)
        try:
            checked = kind.check(with_placeholders(inputs))
        except ValueError as error:
            return CheckResponse(inputs=request.new_inputs, failures=[CheckFailure("", str(error))])
        if has_unknowns(inputs):  # validated with placeholders; keep the unknowns, add defaults
            checked = {**{k: v for k, v in checked.items() if k not in inputs}, **inputs}
        secrets = secret_keys(request.new_inputs)
        # An input that check left as it was goes back as the engine sent it: converting a
        # 10-rule policy back into PropertyValues costs time and gives the same value.
        unchanged = {
            k: request.new_inputs[k] for k, v in checked.items() if k in inputs and k not in secrets and v == inputs[k]
        }
        rest = {k: v for k, v in checked.items() if k not in unchanged}
        return CheckResponse(inputs={**property_map(rest, secrets=secrets), **unchanged}, failures=[])

    async def diff(self, request: DiffRequest) -> DiffResponse:
        kind = self._kind(request.urn)
        olds, news = plain_map(request.old_state), plain_map(request.new_inputs)
        replaces = sorted(k for k in kind.replace_on if olds.get(k) != news.get(k) and k in news)
        if has_unknowns(news):
            unknown = {k for k, v in news.items() if has_unknowns(v) or olds.get(k) != v}
            changed = sorted(unknown)
            return DiffResponse(
                changes=bool(changed),
                replaces=replaces,
                diffs=changed,
                detailed_diff=detailed_diff([], news, olds),
            )
        changes = kind.changes(olds, news)
        top = sorted({c.path.split(".")[0].split("[")[0] for c in changes} | set(replaces))
        return DiffResponse(
            changes=bool(top),
            replaces=replaces,
            diffs=top,
            delete_before_replace=True,
            detailed_diff=detailed_diff(changes, news, olds, frozenset(replaces)),
        )

    async def create(self, request: CreateRequest) -> CreateResponse:
        kind = self._kind(request.urn)
        inputs = plain_map(request.properties)
        secrets = secret_keys(request.properties)
        if request.preview:
            planned = kind.planned(inputs) if not has_unknowns(inputs.get("nsx_id")) else dict(inputs)
            planned.setdefault("revision", UNKNOWN)
            rid = "" if has_unknowns(planned.get("path")) else kind.resource_id(inputs)
            return CreateResponse(resource_id=rid, properties=property_map(planned, secrets=secrets))
        outputs = await self._guard(kind.create(self._context(request.urn), inputs))
        return CreateResponse(resource_id=kind.resource_id(inputs), properties=property_map(outputs, secrets=secrets))

    async def read(self, request: ReadRequest) -> ReadResponse:
        kind = self._kind(request.urn)
        olds = plain_map(request.properties) or None
        found = await self._guard(kind.read(self._context(request.urn), request.resource_id, olds))
        if found is None:
            return ReadResponse(resource_id=None, properties={}, inputs={})
        outputs, inputs = found
        secrets = secret_keys(request.properties)
        properties = property_map(outputs, secrets=secrets)
        # Inputs are (mostly) the very same values as outputs: share their PropertyValues
        # rather than convert a 10-rule policy twice per read (refresh reads every resource).
        shared = {k: properties[k] for k, v in inputs.items() if k in outputs and outputs[k] is v}
        rest = {k: v for k, v in inputs.items() if k not in shared}
        return ReadResponse(
            resource_id=request.resource_id,
            properties=properties,
            inputs={**property_map(rest, secrets=secrets), **shared},
        )

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        kind = self._kind(request.urn)
        olds, news = plain_map(request.olds), plain_map(request.news)
        secrets = secret_keys(request.news)
        if request.preview:
            planned = {**kind.planned(news), "revision": UNKNOWN, "adopted": olds.get("adopted", False)}
            return UpdateResponse(properties=property_map(planned, secrets=secrets))
        outputs = await self._guard(kind.update(self._context(request.urn), request.resource_id, olds, news))
        return UpdateResponse(properties=property_map(outputs, secrets=secrets))

    async def delete(self, request: DeleteRequest) -> None:
        kind = self._kind(request.urn)
        olds = plain_map(request.properties)
        await self._guard(kind.delete(self._context(request.urn), request.resource_id, olds))
