"""The ``zerotrust`` provider: the engine's CRUD calls, dispatched to one kind each.

Why a provider plugin and not a dynamic provider: docs/provider-mechanism.md.

* ``configure`` builds one async NSX client per provider instance from its config
  (``host``, ``username``, ``password`` as a Pulumi secret, ``caFile`` or ``insecure``,
  ``auth``). TLS is verified unless ``insecure`` is set explicitly.
* ``check_inputs`` validates inputs with the models before any API call; a failure names
  the object, the field and the fix.
* ``diff_state`` compares normal forms (models) and reports a detailed, per-field diff.
* ``create_resource``/``update_resource`` are called in preview too (``supports_preview``):
  then they only plan; they never write.
* Resource calls take and return plain JSON; ``server.py`` turns the engine's wire form
  into it and back (configuration and functions use the SDK's framework directly).
* Errors a user can act on (bad input, NSX refusing a change, an object this stack does not
  own) are raised as :class:`UserError`; the plugin shows them without a Python traceback.
  Operational faults (NSX unreachable, TLS, credentials, throttling ...) become one line from
  ``_faults``: what failed, the stack config to fix, and what changed in NSX (usually nothing).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pulumi.provider.experimental.provider import (
    CheckFailure,
    ConfigureRequest,
    ConfigureResponse,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    InvokeRequest,
    InvokeResponse,
    Provider,
)

from zerotrust.nsx.client import NsxClient, recording_writes
from zerotrust.nsx.config import NsxConfig
from zerotrust.nsx.errors import ConfigError, NsxError
from zerotrust.providers import KINDS, SCHEMA
from zerotrust.providers._context import Context, Snapshots
from zerotrust.providers._diff import detailed_diff
from zerotrust.providers._faults import debugging, explain, explain_config
from zerotrust.providers._kind import Kind
from zerotrust.providers._ownership import NotOwned, owner_from_urn
from zerotrust.providers._values import has_unknowns, plain_map, property_map, with_placeholders
from zerotrust.providers.cluster_lookup import TOKEN as CLUSTER_LOOKUP
from zerotrust.providers.cluster_lookup import find_cluster_control_plane
from zerotrust.resources import USER_ERROR_PREFIX


class UserError(Exception):
    """An error the user can act on; shown as its message only."""

    def __init__(self, message: str) -> None:
        super().__init__(USER_ERROR_PREFIX + message)


def _type_of(urn: str) -> str:
    """The resource's own type token (a URN carries its parents' types before ``$``)."""
    return urn.split("::")[2].rsplit("$", maxsplit=1)[-1] if urn.count("::") >= 3 else ""


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

    async def _guard(self, call: Any) -> Any:
        """Turn errors users can act on into UserError (no traceback in the engine output);
        an operational fault into its one line, saying what changed in NSX."""
        with recording_writes() as writes:
            try:
                return await call
            except NsxError as error:
                if self._nsx is None:
                    raise UserError(str(error)) from error
                line = explain(error, self._nsx.config, writes)
                if debugging():
                    raise RuntimeError(line) from error
                raise UserError(line) from error
            except (NotOwned, ValueError) as error:
                raise UserError(str(error)) from error

    # --- configuration ---------------------------------------------------------------

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        return GetSchemaResponse(json.dumps(SCHEMA))

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        args = plain_map(request.args)
        if not args:  # default provider: stack config under the provider's namespace
            args = {k.split(":", 1)[1]: v for k, v in request.variables.items() if k.startswith("zerotrust:")}
        if not has_unknowns(args) and args:
            if self._nsx is not None:
                await self._nsx.aclose()
                self._nsx = None
            try:
                self._nsx = NsxClient(NsxConfig.from_settings(args))
            except ConfigError as error:  # found before any request: name the setting to fix
                raise UserError(explain_config(error, str(args.get("host") or ""))) from None
            self._snapshots = Snapshots(self._nsx)
        return ConfigureResponse(
            accept_secrets=True, supports_preview=True, accept_outputs=False, accept_resources=False
        )

    @staticmethod
    def config_changes(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
        """Provider config keys that changed; never a replacement (the same objects, reached
        another way). A change must be reported: for an unchanged provider the engine keeps
        the config in its state, so a read-only account's preview would run as the account
        of the last ``up``."""
        return sorted(key for key in set(olds) | set(news) if olds.get(key) != news.get(key))

    # --- functions -------------------------------------------------------------------

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        if request.tok != CLUSTER_LOOKUP:
            raise UserError(f"unknown function {request.tok!r}; this provider offers {CLUSTER_LOOKUP}")
        if self._nsx is None:
            raise UserError("the provider was not configured with an NSX endpoint")
        args = plain_map(request.args)
        name = str(args.get("name", ""))
        wait = float(args.get("timeoutSeconds", 60))
        found = await self._guard(find_cluster_control_plane(self._nsx, name, wait))
        if not found.ready:
            return InvokeResponse(failures=[CheckFailure("name", USER_ERROR_PREFIX + found.problem(name, wait))])
        return InvokeResponse(return_value=property_map(found.result(self._nsx.cluster_control_planes().base)))

    # --- resources (plain JSON in and out; server.py does the wire form) ------------

    async def check_inputs(
        self, urn: str, olds: Mapping[str, Any], news: dict[str, Any]
    ) -> tuple[dict[str, Any], list[CheckFailure]]:
        """Validated inputs with defaults, or the failures that name object, field and fix."""
        kind = self._kind(urn)
        unknowns = has_unknowns(news)
        try:
            checked = kind.check(with_placeholders(news) if unknowns else news, olds or None)
        except ValueError as error:
            return news, [CheckFailure("", str(error))]
        if unknowns:  # validated with placeholders; keep the unknowns, add defaults
            checked = {**{k: v for k, v in checked.items() if k not in news}, **news}
        return checked, []

    async def diff_state(self, urn: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResponse:
        """``olds``: the previous state (old outputs overlaid with old inputs, see server.py)."""
        kind = self._kind(urn)
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
            detailed_diff=detailed_diff(changes, news, olds, frozenset(replaces), outputs=kind.output_changes),
        )

    async def create_resource(
        self, urn: str, inputs: Mapping[str, Any], *, preview: bool
    ) -> tuple[str, dict[str, Any]]:
        """(Pulumi id, outputs); in preview the planned outputs, nothing written."""
        kind = self._kind(urn)
        if preview:
            planned = kind.planned(inputs) if not has_unknowns(inputs.get("nsx_id")) else dict(inputs)
            rid = "" if has_unknowns(planned.get("path")) else kind.resource_id(inputs)
            return rid, planned
        outputs = await self._guard(kind.create(self._context(urn), inputs))
        return kind.resource_id(inputs), outputs

    async def read_resource(
        self, urn: str, resource_id: str, olds: Mapping[str, Any] | None
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(outputs, inputs) of the live resource, or None when it is gone."""
        kind = self._kind(urn)
        found: tuple[dict[str, Any], dict[str, Any]] | None = await self._guard(
            kind.read(self._context(urn), resource_id, olds or None)
        )
        return found

    async def update_resource(
        self, urn: str, resource_id: str, olds: Mapping[str, Any], news: Mapping[str, Any], *, preview: bool
    ) -> dict[str, Any]:
        kind = self._kind(urn)
        if preview:
            planned = kind.planned(news)
            if "adopted" in olds:
                planned["adopted"] = olds["adopted"]
            return planned
        outputs: dict[str, Any] = await self._guard(kind.update(self._context(urn), resource_id, olds, news))
        return outputs

    async def delete_resource(self, urn: str, resource_id: str, olds: Mapping[str, Any]) -> None:
        kind = self._kind(urn)
        await self._guard(kind.delete(self._context(urn), resource_id, olds))
