"""DFW sections, as a reviewer reads them: rules in words, and what changes field by field.

Rules are matched by their NSX id (the stack file's rule ``name``), so a reordered rule shows
as a position change, not as a delete plus a create. Group paths are shown by group name and
service entries as ``tcp/5432``: the vocabulary of the stack files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SECTION_FIELDS = (
    ("category", "category"),
    ("sequence_number", "position"),
    ("description", "description"),
    ("scope", "applied to"),
)
RULE_FIELDS = ("position", "action", "from", "to", "services", "log", "disabled", "direction", "applied to", "notes")


def short(path: object) -> str:
    text = str(path)
    return "any" if text == "ANY" else text.rsplit("/", 1)[-1]


def groups(values: Any, excluded: Any = False) -> str:
    if not values:
        return "any"
    names = ", ".join(short(v) for v in values)
    return f"not ({names})" if excluded else names


def service_entry(entry: Mapping[str, Any]) -> str:
    protocol = str(entry.get("l4_protocol") or entry.get("protocol") or entry.get("resource_type") or "?").lower()
    ports = ",".join(str(p) for p in entry.get("destination_ports") or [])
    return f"{protocol}/{ports}" if ports else protocol


def services(rule: Mapping[str, Any]) -> str:
    named = [short(s) for s in rule.get("services") or [] if s != "ANY"]
    entries = [service_entry(e) for e in rule.get("service_entries") or [] if isinstance(e, Mapping)]
    return ", ".join(named + entries) or "any"


def rule_fields(rule: Mapping[str, Any]) -> dict[str, str]:
    """A rule as the columns a reviewer compares (RULE_FIELDS)."""
    return {
        "position": str(rule.get("sequence_number", "")),
        "action": str(rule.get("action", "")),
        "from": groups(rule.get("source_groups"), rule.get("sources_excluded")),
        "to": groups(rule.get("destination_groups"), rule.get("destinations_excluded")),
        "services": services(rule),
        "log": "yes" if rule.get("logged") else "no",
        "disabled": "yes" if rule.get("disabled") else "no",
        "direction": str(rule.get("direction") or "IN_OUT"),
        "applied to": groups(rule.get("scope")),
        "notes": str(rule.get("notes") or ""),
    }


def rules_of(section: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    return [r for r in (section or {}).get("rules") or [] if isinstance(r, Mapping)]


def rule_id(rule: Mapping[str, Any]) -> str:
    return str(rule.get("id") or rule.get("display_name") or "?")


@dataclass(frozen=True)
class FieldChange:
    rule: str
    """Rule id, or ``""`` for the section itself."""
    field: str
    before: str
    after: str


def section_value(section: Mapping[str, Any] | None, key: str) -> str:
    value = (section or {}).get(key)
    if key == "scope":
        return groups(value)
    return "" if value is None else str(value)


def changes(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[FieldChange]:
    """Every field that differs between two versions of a section, section fields first."""
    found = [
        FieldChange("", label, section_value(old, key), section_value(new, key))
        for key, label in SECTION_FIELDS
        if section_value(old, key) != section_value(new, key)
    ]
    before = {rule_id(r): rule_fields(r) for r in rules_of(old)}
    after = {rule_id(r): rule_fields(r) for r in rules_of(new)}
    order = [rule_id(r) for r in rules_of(new)] + [i for i in before if i not in after]
    for rid in order:
        if rid not in before:
            found.append(FieldChange(rid, "(added)", "", describe(after[rid])))
        elif rid not in after:
            found.append(FieldChange(rid, "(removed)", describe(before[rid]), ""))
        else:
            found.extend(
                FieldChange(rid, name, before[rid][name], after[rid][name])
                for name in RULE_FIELDS
                if before[rid][name] != after[rid][name]
            )
    return found


def describe(fields: Mapping[str, str]) -> str:
    """One rule in one line: ``ALLOW frontend -> orders-db tcp/5432, log``."""
    text = f"{fields['action']} {fields['from']} -> {fields['to']} {fields['services']}"
    return text + (", log" if fields["log"] == "yes" else ", no log")


def table(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    return [rule_fields(r) | {"rule": rule_id(r)} for r in rows]
