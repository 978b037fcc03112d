"""Mandatory: no rule may allow any source to any destination outside NSX's default section.

An ALLOW from ANY to ANY ahead of the default section switches the firewall off for whatever
its services cover; the only place a catch-all belongs is the default section at the end.
Services do not matter: "any to any on 443" still opens every workload to every other.
"""

from __future__ import annotations

from policypack.guardrails.stack import (
    SECURITY_POLICY,
    Finding,
    Level,
    Stack,
    is_any,
    is_default_section,
    rule_name,
    rules,
    section_name,
)

NAME = "no-allow-any-to-any"
DESCRIPTION = "No ALLOW rule from ANY to ANY outside the default section (it turns the DFW off)."
LEVEL: Level = "mandatory"


def check(stack: Stack) -> list[Finding]:
    findings = []
    for section in stack.of_type(SECURITY_POLICY):
        props = section.props
        if is_default_section(props):
            continue
        for rule in rules(props):
            if (
                rule.get("action") == "ALLOW"
                and is_any(rule.get("source_groups"), rule.get("sources_excluded"))
                and is_any(rule.get("destination_groups"), rule.get("destinations_excluded"))
            ):
                findings.append(
                    Finding(
                        f"rule '{rule_name(rule)}' of section '{section_name(props)}' allows ANY to ANY; "
                        "name the groups that need to talk (a catch-all belongs only in the default section)",
                        section.urn,
                    )
                )
    return findings
