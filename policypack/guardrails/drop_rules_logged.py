"""Mandatory in prod, advisory in dev: every DROP or REJECT rule logs.

A drop that does not log is invisible to whoever debugs an outage or investigates an
incident: the packet vanishes and nothing says which rule took it. prod's stack files
already require it (``strict: true``); this guardrail holds for any code path.
"""

from __future__ import annotations

from policypack.guardrails.stack import DROPPING, SECURITY_POLICY, Finding, Level, Stack, rule_name, rules, section_name

NAME = "drop-rules-logged"
DESCRIPTION = "DROP and REJECT rules must have logging on (mandatory in prod, advisory in dev)."
LEVEL: Level = "mandatory"


def check(stack: Stack) -> list[Finding]:
    findings = []
    for section in stack.of_type(SECURITY_POLICY):
        silent = [rule_name(r) for r in rules(section.props) if r.get("action") in DROPPING and not r.get("logged")]
        if silent:
            findings.append(
                Finding(
                    f"section '{section_name(section.props)}': drop rule(s) {', '.join(silent)} do not log; "
                    "set log: true on them",
                    section.urn,
                )
            )
    return findings
