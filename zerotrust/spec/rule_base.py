"""Intents checked against the whole rule base NSX holds, with this stack's own members in place.

Why: with one stack per team, an app stack declares only its own groups and sections, yet a
flow it cares about is decided by the admins' Emergency and Environment sections as much as by
its own rules. Checking intents against the stack's members alone would blind the check
(issue 15). So the preview reads the domain's groups, security policies (rules inline) and
cluster spans from NSX in one hierarchical GET (:meth:`Hierarchy.read_domain`), and the
inventory as :mod:`zerotrust.spec.live_inventory` does, then lays the stack's desired members
over what NSX holds (a member replaces the live object of the same id: a rule change under
review is what gets checked, not what is deployed) and runs the evaluator.

Read-only: one H-API GET plus the inventory reads. Runs on a thread of its own because the
Pulumi program calls it while its event loop runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from zerotrust.evaluator.config import PolicyConfig
from zerotrust.evaluator.evaluate import Evaluator, IntentResult, check_intents
from zerotrust.evaluator.inventory import load_inventory
from zerotrust.models import Group, SecurityPolicy, SecurityPolicyContainerCluster
from zerotrust.nsx.client import NsxClient
from zerotrust.nsx.config import NsxConfig
from zerotrust.nsx.errors import ConfigError, NsxError
from zerotrust.nsx.inventory import read_inventory
from zerotrust.providers._faults import explain, explain_config
from zerotrust.spec.live_inventory import InventoryReadError, complete_live_inventory

__all__ = ["RuleBaseCheck", "check_against_nsx"]


@dataclass(frozen=True)
class RuleBaseCheck:
    """The intents' results, and what they were checked against (for the preview's summary)."""

    results: list[IntentResult]
    source: str
    notes: tuple[str, ...] = ()

    def broken(self) -> list[IntentResult]:
        return [r for r in self.results if r.broken]


def check_against_nsx(
    config: NsxConfig,
    domain: str,
    intents: Sequence[str],
    *,
    groups: Mapping[str, Mapping[str, Any]],
    policies: Mapping[str, Mapping[str, Any]],
    spans: Mapping[str, Sequence[str]] | None = None,
) -> RuleBaseCheck:
    """``intents`` over NSX's rule base of ``domain`` with ``groups``/``policies`` (wire bodies
    by NSX id) in place of their live versions; ``spans`` maps own policy ids to cluster paths."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rule-base") as pool:
        live_groups, live_policies, live_spans, inventory, calls = pool.submit(
            asyncio.run, _read(config, domain)
        ).result()
    data, notes = complete_live_inventory(inventory)
    prefix = f"/infra/domains/{domain}"
    merged_groups = {g.id: g for g in live_groups}
    merged_groups |= {
        gid: Group.model_validate({**body, "id": gid, "path": f"{prefix}/groups/{gid}"}) for gid, body in groups.items()
    }
    merged_policies = {p.id: p for p in live_policies}
    for pid, body in policies.items():
        merged_policies[pid] = SecurityPolicy.model_validate(
            {**body, "id": pid, "path": f"{prefix}/security-policies/{pid}"}
        )
    merged_spans = dict(live_spans)
    merged_spans |= {f"{prefix}/security-policies/{pid}": list(paths) for pid, paths in (spans or {}).items()}
    evaluator = Evaluator(
        PolicyConfig(
            inventory=load_inventory(data),
            groups=list(merged_groups.values()),
            policies=list(merged_policies.values()),
            spans=merged_spans,
            domain=domain,
        )
    )
    source = f"the rule base and inventory of NSX at {config.endpoint} ({calls} API calls)"
    return RuleBaseCheck(check_intents(evaluator, list(intents)), source, tuple(notes))


async def _read(
    config: NsxConfig, domain: str
) -> tuple[list[Group], list[SecurityPolicy], dict[str, list[str]], dict[str, Any], int]:
    try:
        async with NsxClient(config) as nsx:
            index = await nsx.hierarchy.read_domain(domain)
            inventory = await read_inventory(nsx)
            calls = nsx.calls.total
    except ConfigError as error:
        raise InventoryReadError(f"rule base: {explain_config(error, config.endpoint)}") from error
    except NsxError as error:  # only reads were sent: NSX is as it was
        raise InventoryReadError(f"rule base: {explain(error, config, [])}") from error
    spans: dict[str, list[str]] = {}
    for path, span in index.of_type(SecurityPolicyContainerCluster).items():
        policy = path.rsplit("/container-cluster-span/", 1)[0]
        spans.setdefault(policy, []).append(str(span.container_cluster_path))
    groups = list(index.of_type(Group).values())
    policies = list(index.of_type(SecurityPolicy).values())
    return groups, policies, spans, inventory, calls
