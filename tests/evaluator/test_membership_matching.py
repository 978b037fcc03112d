"""How the evaluator's Conditions compare tags and names, derived by hand (nsx-policy-api.md §4.2).

Facts, from the vcf-nsx 9.1.1.0 SDK model ``Condition``:
* "Evaluation of the condition expression will be case insensitive";
* ``scope_operator`` defaults to EQUALS, and "Condition with key as Tag and value as "|tag"
  would be evaluated for tag value not for empty scope value": ``"|web"`` is ``web`` under
  any scope, and a value without ``|`` reads the same.
Each expectation below was worked out on paper over the small inventory of :func:`_data`.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.evaluator.scenario import G
from zerotrust.evaluator.config import load_config
from zerotrust.evaluator.membership import Members, MembershipResolver

#: VM name -> its (scope, tag) pairs
VM_TAGS: dict[str, list[tuple[str, str]]] = {
    "snake": [("house", "Slytherin"), ("tier", "web")],
    "badger": [("House", "Hufflepuff"), ("Tier", "WEB")],
    "lion": [("school", "slytherin"), ("", "web")],
    "bare": [("", "Web")],
    "plain": [],
}
#: VM name -> (os_name, computer_name)
VM_GUEST = {
    "snake": ("Ubuntu Linux (64-bit)", "Snake.Corp.example"),
    "badger": ("Red Hat Enterprise Linux 9", "badger.corp.example"),
}
EVERY_VM = frozenset(VM_TAGS)


def _data(conditions: list[dict[str, Any]], group_type: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"expression": conditions}
    if group_type:
        body["group_type"] = group_type
    vms = []
    for index, (name, tags) in enumerate(VM_TAGS.items(), start=1):
        vm: dict[str, Any] = {
            "display_name": name,
            "ip_addresses": [f"192.0.2.{index}"],
            "tags": [{"scope": s, "tag": t} for s, t in tags],
        }
        if name in VM_GUEST:
            vm["os_name"], vm["computer_name"] = VM_GUEST[name]
        vms.append(vm)
    pods = [
        {"name": "fe", "namespace": "Shop", "labels": {"App": "FrontEnd"}, "ip_addresses": ["10.0.0.1"], "node": "n"},
        {"name": "be", "namespace": "shop", "labels": {"app": "backend"}, "ip_addresses": ["10.0.0.2"], "node": "n"},
    ]
    cluster = {"name": "c1", "nodes": [{"name": "n", "ip_addresses": ["192.0.2.100"]}], "pods": pods}
    return {"virtual_machines": vms, "clusters": [cluster], "objects": [{"path": f"{G}/g", "body": body}]}


def _members(*conditions: dict[str, Any], group_type: list[str] | None = None) -> Members:
    config = load_config(_data(list(conditions), group_type))
    resolver = MembershipResolver({config.group_path(g): g for g in config.groups}, config.inventory)
    members = resolver.members(f"{G}/g")
    assert not resolver.problems
    return members


def _cond(value: str, operator: str = "EQUALS", key: str = "Tag", member: str = "VirtualMachine", **extra: str) -> Any:
    return {
        "resource_type": "Condition",
        "member_type": member,
        "key": key,
        "operator": operator,
        "value": value,
        **extra,
    }


@pytest.mark.parametrize("value", ["|web", "web", "|WEB", "Web"])
def test_tag_without_scope_matches_under_any_scope(value: str) -> None:
    """'|web' and 'web' select web under tier, Tier, the empty scope: every VM but plain."""
    assert _members(_cond(value)).vms == {"snake", "badger", "lion", "bare"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("house|slytherin", {"snake"}),
        ("House|slytherin", {"snake"}),
        ("house|Slytherin", {"snake"}),
        ("HOUSE|HUFFLEPUFF", {"badger"}),
        ("tier|web", {"snake", "badger"}),
        ("school|Slytherin", {"lion"}),
        ("house|web", set()),
    ],
)
def test_scope_and_tag_ignore_case(value: str, expected: set[str]) -> None:
    """'scope|tag' needs both on one tag, each compared without case."""
    assert _members(_cond(value)).vms == expected


#: operator, value -> VMs selected (worked out from VM_TAGS)
TAG_OPERATORS = [
    ("EQUALS", "HOUSE|sLYTHERIN", {"snake"}),
    ("CONTAINS", "house|PUFF", {"badger"}),
    ("CONTAINS", "|THERIN", {"snake", "lion"}),
    ("STARTSWITH", "House|sly", {"snake"}),
    ("ENDSWITH", "house|IN", {"snake"}),
    ("IN", "HOUSE|gryffindor, hufflepuff", {"badger"}),
    ("MATCHES", "house|SLY*", {"snake"}),
    ("NOTEQUALS", "house|SLYTHERIN", EVERY_VM - {"snake"}),
    ("NOTEQUALS", "TIER|web", {"lion", "bare", "plain"}),
    ("NOTIN", "house|slytherin,HUFFLEPUFF", {"lion", "bare", "plain"}),
    ("NOTEQUALS", "|web", {"plain"}),
]


@pytest.mark.parametrize(("operator", "value", "expected"), TAG_OPERATORS)
def test_each_tag_operator_ignores_case(operator: str, value: str, expected: set[str]) -> None:
    """Every operator ignores case; NOTEQUALS/NOTIN select objects with no tag passing EQUALS/IN
    (untagged ones too)."""
    assert _members(_cond(value, operator)).vms == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("house|slytherin", {"lion"}),  # slytherin under school, not under house
        ("TIER|web", {"lion", "bare"}),  # web under the empty scope; tier/Tier are excluded
        ("|slytherin", {"snake", "lion"}),  # empty scope part: not evaluated
    ],
)
def test_scope_operator_notequals(value: str, expected: set[str]) -> None:
    """scope_operator NOTEQUALS: the tag under a scope other than the one given, without case."""
    assert _members(_cond(value, scope_operator="NOTEQUALS")).vms == expected


def test_scope_with_empty_tag_means_any_tag_under_it() -> None:
    """'HOUSE|': the tag part is not evaluated; any tag under house/House."""
    assert _members(_cond("HOUSE|")).vms == {"snake", "badger"}


#: key, operator, value -> VMs selected. OSName/ComputerName of lion, bare, plain: "" and the
#: VM name (the seed format's defaults).
ATTRIBUTE_CASES = [
    ("Name", "EQUALS", "SNAKE", {"snake"}),
    ("Name", "CONTAINS", "A", {"snake", "badger", "bare", "plain"}),
    ("Name", "STARTSWITH", "B", {"badger", "bare"}),
    ("Name", "ENDSWITH", "ER", {"badger"}),
    ("Name", "IN", "Lion,PLAIN", {"lion", "plain"}),
    ("Name", "NOTEQUALS", "Snake", EVERY_VM - {"snake"}),
    ("Name", "NOTIN", "snake,BADGER", {"lion", "bare", "plain"}),
    ("OSName", "EQUALS", "ubuntu linux (64-BIT)", {"snake"}),
    ("OSName", "STARTSWITH", "RED HAT", {"badger"}),
    ("OSName", "NOTEQUALS", "UBUNTU LINUX (64-bit)", EVERY_VM - {"snake"}),
    ("ComputerName", "EQUALS", "snake.corp.EXAMPLE", {"snake"}),
    ("ComputerName", "ENDSWITH", ".CORP.example", {"snake", "badger"}),
    ("ComputerName", "EQUALS", "LION", {"lion"}),
    ("ComputerName", "NOTEQUALS", "BADGER.corp.example", EVERY_VM - {"badger"}),
]


@pytest.mark.parametrize(("key", "operator", "value", "expected"), ATTRIBUTE_CASES)
def test_name_os_and_computer_name_ignore_case(key: str, operator: str, value: str, expected: set[str]) -> None:
    """Name, OSName and ComputerName conditions compare without case, like tags."""
    assert _members(_cond(value, operator, key)).vms == expected


def test_antrea_pod_tag_and_namespace_name_ignore_case() -> None:
    """Pod labels are tags (§6.2): 'app|frontend' selects the pod labelled App=FrontEnd;
    Namespace Name 'SHOP' selects the pods of Shop and shop alike."""
    antrea = ["ANTREA"]
    assert _members(_cond("app|frontend", member="Pod"), group_type=antrea).pods == {"c1/Shop/fe"}
    assert _members(_cond("app|FRONTEND", "NOTEQUALS", member="Pod"), group_type=antrea).pods == {"c1/shop/be"}
    namespace = _members(_cond("SHOP", key="Name", member="Namespace"), group_type=antrea)
    assert namespace.pods == {"c1/Shop/fe", "c1/shop/be"}
