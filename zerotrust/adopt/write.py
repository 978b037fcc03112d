"""An adoption as files: the stack's YAML (commented), the import plan, the summary table.

The YAML is what a person would write: one group or section per entry, rules one per line,
a comment over anything renamed or kept verbatim. The import plan is a Pulumi import file
naming the stack's one policy set and, in its id, every object adopted; the program applies
it on the next ``pulumi up`` (docs/adoption.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from zerotrust.adopt.plan import ADMINS, Adoption, Entry, Skipped
from zerotrust.models.policy_set import POLICY_SET
from zerotrust.spec import IMPORT_PLAN

__all__ = ["summary", "write_files"]

WIDTH = 110


_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
"""libyaml's emitter when PyYAML has it: the same text, 10x faster on a big estate."""


def _dump(value: Any, indent: int, *, flow: bool = False) -> str:
    text = yaml.dump(value, Dumper=_DUMPER, default_flow_style=flow, sort_keys=False, width=WIDTH, allow_unicode=True)
    pad = " " * indent
    return "".join(pad + line + "\n" for line in text.rstrip("\n").split("\n"))


def _entry(entry: Entry) -> str:
    lines = f"  # {entry.comment}\n" if entry.comment else ""
    spec = dict(entry.spec)
    rules = spec.pop("rules", None)
    lines += f"  {entry.name}:\n"
    if spec:
        lines += _dump(spec, 4)
    if rules:
        lines += "    rules:\n"
        for rule in rules:
            lines += _rule(rule)
    return lines


def _rule(rule: dict[str, Any]) -> str:
    """One rule on one line, the way the hand-written files have them; a long one as a block."""
    line = yaml.dump(rule, Dumper=_DUMPER, default_flow_style=True, sort_keys=False, width=10**6, allow_unicode=True)
    line = line.strip()
    if len(line) <= WIDTH:
        return f"      - {line}\n"
    block = _dump(rule, 8)
    return "      - " + block[8:]


def _file_text(adoption: Adoption, file: str, endpoint: str, stack: str) -> str:
    groups = [e for e in adoption.entries if e.file == file and e.kind == "groups"]
    sections = [e for e in adoption.entries if e.file == file and e.kind == "sections"]
    owner = "the security admins" if file == ADMINS else f"the app team {file!r}"
    text = (
        f"# Adopted from {endpoint} (domain {adoption.domain}) by `python -m zerotrust.adopt --stack {stack}`.\n"
        f"# Owned by {owner}. Review it; the next `pulumi preview` shows the import and the taking\n"
        "# of ownership, and nothing else if this file says exactly what NSX holds.\n"
    )
    if file == ADMINS:
        text += f"domain: {adoption.domain}\n"
    else:
        text += f"app: {file}\n"
    if groups:
        text += "\ngroups:\n" + "".join(_entry(e) for e in groups)
    if sections:
        text += "\nsections:\n" + "".join(_entry(e) for e in sections)
    return text


def write_files(adoption: Adoption, out: Path, *, endpoint: str, stack: str) -> list[Path]:
    """The environment file, one file per app, and the import plan, under ``out``."""
    written = []
    (out / "apps").mkdir(parents=True, exist_ok=True)
    for file in adoption.files:
        path = out / "environment.yaml" if file == ADMINS else out / "apps" / f"{file}.yaml"
        path.write_text(_file_text(adoption, file, endpoint, stack))
        written.append(path)
    plan = {"resources": [{"type": POLICY_SET, "name": stack, "id": adoption.import_id()}]}
    (out / IMPORT_PLAN).write_text(json.dumps(plan, indent=2) + "\n")
    written.append(out / IMPORT_PLAN)
    return written


def summary(adoption: Adoption, skipped_domains: Iterable[str]) -> str:
    """The table a reviewer reads first: adopted, kept verbatim, skipped, with why."""
    rows: list[tuple[str, str, str, str]] = []
    for e in adoption.entries:
        where = "environment.yaml" if e.file == ADMINS else f"apps/{e.file}.yaml"
        state = "kept verbatim" if e.verbatim else "adopted"
        why = f" ({e.verbatim})" if e.verbatim else ""
        rows.append((state, e.kind.rstrip("s"), e.nsx_id, f"{where}: {e.name}{why}"))
    rows += [("skipped", s.kind.rstrip("s"), s.nsx_id, s.reason) for s in _ordered(adoption.skipped)]
    rows += [("skipped", "domain", d, "another domain: run adopt with --domain for it") for d in skipped_domains]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[0]] = counts.get(row[0], 0) + 1
    head = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    table = ["| state | kind | NSX id | where / why |", "|---|---|---|---|"]
    table += [f"| {a} | {b} | `{c}` | {d} |" for a, b, c, d in rows]
    return f"{head}\n\n" + "\n".join(table) + "\n"


def _ordered(skipped: Iterable[Skipped]) -> list[Skipped]:
    return sorted(skipped, key=lambda s: (s.kind, s.nsx_id))
