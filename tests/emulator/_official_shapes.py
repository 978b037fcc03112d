"""Is a response body an instance of the official NSX type of its route? (vcf-nsx SDK)

Two readings of every body, and a body must pass both:

1. The SDK's own: the REST response deserializer, the operation's output validators and
   the binding-type converter, exactly as a Python SDK client reads a response
   (swagger-REST mode, required fields enforced: the converter's
   ``_allow_skip_struct_fields`` stays off). Each polymorphic part is then converted to its
   concrete type as an SDK user would (``VapiStruct.convert_to``). vcf-nsx 9.1.1.0 marks
   every model field optional, so what this reading catches is nesting it cannot convert.
2. A strict walk of the JSON against the same binding types, for what the converter lets
   through: keys the type does not declare, a JSON kind that is not the declared one
   (the converter turns ``5`` into ``"5"`` for a string field), ``null`` (NSX leaves an
   unset field out), values outside the enum the field's documentation lists, a
   polymorphic ``resource_type`` that names no subtype of the declared base, and the
   length and range limits the documentation states.

The facts live in the SDK; this module only reads them.
"""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from vmware.vapi.bindings import type as bt
from vmware.vapi.bindings.converter import RestConverter, TypeConverter
from vmware.vapi.bindings.struct import VapiStruct
from vmware.vapi.data.serializers.cleanjson import DataValueConverter
from vmware.vapi.data.serializers.rest import ResponseDeserializer
from vmware.vapi.protocol.client.http_lib import HTTPResponse

from ._official_routes import OfficialOperation, model_module

MAX_PROBLEMS = 25
"""A body this wrong says enough after this many findings."""

_STRING_KINDS = (bt.StringType, bt.EnumType, bt.IdType, bt.URIType, bt.SecretType, bt.DateTimeType, bt.BlobType)


@dataclass(frozen=True)
class ShapeProblem:
    """One way a body differs from its official type."""

    where: str
    """JSON path in the body (``$.results[2].expression[0].member_type``)."""
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass
class FieldFacts:
    """What a field's documentation in the SDK fixes beyond its binding type."""

    allowed: frozenset[str] | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None


@dataclass
class TypeFacts:
    """The documented facts of one model type, by wire (canonical) field name."""

    name: str
    fields: dict[str, FieldFacts] = field(default_factory=dict)


# --------------------------------------------------------------------------- facts from the SDK docs

_PARAM = re.compile(r"^:param (\w+):", re.MULTILINE)
_ENUM_ITEM = re.compile(r"\*\s+vcf\.nsx\.model\.([\w.]+)\.(\w+)")
_MAX_LEN = re.compile(r"\* The maximum length of the string must be (\d+)")
_MIN_LEN = re.compile(r"\* The minimum length of the string must be (\d+)")
_MAX_VALUE = re.compile(r"\* The maximum allowable value must be <= (-?[\d.]+)")
_MIN_VALUE = re.compile(r"\* The minimum allowable value must be >= (-?[\d.]+)")
_POSSIBLE = "Possible values for this attribute:"


def _constant(class_path: str, name: str) -> str | None:
    """``Rule.ACTION_ALLOW`` -> ``"ALLOW"``: a documented enum value, read off the class."""
    owner: Any = model_module()
    for part in class_path.split("."):
        owner = getattr(owner, part, None)
    value = getattr(owner, name, None)
    return value if isinstance(value, str) else None


def _field_facts(doc: str) -> FieldFacts:
    facts = FieldFacts()
    if _POSSIBLE in doc:
        listed = doc.split(_POSSIBLE, 1)[1]
        values = {_constant(cls, const) for cls, const in _ENUM_ITEM.findall(listed)}
        facts.allowed = frozenset(v for v in values if v is not None) or None
    if m := _MAX_LEN.search(doc):
        facts.max_length = int(m.group(1))
    if m := _MIN_LEN.search(doc):
        facts.min_length = int(m.group(1))
    if m := _MAX_VALUE.search(doc):
        facts.maximum = Decimal(m.group(1))
    if m := _MIN_VALUE.search(doc):
        facts.minimum = Decimal(m.group(1))
    return facts


@cache
def type_facts(binding_class: type[Any]) -> TypeFacts:
    """Parse the ``:param`` sections of a model class's constructor docs (cached per class)."""
    facts = TypeFacts(binding_class.__name__)
    doc = inspect.getdoc(binding_class.__init__) or ""
    wire_to_pep: dict[str, str] = getattr(binding_class, "_canonical_to_pep_names", {})
    canonical = {pep: wire for wire, pep in wire_to_pep.items()}
    marks = list(_PARAM.finditer(doc))
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(doc)
        pep_name = mark.group(1)
        facts.fields[canonical.get(pep_name, pep_name)] = _field_facts(doc[mark.end() : end])
    return facts


@cache
def _model_classes() -> tuple[dict[str, type[Any]], dict[str, type[Any]]]:
    """Model types by exact name, and by lower-case name where that is unambiguous
    (``LBPool`` and ``LbPool`` are two types; ``ConsolidatedStatusNsxt`` is one)."""
    exact = {
        name: cls
        for name, cls in vars(model_module()).items()
        if inspect.isclass(cls) and issubclass(cls, VapiStruct) and cls is not VapiStruct
    }
    lower: dict[str, list[type[Any]]] = {}
    for name, cls in exact.items():
        lower.setdefault(name.lower(), []).append(cls)
    return exact, {name: found[0] for name, found in lower.items() if len(found) == 1}


def _model_class(name: Any) -> type[Any] | None:
    """The model type a ``resource_type`` names: the class of that name, or the one class
    whose name differs in case only (``ConsolidatedStatusNsxT`` -> ``ConsolidatedStatusNsxt``)."""
    if not isinstance(name, str):
        return None
    exact, lower = _model_classes()
    return exact.get(name) or lower.get(name.lower())


def _type_name(typ: Any) -> str:
    cls = getattr(typ, "binding_class", None)
    return cls.__name__ if cls is not None and cls is not VapiStruct else str(getattr(typ, "name", typ))


# --------------------------------------------------------------------------- the SDK's reading


def _sdk_problems(value: Any, typ: Any, where: str) -> list[ShapeProblem]:
    """Convert a DataValue to the binding type the way the SDK's stubs do; report a refusal."""
    try:
        TypeConverter.convert_to_python(value, typ, None, RestConverter.SWAGGER_REST)
    except Exception as exc:  # the converter raises bare TypeError/AttributeError on wrong nesting, too
        return [ShapeProblem(where, f"the SDK's REST converter rejects it as {_type_name(typ)}: {exc!r}")]
    return []


def sdk_reading(op: OfficialOperation, status: int, headers: dict[str, str], text: str) -> list[ShapeProblem]:
    """Deserialize, validate and convert the response exactly as the SDK stub for ``op`` would."""
    try:
        result = ResponseDeserializer.deserialize_response(HTTPResponse(status, headers, text), False, op.rest_metadata)
    except Exception as exc:
        return [ShapeProblem("$", f"the SDK cannot deserialize the body: {exc!r}")]
    if result.error is not None:
        return [ShapeProblem("$", f"the SDK reads this {status} response as an error: {result.error.name}")]
    for validator in op.output_validators:
        try:
            messages = validator.validate(result.output, op.output_type)
        except Exception as exc:  # the validator, too, trips over wrong nesting with a bare error
            messages = [repr(exc)]
        if messages:
            return [ShapeProblem("$", f"the SDK's output validator refuses it: {'; '.join(map(str, messages))}")]
    return _sdk_problems(result.output, op.output_type, "$")


# --------------------------------------------------------------------------- the strict walk


class StrictWalker:
    """Walks a decoded JSON body alongside a binding type, collecting every mismatch."""

    def __init__(self) -> None:
        self.problems: list[ShapeProblem] = []

    def _report(self, where: str, what: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(ShapeProblem(where, what))

    def check(self, value: Any, typ: Any, where: str = "$") -> None:  # noqa: PLR0912
        """Dispatch on the binding type (subclasses before their bases)."""
        if isinstance(typ, bt.ReferenceType):
            self.check(value, typ.resolved_type, where)
        elif isinstance(typ, bt.OptionalType):
            if value is None:
                self._report(where, "null: NSX leaves an unset field out of the body")
            else:
                self.check(value, typ.element_type, where)
        elif isinstance(typ, bt.VoidType):
            self._report(where, "a body, where the operation declares none")
        elif isinstance(typ, bt.ListType | bt.SetType):
            if not isinstance(value, list):
                self._report(where, f"{_kind(value)}, expected a list")
                return
            for i, item in enumerate(value):
                self.check(item, typ.element_type, f"{where}[{i}]")
        elif isinstance(typ, bt.MapType):
            if not isinstance(value, dict):
                self._report(where, f"{_kind(value)}, expected an object (map)")
                return
            for key, item in value.items():
                self.check(item, typ.value_type, f"{where}.{key}")
        elif isinstance(typ, bt.DynamicStructType):
            self._check_polymorphic(value, typ, where)
        elif isinstance(typ, bt.StructType):
            self._check_struct(value, self._documented_subtype(value, typ, where), where)
        elif isinstance(typ, _STRING_KINDS):
            self._check_scalar(value, str, where, "a string")
        elif isinstance(typ, bt.BooleanType):
            self._check_scalar(value, bool, where, "a boolean")
        elif isinstance(typ, bt.IntegerType):
            if isinstance(value, bool) or not isinstance(value, int):
                self._report(where, f"{_kind(value)}, expected an integer")
        elif isinstance(typ, bt.DoubleType):
            if isinstance(value, bool) or not isinstance(value, int | float):
                self._report(where, f"{_kind(value)}, expected a number")
        elif isinstance(typ, bt.OpaqueType):
            return
        else:
            self._report(where, f"binding type {type(typ).__name__} is not understood by this check")

    def _check_scalar(self, value: Any, kind: type, where: str, expected: str) -> None:
        if isinstance(value, bool) != (kind is bool) or not isinstance(value, kind):
            self._report(where, f"{_kind(value)}, expected {expected}")

    def _check_struct(self, value: Any, typ: bt.StructType, where: str) -> None:
        name = _type_name(typ)
        if not isinstance(value, dict):
            self._report(where, f"{_kind(value)}, expected an object ({name})")
            return
        declared = set(typ.get_field_names())
        for key in value:
            if key not in declared:
                self._report(f"{where}.{key}", f"not a field of {name}")
        binding_class = typ.binding_class
        facts = type_facts(binding_class) if binding_class not in (None, VapiStruct) else TypeFacts(name)
        for field_name in typ.get_field_names():
            field_type = typ.get_field(field_name)
            at = f"{where}.{field_name}"
            if field_name not in value:
                if not isinstance(field_type, bt.OptionalType):
                    self._report(at, f"required field of {name} is missing")
                continue
            self.check(value[field_name], field_type, at)
            if field_name in facts.fields:
                self._check_documented(value[field_name], facts.fields[field_name], at)

    def _check_documented(self, value: Any, facts: FieldFacts, where: str) -> None:
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            at = f"{where}[{i}]" if isinstance(value, list) else where
            if isinstance(item, str):
                if facts.allowed is not None and item not in facts.allowed:
                    self._report(at, f"{item!r} is not one of the documented values {sorted(facts.allowed)}")
                if facts.max_length is not None and len(item) > facts.max_length:
                    self._report(at, f"{len(item)} characters, documented maximum {facts.max_length}")
                if facts.min_length is not None and len(item) < facts.min_length:
                    self._report(at, f"{len(item)} characters, documented minimum {facts.min_length}")
            elif isinstance(item, int | float) and not isinstance(item, bool):
                if facts.maximum is not None and Decimal(str(item)) > facts.maximum:
                    self._report(at, f"{item} is above the documented maximum {facts.maximum}")
                if facts.minimum is not None and Decimal(str(item)) < facts.minimum:
                    self._report(at, f"{item} is below the documented minimum {facts.minimum}")

    def _documented_subtype(self, value: Any, typ: bt.StructType, where: str) -> bt.StructType:
        """A statically typed field may still hold a subtype: ``ServiceEntry`` documents
        ``L4PortSetServiceEntry`` among its ``resource_type`` values. An SDK user converts such
        a body to the subtype it names; so does this check."""
        if not isinstance(value, dict) or typ.binding_class in (None, VapiStruct):
            return typ
        allowed = type_facts(typ.binding_class).fields.get("resource_type", FieldFacts()).allowed
        named = _model_class(value.get("resource_type"))
        if allowed is None or named is None or named is typ.binding_class or value.get("resource_type") not in allowed:
            return typ
        subtype = named.get_binding_type()
        if not set(typ.get_field_names()) <= set(subtype.get_field_names()):
            return typ
        as_data_value = DataValueConverter.convert_to_data_value(json.dumps(value))
        for problem in _sdk_problems(as_data_value, subtype, where):
            self._report(problem.where, problem.what)
        return subtype

    def _check_polymorphic(self, value: Any, typ: bt.DynamicStructType, where: str) -> None:
        if not isinstance(value, dict):
            self._report(where, f"{_kind(value)}, expected an object")
            return
        concrete = self._concrete_type(value, typ, where)
        if concrete is None:
            return  # an untyped struct (``SearchResponse.results``) whose resource_type names no model type
        self._check_struct(value, concrete, where)
        as_data_value = DataValueConverter.convert_to_data_value(json.dumps(value))
        for problem in _sdk_problems(as_data_value, concrete, where):
            self._report(problem.where, problem.what)

    def _concrete_type(self, value: dict[str, Any], typ: bt.DynamicStructType, where: str) -> Any:
        """The type an SDK user converts this part to: the subtype its ``resource_type`` names.

        The SDK declares a polymorphic field as a dynamic struct that "has the fields of" a
        base type (``Expression``, ``ChildPolicyConfigResource``, ``ServiceEntry``); the base
        documents the allowed ``resource_type`` values, each the name of a model type.
        """
        bases = [ref.resolved_type for ref in typ.has_fields_of_type or []]
        resource_type = value.get("resource_type")
        named = _model_class(resource_type)
        if not bases:
            return named.get_binding_type() if named else None
        base = bases[0]
        base_name = _type_name(base)
        if resource_type is None:
            self._report(f"{where}.resource_type", f"missing: it names the {base_name} subtype of this object")
            return base
        allowed = type_facts(base.binding_class).fields.get("resource_type", FieldFacts()).allowed
        if allowed is not None and resource_type not in allowed:
            self._report(f"{where}.resource_type", f"{resource_type!r} is not a {base_name} subtype {sorted(allowed)}")
            return base
        if named is None or not set(base.get_field_names()) <= set(named.get_binding_type().get_field_names()):
            self._report(f"{where}.resource_type", f"{resource_type!r} names no official subtype of {base_name}")
            return base
        return named.get_binding_type()


def _kind(value: Any) -> str:
    """How a JSON value reads in a report: its JSON kind and a short excerpt."""
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    text = json.dumps(value)
    return f"{kinds.get(type(value), 'null')} {text[:60]}{'...' if len(text) > 60 else ''}"


def check_body(op: OfficialOperation, status: int, headers: dict[str, str], text: str) -> list[ShapeProblem]:
    """Every way ``text`` (a 2xx body of ``op``) is not the official output type of ``op``."""
    problems = sdk_reading(op, status, headers, text)
    try:
        body = json.loads(text)
    except ValueError as exc:
        return [*problems, ShapeProblem("$", f"not JSON: {exc}")]
    walker = StrictWalker()
    walker.check(body, op.output_type)
    return problems + walker.problems
