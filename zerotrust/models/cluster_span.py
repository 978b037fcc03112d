"""SecurityPolicyContainerCluster: applies a policy to an Antrea cluster (ref §6.3 (a)).

A child of the policy at ``.../security-policies/{p}/container-cluster-span/{id}``.
NSX does not let ``container_cluster_path`` change; changing it means delete + create.
"""

from __future__ import annotations

import re
from typing import ClassVar, Literal, Self

from pydantic import ValidationInfo, model_validator

from zerotrust.models._base import NsxObject, is_live, problem, raise_problems

__all__ = ["CCP_PATH", "SecurityPolicyContainerCluster"]

CCP_PATH = re.compile(r"^/infra/sites/[^/]+/enforcement-points/[^/]+/cluster-control-planes/[^/]+$")
"""Shape of a cluster control plane path (ref §6.1)."""


class SecurityPolicyContainerCluster(NsxObject):
    """One cluster a security policy spans."""

    KIND: ClassVar[str] = "SecurityPolicyContainerCluster"

    resource_type: Literal["SecurityPolicyContainerCluster"] = "SecurityPolicyContainerCluster"
    container_cluster_path: str
    """Path of the ClusterControlPlane; immutable, unique per policy."""

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Self:
        if is_live(info):
            return self
        problems = self.common_problems()
        if not CCP_PATH.match(self.container_cluster_path):
            problems.append(
                problem(
                    self.KIND,
                    self.id,
                    "container_cluster_path",
                    f"is {self.container_cluster_path!r}, not a cluster control plane path",
                    "use /infra/sites/default/enforcement-points/default/cluster-control-planes/<cluster>",
                )
            )
        raise_problems(problems)
        return self
