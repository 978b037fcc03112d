"""The pack's adapter: policy proxies to plain data, unknown preview values never mistaken for ANY."""

from __future__ import annotations

from pulumi_policy.proxy import unknown_checking_proxy

from policypack.__main__ import UNKNOWN, plain, policies
from policypack.guardrails import ALL

UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown sentinel


def test_unknown_values_become_a_marker_not_missing() -> None:
    props = unknown_checking_proxy(
        {"nsx_id": "s", "path": UNKNOWN_STRING, "rules": [{"source_groups": UNKNOWN_STRING}]}
    )
    assert plain(props) == {"nsx_id": "s", "path": UNKNOWN, "rules": [{"source_groups": UNKNOWN}]}


def test_every_guardrail_becomes_one_stack_policy_at_its_default_level() -> None:
    built = policies()
    assert [p.name for p in built] == [g.NAME for g in ALL]
    assert [p.enforcement_level.value if p.enforcement_level else None for p in built] == [g.LEVEL for g in ALL]
