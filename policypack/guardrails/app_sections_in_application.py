"""Mandatory: an app team's sections live in the Application category only.

Emergency, Infrastructure and Environment are enforced before any application rule and
belong to the security admins (docs/personas.md). The spec loader already refuses a
``category`` in an app file; this guardrail also holds when program code adds an app-owned
section some other way. Ownership is the recorded owner (``app:<name>``), not the name.
"""

from __future__ import annotations

from policypack.guardrails.stack import ADMIN_CATEGORIES, SECURITY_POLICY, Finding, Level, Stack, section_name

NAME = "app-sections-only-in-application"
DESCRIPTION = "Sections owned by an app team must be in the Application category."
LEVEL: Level = "mandatory"


def check(stack: Stack) -> list[Finding]:
    findings = []
    for section in stack.of_type(SECURITY_POLICY):
        category = section.props.get("category")
        app = stack.owning_app(section)
        if app is not None and category in ADMIN_CATEGORIES:
            findings.append(
                Finding(
                    f"section '{section_name(section.props)}' belongs to app '{app}' but is in category "
                    f"{category}, which only the security admins may use; app sections go in Application",
                    section.urn,
                )
            )
    return findings
