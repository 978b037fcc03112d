"""Who gets what, without NSX: the planner and its proof on a hand-made estate.

The estate holds one of each case the planner decides on (persona split, shared groups,
skips, friendly versus verbatim). ``adopt`` runs the whole loop the CLI runs (plan, write,
compile, compare) in memory and on scratch files, so each assertion here is about files a
user would get, and the round trip is proven exact by the same compiler ``preview`` runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from zerotrust.adopt.__main__ import adopt
from zerotrust.adopt.live import LiveEstate
from zerotrust.adopt.plan import ADMINS, Adoption
from zerotrust.adopt.verify import inexact
from zerotrust.adopt.write import write_files
from zerotrust.models import Group, SecurityPolicy
from zerotrust.models.cluster_span import SecurityPolicyContainerCluster
from zerotrust.providers._ownership import OWNER_SCOPE
from zerotrust.spec import compile_stack, load_stack

DOMAIN = "default"
GROUPS = f"/infra/domains/{DOMAIN}/groups/"


def _condition(key: str, value: str, member: str = "VirtualMachine") -> dict[str, Any]:
    return {"resource_type": "Condition", "member_type": member, "key": key, "operator": "EQUALS", "value": value}


def _group(gid: str, expression: list[dict[str, Any]], **extra: Any) -> Group:
    body = {"resource_type": "Group", "id": gid, "display_name": gid, "path": GROUPS + gid, "_revision": 0}
    return Group.from_live({**body, "expression": expression, **extra})


def _rule(rid: str, sources: list[str], destinations: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "resource_type": "Rule",
        "id": rid,
        "display_name": rid,
        "sequence_number": 10,
        "source_groups": sources,
        "destination_groups": destinations,
        "services": ["ANY"],
        "action": "ALLOW",
        **extra,
    }


def _policy(pid: str, category: str, rules: list[dict[str, Any]], **extra: Any) -> SecurityPolicy:
    path = f"/infra/domains/{DOMAIN}/security-policies/{pid}"
    body = {"resource_type": "SecurityPolicy", "id": pid, "display_name": pid, "path": path, "_revision": 0}
    return SecurityPolicy.from_live({**body, "category": category, "sequence_number": 1, "rules": rules, **extra})


def _estate() -> LiveEstate:
    live = LiveEstate(endpoint="https://nsx.example:443", domain=DOMAIN)
    web = [_condition("Tag", "app|web")]
    live.groups = {
        "web": _group("web", web),
        "db": _group("db", [_condition("Tag", "tier|db")]),
        "jump": _group("jump", [_condition("Name", "jump-01")]),
        "macs": _group("macs", [{"resource_type": "MACAddressExpression", "mac_addresses": ["00:50:56:00:00:01"]}]),
        "theirs": _group("theirs", web, tags=[{"scope": OWNER_SCOPE, "tag": "other/prod"}]),
        "nsx-own": _group("nsx-own", web, _system_owned=True),
    }
    app = {"tags": [{"scope": "app", "tag": "shop"}]}
    live.policies = {
        "admins": _policy("admins", "Environment", [_rule("jump-in", [GROUPS + "jump"], [GROUPS + "db"])]),
        "shop": _policy(
            "shop",
            "Application",
            [
                _rule(
                    "web-to-db",
                    [GROUPS + "web"],
                    [GROUPS + "db"],
                    services=["ANY"],
                    service_entries=[
                        {
                            "resource_type": "L4PortSetServiceEntry",
                            "id": "tcp-5432",
                            "l4_protocol": "TCP",
                            "destination_ports": ["5432"],
                        }
                    ],
                    logged=True,
                )
            ],
            **app,
        ),
        "negated": _policy(
            "negated",
            "Application",
            [_rule("not-web", [GROUPS + "web"], [GROUPS + "macs"], sources_excluded=True)],
            **app,
        ),
        "l2": _policy("l2", "Ethernet", [_rule("any", ["ANY"], ["ANY"])]),
        "spanned": _policy("spanned", "Application", [_rule("any", ["ANY"], ["ANY"])]),
        "other-stack": _policy("other-stack", "Application", [], tags=[{"scope": OWNER_SCOPE, "tag": "other/prod"}]),
    }
    span = {"resource_type": "SecurityPolicyContainerCluster", "id": "vks", "container_cluster_path": "/infra/x/vks"}
    live.spans = {"spanned": [SecurityPolicyContainerCluster.from_live(span)]}
    return live


@pytest.fixture(scope="module")
def adoption() -> Adoption:
    return adopt(_estate(), owner="project/dev", apps_by="tag:app", stack="dev")


def test_what_is_skipped_and_why(adoption: Adoption) -> None:
    reasons = {(s.kind, s.nsx_id): s.reason for s in adoption.skipped}
    assert reasons[("groups", "theirs")] == "managed by stack 'other/prod'"
    assert reasons[("groups", "nsx-own")] == "NSX's own (system-owned)"
    assert reasons[("sections", "other-stack")] == "managed by stack 'other/prod'"
    assert "Ethernet" in reasons[("sections", "l2")]
    assert "spanned to an Antrea cluster" in reasons[("sections", "spanned")]
    adopted = {(e.kind, e.nsx_id) for e in adoption.entries}
    assert adopted.isdisjoint(reasons), "an object is either adopted or skipped"


def test_personas_split_sections_by_category_and_groups_follow_their_users(adoption: Adoption) -> None:
    files = {(e.kind, e.nsx_id): e.file for e in adoption.entries}
    assert files[("sections", "admins")] == ADMINS
    assert files[("sections", "shop")] == files[("sections", "negated")] == "shop"
    assert files[("groups", "web")] == files[("groups", "macs")] == "shop", "used by shop's sections alone"
    assert files[("groups", "jump")] == ADMINS
    db = adoption.entry("groups", "db")
    assert db is not None
    assert (db.file, db.spec.get("shared")) == (ADMINS, True), "used by admins and shop"


def test_friendly_where_exact_verbatim_with_a_reason_otherwise(adoption: Adoption) -> None:
    web, macs = adoption.entry("groups", "web"), adoption.entry("groups", "macs")
    assert web is not None
    assert macs is not None
    assert (web.verbatim, web.spec["vms"]) == (None, [{"tags": {"app": "web"}}])
    assert macs.verbatim
    assert "nsx" in macs.spec
    shop, negated = adoption.entry("sections", "shop"), adoption.entry("sections", "negated")
    assert shop is not None
    assert negated is not None
    assert shop.verbatim is None
    (rule,) = shop.spec["rules"]
    assert (rule["from"], rule["to"], rule["services"], rule["log"]) == (["web"], ["db"], ["tcp/5432"], True)
    assert negated.verbatim, "a negated side has no friendly spelling"


def test_the_written_files_compile_back_to_exactly_what_nsx_holds(adoption: Adoption, tmp_path: Path) -> None:
    live = _estate()
    write_files(adoption, tmp_path, endpoint=live.endpoint, stack="dev")
    assert sorted(p.name for p in tmp_path.rglob("*.yaml")) == ["environment.yaml", "shop.yaml"]
    assert inexact(adoption, live, tmp_path) == set()
    state = compile_stack(load_stack(tmp_path))
    assert set(state.groups) == {"web", "db", "jump", "macs"}
    assert {str(s.policy.id): s.owner for s in state.sections} == {
        "admins": "admins",
        "shop": "app:shop",
        "negated": "app:shop",
    }
