"""The guardrails under the real engine: each mandatory policy blocks a stack that violates it,
naming the policy and the resource, and the repository's dev stack passes at prod's levels.

Each case is its own emulator and backend (xdist runs them in parallel) and one preview, run
with the command CI runs (tests/policypack/ci_preview.py). Violating variants are the dev stack
with one edit, made the way a contributor would make it: a stack file, or the program itself
for what the spec loader already refuses (the pack must hold whoever writes the stack). The
intent check is switched off in the variants so the policy, not an intent, is what fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from policypack.guardrails import MANDATORY
from tests.policypack.ci_preview import ci_preview
from tests.support.emulator_process import RunningEmulator, start_emulator
from tests.support.nsx_stack import configure_nsx
from tests.support.pulumi_harness import REPO, EngineWorkspace
from zerotrust.report import render

pytestmark = pytest.mark.engine

SEED = REPO / "nsx_emulator" / "seeds" / "demo.yaml"

BACKDOOR = """
# test variant: an app-owned section outside Application, added by program code
from zerotrust.resources import PolicySet as _PolicySet

_rule = {
    "resource_type": "Rule", "id": "frontend-first", "display_name": "frontend-first", "action": "ALLOW",
    "sequence_number": 10, "source_groups": ["/infra/domains/default/groups/shop-frontend-egress"],
    "destination_groups": ["/infra/domains/default/groups/shop-orders-db"], "services": ["ANY"],
    "logged": True, "notes": "jumps the queue",
}
_PolicySet(
    "shop-backdoor",
    policies={"shop-backdoor": {"category": "Emergency", "sequence_number": 50, "rules": [_rule]}},
    owners={"policies/shop-backdoor": "app:shop"},
    opts=pulumi.ResourceOptions(provider=provider, depends_on=[firewall]),
)
"""

BREAK_GLASS = """  break-glass:
    category: Emergency
    description: Admins reach quarantined VMs over SSH
    rules:
      - {name: admin-ssh, from: [jump-host], to: [quarantined], services: [tcp/22], action: allow, log: true}
"""


def edit(path: Path, old: str, new: str, *, regex: bool = False) -> None:
    text = path.read_text()
    changed = re.sub(old, new, text, count=1, flags=re.DOTALL) if regex else text.replace(old, new, 1)
    assert changed != text, f"the variant's edit no longer applies to {path.name}: update the test"
    path.write_text(changed)


def any_to_any(program: Path) -> None:
    edit(
        program / "stacks/dev/apps/shop.yaml",
        "      - {name: nothing-else",
        "      - {name: open-door, from: any, to: any, action: allow, log: true}\n      - {name: nothing-else",
    )


def app_section_in_emergency(program: Path) -> None:
    main = program / "__main__.py"
    main.write_text(main.read_text() + BACKDOOR)


def quarantine_missing(program: Path) -> None:
    edit(
        program / "stacks/dev/environment.yaml",
        r"  quarantine:\n    category: Emergency.*?(?=  cluster-egress:)",
        "",
        regex=True,
    )


def quarantine_not_first(program: Path) -> None:
    edit(program / "stacks/dev/environment.yaml", "sections:\n", "sections:\n" + BREAK_GLASS)


def cluster_egress_without_egress_ip(program: Path) -> None:
    edit(
        program / "stacks/dev/environment.yaml",
        "to: [external-db], action: drop, log: true}",
        "to: [external-db], action: allow, log: true}",
    )


def silent_drop(program: Path) -> None:
    edit(
        program / "stacks/dev/apps/shop.yaml",
        "to: [orders-db], action: drop, log: true}",
        "to: [orders-db], action: drop, log: false}",
    )


VARIANTS: dict[str, tuple[Callable[[Path], None], str, tuple[str, str]]] = {
    # name: (edit, policy config, (policy, resource) that must block)
    "any-to-any": (any_to_any, "dev", ("no-allow-any-to-any", "shop-orders")),
    "app-section-in-emergency": (
        app_section_in_emergency,
        "dev",
        ("app-sections-only-in-application", "shop-backdoor"),
    ),
    "quarantine-missing": (quarantine_missing, "dev", ("emergency-quarantine-first", "dev")),
    "quarantine-not-first": (quarantine_not_first, "dev", ("emergency-quarantine-first", "break-glass")),
    "egress-without-egress-ip": (
        cluster_egress_without_egress_ip,
        "dev",
        ("external-egress-through-egress-ip", "cluster-egress"),
    ),
    "silent-drop-in-prod": (silent_drop, "prod", ("drop-rules-logged", "shop-orders")),
}


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[RunningEmulator]:
    emulator = start_emulator(tmp_path / "emulator", seed=SEED)
    yield emulator
    emulator.stop()


def dev_workspace(tmp_path: Path, emu: RunningEmulator, *, intents: bool) -> EngineWorkspace:
    ws = EngineWorkspace.create(
        REPO, tmp_path / "ws", stack_name="dev", include=("Pulumi.yaml", "__main__.py", "stacks")
    )
    configure_nsx(ws, emu)
    if not intents:
        ws.set_config({"inventory": "off"})
    return ws


def test_the_dev_stack_passes_every_mandatory_policy_at_prod_levels(tmp_path: Path, emu: RunningEmulator) -> None:
    ws = dev_workspace(tmp_path, emu, intents=True)
    run = ci_preview(ws, config="prod")
    assert run.returncode == 0, run.output[-3000:] + run.stderr[-3000:]
    assert run.mandatory() == set()
    [summary] = run.events("policyAnalyzeStackSummaryEvent")
    assert {g.NAME for g in MANDATORY} <= set(summary["passed"]), summary


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_a_violating_stack_fails_the_preview_naming_policy_and_resource(
    tmp_path: Path, emu: RunningEmulator, variant: str
) -> None:
    change, config, (policy, resource) = VARIANTS[variant]
    ws = dev_workspace(tmp_path, emu, intents=False)
    change(ws.program)
    run = ci_preview(ws, config=config)
    assert run.returncode != 0
    assert (policy, resource) in run.mandatory(), run.mandatory() or run.output[-3000:]
    report = render(run.preview, stack="dev")
    kinds = ("SecurityPolicy", "PolicySet")  # a section, or the rule base for what is missing from it
    assert any(f"**{policy}** on {kind} `{resource}`" in report for kind in kinds), report
    assert report.index("Policy violations (mandatory)") < report.index("### DFW sections")


def test_a_silent_drop_is_only_advisory_in_dev(tmp_path: Path, emu: RunningEmulator) -> None:
    ws = dev_workspace(tmp_path, emu, intents=False)
    silent_drop(ws.program)
    run = ci_preview(ws, config="dev")
    assert run.returncode == 0, run.output[-3000:]
    assert ("drop-rules-logged", "shop-orders") in run.advisory()
