"""Antrea precedence: tier priority, then policy priority, then rule index, then the tie rule.

Each row was derived by hand from antrea.md §2.4 (and Antrea's documented example: rules of
ACNP1 priority 10 come before those of ANP1 priority 15 in the same tier, emergency before
application). Rules tie only when tier, policy priority and rule index are all equal; tied
rules that match with one action give that action, with different actions an ERROR naming
both. Flows are TCP/80 from a pod of namespace x (egress) unless the row says otherwise.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.evaluator.antrea_world import acnp, annp, ns, verdict, world

X: dict[str, Any] = {"appliedTo": [ns("x")]}


def egress(name: str, action: str, to: str) -> dict[str, Any]:
    return {"name": name, "action": action, "to": [ns(to)], "ports": [{"protocol": "TCP", "port": 80}]}


# The repro: two policies at the same tier and priority, rule order decides.
REPRO = [
    acnp("acnp-deny", 5, egress=[egress("drop-y", "Drop", "y"), egress("drop-z", "Drop", "z")], **X),
    acnp("acnp-allow", 5, egress=[egress("allow-z", "Allow", "z"), egress("allow-y", "Allow", "y")], **X),
]

CASES: list[tuple[str, list[dict[str, Any]], str, str, str, tuple[str, ...]]] = [
    (
        "repro: deny's rule 0 beats allow's rule 1",
        REPRO,
        "pod:c1/x/a",
        "pod:c1/y/a",
        "DROP",
        ("acnp/acnp-deny/drop-y",),
    ),
    (
        "repro: allow's rule 0 beats deny's rule 1",
        REPRO,
        "pod:c1/x/a",
        "pod:c1/z/a",
        "ALLOW",
        ("acnp/acnp-allow/allow-z", "antrea-default-allow"),
    ),
    (
        "policy priority beats rule index",
        [
            acnp(
                "late",
                4,
                egress=[egress("r0", "Allow", "w"), egress("r1", "Allow", "w"), egress("r2", "Allow", "y")],
                **X,
            ),
            acnp("early", 5, egress=[egress("r0", "Drop", "y")], **X),
        ],
        "pod:c1/x/a",
        "pod:c1/y/a",
        "ALLOW",
        ("acnp/late/r2", "antrea-default-allow"),
    ),
    (
        "tier priority beats policy priority",
        [
            acnp("app", 1, egress=[egress("r0", "Allow", "y")], **X),
            acnp("sec", 100, tier="securityops", egress=[egress("r0", "Drop", "y")], **X),
        ],
        "pod:c1/x/a",
        "pod:c1/y/a",
        "DROP",
        ("acnp/sec/r0",),
    ),
    (
        "ACNP and ANNP interleave by priority only",
        [
            acnp("cluster", 7, egress=[egress("r0", "Drop", "y")], **X),
            annp("x", "local", 6, appliedTo=[{"podSelector": {}}], egress=[egress("r0", "Allow", "y")]),
        ],
        "pod:c1/x/a",
        "pod:c1/y/a",
        "ALLOW",
        ("annp/x/local/r0", "antrea-default-allow"),
    ),
    (
        "ANNP at the same rank as ACNP, same action",
        [
            acnp("cluster", 6, egress=[egress("r0", "Drop", "y")], **X),
            annp("x", "local", 6, appliedTo=[{"podSelector": {}}], egress=[egress("r0", "Drop", "y")]),
        ],
        "pod:c1/x/a",
        "pod:c1/y/a",
        "DROP",
        ("acnp/cluster/r0",),
    ),
    (
        "tied rules agreeing give the shared action",
        [
            acnp("p", 5, egress=[egress("r0", "Drop", "y")], **X),
            acnp("q", 5, egress=[egress("r0", "Drop", "y")], **X),
        ],
        "pod:c1/x/a",
        "pod:c1/y/a",
        "DROP",
        ("acnp/p/r0",),
    ),
    (
        "a tied rule that does not match does not conflict",
        [
            acnp("p", 5, egress=[egress("r0", "Drop", "y")], **X),
            acnp("q", 5, egress=[egress("r0", "Allow", "z")], **X),
        ],
        "pod:c1/x/a",
        "pod:c1/y/a",
        "DROP",
        ("acnp/p/r0",),
    ),
    (
        "ingress and egress indices are separate lists",
        [
            acnp(
                "p",
                5,
                ingress=[{"name": "i0", "action": "Allow", "from": [ns("x")]}],
                egress=[egress("e0", "Drop", "y")],
                **X,
            ),
        ],
        "pod:c1/x/a",
        "pod:c1/y/a",
        "DROP",
        ("acnp/p/e0",),
    ),
    (
        "baseline: rule index within equal priority",
        [
            acnp("b1", 1, tier="baseline", egress=[egress("r0", "Allow", "w"), egress("r1", "Allow", "y")], **X),
            acnp("b2", 1, tier="baseline", egress=[egress("r0", "Drop", "y")], **X),
        ],
        "pod:c1/x/a",
        "pod:c1/y/a",
        "DROP",
        ("acnp/b2/r0",),
    ),
]


@pytest.mark.parametrize(("name", "manifests", "src", "dst", "action", "deciding"), CASES, ids=[c[0] for c in CASES])
def test_precedence(  # noqa: PLR0917
    name: str, manifests: list[dict[str, Any]], src: str, dst: str, action: str, deciding: tuple[str, ...]
) -> None:
    found = verdict(world(manifests), src, dst)
    assert (found.action, found.deciding) == (action, deciding), name


def test_tied_conflicting_rules_are_an_error_naming_both() -> None:
    manifests = [
        acnp("p", 5, egress=[egress("r0", "Drop", "y")], **X),
        acnp("q", 5, egress=[egress("r0", "Allow", "y")], **X),
    ]
    found = verdict(world(manifests), "pod:c1/x/a", "pod:c1/y/a")
    assert found.action == "ERROR"
    (error,) = found.errors
    assert "acnp/p/r0 (Drop)" in error
    assert "acnp/q/r0 (Allow)" in error


def test_pass_tied_with_drop_is_an_error() -> None:
    manifests = [
        acnp("p", 5, egress=[egress("r0", "Pass", "y")], **X),
        acnp("q", 5, egress=[egress("r0", "Drop", "y")], **X),
    ]
    assert verdict(world(manifests), "pod:c1/x/a", "pod:c1/y/a").action == "ERROR"


def test_tie_is_reported_in_the_chain() -> None:
    manifests = [
        acnp("p", 5, egress=[egress("r0", "Drop", "y")], **X),
        acnp("q", 5, egress=[egress("r0", "Drop", "y")], **X),
    ]
    found = verdict(world(manifests), "pod:c1/x/a", "pod:c1/y/a")
    (step,) = [s for s in found.sides[0].chain if s.rule == "acnp/p/r0"]
    assert "acnp/q/r0" in step.note
