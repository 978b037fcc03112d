"""``GET /infra/realized-state/status`` as a ``ConsolidatedRealizedStatus`` (vcf-nsx
9.1.1.0): per-enforcement-point entries carry their ``resource_type``
(``ConsolidatedStatusPerEnforcementPoint``, or ``ConsolidatedStatusNsxT`` with
``enforced_status`` when ``include_enforced_status=true``), and ``publish_status`` takes
the realization states (UNAVAILABLE|UNREALIZED|REALIZED|ERROR)."""

from __future__ import annotations

import httpx
import pytest

from ._nsx import EP, JSON, get_json, make_group, wait_for

pytestmark = pytest.mark.conformance("realization")

STATUS = "/infra/realized-state/status"


def realized_status(nsx: httpx.Client, intent: str, **params: object) -> JSON | None:
    body = get_json(nsx, STATUS, intent_path=intent, **params)
    return body if body["consolidated_status"]["consolidated_status"] == "SUCCESS" else None


def test_per_enforcement_point_entry_names_its_type(nsx: httpx.Client) -> None:
    gpath = make_group(nsx)
    body = wait_for(lambda: realized_status(nsx, gpath), what="group realized")
    assert body["intent_path"] == gpath
    assert body["publish_status"] == "REALIZED"
    (entry,) = body["consolidated_status_per_enforcement_point"]
    assert entry == {
        "resource_type": "ConsolidatedStatusPerEnforcementPoint",
        "site_path": "/infra/sites/default",
        "enforcement_point_id": "default",
        "enforcement_point_path": EP,
        "consolidated_status": {"consolidated_status": "SUCCESS"},
    }


def test_include_enforced_status_gives_the_nsxt_subtype(nsx: httpx.Client) -> None:
    gpath = make_group(nsx)
    body = wait_for(lambda: realized_status(nsx, gpath, include_enforced_status="true"), what="group realized")
    (entry,) = body["consolidated_status_per_enforcement_point"]
    assert entry["resource_type"] == "ConsolidatedStatusNsxT"
    assert entry["enforcement_point_path"] == EP
    assert entry["enforced_status"]["enforced_status_info"]["enforced_status"]["status"] == "SUCCESS"
