"""``zerotrust:nsx:SecurityPolicy``: one DFW section with its ordered rules (ref §5).

Create sends the policy with its rules inline (one call). Update is surgical, the way NSX
recommends and Terraform learned (ref §7, §11): one hierarchical PATCH that carries only the
rules that changed (each with the ``_revision`` it was read with), deletes removed rules, and
touches the policy object itself only when a policy-level field changed. An edit to one
rule's port is therefore one rule written; the other rules keep their ids and statistics.
``enforce_revision_check`` makes a concurrent edit fail with 412, and the update is then
re-read and re-planned, never blindly overwritten.

``category`` changes replace the policy (Terraform treats it as ForceNew, ref §5.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, cast

from zerotrust.models import NsxObject, SecurityPolicy, normalise
from zerotrust.nsx._collection import Collection
from zerotrust.nsx.errors import StaleRevision
from zerotrust.nsx.hierarchy import child_delete, child_reference, domain_children
from zerotrust.providers._context import Context
from zerotrust.providers._kind import Location, PolicyObjectKind

UPDATE_ATTEMPTS = 3


class SecurityPolicyKind(PolicyObjectKind):
    token: ClassVar[str] = "zerotrust:nsx:SecurityPolicy"
    model = SecurityPolicy
    resource_type = "SecurityPolicy"
    extra_replace_on: ClassVar[frozenset[str]] = frozenset({"category"})

    def collection_path(self, loc: Location) -> str:
        return f"/infra/domains/{loc.domain}/security-policies/{loc.nsx_id}"

    def collection(self, ctx: Context, loc: Location) -> Collection[Any]:
        return ctx.nsx.security_policies(loc.domain or "default")

    async def update(
        self, ctx: Context, resource_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]:
        loc = self.location(news)
        policies = ctx.nsx.security_policies(loc.domain or "default")
        desired = cast("SecurityPolicy", self.desired(news, ctx.owner))
        path = self.collection_path(loc)
        try:
            for attempt in range(1, UPDATE_ATTEMPTS + 1):
                live = await policies.get(loc.nsx_id)
                self.assert_owned(ctx, path, live, olds, "update")
                change = self.change_set(live, desired)
                if change is None:
                    break
                try:
                    await ctx.nsx.hierarchy.patch(
                        domain_children(loc.domain or "default", [change]), enforce_revision_check=True
                    )
                    break
                except StaleRevision:
                    if attempt == UPDATE_ATTEMPTS:
                        raise
        finally:
            ctx.snapshots.invalidate()
        fresh = await policies.get(loc.nsx_id)
        return self.outputs(loc, fresh, adopted=bool(olds.get("adopted")))

    def is_complete(self, written: NsxObject, desired: NsxObject) -> bool:
        """The PUT answer must also hold every rule written (NSX lists them inline)."""
        if not super().is_complete(written, desired):
            return False
        sent = [r.id for r in cast("SecurityPolicy", desired).rules or []]
        got = [r.id for r in cast("SecurityPolicy", written).rules or []]
        return sorted(map(str, sent)) == sorted(map(str, got))

    def change_set(self, live: SecurityPolicy, desired: SecurityPolicy) -> dict[str, Any] | None:
        """The H-API wrapper that turns ``live`` into ``desired``, or None when in sync."""
        live_rules = {r.id: r for r in live.rules or []}
        wanted = {r.id: r for r in desired.rules or []}
        children: list[dict[str, Any]] = []
        for rule_id, rule in wanted.items():
            current = live_rules.get(rule_id)
            if current is None or normalise(rule) != normalise(current):
                body = rule.to_wire()
                if current is not None and current.revision is not None:
                    body["_revision"] = current.revision
                children.append({"resource_type": "ChildRule", "Rule": body})
        children.extend(child_delete("Rule", str(rule_id)) for rule_id in live_rules if rule_id not in wanted)

        policy_changed = self._policy_fields(desired) != self._policy_fields(live) or (
            self.live_owner(live) != self.live_owner(desired)
        )
        if not children and not policy_changed:
            return None
        if not policy_changed:
            return child_reference("SecurityPolicy", str(live.id), children)
        body = self.merged(live, desired).to_wire()
        body.pop("rules", None)
        body["_revision"] = live.revision
        body["children"] = children
        return {"resource_type": "ChildSecurityPolicy", "SecurityPolicy": body}

    def _policy_fields(self, policy: SecurityPolicy) -> dict[str, Any]:
        form = normalise(self.comparable(policy.to_wire()))
        form.pop("rules", None)
        return form
