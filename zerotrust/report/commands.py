"""The commands CI runs, defined once: the workflow (.github/workflows/preview.yml) spells them
out and a test checks it does, and the engine tests run exactly these argument lists.

Paths are relative to the repository root (where CI runs); tests pass absolute ones.
"""

from __future__ import annotations

STREAMING_ENV = {"PULUMI_ENABLE_STREAMING_JSON_PREVIEW": "true"}
"""Makes `preview --json` stream engine events, the only JSON output that carries policy violations."""


def policy_config(stack: str, pack: str = "policypack") -> str:
    return f"{pack}/config/{stack}.json"


def preview_command(stack: str, *, pack: str = "policypack") -> list[str]:
    """The PR preview: JSON events, the guardrails pack at the environment's enforcement levels."""
    return [
        "pulumi",
        "preview",
        "--stack",
        stack,
        "--json",
        "--policy-pack",
        pack,
        "--policy-pack-config",
        policy_config(stack, pack),
    ]


ACCOUNT_ENV = ("NSX_USERNAME", "NSX_PASSWORD")
"""Where a CI job puts the NSX account it runs with (read-only to preview, read-write to apply)."""


def account_script(stack: str) -> list[str]:
    """Shell lines that make the stack use the account in ACCOUNT_ENV for this run only (the
    password through stdin, as a secret; the change stays in the job's checkout)."""
    user, password = ACCOUNT_ENV
    return [
        f'pulumi config set --stack {stack} --path nsx.username "${user}"',
        f"printf '%s' \"${password}\" | pulumi config set --stack {stack} --secret nsxPassword",
    ]


def apply_command(stack: str, *, pack: str = "policypack") -> list[str]:
    """The apply after merge: the same guardrails, enforced on ``up``."""
    return [
        "pulumi",
        "up",
        "--stack",
        stack,
        "--yes",
        "--policy-pack",
        pack,
        "--policy-pack-config",
        policy_config(stack, pack),
    ]


def drift_command(stack: str) -> list[str]:
    """The scheduled drift check: refresh from NSX, fail (exit 7) if anything differs from the code."""
    return ["pulumi", "preview", "--stack", stack, "--refresh", "--expect-no-changes", "--diff"]


def report_command(stack: str, *, preview: str = "preview.json", intents: str | None = None) -> list[str]:
    """The Markdown report; with ``--check`` it exits 1 when the PR must not merge."""
    command = ["python", "-m", "zerotrust.report", "--preview", preview, "--stack", stack]
    return [*command, "--intents", intents] if intents else command
