"""No silent drops: a named pair of a rule that lands at no enforcement point is reported.

Each case is a small stack (one admins' file, one app with an Egress) and one rule. A pair
enforced nowhere is a warning naming the file, the rule's line, the value left out and the
fix; on a strict environment it is a problem (SpecError, before any API call). Pairs that
still meet somewhere (the by-design cases of zerotrust/spec/landing.py) say nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zerotrust.spec import SpecError, compile_stack, load_stack
from zerotrust.spec.compile import DesiredState

ENV = """\
strict: {strict}
clusters:
  c1: {{}}
  c2: {{}}
groups:
  web: {{vms: [{{tags: {{tier: web}}}}]}}
  tools: {{pods: [{{cluster: c1, namespace: tools, labels: {{app: tools}}}}]}}
  other: {{pods: [{{cluster: c2, labels: {{app: other}}}}]}}
sections:
  guard:
    category: Environment{applied_to}
    rules:
      - {{name: ping, from: [web], to: [web], services: [icmp], action: allow}}
      - {{name: probe, from: {source}, to: {destination}, action: allow}}
"""
TEAM = """\
app: team
cluster: c1
namespace: team
groups:
  api: {pods: [{labels: {app: api}}]}
  batch: {pods: [{labels: {app: batch}}]}
egress:
  api-egress: {pods: api, ip: 198.51.100.40}
"""


def _stack(tmp_path: Path, source: str, destination: str, *, strict: bool = False, applied_to: str = "") -> Path:
    folder = tmp_path / "stack"
    (folder / "apps").mkdir(parents=True, exist_ok=True)
    section_scope = f"\n    applied_to: {applied_to}" if applied_to else ""
    env = ENV.format(strict=str(strict).lower(), source=source, destination=destination, applied_to=section_scope)
    (folder / "environment.yaml").write_text(env)
    (folder / "apps" / "team.yaml").write_text(TEAM)
    return folder


def _compile(folder: Path) -> DesiredState:
    return compile_stack(load_stack(folder))


def _at(folder: Path, fragment: str) -> str:
    """``<file>:<line>`` of the first line of environment.yaml holding ``fragment``."""
    env = folder / "environment.yaml"
    line = next(n for n, text in enumerate(env.read_text().splitlines(), 1) if fragment in text)
    return f"{env}:{line} "


# (id, from, to, fragments of the one warning)
REPORTED = [
    (
        "app-pods-without-egress-to-vms",
        "[team/batch]",
        "[web]",
        ["'team/batch'", "no Egress", "node IPs of c1", "team/batch -> web", "egress: in apps/team.yaml"],
    ),
    (
        "admin-pods-without-egress-to-vms",
        "[tools]",
        "[web]",
        ["'tools'", "no Egress", "tools -> web", "their app's file, then name them here as <app>/<group>"],
    ),
    (
        "vms-to-pods",
        "[web]",
        "[tools]",
        ["VM side of 'web'", "left out of c1's copy", "cannot name the pods of 'tools'", "Fix: split the rule"],
    ),
    (
        "whole-cluster-to-pods",
        "[cluster:c1]",
        "[team/api]",
        ["'cluster:c1' (the cluster as VMs see it", "cluster:c1 -> team/api", "Fix: split the rule"],
    ),
    (
        "pods-of-two-clusters",
        "[tools]",
        "[other]",
        ["pods of 'other' are in c2 and those of 'tools' in c1", "tools -> other", "one rule per cluster"],
    ),
]


@pytest.mark.parametrize(("case", "source", "destination", "fragments"), REPORTED, ids=[c[0] for c in REPORTED])
def test_a_pair_enforced_nowhere_is_a_warning_with_file_line_and_fix(
    tmp_path: Path, case: str, source: str, destination: str, fragments: list[str]
) -> None:
    folder = _stack(tmp_path, source, destination)
    [warning] = _compile(folder).warnings
    assert warning.startswith(_at(folder, "name: probe")), warning
    assert "rule 'probe'" in warning
    assert "is enforced nowhere. Fix: " in warning
    for fragment in fragments:
        assert fragment in warning, warning


@pytest.mark.parametrize(("case", "source", "destination", "fragments"), REPORTED, ids=[c[0] for c in REPORTED])
def test_on_a_strict_environment_the_same_is_a_problem(
    tmp_path: Path, case: str, source: str, destination: str, fragments: list[str]
) -> None:
    folder = _stack(tmp_path, source, destination, strict=True)
    with pytest.raises(SpecError) as refused:
        _compile(folder)
    [problem] = refused.value.problems
    assert problem.startswith(_at(folder, "name: probe")), problem
    assert "This environment is strict" in problem
    for fragment in fragments:
        assert fragment in problem, problem


BY_DESIGN = [
    ("pods-to-any", "[tools]", "any"),  # enforced in c1; to VMs they are node IPs (a platform limit)
    ("any-to-pods", "any", "[tools]"),
    ("pods-with-an-egress-to-vms", "[team/api]", "[web]"),  # meet at VMs by the Egress IP
    ("pods-beside-their-whole-cluster", "[cluster:c1, team/batch]", "[web]"),  # the node group stands for them
    ("vms-to-vms", "[web]", "[web]"),
    ("vms-to-any", "[web]", "any"),
    ("pods-to-pods-of-their-cluster", "[tools]", "[team/batch]"),
    ("vms-and-pods-to-any", "[web, tools]", "any"),
]


@pytest.mark.parametrize(("case", "source", "destination"), BY_DESIGN, ids=[c[0] for c in BY_DESIGN])
def test_values_left_out_where_their_pairs_still_meet_say_nothing(
    tmp_path: Path, case: str, source: str, destination: str
) -> None:
    assert _compile(_stack(tmp_path, source, destination, strict=True)).warnings == []


def test_vms_in_a_section_enforced_only_in_a_cluster_are_reported(tmp_path: Path) -> None:
    folder = _stack(tmp_path, "[tools]", "any", applied_to="[cluster:c1]")
    [warning] = _compile(folder).warnings  # rule 'ping' (web -> web) lands nowhere; 'probe' is fine
    assert warning.startswith(_at(folder, "name: ping")), warning
    assert "rule 'ping'" in warning
    assert "the VM side of 'web' (VMs, addresses) is left out: the section is enforced only in c1" in warning
    assert "Fix: enforce it at VMs in a section without applied_to: [cluster:<name>]" in warning


def test_an_applied_to_with_nothing_at_vms_is_never_widened_to_any(tmp_path: Path) -> None:
    """Before: a pod group in applied_to left an empty scope at VMs, which NSX reads as ANY."""
    desired = _compile(_stack(tmp_path, "any", "any", applied_to="[tools]"))
    assert desired.warnings == []
    [section] = desired.sections
    assert section.cluster == "c1"
    assert section.policy.scope == ["/infra/domains/default/groups/tools"]


def test_an_applied_to_value_that_lands_nowhere_is_reported(tmp_path: Path) -> None:
    folder = _stack(tmp_path, "[tools]", "any", applied_to="[cluster:c1, web]")
    warnings = _compile(folder).warnings
    assert any(
        w.startswith(f"{_at(folder, 'applied_to:')}(sections.guard.applied_to.1)")
        and "section 'guard'" in w
        and "the VM side of 'web'" in w
        for w in warnings
    ), warnings


def test_the_dev_stack_compiles_without_a_warning_and_prod_without_a_problem() -> None:
    stacks = Path(__file__).resolve().parents[2] / "stacks"
    assert _compile(stacks / "dev").warnings == []
    prod = load_stack(stacks / "prod")
    assert prod.environment.strict
    assert _compile(stacks / "prod").warnings == []  # strict: a warning would have been a SpecError
