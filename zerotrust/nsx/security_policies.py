"""Security policies and their rules (ref §1.1, §5).

A policy GET returns its rules inline, and a PUT of a policy replaces all its rules
(ref §1.3). ``revise`` moves one policy or rule relative to another without
renumbering the rest by hand (ref §5.4).
"""

from __future__ import annotations

from typing import Literal, TypeVar

from zerotrust.models import NsxObject, Rule, SecurityPolicy
from zerotrust.nsx._api import Requester, policy_url
from zerotrust.nsx._collection import Collection, query_params

__all__ = ["ReviseOperation", "Rules", "SecurityPolicies", "security_policies"]

ReviseOperation = Literal["insert_top", "insert_bottom", "insert_after", "insert_before"]
M = TypeVar("M", bound=NsxObject)


class _Revisable(Collection[M]):
    async def revise(
        self,
        obj: M,
        *,
        operation: ReviseOperation = "insert_top",
        anchor_path: str | None = None,
    ) -> M:
        """``POST ...?action=revise``: place ``obj`` relative to ``anchor_path``."""
        if operation in ("insert_after", "insert_before") and not anchor_path:
            raise ValueError(f"revise operation {operation} needs anchor_path")
        if obj.id is None:
            raise ValueError(f"{self.model.__name__} has no id")
        params = query_params({"action": "revise", "operation": operation, "anchor_path": anchor_path})
        data = await self._api.request("POST", policy_url(self.path_of(obj.id)), params=params, json=obj.to_wire())
        return self.model.from_live(data) if data else obj


class Rules(_Revisable[Rule]):
    """``.../security-policies/{policy}/rules``."""


class SecurityPolicies(_Revisable[SecurityPolicy]):
    """``/infra/domains/{domain}/security-policies``."""

    def rules(self, policy_id: str) -> Rules:
        """The rules of one policy, addressed one by one."""
        return Rules(self._api, Rule, f"{self.path_of(policy_id)}/rules")


def security_policies(api: Requester, domain: str = "default") -> SecurityPolicies:
    """The security policies of ``domain``."""
    return SecurityPolicies(api, SecurityPolicy, f"/infra/domains/{domain}/security-policies")
