"""Realization state: realized-entities and consolidated status (ref §8, §12.4)."""

from __future__ import annotations

import httpx
import pytest

from ._nsx import (
    JSON,
    get_json,
    make_group,
    make_policy,
    rule_body,
    uid,
    wait_for,
)

pytestmark = pytest.mark.conformance("realization")

STATES = {"UNAVAILABLE", "UNREALIZED", "REALIZED", "ERROR"}
ENTITIES = "/infra/realized-state/realized-entities"
STATUS = "/infra/realized-state/status"


def _entities(nsx: httpx.Client, intent_path: str) -> list[JSON]:
    body = get_json(nsx, ENTITIES, intent_path=intent_path)
    results = body["results"]
    assert isinstance(results, list)
    for entity in results:
        assert entity["state"] in STATES, entity
    return results


def _all_realized(nsx: httpx.Client, intent_path: str) -> list[JSON] | None:
    results = _entities(nsx, intent_path)
    if results and all(e["state"] == "REALIZED" for e in results):
        return results
    return None


def test_group_becomes_realized(nsx: httpx.Client) -> None:
    """ref §8 / §12.4: realized-entities?intent_path=<group> lists entities whose state is
    one of UNAVAILABLE|UNREALIZED|REALIZED|ERROR (no IN_PROGRESS) and reaches REALIZED."""
    gpath = make_group(nsx)
    results = wait_for(lambda: _all_realized(nsx, gpath), what="group realized")
    for entity in results:
        assert entity["state"] != "IN_PROGRESS"
        assert isinstance(entity.get("entity_type"), str)


def test_policy_becomes_realized(nsx: httpx.Client) -> None:
    """ref §8: clients wait for every realized entity of a policy to be REALIZED."""
    ppath = make_policy(nsx, rules=[rule_body(uid("r"))])
    wait_for(lambda: _all_realized(nsx, ppath), what="policy realized")


def test_states_never_in_progress_right_after_write(nsx: httpx.Client) -> None:
    """ref §12.4: IN_PROGRESS is not a realized-entity state, even immediately after a write."""
    gpath = make_group(nsx)
    _entities(nsx, gpath)


def test_entity_fields(nsx: httpx.Client) -> None:
    """ref §8: entries carry state, entity_type, intent_reference (the intent path)."""
    gpath = make_group(nsx)
    results = wait_for(lambda: _all_realized(nsx, gpath), what="group realized")
    for entity in results:
        assert "entity_type" in entity
        refs = entity.get("intent_reference")
        if refs is not None:
            assert gpath in refs


def test_consolidated_status_success(nsx: httpx.Client) -> None:
    """ref §8: GET realized-state/status?intent_path=... reaches
    consolidated_status.consolidated_status == 'SUCCESS' (SAP's wait loop)."""
    ppath = make_policy(nsx, rules=[rule_body(uid("r"))])

    def success() -> bool:
        body = get_json(nsx, STATUS, intent_path=ppath)
        return bool(body["consolidated_status"]["consolidated_status"] == "SUCCESS")

    wait_for(success, what="consolidated status SUCCESS")


def test_consolidated_status_for_group(nsx: httpx.Client) -> None:
    """ref §8: SAP polls the status endpoint for groups too."""
    gpath = make_group(nsx)

    def success() -> bool:
        body = get_json(nsx, STATUS, intent_path=gpath)
        return bool(body["consolidated_status"]["consolidated_status"] == "SUCCESS")

    wait_for(success, what="consolidated status SUCCESS")


def test_realized_entities_for_unknown_path_not_500(nsx: httpx.Client) -> None:
    """ref §8: asking about an intent path that does not exist is a client-side answer
    (empty list or 404), never a server error."""
    resp = nsx.get(
        f"/policy/api/v1{ENTITIES}",
        params={"intent_path": f"/infra/domains/default/groups/{uid('nosuch')}"},
    )
    assert resp.status_code in (200, 404), resp.text
    if resp.status_code == 200:
        assert resp.json()["results"] == []
