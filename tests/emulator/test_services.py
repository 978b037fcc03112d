"""Services, service entries and context profiles (ref §5.5, §1.1)."""

from __future__ import annotations

import httpx
import pytest

from ._nsx import (
    JSON,
    assert_absent,
    assert_rejected,
    get_json,
    l4_service_body,
    ok,
    patch,
    service_path,
    uid,
)

pytestmark = pytest.mark.conformance("services")


def _service(sid: str, *entries: JSON) -> JSON:
    return {"resource_type": "Service", "id": sid, "display_name": sid, "service_entries": list(entries)}


def _entry(eid: str, resource_type: str, **fields: object) -> JSON:
    return {"resource_type": resource_type, "id": eid, "display_name": eid, **fields}


def _refused(nsx: httpx.Client, body: JSON) -> None:
    path = service_path(body["id"])
    assert_rejected(patch(nsx, path, body), 400)
    assert_absent(nsx, path)


def test_l4_service_roundtrip(nsx: httpx.Client) -> None:
    """ref §5.5: Service with an L4PortSetServiceEntry (l4_protocol, destination_ports strings)."""
    sid = uid("svc")
    ok(patch(nsx, service_path(sid), l4_service_body(sid, ["8443", "9000-9100"])))
    svc = get_json(nsx, service_path(sid))
    assert svc["resource_type"] == "Service"
    (entry,) = svc["service_entries"]
    assert entry["resource_type"] == "L4PortSetServiceEntry"
    assert entry["l4_protocol"] == "TCP"
    assert entry["destination_ports"] == ["8443", "9000-9100"]


def test_service_entry_at_own_path(nsx: httpx.Client) -> None:
    """ref §1.1: entries live at /infra/services/{s}/service-entries/{e}."""
    sid = uid("svc")
    ok(patch(nsx, service_path(sid), l4_service_body(sid)))
    entry = get_json(nsx, f"{service_path(sid)}/service-entries/{sid}-e")
    assert entry["id"] == f"{sid}-e"
    assert entry["path"] == f"{service_path(sid)}/service-entries/{sid}-e"
    assert entry["parent_path"] == service_path(sid)


def test_service_without_entries_rejected(nsx: httpx.Client) -> None:
    """ref §5.5: a Service cannot be created without at least one entry."""
    _refused(nsx, _service(uid("svc")))


def test_icmp_zero_type_and_code_kept(nsx: httpx.Client) -> None:
    """ref §5.5: ICMPTypeServiceEntry: 0 is a valid icmp_type and icmp_code."""
    sid = uid("icmp")
    entry = _entry("echo-reply", "ICMPTypeServiceEntry", protocol="ICMPv4", icmp_type=0, icmp_code=0)
    ok(patch(nsx, service_path(sid), _service(sid, entry)))
    (got,) = get_json(nsx, service_path(sid))["service_entries"]
    assert got["protocol"] == "ICMPv4"
    assert got["icmp_type"] == 0
    assert got["icmp_code"] == 0


def test_ip_protocol_entry(nsx: httpx.Client) -> None:
    """ref §5.5: IPProtocolServiceEntry has protocol_number."""
    sid = uid("ipp")
    ok(patch(nsx, service_path(sid), _service(sid, _entry("gre", "IPProtocolServiceEntry", protocol_number=47))))
    (got,) = get_json(nsx, service_path(sid))["service_entries"]
    assert got["protocol_number"] == 47


def test_alg_entry(nsx: httpx.Client) -> None:
    """ref §5.5: ALGTypeServiceEntry alg in the documented set, plus destination_ports."""
    sid = uid("alg")
    entry = _entry("ftp", "ALGTypeServiceEntry", alg="FTP", destination_ports=["21"])
    ok(patch(nsx, service_path(sid), _service(sid, entry)))
    (got,) = get_json(nsx, service_path(sid))["service_entries"]
    assert got["alg"] == "FTP"


def test_alg_value_validated(nsx: httpx.Client) -> None:
    """ref §5.5: alg takes only FTP, TFTP, ORACLE_TNS, SUN_RPC_*, MS_RPC_*, NBNS/NBDG_BROADCAST."""
    sid = uid("alg")
    _refused(nsx, _service(sid, _entry("x", "ALGTypeServiceEntry", alg="HTTP", destination_ports=["80"])))


def test_l4_protocol_validated(nsx: httpx.Client) -> None:
    """ref §5.5: l4_protocol is TCP or UDP."""
    sid = uid("svc")
    _refused(nsx, l4_service_body(sid, protocol="SCTP"))


def test_icmp_protocol_validated(nsx: httpx.Client) -> None:
    """ref §5.5: ICMP protocol is ICMPv4 or ICMPv6."""
    sid = uid("icmp")
    _refused(nsx, _service(sid, _entry("x", "ICMPTypeServiceEntry", protocol="ICMPv5")))


def test_unknown_entry_type_rejected(nsx: httpx.Client) -> None:
    """ref §5.5: entry resource_type is one of the documented entry types."""
    sid = uid("svc")
    _refused(nsx, _service(sid, _entry("x", "TeleportServiceEntry")))


def test_patch_service_updates_entries(nsx: httpx.Client) -> None:
    """ref §5.5: PATCH/PUT of a service creates or updates its nested entries."""
    sid = uid("svc")
    ok(patch(nsx, service_path(sid), l4_service_body(sid, ["80"])))
    ok(patch(nsx, service_path(sid), l4_service_body(sid, ["81"])))
    (got,) = get_json(nsx, service_path(sid))["service_entries"]
    assert got["destination_ports"] == ["81"]


def test_service_list_default_service_filter(nsx: httpx.Client) -> None:
    """ref §1.1: the service list takes default_service; user services are not default."""
    sid = uid("svc")
    ok(patch(nsx, service_path(sid), l4_service_body(sid)))
    user_only = get_json(nsx, "/infra/services", default_service="false", page_size=1000)
    builtin = get_json(nsx, "/infra/services", default_service="true", page_size=1000)
    assert sid in {s["id"] for s in user_only["results"]}
    assert sid not in {s["id"] for s in builtin["results"]}
    assert builtin["results"], "no predefined services listed"


# ------------------------------------------------------------------ context profiles


def _profile(pid: str, *attributes: JSON) -> JSON:
    return {
        "resource_type": "PolicyContextProfile",
        "id": pid,
        "display_name": pid,
        "attributes": list(attributes),
    }


def _attr(key: str, *values: str) -> JSON:
    return {"key": key, "value": list(values), "datatype": "STRING"}


def test_context_profile_roundtrip(nsx: httpx.Client) -> None:
    """ref §5.5: PolicyContextProfile attributes [{key, value:[...], datatype:'STRING'}]."""
    pid = uid("cp")
    path = f"/infra/context-profiles/{pid}"
    ok(patch(nsx, path, _profile(pid, _attr("DOMAIN_NAME", "*.example.com"))))
    got = get_json(nsx, path)
    assert got["resource_type"] == "PolicyContextProfile"
    assert got["attributes"][0]["key"] == "DOMAIN_NAME"
    assert got["attributes"][0]["value"] == ["*.example.com"]


def test_context_profile_duplicate_key_rejected(nsx: httpx.Client) -> None:
    """ref §5.5: each attribute key appears at most once per profile."""
    pid = uid("cp")
    path = f"/infra/context-profiles/{pid}"
    body = _profile(pid, _attr("DOMAIN_NAME", "a.example.com"), _attr("DOMAIN_NAME", "b.example.com"))
    assert_rejected(patch(nsx, path, body), 400)
    assert_absent(nsx, path)


def test_context_profile_unknown_key_rejected(nsx: httpx.Client) -> None:
    """ref §5.5: keys are APP_ID, DOMAIN_NAME, URL_CATEGORY, CUSTOM_URL."""
    pid = uid("cp")
    path = f"/infra/context-profiles/{pid}"
    assert_rejected(patch(nsx, path, _profile(pid, _attr("FAVOURITE_COLOUR", "blue"))), 400)


def test_service_entry_patch_at_own_path(nsx: httpx.Client) -> None:
    """ref §1.1: entries are PATCHable at their own path; the service shows the change."""
    sid = uid("svc")
    ok(patch(nsx, service_path(sid), l4_service_body(sid, ["80"])))
    epath = f"{service_path(sid)}/service-entries/{sid}-e2"
    entry = _entry(f"{sid}-e2", "L4PortSetServiceEntry", l4_protocol="UDP", destination_ports=["53"])
    ok(patch(nsx, epath, entry))
    entries = get_json(nsx, service_path(sid))["service_entries"]
    assert {e["id"] for e in entries} == {f"{sid}-e", f"{sid}-e2"}


def test_ether_type_entry(nsx: httpx.Client) -> None:
    """ref §5.5: EtherTypeServiceEntry has ether_type."""
    sid = uid("eth")
    ok(patch(nsx, service_path(sid), _service(sid, _entry("arp", "EtherTypeServiceEntry", ether_type=2054))))
    assert get_json(nsx, service_path(sid))["service_entries"][0]["ether_type"] == 2054


def test_context_profile_sub_attributes_need_single_value(nsx: httpx.Client) -> None:
    """ref §5.5: with sub-attributes, the attribute may have only one value."""
    pid = uid("cp")
    path = f"/infra/context-profiles/{pid}"
    sub = [{"key": "TLS_VERSION", "value": ["TLS_V12"], "datatype": "STRING"}]
    one = {**_attr("APP_ID", "SSL"), "sub_attributes": sub}
    two = {**_attr("APP_ID", "SSL", "HTTP"), "sub_attributes": sub}
    ok(patch(nsx, path, _profile(pid, one)))
    pid2 = uid("cp")
    assert_rejected(patch(nsx, f"/infra/context-profiles/{pid2}", _profile(pid2, two)), 400)


def test_context_profile_attributes_endpoint(nsx: httpx.Client) -> None:
    """ref §1.1: GET /infra/context-profiles/attributes lists the supported attributes."""
    body = get_json(nsx, "/infra/context-profiles/attributes")
    assert isinstance(body["results"], list)
    assert body["results"]
