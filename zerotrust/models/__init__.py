"""Pydantic wire models of the NSX objects this project manages (ref: nsx-policy-api.md).

Tolerant on read (``Model.from_live``), exact on write (``obj.to_wire()``); validation
on construction names the object, the field and the fix. ``normalise`` and ``diff``
give the comparable form the provider layer diffs. Imports pydantic and deepdiff only.
"""

from zerotrust.models._base import LIVE, SERVER_FIELDS, NsxModel, NsxObject, Tag
from zerotrust.models.api_error import ApiError, RelatedApiError
from zerotrust.models.cluster_control_plane import ClusterControlPlane
from zerotrust.models.cluster_span import SecurityPolicyContainerCluster
from zerotrust.models.diff import FieldChange, diff
from zerotrust.models.expressions import (
    Condition,
    ConjunctionOperator,
    Expression,
    ExternalIDExpression,
    IPAddressExpression,
    MACAddressExpression,
    NestedExpression,
    OtherExpression,
    PathExpression,
)
from zerotrust.models.group import Group
from zerotrust.models.normal_form import normalise
from zerotrust.models.references import Reference, referenced_paths
from zerotrust.models.rule import Rule
from zerotrust.models.security_policy import SecurityPolicy
from zerotrust.models.service import Service
from zerotrust.models.service_entry import (
    ALGTypeServiceEntry,
    EtherTypeServiceEntry,
    ICMPTypeServiceEntry,
    IPProtocolServiceEntry,
    L4PortSetServiceEntry,
    OtherServiceEntry,
    ServiceEntry,
)
from zerotrust.models.vm_tags import VirtualMachine, VirtualMachineTagsUpdate

__all__ = [
    "LIVE",
    "SERVER_FIELDS",
    "ALGTypeServiceEntry",
    "ApiError",
    "ClusterControlPlane",
    "Condition",
    "ConjunctionOperator",
    "EtherTypeServiceEntry",
    "Expression",
    "ExternalIDExpression",
    "FieldChange",
    "Group",
    "ICMPTypeServiceEntry",
    "IPAddressExpression",
    "IPProtocolServiceEntry",
    "L4PortSetServiceEntry",
    "MACAddressExpression",
    "NestedExpression",
    "NsxModel",
    "NsxObject",
    "OtherExpression",
    "OtherServiceEntry",
    "PathExpression",
    "Reference",
    "RelatedApiError",
    "Rule",
    "SecurityPolicy",
    "SecurityPolicyContainerCluster",
    "Service",
    "ServiceEntry",
    "Tag",
    "VirtualMachine",
    "VirtualMachineTagsUpdate",
    "diff",
    "normalise",
    "referenced_paths",
]
