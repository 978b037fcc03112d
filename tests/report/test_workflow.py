"""The example CI workflow is valid YAML and runs the commands the engine tests run."""

from __future__ import annotations

from typing import Any

import yaml

from tests.support.pulumi_harness import REPO
from zerotrust.report.commands import (
    STREAMING_ENV,
    account_script,
    apply_command,
    drift_command,
    preview_command,
    report_command,
)

WORKFLOW = REPO / ".github" / "workflows" / "preview.yml"
STACK = "${{ matrix.stack }}"


def load() -> dict[Any, Any]:
    document = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(document, dict)
    return document


def runs(job: dict[str, Any]) -> list[str]:
    return [str(step["run"]) for step in job["steps"] if "run" in step]


def test_one_job_per_stack_for_every_stack_with_a_policy_config() -> None:
    stacks = sorted(
        p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (REPO / "stacks").glob("Pulumi.*.yaml")
    )
    for job in load()["jobs"].values():
        assert job["strategy"]["matrix"]["stack"] == stacks
    for stack in stacks:
        assert (REPO / "policypack" / "config" / f"{stack}.json").exists()


def test_preview_job_runs_the_tested_commands_with_the_project_pulumi() -> None:
    job = load()["jobs"]["preview"]
    scripts = runs(job)
    assert scripts[0] == "make setup"
    preview = " ".join(preview_command(STACK))
    [preview_step] = [s for s in job["steps"] if preview in str(s.get("run", ""))]
    assert preview_step["env"] == STREAMING_ENV
    assert any(" ".join(report_command(STACK)) in s for s in scripts)
    assert any(" ".join(report_command(STACK)) + " --check" in s for s in scripts), "the failing check"
    assert any("gh pr comment" in s for s in scripts)
    for script in scripts:
        if "pulumi " in script or "python -m" in script:
            assert script.startswith(". toolchain/activate"), script


def test_drift_job_refreshes_on_a_schedule_and_expects_no_changes() -> None:
    document = load()
    assert document[True]["schedule"], "on: schedule"  # YAML 1.1 reads the key `on` as True
    scripts = runs(document["jobs"]["drift"])
    assert scripts[0] == "make setup"
    assert any(" ".join(drift_command(STACK)) in s and s.startswith(". toolchain/activate") for s in scripts)


def _account_step(job: dict[str, Any]) -> dict[str, Any]:
    """The job's one step that sets the NSX account, before any pulumi command runs it."""
    script = "\n".join(account_script(STACK))
    steps: list[dict[str, Any]] = [s for s in job["steps"] if script in str(s.get("run", ""))]
    assert len(steps) == 1, "one step sets the account"
    first_pulumi = next(i for i, s in enumerate(job["steps"]) if "pulumi " in str(s.get("run", "")))
    assert job["steps"].index(steps[0]) == first_pulumi, "the account is set before any other pulumi command"
    return steps[0]


def test_previews_and_drift_use_the_read_only_account_and_only_apply_has_the_read_write_one() -> None:
    jobs = load()["jobs"]
    for name in ("preview", "drift"):
        env = _account_step(jobs[name])["env"]
        assert env == {
            "NSX_USERNAME": "${{ vars.NSX_READONLY_USERNAME }}",
            "NSX_PASSWORD": "${{ secrets.NSX_READONLY_PASSWORD }}",
        }
    apply = jobs["apply"]
    assert _account_step(apply)["env"]["NSX_PASSWORD"] == "${{ secrets.NSX_APPLY_PASSWORD }}"
    assert apply["environment"] == STACK, "the environment's protection rules gate the read-write secret"
    assert any(" ".join(apply_command(STACK)) in s for s in runs(apply))
    for name, job in jobs.items():
        assert ("NSX_APPLY" in yaml.safe_dump(job)) == (name == "apply"), name
