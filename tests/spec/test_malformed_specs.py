"""Malformed desired state fails before any API call, naming the file, the line and the fix.

Each case starts from a copy of stacks/dev, breaks one thing, and checks the message. The
loader and compiler do no I/O beyond reading the files, so "zero API calls" holds by
construction; the engine test at the bottom shows the same through the real program.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from zerotrust.spec import SpecError, compile_stack, load_stack

DEV = Path(__file__).resolve().parents[2] / "stacks" / "dev"

Edit = Callable[[Path], None]


def replace(file: str, old: str, new: str) -> Edit:
    def edit(stack: Path) -> None:
        path = stack / file
        text = path.read_text()
        assert old in text, f"test setup: {old!r} not in {file}"
        path.write_text(text.replace(old, new, 1))

    return edit


def append(file: str, text: str) -> Edit:
    def edit(stack: Path) -> None:
        with (stack / file).open("a") as out:
            out.write(text)

    return edit


def both(*edits: Edit) -> Edit:
    def edit(stack: Path) -> None:
        for one in edits:
            one(stack)

    return edit


def write(file: str, text: str) -> Edit:
    def edit(stack: Path) -> None:
        (stack / file).write_text(text)

    return edit


ENV = "environment.yaml"
SHOP = "apps/shop.yaml"
PAY = "apps/payments.yaml"

# (id, edit, file named in the error, fragments the message must contain)
CASES: list[tuple[str, Edit, str, list[str]]] = [
    ("yaml-syntax", replace(ENV, "groups:", "groups: [unclosed"), ENV, ["not valid YAML"]),
    ("unknown-top-field", append(ENV, "colour: blue\n"), ENV, ["unknown field 'colour'", "spelling"]),
    (
        "unknown-group-field",
        replace(ENV, "    description: The admins' jump host", "    descripton: x"),
        ENV,
        ["descripton"],
    ),
    (
        "group-no-members",
        replace(ENV, "    vms: [{tags: {role: jump-host}}]", "    shared: false"),
        ENV,
        ["needs members"],
    ),
    (
        "vm-selector-empty",
        replace(ENV, "vms: [{tags: {role: jump-host}}]", "vms: [{}]"),
        ENV,
        ["VM selector needs tags"],
    ),
    (
        "pod-selector-empty",
        replace(SHOP, "pods: [{labels: {app: frontend}}]", "pods: [{}]"),
        SHOP,
        ["pod selector needs"],
    ),
    ("bad-ip", replace(ENV, "ips: [203.0.113.10]", "ips: [203.0.113.999]"), ENV, ["not an IP address", "203.0.113.10"]),
    ("bad-cidr", replace(ENV, "ips: [203.0.113.10]", "ips: [203.0.113.0/33]"), ENV, ["not an IP address"]),
    ("bad-range", replace(ENV, "ips: [203.0.113.10]", "ips: [203.0.113.10-nope]"), ENV, ["not an IP address"]),
    (
        "unknown-cluster-in-pods",
        replace(
            ENV, "pods: [{cluster: vks-dev-01, labels: {quarantine", "pods: [{cluster: vks-nope, labels: {quarantine"
        ),
        ENV,
        ["vks-nope", "not declared"],
    ),
    (
        "pods-without-cluster",
        replace(ENV, "pods: [{cluster: vks-dev-01, labels: {quarantine", "pods: [{labels: {quarantine"),
        ENV,
        ["pods need a cluster"],
    ),
    (
        "app-unknown-cluster",
        replace(SHOP, "cluster: vks-dev-01", "cluster: vks-elsewhere"),
        SHOP,
        ["vks-elsewhere", "not declared"],
    ),
    (
        "nested-missing",
        replace(
            ENV, "    vms: [{tags: {role: jump-host}}]", "    vms: [{tags: {role: jump-host}}]\n    groups: [ghosts]"
        ),
        ENV,
        ["ghosts", "does not exist"],
    ),
    (
        "rule-unknown-group",
        replace(ENV, "to: [quarantined], action: allow", "to: [quarantine-typo], action: allow"),
        ENV,
        ["quarantine-typo", "does not exist"],
    ),
    (
        "rule-missing-action",
        replace(SHOP, "services: [tcp/5432], action: allow, log: true}", "services: [tcp/5432], log: true}"),
        SHOP,
        ["required field 'action'"],
    ),
    ("rule-bad-action", replace(SHOP, "action: drop, log: true}", "action: deny, log: true}"), SHOP, ["allow", "drop"]),
    (
        "rule-bad-service",
        replace(SHOP, "services: [tcp/5432]", "services: [tcp/postgres]"),
        SHOP,
        ["tcp/postgres", "tcp/5432"],
    ),
    (
        "rule-any-mixed",
        replace(SHOP, "from: any, to: [orders-db]", "from: [any, frontend], to: [orders-db]"),
        SHOP,
        ["'any' must stand alone"],
    ),
    (
        "rule-empty-from",
        replace(SHOP, "from: any, to: [orders-db]", "from: [], to: [orders-db]"),
        SHOP,
        ["at least one group"],
    ),
    (
        "rule-bad-name",
        replace(SHOP, "name: nothing-else-to-orders-db", "name: Nothing Else"),
        SHOP,
        ["not a valid name"],
    ),
    (
        "rule-duplicate-name",
        replace(SHOP, "name: nothing-else-to-orders-db", "name: frontend-to-orders-db"),
        SHOP,
        ["used twice"],
    ),
    (
        "section-no-rules",
        replace(PAY, "egress:", "sections:\n  empty:\n    rules: []\negress:"),
        PAY,
        ["at least one rule"],
    ),
    (
        "admin-bad-category",
        replace(ENV, "category: Emergency", "category: Urgent"),
        ENV,
        ["Emergency", "Infrastructure"],
    ),
    ("admin-missing-category", replace(ENV, "    category: Environment\n", ""), ENV, ["required field 'category'"]),
    (
        "app-reaches-admin-category",
        replace(SHOP, "  orders:\n", "  orders:\n    category: Emergency\n"),
        SHOP,
        ["not allowed in an app spec", "security admins"],
    ),
    (
        "app-uses-admin-group",
        replace(SHOP, "from: any, to: [orders-db]", "from: [jump-host], to: [orders-db]"),
        SHOP,
        ["belongs to the security admins", "share"],
    ),
    (
        "app-uses-other-app-group",
        replace(SHOP, "from: any, to: [orders-db]", "from: [payments], to: [orders-db]"),
        SHOP,
        ["belongs to app 'payments'"],
    ),
    (
        "app-shares-group",
        replace(
            SHOP,
            "    vms: [{tags: {app: shop, tier: db}}]",
            "    vms: [{tags: {app: shop, tier: db}}]\n    shared: true",
        ),
        SHOP,
        ["only environment.yaml can share"],
    ),
    ("app-name-mismatch", replace(SHOP, "app: shop", "app: store"), SHOP, ["name the file store.yaml"]),
    ("app-bad-name", replace(PAY, "app: payments", "app: Pay_Ments"), PAY, ["not a valid name"]),
    (
        "egress-unknown-pods",
        replace(SHOP, "frontend-egress: {pods: frontend", "frontend-egress: {pods: backend"),
        SHOP,
        ["must be one of this app's pod groups"],
    ),
    (
        "egress-on-vm-group",
        replace(SHOP, "frontend-egress: {pods: frontend", "frontend-egress: {pods: orders-db"),
        SHOP,
        ["pod groups"],
    ),
    (
        "applied-to-unknown",
        replace(
            ENV,
            "    description: Isolate quarantined",
            "    applied_to: [nowhere]\n    description: Isolate quarantined",
        ),
        ENV,
        ["'nowhere'", "cluster:"],
    ),
    (
        "admin-unknown-app-group",
        replace(ENV, "from: [payments/payments-egress]", "from: [payments/ghost]"),
        ENV,
        ["payments/ghost", "does not exist"],
    ),
    (
        "negative-sequence",
        replace(ENV, "    category: Emergency\n", "    category: Emergency\n    sequence: -1\n"),
        ENV,
        ["greater than or equal to 0"],
    ),
    (
        "strict-drop-without-log",  # prod is strict: a drop rule must log
        both(replace(ENV, "strict: false", "strict: true"), replace(SHOP, "action: drop, log: true}", "action: drop}")),
        SHOP,
        ["drops traffic without logging", "log: true"],
    ),
    (
        "verbatim-group-with-selectors",
        replace(
            ENV,
            "    vms: [{tags: {role: jump-host}}]",
            "    vms: [{tags: {role: jump-host}}]\n    nsx: {expression: []}",
        ),
        ENV,
        ["kept verbatim (nsx:) takes no vms"],
    ),
    (
        "verbatim-group-sets-id",
        replace(ENV, "    vms: [{tags: {role: jump-host}}]", "    nsx: {id: other, expression: []}"),
        ENV,
        ["must not set id", "id:"],
    ),
    (
        "verbatim-section-with-rules",
        replace(ENV, "    category: Emergency\n", "    category: Emergency\n    nsx: {sequence_number: 5}\n"),
        ENV,
        ["kept verbatim (nsx:) takes no rules"],
    ),
    (
        "group-id-not-nsx",
        replace(ENV, "    description: The admins' jump host", "    id: 'jump host!'"),
        ENV,
        ["is not an NSX id"],
    ),
    (
        "group-id-twice",
        replace(ENV, "    description: The admins' jump host", "    id: quarantined"),
        ENV,
        ["'quarantined' is used twice", "another name or id"],
    ),
    (
        "section-id-twice",
        replace(ENV, "    category: Environment\n", "    category: Environment\n    id: quarantine\n"),
        ENV,
        ["'quarantine' is used by another section"],
    ),
    (
        "rule-applied-to-unknown",
        replace(
            ENV,
            "action: drop, log: true}\n  cluster-egress",
            "action: drop, log: true, applied_to: [ghost]}\n  cluster-egress",
        ),
        ENV,
        ["group 'ghost' does not exist"],
    ),
    (
        "service-path-not-a-service",
        replace(SHOP, "services: [tcp/5432]", "services: [/infra/domains/default]"),
        SHOP,
        ["is not understood", "/infra/services/HTTPS"],
    ),
    ("missing-environment", lambda stack: (stack / ENV).unlink(), ENV, ["missing", "environment.yaml"]),
]


@pytest.mark.parametrize(("case", "edit", "file", "fragments"), CASES, ids=[c[0] for c in CASES])
def test_malformed_spec_is_refused_with_file_line_and_fix(
    tmp_path: Path, case: str, edit: Edit, file: str, fragments: list[str]
) -> None:
    stack = tmp_path / "dev"
    shutil.copytree(DEV, stack)
    edit(stack)
    with pytest.raises(SpecError) as refused:
        compile_stack(load_stack(stack))
    message = str(refused.value)
    assert str(stack / file) in message, message
    if case not in {"missing-environment"}:
        assert f"{stack / file}:" in message, f"no line number in: {message}"
    for fragment in fragments:
        assert fragment in message, message
    assert "Traceback" not in message


def test_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30


def test_the_committed_dev_stack_is_valid() -> None:
    desired = compile_stack(load_stack(DEV))
    assert desired.apps == ["forensics", "payments", "shop"]
    assert {s.policy.category for s in desired.sections} == {"Emergency", "Environment", "Application"}


def test_the_committed_prod_stack_is_valid_and_strict() -> None:
    prod = load_stack(DEV.parent / "prod")
    assert prod.environment.strict
    desired = compile_stack(prod)
    assert set(desired.clusters) == {"vks-prod-01"}
    drops = [r for s in desired.sections for r in s.policy.rules or [] if r.action in ("DROP", "REJECT")]
    assert drops
    assert all(r.logged for r in drops)
