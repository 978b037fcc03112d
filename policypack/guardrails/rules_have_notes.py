"""Advisory: every rule says why it exists (``notes`` in the stack file, the NSX rule notes).

A rule base outlives the people who wrote it; a note is what lets the next reviewer delete a
rule with confidence. Reported once per section, listing the rules, to keep the report short.
"""

from __future__ import annotations

from policypack.guardrails.stack import SECURITY_POLICY, Finding, Level, Stack, rule_name, rules, section_name

NAME = "rules-have-notes"
DESCRIPTION = "Every rule should carry notes saying why it exists."
LEVEL: Level = "advisory"


def check(stack: Stack) -> list[Finding]:
    findings = []
    for section in stack.of_type(SECURITY_POLICY):
        bare = [rule_name(r) for r in rules(section.props) if not str(r.get("notes") or "").strip()]
        if bare:
            findings.append(
                Finding(
                    f"section '{section_name(section.props)}': rule(s) {', '.join(bare)} have no notes",
                    section.urn,
                )
            )
    return findings
