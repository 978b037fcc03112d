"""Seeded semantic mutants (issue 7, verification.md §3.3.4): each must be killed by a hand flow."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from tests.evaluator import test_antrea_constructs as constructs
from tests.evaluator import test_antrea_precedence as precedence
from tests.evaluator import test_hand_flows as hand
from tests.evaluator.antrea_world import verdict, world
from tests.evaluator.scenario import scenario
from zerotrust.evaluator import antrea, antrea_groups, antrea_match, evaluate, flows, inventory, kubernetes, nsx
from zerotrust.evaluator.evaluate import Evaluator
from zerotrust.evaluator.flows import Flow
from zerotrust.evaluator.kubernetes import PortTest
from zerotrust.evaluator.ordering import tie_groups


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


def _antrea_rule_index_ignored(mp: pytest.MonkeyPatch) -> None:
    original = antrea._tier_order

    def by_priority_only(
        name: str, priority: int, policies: list[antrea.AntreaPolicy], baseline: bool
    ) -> antrea.TierOrder:
        tier = original(name, priority, policies, baseline)
        flat = {d: [r for rank in ranks for r in rank] for d, ranks in tier.ranks.items()}
        return antrea.TierOrder(
            name, priority, {d: tie_groups(r, key=lambda e: e.policy.priority) for d, r in flat.items()}
        )

    mp.setattr(antrea, "_tier_order", by_priority_only)


def _antrea_source_ports_ignored(mp: pytest.MonkeyPatch) -> None:
    original = kubernetes.port_allows
    mp.setattr(antrea_match, "port_allows", lambda t, f, d: original(PortTest(t.protocol, t.port, t.end_port), f, d))


def _antrea_child_groups_ignored(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(antrea_groups, "_members", lambda group, groups, test: test(group))


def _antrea_same_labels_ignored(mp: pytest.MonkeyPatch) -> None:
    original = antrea._Compiler.peer
    mp.setattr(antrea._Compiler, "peer", lambda self, *a: dataclasses.replace(original(self, *a), same_labels=None))


def _antrea_unknown_as_no_match(mp: pytest.MonkeyPatch) -> None:
    original = antrea_match.rule_matches
    mp.setattr(antrea_match, "rule_matches", lambda *a: original(*a) is True)


MUTANTS: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "Antrea rule index ignored": _antrea_rule_index_ignored,
    "Antrea source ports ignored": _antrea_source_ports_ignored,
    "ClusterGroup children ignored": _antrea_child_groups_ignored,
    "namespaces sameLabels ignored": _antrea_same_labels_ignored,
    "undecidable rule taken as no match": _antrea_unknown_as_no_match,
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
    return failures + _antrea_killed()


def _antrea_killed() -> list[str]:
    """The Antrea precedence, construct and undecidable tables, as their own tests check them."""
    failures = []
    for name, manifests, src, dst, action, deciding in precedence.CASES:
        found = verdict(world(manifests), src, dst)
        if (found.action, found.deciding) != (action, deciding):
            failures.append(name)
    for name, manifests, src, dst, flow, action, decided_by in constructs.ROWS:
        found = constructs.row_verdict(manifests, src, dst, flow)
        if found.action != action or (decided_by not in found.deciding and decided_by != "antrea-default-allow"):
            failures.append(name)
    for name, manifest, _reason in constructs.UNDECIDABLE:
        if verdict(world([manifest]), "pod:c1/x/a", "pod:c1/y/a").action != "UNKNOWN":
            failures.append(name)
    return failures


def test_unmutated_passes() -> None:
    assert _killed() == []


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_is_killed(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    MUTANTS[name](monkeypatch)
    assert _killed(), f"mutant {name!r} survived every hand flow"
