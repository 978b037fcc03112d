"""`pulumi preview --json` output as plain data: steps, policy violations, diagnostics.

Two shapes reach us, and both are accepted:

* the digest (one JSON object, ``pulumi preview --json``): steps and diagnostics, but the
  engine leaves policy violations out of it (pkg/display/json.go ``PreviewDigest``);
* the event stream (JSON lines, the same command with
  ``PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true``): the same steps as ``resourcePreEvent`` plus
  ``policyEvent`` for every violation. CI uses this one, so one preview gives the report all
  it needs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

APP_POLICY = "zerotrust:components:AppPolicy"
ENVIRONMENT_GUARDRAILS = "zerotrust:components:EnvironmentGuardrails"

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

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


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

    def owner(self, step: Step) -> str:
        """Who owns a resource: the persona component up its parent chain (docs/personas.md)."""
        steps = self.by_urn()
        parent, seen = steps.get(step.parent or ""), set()
        while parent is not None and parent.urn not in seen:
            seen.add(parent.urn)
            if parent.type == APP_POLICY:
                return f"app {parent.name}"
            if parent.type == ENVIRONMENT_GUARDRAILS:
                return "security admins"
            parent = steps.get(parent.parent or "")
        # The digest leaves unchanged parents out: fall back to the type chain in the URN.
        chain = step.urn.split("::")[2].split("$") if step.urn.count("::") >= 3 else []
        if APP_POLICY in chain:
            return "an app team"
        return "security admins" if ENVIRONMENT_GUARDRAILS in chain else ""


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
    return Preview(steps=steps, diagnostics=diagnostics, failed=failed, policy_results=False)


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
        steps=list(steps.values()), violations=violations, diagnostics=diagnostics, failed=failed, policy_results=True
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
