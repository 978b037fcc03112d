"""Intents (parse errors, witness, chain) and the trace output, over the hand scenario."""

from __future__ import annotations

import pytest

from tests.evaluator.scenario import scenario
from zerotrust.evaluator.evaluate import Evaluator, check_intents
from zerotrust.evaluator.intents import IntentSyntaxError, parse_intent
from zerotrust.evaluator.trace import trace_lines


@pytest.fixture(scope="module")
def evaluator() -> Evaluator:
    return Evaluator(scenario())


@pytest.mark.parametrize("text", ["a b allow", "a -> b tcp/70000 allow", "a -> b tcp/80 maybe", "a b -> c allow"])
def test_parse_errors_are_clear(text: str) -> None:
    with pytest.raises(IntentSyntaxError, match="intent"):
        parse_intent(text)


def test_intents_hold_and_break(evaluator: Evaluator) -> None:
    results = check_intents(
        evaluator,
        [
            "vm:web-1 -> vm:db-1 tcp/5432 allow",
            "group:quarantine -> any deny",
            "pod:forensics/forensic -> pod:shop/api any deny",
            "pod:pay/payments -> vm:db-1 tcp/5433 allow",
            "vm:web-1 -> vm:db-1 tcp/5431-5432 allow",
            "nobody -> vm:db-1 allow",
        ],
    )
    assert [r.ok for r in results] == [True, True, True, True, False, False]
    broken = results[4]
    assert broken.witness is not None
    assert broken.witness.flow.port == 5431
    message = broken.message()
    assert "expected ALLOW, got DROP" in message
    assert "default-layer3-rule" in message
    assert "names nothing" in (results[5].error or "")


def test_trace_walks_layers(evaluator: Evaluator) -> None:
    blocks, allowed = trace_lines(evaluator, "pod:pay/payments", "vm:db-1", 5433)
    text = "\n".join(blocks)
    assert allowed
    assert "source seen as 198.51.100.10 (egress:payments-egress)" in text
    assert "K8s NetworkPolicy: ALLOW k8s:pay/egress-lock/egress[1]" in text
    assert text.splitlines()[-2].startswith("verdict ALLOW")
