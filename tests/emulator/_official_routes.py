"""Which official NSX operation answers a request: the route table of the vcf-nsx SDK.

Every service client module of the SDK (``vcf/nsx/**/*_client.py``) declares, per
operation, its HTTP method, URL template (with any dispatch query such as
``?action=revise``) and output type. This module reads those declarations, not a copy of
them, so a route's expected body type is always the one Broadcom publishes.
Global Manager routes are left out: the emulator is a Local Manager.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, unquote

import vcf.nsx
from vmware.vapi.bindings.stub import ApiInterfaceStub

_SKIPPED_PACKAGES = ("vcf.nsx.global_manager",)
_MODEL_MODULE = "vcf.nsx.model_client"


@dataclass(frozen=True)
class OfficialOperation:
    """One operation as the SDK declares it."""

    method: str
    template: str
    """The URL path template, e.g. ``/policy/api/v1/infra/domains/{domainId}/groups/{groupId}``."""
    dispatch: tuple[tuple[str, str], ...]
    """Query parameters the template fixes (``action=revise``): they select the operation."""
    service: str
    operation: str
    output_type: Any
    """The operation's output binding type (``vmware.vapi.bindings.type``)."""
    output_validators: tuple[Any, ...]
    rest_metadata: Any

    @property
    def route(self) -> str:
        """``METHOD template[?dispatch]``: how a route is named in reports."""
        query = "&".join(f"{k}={v}" for k, v in self.dispatch)
        return f"{self.method} {self.template}" + (f"?{query}" if query else "")


class _NoConnector:
    """Enough of a stub configuration to build a stub without connecting anywhere."""

    _response_extractor = None

    class connector:  # noqa: N801  (attribute name the stub reads)
        @staticmethod
        def get_api_provider() -> None:
            return None


def _stub_classes() -> list[type[Any]]:
    classes: list[type[Any]] = []
    for module_info in pkgutil.walk_packages(vcf.nsx.__path__, "vcf.nsx."):
        name = module_info.name
        if not name.endswith("_client") or name == _MODEL_MODULE or name.startswith(_SKIPPED_PACKAGES):
            continue
        module = importlib.import_module(name)
        classes.extend(
            cls
            for cls in vars(module).values()
            if inspect.isclass(cls) and issubclass(cls, ApiInterfaceStub) and cls.__module__ == name
        )
    return classes


def _operations_of(stub_class: type[Any]) -> list[OfficialOperation]:
    stub = stub_class(_NoConnector())
    found = []
    for op_name, meta in stub._rest_metadata.items():
        info = stub._operations[op_name]
        path, _, query = meta._url_template.partition("?")
        found.append(
            OfficialOperation(
                method=meta.http_method.upper(),
                template=path,
                dispatch=tuple(sorted(parse_qsl(query))),
                service=stub.get_identifier().get_name(),
                operation=op_name,
                output_type=info["output_type"],
                output_validators=tuple(info["output_validator_list"]),
                rest_metadata=meta,
            )
        )
    return found


def _segments(path: str) -> list[str]:
    return [unquote(s) for s in path.strip("/").split("/")]


def _is_variable(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


class RouteIndex:
    """Maps a concrete request (method, path, query) to the official operation serving it."""

    def __init__(self, operations: list[OfficialOperation]) -> None:
        self.operations = operations
        self._by_shape: dict[tuple[str, int], list[tuple[list[str], OfficialOperation]]] = {}
        for op in operations:
            segs = _segments(op.template)
            self._by_shape.setdefault((op.method, len(segs)), []).append((segs, op))

    def match(self, method: str, path: str, query: dict[str, str] | None = None) -> OfficialOperation | None:
        """The operation for this request, or None when the SDK declares no such route.

        Literal segments win over path variables, earlier segments first (``groups/statistics``
        beats ``groups/{groupId}``); an operation whose dispatch query the request lacks never
        matches, and one whose dispatch query it has beats one without.
        """
        query = query or {}
        segs = _segments(path)
        best: tuple[tuple[int, ...], OfficialOperation] | None = None
        for template, op in self._by_shape.get((method.upper(), len(segs)), []):
            if any(query.get(k) != v for k, v in op.dispatch):
                continue
            score = []
            for want, got in zip(template, segs, strict=True):
                if _is_variable(want):
                    if not got:
                        break
                    score.append(0)
                elif want != got:
                    break
                else:
                    score.append(1)
            else:
                rank = (len(op.dispatch), *score)
                if best is None or rank > best[0]:
                    best = (rank, op)
        return best[1] if best else None


@cache
def route_index() -> RouteIndex:
    """The SDK's route table (built once per process: about a second)."""
    operations: list[OfficialOperation] = []
    for stub_class in _stub_classes():
        operations.extend(_operations_of(stub_class))
    return RouteIndex(operations)


@cache
def model_module() -> Any:
    """``vcf.nsx.model_client``: every official type, looked up by name for polymorphic bodies."""
    return importlib.import_module(_MODEL_MODULE)
