"""The PR comment: one stack's preview as Markdown, what blocks the merge first.

Order is the reviewer's order of questions: can this merge (mandatory violations, broken
intents, errors), what changes (counts, then DFW sections rule by rule, then other
resources), and only then the hygiene notes (advisory findings, folded away).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from zerotrust.report.intents import IntentResult
from zerotrust.report.preview import REPLACEMENT_HALVES, Preview, Step, Violation
from zerotrust.report.sections import changes, describe, rule_fields, rule_id, rules_of

SECURITY_POLICY = "zerotrust:nsx:SecurityPolicy"
OPS = ("create", "update", "replace", "delete")
VERBS = {"create": "created", "update": "updated", "replace": "replaced", "delete": "deleted"}
MARKER = "<!-- zerotrust-preview-report -->"
"""Lets CI find and edit its own earlier comment instead of adding one per push."""


def cell(text: object) -> str:
    """A Markdown table cell: pipes escaped, newlines folded."""
    return str(text).replace("|", "\\|").replace("\n", " ") or " "


def kind(type_token: str) -> str:
    return type_token.rsplit(":", 1)[-1]


def blocking(preview: Preview, intents: Sequence[IntentResult]) -> list[str]:
    """Why this stack's preview must not merge (empty: it may)."""
    reasons = []
    mandatory = [v for v in preview.violations if v.blocking]
    if mandatory:
        reasons.append(f"{len(mandatory)} mandatory policy violation(s)")
    broken = [i for i in intents if not i.ok]
    if broken:
        reasons.append(f"{len(broken)} broken intent(s)")
    if preview.failed and not mandatory:
        reasons.append("the preview failed")
    return reasons


def _counts(steps: Iterable[Step]) -> Counter[str]:
    return Counter(s.op for s in steps if s.custom and s.op not in REPLACEMENT_HALVES)


def _where(preview: Preview, violation: Violation) -> str:
    if not violation.urn:
        return "the stack"
    step = preview.subject(violation.urn, violation.message)
    if step is None:
        return f"`{violation.urn.rsplit('::', 1)[-1]}`"
    owner = preview.owner(step)
    return f"{kind(step.type)} `{step.name}`" + (f" ({owner})" if owner else "")


def _violations(preview: Preview, violations: Sequence[Violation]) -> list[str]:
    """One line per finding, sorted (the engine reports them in no stable order)."""
    return sorted(f"- **{v.policy}** on {_where(preview, v)}: {v.message}" for v in violations)


def _broken_intent(result: IntentResult) -> list[str]:
    lines = [
        f"- `{result.intent}`"
        + (f" ({result.owner})" if result.owner else "")
        + f": expected {result.expected or '?'}, got {result.actual or '?'}"
    ]
    detail = ([f"flow    {result.witness}"] if result.witness else []) + result.chain_lines()
    if detail:
        lines += ["  <details><summary>witness and decision chain</summary>", "", "  ```"]
        lines += [f"  {line}" for line in detail]
        lines += ["  ```", "  </details>"]
    return lines


def _section_created(step: Step, owner: str) -> list[str]:
    new = step.new or {}
    lines = [
        f"#### `{step.name}` created: {new.get('category', '?')}, position {new.get('sequence_number', '?')}"
        + (f", {owner}" if owner else ""),
        "",
    ]
    if new.get("description"):
        lines += [f"_{new['description']}_", ""]
    lines += ["| # | rule | action | from | to | services | log |", "|---:|---|---|---|---|---|---|"]
    for rule in rules_of(new):
        f = rule_fields(rule)
        lines.append(
            f"| {cell(f['position'])} | `{cell(rule_id(rule))}` | {f['action']} | {cell(f['from'])} "
            f"| {cell(f['to'])} | {cell(f['services'])} | {f['log']} |"
        )
    return [*lines, ""]


def _section_changed(step: Step, owner: str) -> list[str]:
    title = f"#### `{step.name}` {VERBS.get(step.op, step.op)}" + (f", {owner}" if owner else "")
    found = changes(step.old, step.new)
    if not found:
        return [title, "", "No rule or section field changes (state-only difference).", ""]
    lines = [title, "", "| rule | field | before | after |", "|---|---|---|---|"]
    for c in found:
        rule = f"`{cell(c.rule)}`" if c.rule else "(section)"
        lines.append(f"| {rule} | {cell(c.field)} | {cell(c.before)} | {cell(c.after)} |")
    return [*lines, ""]


def _section_deleted(step: Step, owner: str) -> list[str]:
    lines = [f"#### `{step.name}` deleted" + (f", {owner}" if owner else ""), ""]
    lines += [f"- `{rule_id(r)}`: {describe(rule_fields(r))}" for r in rules_of(step.old)]
    return [*lines, ""]


def _sections(preview: Preview) -> list[str]:
    touched = [s for s in preview.steps if s.type == SECURITY_POLICY and s.op in OPS]
    if not touched:
        return []
    lines = ["### DFW sections", ""]
    for step in sorted(touched, key=lambda s: ((s.new or s.old or {}).get("sequence_number", 0), s.name)):
        owner = preview.owner(step)
        if step.op == "create":
            lines += _section_created(step, owner)
        elif step.op == "delete":
            lines += _section_deleted(step, owner)
        else:
            lines += _section_changed(step, owner)
    return lines


def _other_resources(preview: Preview) -> list[str]:
    others = [s for s in preview.steps if s.custom and s.type != SECURITY_POLICY and s.op in OPS]
    if not others:
        return []
    lines = ["### Other resources", "", "| change | kind | names |", "|---|---|---|"]
    grouped: dict[tuple[str, str], list[str]] = {}
    for step in others:
        grouped.setdefault((step.op, kind(step.type)), []).append(step.name)
    for (op, kind_), names in sorted(grouped.items(), key=lambda item: (OPS.index(item[0][0]), item[0][1])):
        lines.append(f"| {VERBS[op]} | {kind_} | {', '.join(f'`{n}`' for n in sorted(names))} |")
    changed = [s for s in others if s.op in ("update", "replace") and s.diff_paths]
    for step in changed:
        lines.append(f"\n{kind(step.type)} `{step.name}` {VERBS[step.op]}: {', '.join(step.diff_paths)}")
    return [*lines, ""]


def render(preview: Preview, *, stack: str, intents: Sequence[IntentResult] = ()) -> str:
    """The whole comment for one stack (stable text: no timings, no ids)."""
    reasons = blocking(preview, intents)
    counts = _counts(preview.steps)
    head = "❌" if reasons else "✅"
    verdict = "blocked: " + ", ".join(reasons) if reasons else "no mandatory violation, no broken intent"
    lines = [MARKER, f"## {head} Preview of stack `{stack}`: {verdict}", ""]
    # The digest lists changed resources only, so "unchanged" is shown when the input has it.
    columns = [*OPS, "same"] if counts.get("same") else list(OPS)
    lines += [
        "| " + " | ".join("unchanged" if c == "same" else c for c in columns) + " |",
        "|" + "---:|" * len(columns),
        "| " + " | ".join(str(counts.get(op, 0)) for op in columns) + " |",
        "",
    ]

    mandatory = [v for v in preview.violations if v.blocking]
    advisory = [v for v in preview.violations if not v.blocking]
    if mandatory:
        lines += ["### ❌ Policy violations (mandatory)", "", *_violations(preview, mandatory), ""]
    elif not preview.policy_results:
        lines += ["_Policy results are not in this input (use the streaming JSON preview, see docs/ci.md)._", ""]
    broken = [i for i in intents if not i.ok]
    if broken:
        lines += ["### ❌ Broken intents", ""]
        for result in broken:
            lines += _broken_intent(result)
        lines.append("")
    errors = [d for d in preview.diagnostics if d.severity == "error" and d.message != "preview failed"]
    if errors:
        lines += ["### ❌ Errors", ""]
        for d in errors:
            lines += ["```", d.message, "```", ""]

    lines += _sections(preview)
    lines += _other_resources(preview)
    if not any(counts.get(op) for op in OPS):
        lines += ["No changes.", ""]

    holding = [i for i in intents if i.ok]
    if holding:
        lines += [f"<details><summary>✅ {len(holding)} intent(s) hold</summary>", ""]
        lines += [f"- `{i.intent}`" + (f" ({i.owner})" if i.owner else "") for i in holding]
        lines += ["", "</details>", ""]
    if advisory:
        lines += [f"<details><summary>⚠️ {len(advisory)} advisory finding(s)</summary>", ""]
        lines += _violations(preview, advisory)
        lines += ["", "</details>", ""]
    notes = [d for d in preview.diagnostics if d.severity in ("info", "warning")]
    if notes:
        lines += [f"<details><summary>{len(notes)} message(s) from the program</summary>", ""]
        lines += [f"- {d.severity}: {d.message}" for d in notes]
        lines += ["", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n"
