"""The guardrails as pure functions over resources (no engine, no pulumi_policy).

Each module holds one policy: its ``NAME`` (what `pulumi preview` prints and the config files
name), ``DESCRIPTION``, default ``LEVEL`` and ``check(stack) -> list[Finding]``. The pack's
``__main__.py`` is only an adapter from these to pulumi_policy, so every rule is unit-tested
without the engine and the engine tests only prove the wiring.
"""

from __future__ import annotations

from types import ModuleType

from policypack.guardrails import (
    app_sections_in_application,
    drop_rules_logged,
    egress_through_egress_ip,
    groups_have_members,
    no_allow_any_to_any,
    quarantine_first,
    rules_have_notes,
)

MANDATORY: tuple[ModuleType, ...] = (
    no_allow_any_to_any,
    app_sections_in_application,
    quarantine_first,
    egress_through_egress_ip,
    drop_rules_logged,
)
"""What must never happen (drop-rules-logged is relaxed to advisory by config/dev.json)."""

ADVISORY: tuple[ModuleType, ...] = (rules_have_notes, groups_have_members)
"""Hygiene: reported, never blocking."""

ALL = MANDATORY + ADVISORY
