"""docs/components.md's examples run: its reference blocks, executed in order under Pulumi's mocks.

The component reference promises a runnable example per component (issue 15). This runs the
shared start, Firewall, SecurityGroup, DfwSection, VksCluster and EgressPool blocks as one
program and checks what they declared: every group and section of the docs in the one policy
set, the pod groups on the cluster's path, the egress pool registered. A docs edit that no
longer runs fails here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pulumi

from tests.components.test_typed_components import Mocks, policy_sets, registered, under_mocks

DOCS = Path(__file__).resolve().parents[2] / "docs" / "components.md"
RUNNABLE = (
    "import pulumi\n",
    'firewall = Firewall("dev", FirewallArgs(provider=nsx))',
    "web = SecurityGroup(",
    'DfwSection(\n    "quarantine"',
    "dev = VksCluster(",
    "import pulumi_kubernetes",
)
"""How each block to run starts; the others need a live NSX, a stack reference or stack files."""


def blocks() -> list[str]:
    """The runnable python blocks of the docs, in the order they appear."""
    found = re.findall(r"```python\n(.*?)```", DOCS.read_text(), flags=re.DOTALL)
    chosen = [block for block in found if block.startswith(RUNNABLE)]
    assert len(chosen) == len(RUNNABLE), "a docs block this test runs was renamed or removed"
    return chosen


class ClusterMocks(Mocks):
    """The mocks of the typed-component tests; the VksCluster lookup finds one registered cluster."""

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        found, _ = super().call(args)
        return found, []


@under_mocks
def test_the_reference_examples_run() -> pulumi.Output[Any]:
    mocks = ClusterMocks()
    pulumi.runtime.set_mocks(mocks, preview=False, stack="dev")
    namespace: dict[str, Any] = {}
    config = {"project:nsxPassword": "secret", "project:kubeconfig": "apiVersion: v1"}
    pulumi.runtime.set_all_config(config, ["project:nsxPassword", "project:kubeconfig"])
    for block in blocks():
        exec(compile(block, str(DOCS), "exec"), namespace)

    def check(_: str) -> None:
        [inputs] = policy_sets(mocks)
        assert sorted(inputs["groups"]) == ["db", "frontend", "quarantined", "shop", "tier", "web", "web-or-api"]
        assert sorted(inputs["policies"]) == ["quarantine", "web-db"]
        assert inputs["groups"]["frontend"]["group_type"] == ["ANTREA"]
        assert any(r.typ == "zerotrust:kubernetes:EgressPool" for r in mocks.registered)

    return registered(namespace["firewall"], check)
