"""Seeded semantic mutants (issue 7, verification.md §3.3.4): each must be killed by a hand flow."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.evaluator import test_hand_flows as hand
from tests.evaluator.scenario import scenario
from zerotrust.evaluator import evaluate, flows, inventory, nsx
from zerotrust.evaluator.evaluate import Evaluator
from zerotrust.evaluator.flows import Flow


def _categories_reordered(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(nsx, "CATEGORY_ORDER", ("Ethernet", "Application", "Environment", "Infrastructure", "Emergency", ""))


def _jump_as_allow(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(nsx, "rule_action", lambda rule: "ALLOW" if rule.action == "JUMP_TO_APPLICATION" else rule.action)


def _applied_to_ignored(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(nsx, "scope_applies", lambda rule, point: True)


def _only_ingress(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(evaluate, "EVALUATED_SIDES", ("ingress",))


def _nsx_tiers_not_first(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(evaluate, "PIPELINE", ("antrea", "nsx", "k8s", "baseline"))


def _egress_translation_ignored(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(inventory.Cluster, "egress_for", lambda self, pod: None)


def _default_action_ignored(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(nsx, "rule_action", lambda rule: "ALLOW" if rule.is_default else rule.action)


def _k8s_after_baseline(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(evaluate, "PIPELINE", ("nsx", "antrea", "baseline", "k8s"))


def _direction_ignored(mp: pytest.MonkeyPatch) -> None:
    original = nsx.rule_matches

    def patched(rule, point, direction, peer_groups, peer_ip, flow):  # noqa: PLR0917
        widened = nsx.NsxRule(**{**rule.__dict__, "directions": frozenset({"IN", "OUT"})})
        return original(widened, point, direction, peer_groups, peer_ip, flow)

    mp.setattr(nsx, "rule_matches", patched)


def _translation_ignored_entirely(mp: pytest.MonkeyPatch) -> None:
    original = flows.seen_source
    mp.setattr(
        flows,
        "seen_source",
        lambda inv, flow: flows.Address(flow.src.ip) if flow.src.kind == "pod" else original(inv, flow),
    )


MUTANTS: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "categories reordered": _categories_reordered,
    "JUMP treated as ALLOW": _jump_as_allow,
    "applied-to ignored": _applied_to_ignored,
    "only ingress evaluated": _only_ingress,
    "NSX tiers not first": _nsx_tiers_not_first,
    "Egress translation ignored": _egress_translation_ignored,
    "default action ignored": _default_action_ignored,
    "K8s NP after baseline": _k8s_after_baseline,
    "direction ignored": _direction_ignored,
    "SNAT ignored for pod->VM": _translation_ignored_entirely,
}


def _killed() -> list[str]:
    failures = []
    evaluators: dict[str | None, Evaluator] = {}
    for default, item, src, dst, proto, port, action, deciding in hand.FLOWS:
        if default not in evaluators:
            evaluators[default] = Evaluator(scenario(default))
        ev = evaluators[default]
        (source,) = ev.endpoints(src)
        (destination,) = ev.endpoints(dst)
        verdict = ev.evaluate(Flow(source, destination, proto, None if proto.startswith("ICMP") else port))
        if verdict.action != action or (action != "ERROR" and verdict.deciding != deciding):
            failures.append(item)
    return failures


def test_unmutated_passes() -> None:
    assert _killed() == []


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_is_killed(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    MUTANTS[name](monkeypatch)
    assert _killed(), f"mutant {name!r} survived every hand flow"
