"""Container-cluster spans of a policy: ``.../security-policies/{p}/container-cluster-span``.

Applies a policy to Antrea clusters (ref §6.3 (a), NSX 9.0). The cluster path cannot
change in place: delete the span and create a new one.
"""

from __future__ import annotations

from zerotrust.models import SecurityPolicyContainerCluster
from zerotrust.nsx._api import Requester
from zerotrust.nsx._collection import Collection

__all__ = ["cluster_spans"]


def cluster_spans(
    api: Requester, policy_id: str, domain: str = "default"
) -> Collection[SecurityPolicyContainerCluster]:
    """The spans of policy ``policy_id``."""
    base = f"/infra/domains/{domain}/security-policies/{policy_id}/container-cluster-span"
    return Collection(api, SecurityPolicyContainerCluster, base)
