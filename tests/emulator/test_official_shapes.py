"""The official-shape check itself (issue 12): it must catch what it claims to catch.

Every response the conformance suite receives passes through :mod:`._shape_check`; these
tests feed the check hand-made bodies, right and wrong, so that a green suite means the
emulator's bodies are official types, not that the check saw nothing.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from vmware.vapi.bindings import type as bt
from vmware.vapi.bindings.converter import RestConverter, TypeConverter
from vmware.vapi.data.serializers.cleanjson import DataValueConverter

from . import _shape_check
from ._official_routes import OfficialOperation, model_module, route_index
from ._official_shapes import ShapeProblem, check_body
from ._shape_check import ShapeMismatchError, ShapeTally, check_response

pytestmark = pytest.mark.conformance("official-shapes")

P = "/policy/api/v1"
GROUP = f"{P}/infra/domains/default/groups/web"
RULE = f"{P}/infra/domains/default/security-policies/app/rules/r1"


def _op(method: str, path: str, **query: str) -> OfficialOperation:
    op = route_index().match(method, path, query)
    assert op is not None, f"{method} {path}"
    return op


def _problems(method: str, path: str, body: Any, **query: str) -> list[ShapeProblem]:
    return check_body(_op(method, path, **query), 200, {"content-type": "application/json"}, json.dumps(body))


def _where(problems: list[ShapeProblem]) -> set[str]:
    return {p.where for p in problems}


def _group(**extra: Any) -> dict[str, Any]:
    condition = {
        "resource_type": "Condition",
        "member_type": "VirtualMachine",
        "key": "Tag",
        "operator": "EQUALS",
        "value": "app|web",
    }
    return {"resource_type": "Group", "id": "web", "display_name": "web", "expression": [condition], **extra}


# --- the route table --------------------------------------------------------------------------


def test_routes_resolve_to_their_declared_operations() -> None:
    assert _op("GET", GROUP).operation == "policy_read_group_for_domain"
    assert _op("GET", f"{P}/infra/domains/default/groups").operation == "policy_list_group_for_domain"
    assert _op("GET", "/api/v1/fabric/virtual-machines").operation == "list_virtual_machines"


def test_a_dispatch_query_selects_its_operation() -> None:
    """``?action=revise`` is part of the route: without it the POST is another operation."""
    assert _op("POST", RULE, action="revise").operation == "policy_revise_security_rule"
    assert route_index().match("POST", RULE, {}) is None


def test_a_literal_segment_beats_a_path_variable() -> None:
    op = _op("GET", f"{P}/infra/context-profiles/attributes")
    assert op.template.endswith("/context-profiles/attributes")


def test_emulator_hooks_are_not_nsx_routes() -> None:
    assert route_index().match("GET", "/emulator/admin/counters", {}) is None


# --- bodies -----------------------------------------------------------------------------------


def test_an_official_group_passes() -> None:
    assert _problems("GET", GROUP, _group(tags=[{"scope": "app", "tag": "web"}])) == []


def test_wrong_nesting_fails_at_its_path() -> None:
    """``expression`` is a list of Expression; an object there is a nesting error."""
    problems = _problems("GET", GROUP, _group(expression={"resource_type": "Condition"}))
    assert "$.expression" in _where(problems)


def test_the_sdk_itself_rejects_wrong_nesting() -> None:
    """Not only the strict walk: the SDK's own reading (output validator, REST converter)
    refuses a list where a struct goes."""
    problems = _problems("GET", GROUP, _group(tags=[["app", "web"]]))
    assert any(p.where == "$" and p.what.startswith("the SDK") for p in problems), problems
    assert "$.tags[0]" in _where(problems)


def test_an_undeclared_key_fails() -> None:
    problems = _problems("GET", GROUP, _group(member_count=3))
    assert [str(p) for p in problems] == ["$.member_count: not a field of Group"]


def test_a_wrong_json_kind_fails_although_the_converter_coerces_it() -> None:
    """The SDK turns ``5`` into ``"5"`` for a string field; NSX never sends a number there."""
    problems = _problems("GET", GROUP, _group(display_name=5))
    assert _where(problems) == {"$.display_name"}


def test_null_fails() -> None:
    problems = _problems("GET", GROUP, _group(description=None))
    assert _where(problems) == {"$.description"}


def test_a_value_outside_the_documented_enum_fails() -> None:
    rule = {"resource_type": "Rule", "id": "r1", "action": "PERMIT"}
    problems = _problems("GET", RULE, rule)
    assert _where(problems) == {"$.action"}
    assert "ALLOW" in problems[0].what


def test_a_documented_length_limit_is_enforced() -> None:
    problems = _problems("GET", GROUP, _group(display_name="x" * 256))
    assert _where(problems) == {"$.display_name"}


def test_a_polymorphic_part_is_checked_as_the_subtype_it_names() -> None:
    """An Expression is read as the type its ``resource_type`` names: ``paths`` belongs to a
    PathExpression, not to a Condition."""
    body = _group()
    body["expression"][0]["paths"] = ["/infra/domains/default/groups/db"]
    problems = _problems("GET", GROUP, body)
    assert [str(p) for p in problems] == ["$.expression[0].paths: not a field of Condition"]


def test_a_polymorphic_part_needs_an_official_subtype() -> None:
    body = _group(expression=[{"resource_type": "TagExpression", "value": "x"}])
    problems = _problems("GET", GROUP, body)
    assert "$.expression[0].resource_type" in _where(problems)


def test_hierarchical_children_are_checked_too() -> None:
    """``children`` of an H-API body are ChildPolicyConfigResource subtypes, each wrapping its object."""
    child = {"resource_type": "ChildGroup", "Group": _group(colour="red")}
    domain = {
        "resource_type": "ChildDomain",
        "Domain": {"resource_type": "Domain", "id": "default", "children": [child]},
    }
    problems = _problems("GET", f"{P}/infra", {"resource_type": "Infra", "children": [domain]})
    assert [p.where for p in problems] == ["$.children[0].Domain.children[0].Group.colour"]


def test_a_subtype_of_a_statically_typed_field_is_accepted() -> None:
    """``GET .../service-entries/{id}`` declares ServiceEntry; the body is the L4PortSetServiceEntry it names."""
    entry = {"resource_type": "L4PortSetServiceEntry", "id": "e", "l4_protocol": "TCP", "destination_ports": ["443"]}
    assert _problems("GET", f"{P}/infra/services/https/service-entries/e", entry) == []
    entry["l4_protocol"] = "SCTP"
    assert _where(_problems("GET", f"{P}/infra/services/https/service-entries/e", entry)) == {"$.l4_protocol"}


def test_a_body_where_the_operation_returns_none_fails() -> None:
    assert _where(_problems("PATCH", GROUP, _group())) == {"$"}


def test_required_fields_are_enforced_by_the_converter() -> None:
    """The converter runs with required fields enforced. vcf-nsx 9.1.1.0 marks no model field
    required (see the next test), so this is shown on a binding type that does."""
    needs_id = bt.StructType("probe", {"id": bt.StringType(), "note": bt.OptionalType(bt.StringType())})
    with pytest.raises(Exception, match="id"):
        TypeConverter.convert_to_python(
            DataValueConverter.convert_to_data_value('{"note": "x"}'), needs_id, None, RestConverter.SWAGGER_REST
        )


def test_the_sdk_declares_no_required_model_field() -> None:
    """A fact of this SDK that bounds what the check can see: every field of every model type is
    optional, so a missing field is never a finding. If a later SDK marks fields required, the
    converter above enforces them with no change here; this test then says so."""
    required = [
        f"{name}.{field}"
        for name, cls in vars(model_module()).items()
        if isinstance(cls, type) and hasattr(cls, "get_binding_type") and cls.get_binding_type() is not None
        for field in cls.get_binding_type().get_field_names()
        if not isinstance(cls.get_binding_type().get_field(field), bt.OptionalType)
    ]
    assert required == []


# --- the hook ----------------------------------------------------------------------------------


@pytest.fixture
def own_tally(monkeypatch: pytest.MonkeyPatch) -> ShapeTally:
    """Hand-made responses are not emulator responses: keep them out of the session's count."""
    tally = ShapeTally()
    monkeypatch.setattr(_shape_check, "TALLY", tally)
    return tally


def _response(method: str, path: str, status: int, body: Any) -> httpx.Response:
    request = httpx.Request(method, "https://nsx.example" + path)
    return httpx.Response(status, json=body, request=request)


def test_the_hook_names_route_path_and_reason(own_tally: ShapeTally) -> None:
    with pytest.raises(ShapeMismatchError) as caught:
        check_response(_response("GET", GROUP, 200, _group(member_count=3)))
    message = str(caught.value)
    assert "GET /policy/api/v1/infra/domains/default/groups/web -> 200" in message
    assert "Group of GET /policy/api/v1/infra/domains/{domainId}/groups/{groupId}" in message
    assert "$.member_count: not a field of Group" in message
    assert own_tally.bodies == 1


def test_the_hook_leaves_errors_and_emulator_hooks_alone(own_tally: ShapeTally) -> None:
    check_response(_response("GET", GROUP, 404, {"httpStatus": "NOT_FOUND", "extra": True}))
    check_response(_response("GET", "/emulator/admin/counters", 200, {"anything": 1}))
    assert own_tally.bodies == 0
    assert own_tally.undeclared == {"GET /emulator/admin/...": 1}
