"""The trace command answers from the dev stack's desired state and inventory, offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from zerotrust.spec.trace import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # the stack config names the inventory relative to the repo


def test_frontend_reaches_orders_db_and_the_deciding_rule_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--stack", "dev", "--from", "pod:shop/frontend", "--to", "vm:orders-db", "--port", "5432"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.count("verdict ALLOW") == 2  # both frontend pods
    assert "shop-orders/rules/frontend-to-orders-db" in out
    assert "source seen as 198.51.100.11" in out  # its Egress IP, as the VM sees it


def test_payments_is_stopped_before_orders_db(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--stack", "dev", "--from", "pod:payments/payments", "--to", "vm:orders-db", "--port", "5432"])
    out = capsys.readouterr().out
    assert code == 1
    assert "verdict DROP" in out
    assert "nothing-else-to-orders-db" in out


def test_a_quarantined_vm_cannot_reach_the_external_database(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--stack", "dev", "--from", "vm:legacy-web", "--to", "ip:203.0.113.10", "--port", "5432"])
    out = capsys.readouterr().out
    assert code == 1
    assert "quarantine/rules/isolate-out" in out


def test_bad_input_is_exit_code_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "dev", "--from", "vm:no-such-vm", "--to", "vm:orders-db"]) == 2
    assert "no-such-vm" in capsys.readouterr().err


def test_the_forensic_pod_reaches_a_quarantined_vm_by_the_forensic_rule(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 13: the VM side of forensics-in used to drop the forensic pods (no Egress: VMs saw
    node IPs), so isolate-in decided. With their Egress IP the exception holds for VMs too."""
    code = main(["--stack", "dev", "--from", "pod:forensics/forensic", "--to", "vm:legacy-web", "--port", "22"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "source seen as 198.51.100.12 (egress:forensic-egress)" in out
    assert "ALLOW /infra/domains/default/security-policies/quarantine/rules/forensics-in" in out
    assert "isolate-in" not in out


def test_other_pods_still_cannot_reach_a_quarantined_vm(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--stack", "dev", "--from", "pod:shop/frontend", "--to", "vm:legacy-web", "--port", "22"])
    out = capsys.readouterr().out
    assert code == 1
    assert "DROP /infra/domains/default/security-policies/quarantine/rules/isolate-in" in out
