"""Registers every modelled kind; import this module to make :mod:`.kinds` complete."""

from __future__ import annotations

from collections.abc import Iterable

from . import groups, infra, security, services
from .kinds import INFRA, Inline, Kind, kind_for_resource_type, kind_of_path, register
from .services import ENTRY_TYPES, PROFILE_FIELDS, SERVICE_FIELDS

DOMAIN = register(
    Kind(
        "Domain",
        "domains",
        INFRA,
        "domain-id",
        ("Domain",),
        normalize=infra.normalize_domain,
        cascade_delete=False,
        system_read_only=False,
    )
)
GROUP = register(
    Kind(
        "Group",
        "groups",
        "Domain",
        "group-id",
        ("Group",),
        fields=groups.GROUP_FIELDS,
        normalize=groups.normalize_group,
        refs=groups.group_refs,
    )
)
SECURITY_POLICY = register(
    Kind(
        "SecurityPolicy",
        "security-policies",
        "Domain",
        "security-policy-id",
        ("SecurityPolicy",),
        fields=security.POLICY_FIELDS,
        normalize=security.normalize_policy,
        check=security.check_policy,
        refs=security.policy_refs,
        inline=(Inline("rules", "rules", security.rule_sort_key),),
        system_read_only=False,
    )
)
RULE = register(
    Kind(
        "Rule",
        "rules",
        "SecurityPolicy",
        "rule-id",
        ("Rule",),
        fields=security.RULE_FIELDS,
        normalize=security.normalize_rule,
        check=security.check_rule,
        refs=security.rule_refs,
        system_read_only=False,
    )
)
SPAN = register(
    Kind(
        "SecurityPolicyContainerCluster",
        "container-cluster-span",
        "SecurityPolicy",
        "container-cluster-span-id",
        ("SecurityPolicyContainerCluster",),
        fields=security.SPAN_FIELDS,
        normalize=security.normalize_span,
        check=security.check_span,
        refs=security.span_refs,
    )
)
SERVICE = register(
    Kind(
        "Service",
        "services",
        INFRA,
        "service-id",
        ("Service",),
        fields=SERVICE_FIELDS,
        normalize=services.normalize_service,
        check=services.check_service,
        inline=(Inline("service_entries", "service-entries"),),
    )
)
SERVICE_ENTRY = register(
    Kind(
        "ServiceEntry",
        "service-entries",
        "Service",
        "service-entry-id",
        ENTRY_TYPES,
        fields=frozenset().union(*services.ENTRY_FIELDS.values()),
        normalize=services.normalize_entry,
    )
)
CONTEXT_PROFILE = register(
    Kind(
        "PolicyContextProfile",
        "context-profiles",
        INFRA,
        "context-profile-id",
        ("PolicyContextProfile",),
        fields=PROFILE_FIELDS,
        normalize=services.normalize_profile,
    )
)
SITE = register(Kind("Site", "sites", INFRA, "site-id", ("Site",), lenient=True, cascade_delete=False))
ENFORCEMENT_POINT = register(
    Kind(
        "EnforcementPoint",
        "enforcement-points",
        "Site",
        "enforcementpoint-id",
        ("EnforcementPoint",),
        lenient=True,
        cascade_delete=False,
    )
)
CLUSTER_CONTROL_PLANE = register(
    Kind(
        "ClusterControlPlane",
        "cluster-control-planes",
        "EnforcementPoint",
        "cluster-control-plane-id",
        ("ClusterControlPlane", "AntreaClusterControlPlane"),
        fields=infra.CCP_FIELDS,
        normalize=infra.normalize_ccp,
        methods=frozenset({"GET", "PUT", "DELETE"}),
        lenient=True,
        system_read_only=False,
    )
)


def object_refs(key: str, obj: dict[str, object]) -> Iterable[str]:
    """Paths an object references; used by the store's reference index."""
    if not key.startswith("/"):
        return ()
    rt = obj.get("resource_type")
    kind = kind_for_resource_type(rt) if isinstance(rt, str) else None
    if kind is None:
        kind = kind_of_path(key)
    return kind.refs(obj) if kind is not None else ()
