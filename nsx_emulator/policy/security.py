"""SecurityPolicy, Rule and container-cluster span (ref §5, §6.3).

Rules are stored as their own objects under ``<policy>/rules/<id>`` and
composed into the policy's ``rules`` list on GET (ref §1.3), ordered by
``sequence_number`` then ``rule_id``. Facts enforced here:
- DFW ``category`` values and ``["ANY"]`` handling (ref §5.1, §12.5);
- ``JUMP_TO_APPLICATION`` only in Environment; ``ip_protocol`` null for Ethernet;
  REJECT not on L2; Ethernet policies stateless; ``tcp_strict`` needs stateful;
- at most 128 sources/destinations; ``rule_id`` is read-only and system-assigned;
- a span's ``container_cluster_path`` must be a CCP, is immutable, and is unique
  per policy (ref §6.3).
Where NSX behaviour is [UNV]: a rule without ``sequence_number`` is placed after
its siblings (max + 1), a policy without one after the policies of its category;
user rule ids start at 1001.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import bad_request, deserialization
from .common import (
    ANY,
    INT32_MAX,
    Obj,
    check_enum,
    expect,
    expect_str_list,
    ip_family,
    normalize_any_list,
    paths_in,
)
from .services import check_service_entry

if TYPE_CHECKING:
    from .writer import Writer

CATEGORIES = ("Ethernet", "Emergency", "Infrastructure", "Environment", "Application")
ACTIONS = ("ALLOW", "DROP", "REJECT", "JUMP_TO_APPLICATION")
DIRECTIONS = ("IN", "OUT", "IN_OUT")
IP_PROTOCOLS = ("IPV4", "IPV6", "IPV4_IPV6")
CONNECTIVITY_STRATEGIES = (
    "WHITELIST",
    "BLACKLIST",
    "WHITELIST_ENABLE_LOGGING",
    "BLACKLIST_ENABLE_LOGGING",
    "NONE",
)
CONNECTIVITY_PREFERENCES = (
    "ALLOWLIST",
    "DENYLIST",
    "ALLOWLIST_ENABLE_LOGGING",
    "DENYLIST_ENABLE_LOGGING",
    "NONE",
)
MAX_RULE_GROUPS = 128
FIRST_USER_RULE_ID = 1001

POLICY_FIELDS = frozenset(
    {
        "category",
        "sequence_number",
        "scope",
        "stateful",
        "tcp_strict",
        "locked",
        "comments",
        "lock_modified_by",
        "lock_modified_time",
        "scheduler_path",
        "connectivity_strategy",
        "connectivity_preference",
        "default_rule_id",
        "logging_enabled",
        "application_connectivity_strategy",
        "is_default",
        "internal_sequence_number",
        "rule_count",
        "rules",
    }
)
RULE_FIELDS = frozenset(
    {
        "action",
        "source_groups",
        "destination_groups",
        "sources_excluded",
        "destinations_excluded",
        "services",
        "service_entries",
        "profiles",
        "scope",
        "direction",
        "ip_protocol",
        "logged",
        "disabled",
        "sequence_number",
        "tag",
        "notes",
        "rule_id",
        "is_default",
    }
)
SPAN_FIELDS = frozenset({"container_cluster_path"})

_GROUP_PATH = re.compile(r"^/infra/domains/[^/]+/groups/[^/]+$")
_SERVICE_PATH = re.compile(r"^/infra/services/[^/]+$")
_PROFILE_PATH = re.compile(r"^/infra/context-profiles/[^/]+$")
CCP_PATH = re.compile(r"^/infra/sites/[^/]+/enforcement-points/[^/]+/cluster-control-planes/[^/]+$")
_SCOPE_PATH = re.compile(
    r"^(/infra/domains/[^/]+/groups/[^/]+"
    r"|/infra/sites/[^/]+/enforcement-points/[^/]+/cluster-control-planes/[^/]+"
    r"|/infra/(tier-[01]s/[^/]+/)?segments/[^/]+(/ports/[^/]+)?"
    r"|/infra/tier-[01]s/[^/]+)$"
)


def rule_sort_key(rule: Obj) -> Any:
    return (rule.get("sequence_number", 0), rule.get("rule_id", 0), rule.get("id", ""))


def policy_sort_key(policy: Obj) -> Any:
    return (policy.get("sequence_number", 0), policy.get("id", ""))


def _bool(obj: Obj, field: str, default: bool) -> bool:
    value = expect(obj, field, bool, "a boolean")
    return default if value is None else bool(value)


def _seq(obj: Obj) -> int | None:
    value: int | None = expect(obj, "sequence_number", int, "an integer")
    if value is not None and not 0 <= value <= INT32_MAX:
        raise bad_request(f"sequence_number {value} is out of range [0, {INT32_MAX}].")
    return value


def _path_list(
    obj: Obj, field: str, where: str, pattern: re.Pattern[str], *, kind: str, allow_ips: bool = False
) -> list[str]:
    values = normalize_any_list(expect_str_list(obj, field), field, where)
    if values != [ANY]:
        if len(values) > MAX_RULE_GROUPS and field in ("source_groups", "destination_groups"):
            raise bad_request(f"{field} of {where} has more than {MAX_RULE_GROUPS} items.")
        for v in values:
            if v.startswith("/"):
                if not pattern.match(v):
                    raise bad_request(f"Invalid {kind} path [{v}] in {field} of {where}.")
            elif not (allow_ips and ip_family(v) is not None):
                raise bad_request(f"Invalid value [{v}] in {field} of {where}.")
    return values


def _parent_category(w: Writer, path: str) -> str | None:
    parent = w.view.get(path.rsplit("/", 2)[0])
    return parent.get("category") if parent else None


# --- SecurityPolicy --------------------------------------------------------------


def normalize_policy(w: Writer, path: str, obj: Obj, existing: Obj | None) -> None:
    where = f"SecurityPolicy {path}"
    category = check_enum(obj, "category", CATEGORIES, where)
    ethernet = category == "Ethernet"
    obj["scope"] = _path_list(obj, "scope", where, _SCOPE_PATH, kind="scope")
    stateful = _bool(obj, "stateful", not ethernet)
    if ethernet and stateful:
        raise bad_request(f"{where}: Ethernet (layer 2) policies must be stateless.")
    obj["stateful"] = stateful
    tcp_strict = _bool(obj, "tcp_strict", False)
    if tcp_strict and not stateful:
        raise bad_request(f"{where}: tcp_strict is only valid on a stateful policy.")
    obj["tcp_strict"] = tcp_strict
    obj["locked"] = _bool(obj, "locked", False)
    obj["logging_enabled"] = _bool(obj, "logging_enabled", False)
    for name, allowed in (
        ("connectivity_strategy", CONNECTIVITY_STRATEGIES),
        ("connectivity_preference", CONNECTIVITY_PREFERENCES),
    ):
        value = check_enum(obj, name, allowed, where)
        if value not in (None, "NONE"):
            # a default any-any rule needs a group scope and is L3 only (ref §5.1)
            if ethernet:
                raise bad_request(f"{where}: {name} {value} applies to layer 3 policies only.")
            if obj["scope"] == [ANY]:
                raise bad_request(f"{where}: {name} {value} needs a policy scope of groups.")
    seq = _seq(obj)
    if seq is None:
        seq = existing.get("sequence_number") if existing else None
    if seq is None:
        seq = next_policy_sequence(w, category, path)
    obj["sequence_number"] = seq
    obj["is_default"] = bool(existing.get("is_default")) if existing else (bool(obj.get("is_default")) and w.system)
    if existing and existing.get("is_default") and category != existing.get("category"):
        raise bad_request(f"{where}: the category of a default policy cannot be changed.")
    obj.pop("rule_count", None)
    obj.pop("internal_sequence_number", None)
    obj.setdefault("internal_sequence_number", seq)


def next_policy_sequence(w: Writer, category: str | None, exclude: str) -> int:
    highest = -1
    for p in w.all_policies():
        pol = w.view.get(p)
        if pol and p != exclude and pol.get("category") == category and not pol.get("is_default"):
            highest = max(highest, int(pol.get("sequence_number", 0)))
    return highest + 1


def check_policy(w: Writer, path: str, obj: Obj) -> None:
    """Cross-object rules that depend on both policy and rules (ref §5.1, §5.2)."""
    for rule_path in w.view.children(path, "rules"):
        rule = w.view.get(rule_path)
        if rule is not None:
            check_rule(w, rule_path, rule)


def policy_refs(obj: Obj) -> Iterable[str]:
    return paths_in(obj.get("scope"))


# --- Rule --------------------------------------------------------------------------


def normalize_rule(w: Writer, path: str, obj: Obj, existing: Obj | None) -> None:
    where = f"Rule {path}"
    category = _parent_category(w, path)
    ethernet = category == "Ethernet"
    action = check_enum(obj, "action", ACTIONS, where) or "ALLOW"
    obj["action"] = action
    obj["direction"] = check_enum(obj, "direction", DIRECTIONS, where) or "IN_OUT"
    ip_protocol = check_enum(obj, "ip_protocol", IP_PROTOCOLS, where)
    if ethernet:
        if ip_protocol is not None:
            raise bad_request(f"{where}: ip_protocol must be null for Ethernet (layer 2) rules.")
        obj["ip_protocol"] = None
        obj.pop("ip_protocol")
    else:
        obj["ip_protocol"] = ip_protocol or "IPV4_IPV6"
    obj["source_groups"] = _path_list(obj, "source_groups", where, _GROUP_PATH, kind="group", allow_ips=True)
    obj["destination_groups"] = _path_list(obj, "destination_groups", where, _GROUP_PATH, kind="group", allow_ips=True)
    obj["services"] = _path_list(obj, "services", where, _SERVICE_PATH, kind="service")
    obj["profiles"] = _path_list(obj, "profiles", where, _PROFILE_PATH, kind="context profile")
    obj["scope"] = _path_list(obj, "scope", where, _SCOPE_PATH, kind="scope")
    for name in ("sources_excluded", "destinations_excluded", "logged", "disabled"):
        obj[name] = _bool(obj, name, False)
    for name in ("tag", "notes"):
        expect(obj, name, str, "a string")
    entries = expect(obj, "service_entries", list, "an array")
    for i, entry in enumerate(entries or []):
        check_service_entry(entry, f"{where} service_entries[{i}]")
    seq = _seq(obj)
    if seq is None:
        seq = existing.get("sequence_number") if existing else None
    if seq is None:
        seq = next_rule_sequence(w, path)
    obj["sequence_number"] = seq
    if existing is not None:
        obj["rule_id"] = existing["rule_id"]
        obj["is_default"] = bool(existing.get("is_default"))
    elif w.system and isinstance(obj.get("rule_id"), int):
        obj["is_default"] = bool(obj.get("is_default"))
    else:
        obj["rule_id"] = w.next_counter("rule_id", FIRST_USER_RULE_ID)
        obj["is_default"] = False


def next_rule_sequence(w: Writer, path: str) -> int:
    parent = path.rsplit("/", 2)[0]
    highest = -1
    for p in w.view.children(parent, "rules"):
        rule = w.view.get(p)
        if rule and p != path and not rule.get("is_default"):
            seq = int(rule.get("sequence_number", 0))
            if seq < INT32_MAX:
                highest = max(highest, seq)
    return highest + 1


def check_rule(w: Writer, path: str, obj: Obj) -> None:
    where = f"Rule {path}"
    category = _parent_category(w, path)
    if obj.get("action") == "JUMP_TO_APPLICATION" and category != "Environment":
        raise bad_request(f"{where}: action JUMP_TO_APPLICATION is only valid in the Environment category.")
    if category == "Ethernet":
        if obj.get("ip_protocol") is not None:
            raise bad_request(f"{where}: ip_protocol must be null for Ethernet (layer 2) rules.")
        if obj.get("action") == "REJECT":
            raise bad_request(f"{where}: action REJECT does not apply to Ethernet (layer 2) rules.")


def rule_refs(obj: Obj) -> Iterable[str]:
    for name in ("source_groups", "destination_groups", "services", "profiles", "scope"):
        yield from paths_in(obj.get(name))


# --- container-cluster span ----------------------------------------------------------


def normalize_span(w: Writer, path: str, obj: Obj, existing: Obj | None) -> None:
    where = f"SecurityPolicyContainerCluster {path}"
    ccp = obj.get("container_cluster_path")
    if not isinstance(ccp, str) or not ccp:
        raise bad_request(f"{where}: container_cluster_path is required.")
    if not CCP_PATH.match(ccp):
        raise bad_request(f"{where}: container_cluster_path [{ccp}] is not a cluster control plane path.")
    if existing is not None and existing.get("container_cluster_path") != ccp:
        raise bad_request(f"{where}: container_cluster_path cannot be changed; delete and recreate the span instead.")


def check_span(w: Writer, path: str, obj: Obj) -> None:
    parent = path.rsplit("/", 2)[0]
    for other in w.view.children(parent, "container-cluster-span"):
        sibling = w.view.get(other)
        if other != path and sibling and sibling.get("container_cluster_path") == obj.get("container_cluster_path"):
            raise bad_request(
                f"SecurityPolicyContainerCluster {path}: container_cluster_path "
                f"[{obj.get('container_cluster_path')}] is already used by {other} on this policy."
            )


def span_refs(obj: Obj) -> Iterable[str]:
    ccp = obj.get("container_cluster_path")
    return [ccp] if isinstance(ccp, str) else []


def check_rule_list_type(rules: Any) -> list[Any]:
    if not isinstance(rules, list):
        raise deserialization("property rules expects an array of Rule.")
    return rules
