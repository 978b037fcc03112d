"""How a Condition compares tags and names, over real HTTP (ref §4.2, corrected).

Facts, from the vcf-nsx 9.1.1.0 SDK model ``Condition``:
* "Evaluation of the condition expression will be case insensitive" (every operator; the
  text names no exception, so MATCHES too);
* ``scope_operator``: default EQUALS; "If value for Condition is empty, then condition will
  not be evaluated. For example, Condition with key as Tag and value as "|tag" would be
  evaluated for tag value not for empty scope value": ``"|web"`` is ``web`` under any scope.
The expectations below were worked out by hand from those sentences. Every name carries a
fresh token so the tests can share one emulator with the rest of the suite; negative
operators select every VM of that emulator, so they are checked on our VMs only.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from . import _admin
from ._members import pod_members, vm_members
from ._nsx import JSON, condition, group_body, group_path, ok, patch, uid

pytestmark = pytest.mark.conformance("membership")


def _token() -> str:
    """Eight lowercase hex digits: the letters around it carry the case under test."""
    return uuid.uuid4().hex[:8]


def _cond(value: str, operator: str = "EQUALS", key: str = "Tag", **extra: str) -> JSON:
    return {**condition("VirtualMachine", key, operator, value), **extra}


def _group(nsx: httpx.Client, *conditions: JSON, **extra: object) -> str:
    gid = uid("match")
    ok(patch(nsx, group_path(gid), group_body(gid, list(conditions), **extra)))
    return group_path(gid)


def _vm(nsx: httpx.Client, *tags: tuple[str, str]) -> str:
    ext = str(uuid.uuid4())
    _admin.add_vm(nsx, ext, tags=[{"scope": s, "tag": t} for s, t in tags])
    return ext


@pytest.mark.parametrize("form", ["|{tag}", "{tag}"], ids=["empty-scope", "bare"])
def test_tag_without_scope_matches_under_any_scope(nsx: httpx.Client, form: str) -> None:
    """'|web' and 'web' select the tag web under any scope, the empty scope included."""
    t = _token()
    web = f"web{t}"
    under_tier = _vm(nsx, (f"tier{t}", web))
    under_nothing = _vm(nsx, ("", web))
    under_other_case = _vm(nsx, (f"Role{t}", web.upper()))
    other_tag = _vm(nsx, (f"tier{t}", f"db{t}"))
    members = vm_members(nsx, _group(nsx, _cond(form.format(tag=web))))
    assert {under_tier, under_nothing, under_other_case} <= members
    assert other_tag not in members


def test_scope_and_tag_both_match(nsx: httpx.Client) -> None:
    """'env|prod' needs scope env and tag prod on the same tag."""
    t = _token()
    env, prod = f"env{t}", f"prod{t}"
    both = _vm(nsx, (env, prod))
    wrong_scope = _vm(nsx, (f"stage{t}", prod))
    wrong_tag = _vm(nsx, (env, f"dev{t}"))
    split = _vm(nsx, (env, f"dev{t}"), (f"stage{t}", prod))
    members = vm_members(nsx, _group(nsx, _cond(f"{env}|{prod}")))
    assert both in members
    assert not {wrong_scope, wrong_tag, split} & members


@pytest.mark.parametrize(
    ("value", "vm_scope", "vm_tag"),
    [
        ("House{t}|slytherin{t}", "house{t}", "Slytherin{t}"),
        ("house{t}|Slytherin{t}", "HOUSE{t}", "SLYTHERIN{t}"),
        ("HOUSE{t}|SLYTHERIN{t}", "house{t}", "slytherin{t}"),
    ],
)
def test_scope_and_tag_ignore_case(nsx: httpx.Client, value: str, vm_scope: str, vm_tag: str) -> None:
    """'House|slytherin' selects a VM tagged scope house, tag Slytherin (and the like)."""
    t = _token()
    vm = _vm(nsx, (vm_scope.format(t=t), vm_tag.format(t=t)))
    assert vm in vm_members(nsx, _group(nsx, _cond(value.format(t=t))))


#: operator, tag part of the value; then: selects "Slytherin<t>", selects "Hufflepuff<t>"
TAG_OPERATORS = [
    ("EQUALS", "sLYTHERIN{t}", True, False),
    ("CONTAINS", "THERIN", True, False),
    ("STARTSWITH", "SLY", True, False),
    ("ENDSWITH", "RIN{t}", True, False),
    ("IN", "gryffindor,SLYTHERIN{t}", True, False),
    ("MATCHES", "SLY[a-z]+{t}", True, False),
    ("NOTEQUALS", "SLYTHERIN{t}", False, True),
    ("NOTIN", "gryffindor,SLYTHERIN{t}", False, True),
]


@pytest.mark.parametrize(("operator", "tag_part", "slytherin", "hufflepuff"), TAG_OPERATORS)
def test_each_tag_operator_ignores_case(
    nsx: httpx.Client, operator: str, tag_part: str, slytherin: bool, hufflepuff: bool
) -> None:
    """Every operator compares the tag value case-insensitively (scope given in another case);
    NOTEQUALS/NOTIN select the objects with no tag passing EQUALS/IN."""
    t = _token()
    snake = _vm(nsx, (f"house{t}", f"Slytherin{t}"))
    badger = _vm(nsx, (f"house{t}", f"Hufflepuff{t}"))
    members = vm_members(nsx, _group(nsx, _cond(f"HOUSE{t}|{tag_part.format(t=t)}", operator)))
    assert (snake in members, badger in members) == (slytherin, hufflepuff)


def test_notequals_also_selects_untagged_vms(nsx: httpx.Client) -> None:
    """NOTEQUALS 'env|prod': a VM without any tag has no tag equal to env|prod."""
    t = _token()
    untagged = _vm(nsx)
    prod = _vm(nsx, (f"ENV{t}", f"Prod{t}"))
    members = vm_members(nsx, _group(nsx, _cond(f"env{t}|prod{t}", "NOTEQUALS")))
    assert untagged in members
    assert prod not in members


def test_scope_operator_notequals_asks_for_another_scope(nsx: httpx.Client) -> None:
    """scope_operator NOTEQUALS 'house|slytherin': the tag slytherin under a scope other than
    house (compared without case); the tag under house itself does not count."""
    t = _token()
    elsewhere = _vm(nsx, (f"school{t}", f"SLYTHERIN{t}"))
    same_scope = _vm(nsx, (f"HOUSE{t}", f"slytherin{t}"))
    no_tag_there = _vm(nsx, (f"school{t}", f"hufflepuff{t}"))
    cond = _cond(f"house{t}|Slytherin{t}", scope_operator="NOTEQUALS")
    members = vm_members(nsx, _group(nsx, cond))
    assert elsewhere in members
    assert not {same_scope, no_tag_there} & members


def test_scope_operator_notequals_without_scope_is_not_evaluated(nsx: httpx.Client) -> None:
    """'|slytherin' leaves the scope unevaluated, whatever scope_operator says."""
    t = _token()
    under_house = _vm(nsx, (f"house{t}", f"Slytherin{t}"))
    under_nothing = _vm(nsx, ("", f"slytherin{t}"))
    cond = _cond(f"|slytherin{t}", scope_operator="NOTEQUALS")
    assert {under_house, under_nothing} <= vm_members(nsx, _group(nsx, cond))


def test_scope_with_empty_tag_means_any_tag_under_it(nsx: httpx.Client) -> None:
    """'house|': the tag part is not evaluated: any tag under the scope house (any case)."""
    t = _token()
    tagged = _vm(nsx, (f"House{t}", f"Ravenclaw{t}"))
    elsewhere = _vm(nsx, (f"school{t}", f"Ravenclaw{t}"))
    members = vm_members(nsx, _group(nsx, _cond(f"house{t}|")))
    assert tagged in members
    assert elsewhere not in members


#: key, operator, value; then: selects the VM named "Web-<t>-01" running "Ubuntu <t> Linux"
#: on computer "web<t>.Corp.example"
ATTRIBUTE_CASES = [
    ("Name", "EQUALS", "WEB-{t}-01", True),
    ("Name", "CONTAINS", "B-{t}-0", True),
    ("Name", "STARTSWITH", "wEb-{t}", True),
    ("Name", "ENDSWITH", "{t}-01", True),
    ("Name", "IN", "db-{t}-01,web-{t}-01", True),
    ("Name", "MATCHES", "WEB-[0-9a-f]+-01", True),
    ("Name", "NOTEQUALS", "web-{t}-01", False),
    ("Name", "NOTIN", "db-{t}-01,WEB-{t}-01", False),
    ("Name", "EQUALS", "web-{t}-02", False),
    ("OSName", "EQUALS", "ubuntu {t} LINUX", True),
    ("OSName", "CONTAINS", "{t} linux", True),
    ("OSName", "NOTEQUALS", "UBUNTU {t} LINUX", False),
    ("ComputerName", "EQUALS", "WEB{t}.corp.EXAMPLE", True),
    ("ComputerName", "STARTSWITH", "Web{t}.CORP", True),
    ("ComputerName", "ENDSWITH", ".CORP.EXAMPLE", True),
    ("ComputerName", "NOTEQUALS", "web{t}.corp.example", False),
]


@pytest.mark.parametrize(("key", "operator", "value", "selected"), ATTRIBUTE_CASES)
def test_name_os_and_computer_name_ignore_case(
    nsx: httpx.Client, key: str, operator: str, value: str, selected: bool
) -> None:
    """Name, OSName and ComputerName conditions compare without case, like tags."""
    t = _token()
    ext = str(uuid.uuid4())
    _admin.add_vm(
        nsx, ext, display_name=f"Web-{t}-01", os_name=f"Ubuntu {t} Linux", computer_name=f"web{t}.Corp.example"
    )
    members = vm_members(nsx, _group(nsx, _cond(value.format(t=t), operator, key)))
    assert (ext in members) == selected


def test_antrea_pod_tag_ignores_case(nsx: httpx.Client) -> None:
    """Pod labels surface as tags (ref §6.2), compared without case like VM tags."""
    t = _token()
    cluster, pod, other = uid("k8s"), uid("pod"), uid("pod")
    _admin.add_pod(nsx, cluster, pod, labels={f"app{t}": "FrontEnd"})
    _admin.add_pod(nsx, cluster, other, labels={f"app{t}": "backend"})
    cond = condition("Pod", "Tag", "EQUALS", f"App{t}|frontend")
    gpath = _group(nsx, cond, group_type=["ANTREA"])
    assert pod_members(nsx, gpath, cluster_id=cluster) == {pod}
