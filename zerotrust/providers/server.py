"""The provider's gRPC service: resource calls on the wire form, the rest through the SDK.

The SDK's servicer turns every request into ``PropertyValue`` trees and every answer back;
for a 13,000-object policy set that was ~9 s of Python per call (docs/scale.md). The
resource calls here (Check, Diff, Create, Read, Update, Delete) decode the protobuf
``Struct`` straight to plain JSON (``_wire``) and, where an answer passes inputs through,
copy their wire form instead of encoding them again. Two shortcuts make an unchanged
stack nearly free, both exact:

* Check: inputs equal to the previous inputs were validated when they were first checked;
* Diff: inputs equal to the previous inputs mean no change (the engine's own default).

What a kind gets as the previous state (``olds``) is the previous outputs overlaid with the
previous inputs: after a refresh the inputs are what NSX has (``read`` returns them), and
the outputs add what only they hold (``path``, ``revision``, ``adopted``, a set's
``applied``).

Configuration, functions and schema (small messages) stay on the SDK's servicer.
"""

from __future__ import annotations

import traceback
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, TypeVar

from google.protobuf import empty_pb2
from pulumi.provider.experimental.provider import PropertyDiffKind
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime.proto import provider_pb2 as proto

from zerotrust.providers._wire import Decoded, to_struct
from zerotrust.providers.provider import NsxProvider

R = TypeVar("R")

_DIFF_KINDS = {
    PropertyDiffKind.ADD: proto.PropertyDiff.ADD,
    PropertyDiffKind.ADD_REPLACE: proto.PropertyDiff.ADD_REPLACE,
    PropertyDiffKind.DELETE: proto.PropertyDiff.DELETE,
    PropertyDiffKind.DELETE_REPLACE: proto.PropertyDiff.DELETE_REPLACE,
    PropertyDiffKind.UPDATE: proto.PropertyDiff.UPDATE,
    PropertyDiffKind.UPDATE_REPLACE: proto.PropertyDiff.UPDATE_REPLACE,
}


def _with_traceback(
    handler: Callable[[Any, Any, Any], Awaitable[R]],
) -> Callable[[Any, Any, Any], Awaitable[R]]:
    """Unexpected errors reach the engine with their traceback (user errors are stripped
    of it again by the plugin's interceptor)."""

    async def wrapper(self: Any, request: Any, context: Any) -> R:
        try:
            return await handler(self, request, context)
        except Exception as error:
            stack = "".join(traceback.format_list(traceback.extract_tb(error.__traceback__)))
            raise Exception(f"{error}:\n{stack}") from error

    return wrapper


class _Previous(Mapping[str, Any]):
    """The previous state a kind reasons about: outputs overlaid with inputs, decoded lazily."""

    def __init__(self, inputs: Decoded, outputs: Decoded) -> None:
        self._inputs, self._outputs = inputs, outputs

    def __getitem__(self, key: str) -> Any:
        return self._inputs[key] if key in self._inputs else self._outputs[key]

    def __iter__(self) -> Iterator[str]:
        return iter(set(self._inputs) | set(self._outputs))

    def __len__(self) -> int:
        return len(set(self._inputs) | set(self._outputs))


class NsxServicer(ProviderServicer):
    """The engine's view of :class:`NsxProvider`."""

    def __init__(self, args: list[str], version: str, provider: NsxProvider, engine_address: str) -> None:
        super().__init__(args, version, provider, engine_address=engine_address)
        self._nsx = provider

    @_with_traceback
    async def DiffConfig(self, request: proto.DiffRequest, context: Any) -> proto.DiffResponse:  # noqa: N802
        """A config change is an update of the provider, never a replacement of what it manages
        (and the SDK's servicer reports ``changes`` as a bool where the engine wants its enum)."""
        changed = self._nsx.config_changes(Decoded(request.olds).plain(), Decoded(request.news).plain())
        return proto.DiffResponse(
            changes=proto.DiffResponse.DIFF_SOME if changed else proto.DiffResponse.DIFF_NONE,
            diffs=changed,
            detailedDiff={key: proto.PropertyDiff(kind=proto.PropertyDiff.UPDATE, inputDiff=True) for key in changed},
            hasDetailedDiff=True,
        )

    @_with_traceback
    async def Check(self, request: proto.CheckRequest, context: Any) -> proto.CheckResponse:  # noqa: N802
        if request.olds.fields and request.news == request.olds:
            return proto.CheckResponse(inputs=request.news)
        news = Decoded(request.news)
        checked, failures = await self._nsx.check_inputs(request.urn, Decoded(request.olds), news.plain())
        return proto.CheckResponse(
            inputs=to_struct(checked, news.secrets, reuse=(news,)),
            failures=[proto.CheckFailure(property=f.property, reason=f.reason) for f in failures],
        )

    @_with_traceback
    async def Diff(self, request: proto.DiffRequest, context: Any) -> proto.DiffResponse:  # noqa: N802
        if request.old_inputs.fields and request.news == request.old_inputs:
            return proto.DiffResponse(changes=proto.DiffResponse.DIFF_NONE, hasDetailedDiff=True)
        olds = _Previous(Decoded(request.old_inputs), Decoded(request.olds))
        found = await self._nsx.diff_state(request.urn, olds, Decoded(request.news).plain())
        return proto.DiffResponse(
            replaces=found.replaces or [],
            deleteBeforeReplace=bool(found.delete_before_replace),
            changes=proto.DiffResponse.DIFF_SOME if found.changes else proto.DiffResponse.DIFF_NONE,
            diffs=found.diffs or [],
            detailedDiff={
                path: proto.PropertyDiff(kind=_DIFF_KINDS[d.kind], inputDiff=d.input_diff)
                for path, d in (found.detailed_diff or {}).items()
            },
            hasDetailedDiff=True,
        )

    @_with_traceback
    async def Create(self, request: proto.CreateRequest, context: Any) -> proto.CreateResponse:  # noqa: N802
        inputs = Decoded(request.properties)
        resource_id, outputs = await self._nsx.create_resource(request.urn, inputs.plain(), preview=request.preview)
        return proto.CreateResponse(id=resource_id, properties=to_struct(outputs, inputs.secrets, reuse=(inputs,)))

    @_with_traceback
    async def Read(self, request: proto.ReadRequest, context: Any) -> proto.ReadResponse:  # noqa: N802
        old_inputs, old_outputs = Decoded(request.inputs), Decoded(request.properties)
        olds = _Previous(old_inputs, old_outputs)
        found = await self._nsx.read_resource(request.urn, request.id, olds or None)
        if found is None:
            return proto.ReadResponse(id="")
        outputs, inputs = found
        secrets = old_inputs.secrets | old_outputs.secrets
        reuse = (old_outputs, old_inputs)
        return proto.ReadResponse(
            id=request.id,
            properties=to_struct(outputs, secrets, reuse=reuse),
            inputs=to_struct(inputs, secrets, reuse=reuse),
        )

    @_with_traceback
    async def Update(self, request: proto.UpdateRequest, context: Any) -> proto.UpdateResponse:  # noqa: N802
        olds = _Previous(Decoded(request.old_inputs), Decoded(request.olds))
        news = Decoded(request.news)
        outputs = await self._nsx.update_resource(request.urn, request.id, olds, news.plain(), preview=request.preview)
        return proto.UpdateResponse(properties=to_struct(outputs, news.secrets, reuse=(news,)))

    @_with_traceback
    async def Delete(self, request: proto.DeleteRequest, context: Any) -> empty_pb2.Empty:  # noqa: N802
        olds = _Previous(Decoded(request.old_inputs), Decoded(request.properties))
        await self._nsx.delete_resource(request.urn, request.id, olds)
        return empty_pb2.Empty()
