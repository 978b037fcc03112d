"""The evaluator agrees with the naive interpreter on >= 1,000 generated configurations.

Failures are shrunk (objects and rules removed one at a time while the disagreement
persists) and printed as JSON; keep them under ``regressions/`` where
``test_regressions`` replays them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.evaluator.generator import generate
from tests.evaluator.naive_interpreter import Naive
from zerotrust.evaluator.config import load_config
from zerotrust.evaluator.evaluate import Evaluator
from zerotrust.evaluator.flows import Endpoint, Flow

CONFIGS = 1000
CHUNKS = 10
REGRESSIONS = Path(__file__).parent / "regressions"


def _endpoint(evaluator: Evaluator, who: tuple[str, str]) -> Endpoint:
    kind, name = who
    selector = (
        f"pod:c1/{next(p.namespace for p in evaluator.inventory.pods() if p.name == name)}/{name}"
        if kind == "pod"
        else f"{kind}:{name}"
    )
    (endpoint,) = evaluator.endpoints(selector)
    return endpoint


def disagreements(data: dict[str, Any], flows: list[Any]) -> list[tuple[Any, str, str]]:
    evaluator = Evaluator(load_config(data))
    naive = Naive(data)
    out: list[tuple[Any, str, str]] = []
    for src, dst, protocol, port in flows:
        ours = evaluator.evaluate(Flow(_endpoint(evaluator, src), _endpoint(evaluator, dst), protocol, port)).action
        theirs = naive.verdict(src, dst, protocol, port)
        if ours != theirs:
            out.append(((src, dst, protocol, port), ours, theirs))
    return out


def shrink(data: dict[str, Any], flow: Any) -> dict[str, Any]:
    """Greedy: drop objects, rules, netpols while the flow still disagrees."""
    current = copy.deepcopy(data)
    changed = True
    while changed:
        changed = False
        for index in range(len(current["objects"])):
            trial = copy.deepcopy(current)
            del trial["objects"][index]
            if disagreements(trial, [flow]):
                current, changed = trial, True
                break
        for obj in current["objects"]:
            rules = obj["body"].get("rules") or []
            for index in range(len(rules)):
                trial = copy.deepcopy(current)
                next(o for o in trial["objects"] if o["path"] == obj["path"])["body"]["rules"].pop(index)
                if disagreements(trial, [flow]):
                    current, changed = trial, True
                    break
    return current


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_agrees_with_naive_interpreter(chunk: int) -> None:
    per = CONFIGS // CHUNKS
    for seed in range(chunk * per, (chunk + 1) * per):
        data, flows = generate(seed)
        found = disagreements(data, flows)
        if found:
            flow, ours, theirs = found[0]
            small = shrink(data, flow)
            case = {"seed": seed, "flow": flow, "naive": theirs, "data": small}
            pytest.fail(f"seed {seed}: evaluator {ours} vs naive {theirs} for {flow}\n{json.dumps(case)}")


@pytest.mark.parametrize("path", sorted(REGRESSIONS.glob("*.json")), ids=lambda p: p.stem)
def test_regressions(path: Path) -> None:
    case = json.loads(path.read_text())
    src, dst, protocol, port = case["flow"]
    assert not disagreements(case["data"], [(tuple(src), tuple(dst), protocol, port)])
