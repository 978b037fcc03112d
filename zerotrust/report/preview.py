"""`pulumi preview --json` output as plain data: steps, policy violations, diagnostics.

Two shapes reach us, and both are accepted:

* the digest (one JSON object, ``pulumi preview --json``): steps and diagnostics, but the
  engine leaves policy violations out of it (pkg/display/json.go ``PreviewDigest``);
* the event stream (JSON lines, the same command with
  ``PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true``): the same steps as ``resourcePreEvent`` plus
  ``policyEvent`` for every violation. CI uses this one, so one preview gives the report all
  it needs.

A policy set (one resource holding a stack's whole rule base, docs/scale.md) is shown as its
members: one step per group and section, with the member's own change (from the set's
detailed diff) and owner. The set's own step stays, as a container that counts for nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from zerotrust.models.policy_set import POLICY_SET, Member, members

MEMBER_STEP_TYPES = {
    "Group": "zerotrust:nsx:Group",
    "SecurityPolicy": "zerotrust:nsx:SecurityPolicy",
    "SecurityPolicyContainerCluster": "zerotrust:nsx:ContainerClusterSpan",
}
"""The members a reviewer reads, as the per-object type they are shown as."""
_MEMBER_PATH = re.compile(r'^(\w+)\["((?:[^"\\]|\\.)*)"\]')

REPLACEMENT_HALVES = {"create-replacement", "delete-replaced", "discard-replaced", "read-replacement"}
"""Steps the engine emits around a ``replace``; the reviewer sees the replace once."""


@dataclass(frozen=True)
class Step:
    """One resource the preview touches (or leaves alone: op ``same``)."""

    op: str
    urn: str
    type: str
    parent: str | None
    custom: bool
    """A real (NSX) object: not a component, not the stack, not a provider."""
    old: Mapping[str, Any] | None
    """Inputs before (None for a create)."""
    new: Mapping[str, Any] | None
    """Inputs after (None for a delete)."""
    diff_paths: tuple[str, ...] = ()
    member: str | None = None
    """The NSX id, when this step is one member of a policy set."""
    owner_label: str | None = None
    """``admins`` or ``app:<name>``, as recorded in the set (members only)."""

    @property
    def name(self) -> str:
        return self.member or self.urn.rsplit("::", 1)[-1]


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str
    """``mandatory``, ``advisory`` (``remediate`` counts as mandatory)."""
    message: str
    urn: str | None
    pack: str

    @property
    def blocking(self) -> bool:
        return self.level in ("mandatory", "remediate")


@dataclass(frozen=True)
class Diagnostic:
    severity: str
    message: str
    urn: str | None = None


@dataclass(frozen=True)
class Preview:
    steps: list[Step] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: bool = False
    """The engine said the preview failed (program error, mandatory violation, ...)."""
    policy_results: bool = False
    """Whether the input could carry policy results at all (the event stream can, the digest cannot)."""

    def by_urn(self) -> dict[str, Step]:
        return {s.urn: s for s in self.steps}

    def subject(self, urn: str | None, message: str) -> Step | None:
        """The step a finding is about: for a policy set, the member its message names."""
        step = self.by_urn().get(urn or "")
        if step is None or step.type != POLICY_SET:
            return step
        named = [s for s in self.steps if s.parent == step.urn and f"'{s.name}'" in message]
        return max(named, key=lambda s: len(s.name)) if named else step

    @staticmethod
    def owner(step: Step) -> str:
        """Who owns a group or section, in words (docs/personas.md)."""
        label = step.owner_label or ""
        if label.startswith("app:"):
            return f"app {label.removeprefix('app:')}"
        return "security admins" if label == "admins" else ""


def _member_steps(step: Step) -> list[Step]:
    """A policy set's step as one step per group and section (see the module docstring)."""
    old = {(m.member_type, m.member_id): m for m in members(step.old)} if step.op != "create" else {}
    new = {(m.member_type, m.member_id): m for m in members(step.new)} if step.op != "delete" else {}
    changed = {m.groups()[:2] for path in step.diff_paths if (m := _MEMBER_PATH.match(path))}
    out = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        either: Member = after or before  # type: ignore[assignment]
        type_token = MEMBER_STEP_TYPES.get(either.resource_type)
        if type_token is None:
            continue
        if before is None or after is None:
            op = "create" if before is None else "delete"
        elif step.op in ("same", "read", "refresh") or (step.diff_paths and key not in changed):
            op = "same"
        else:
            op = step.op if step.diff_paths or before.fields != after.fields else "same"
        paths = tuple(p for p in step.diff_paths if (m := _MEMBER_PATH.match(p)) and m.groups()[:2] == key)
        out.append(
            Step(
                op=op,
                urn=f"{step.urn}#{key[0]}/{key[1]}",
                type=type_token,
                parent=step.urn,
                custom=True,
                old=before.fields if before else None,
                new=after.fields if after else None,
                diff_paths=paths,
                member=key[1],
                owner_label=either.owner,
            )
        )
    return out


def _expanded(steps: Iterable[Step]) -> list[Step]:
    out: list[Step] = []
    for step in steps:
        if step.type == POLICY_SET:
            out.append(replace(step, custom=False))
            out.extend(_member_steps(step))
        else:
            out.append(step)
    return out


def _inputs(state: Any) -> Mapping[str, Any] | None:
    if not isinstance(state, Mapping):
        return None
    inputs = state.get("inputs")
    return inputs if isinstance(inputs, Mapping) else {}


def _step(op: str, urn: str, old: Any, new: Any, detailed: Any, *, type_: str | None = None) -> Step:
    state = new if isinstance(new, Mapping) else old if isinstance(old, Mapping) else {}
    token = str(type_ or state.get("type") or urn.split("::")[2].rsplit("$", maxsplit=1)[-1])
    return Step(
        op=op,
        urn=urn,
        type=token,
        parent=state.get("parent"),
        custom=bool(state.get("custom", False)) and not token.startswith("pulumi:providers:"),
        old=_inputs(old),
        new=_inputs(new),
        diff_paths=tuple(sorted(detailed)) if isinstance(detailed, Mapping) else (),
    )


def _diagnostic(raw: Mapping[str, Any]) -> Diagnostic | None:
    severity = str(raw.get("severity") or "info")
    if severity == "debug":
        return None
    message = str(raw.get("message") or "").strip()
    prefix = f"{severity}: "
    return Diagnostic(severity, message.removeprefix(prefix).strip(), raw.get("urn") or None)


def from_digest(digest: Mapping[str, Any]) -> Preview:
    steps = [
        _step(str(s["op"]), str(s["urn"]), s.get("oldState"), s.get("newState"), s.get("detailedDiff"))
        for s in digest.get("steps") or []
    ]
    diagnostics = [d for raw in digest.get("diagnostics") or [] if (d := _diagnostic(raw))]
    failed = any(d.severity == "error" for d in diagnostics)
    return Preview(steps=_expanded(steps), diagnostics=diagnostics, failed=failed, policy_results=False)


def from_events(events: Iterable[Mapping[str, Any]]) -> Preview:
    steps: dict[str, Step] = {}
    violations: list[Violation] = []
    diagnostics: list[Diagnostic] = []
    failed = False
    for event in events:
        if "resourcePreEvent" in event:
            meta = event["resourcePreEvent"]["metadata"]
            step = _step(
                meta["op"],
                meta["urn"],
                meta.get("old"),
                meta.get("new"),
                meta.get("detailedDiff"),
                type_=meta.get("type"),
            )
            steps.setdefault(f"{step.op} {step.urn}", step)
        elif "policyEvent" in event:
            p = event["policyEvent"]
            message = str(p.get("message") or "").strip()
            # The engine prefixes the policy's description; the finding itself is the last part.
            lines = message.splitlines()
            violations.append(
                Violation(
                    policy=str(p.get("policyName")),
                    level=str(p.get("enforcementLevel") or "advisory"),
                    message=lines[-1] if lines else message,
                    urn=p.get("resourceUrn") or None,
                    pack=str(p.get("policyPackName") or ""),
                )
            )
        elif "diagnosticEvent" in event:
            if diagnostic := _diagnostic(event["diagnosticEvent"]):
                diagnostics.append(diagnostic)
        elif "summaryEvent" in event:
            failed = event["summaryEvent"].get("result") == "failed"
    failed = failed or any(d.severity == "error" for d in diagnostics)
    return Preview(
        steps=_expanded(steps.values()),
        violations=violations,
        diagnostics=diagnostics,
        failed=failed,
        policy_results=True,
    )


def parse(text: str) -> Preview:
    """Either shape of `pulumi preview --json` output (see the module docstring)."""
    stripped = text.strip()
    if not stripped:
        raise ValueError("the preview output is empty: did `pulumi preview --json` run?")
    try:
        document = json.loads(stripped)
    except json.JSONDecodeError:
        document = None
    if isinstance(document, Mapping) and not any(k.endswith("Event") for k in document):
        return from_digest(document)
    events = [json.loads(line) for line in stripped.splitlines() if line.strip()]
    return from_events(events)
