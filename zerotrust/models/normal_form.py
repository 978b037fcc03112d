"""The comparable ("normal") form of an object, so desired and live compare equal when
nothing that matters has changed.

``normalise(obj)`` starts from ``obj.to_wire()`` -- the fields this project manages,
so unmanaged server fields (``tcp_strict``, ``connectivity_strategy``, ...) never show
up as drift -- and then, object by object (per ``resource_type``, table below):

* drops ``_revision`` and every server field (ref §2.2; ``to_wire`` already drops them);
* drops values equal to what NSX fills in when a field is omitted (ref §5.2): rule
  ``direction`` IN_OUT, ``ip_protocol`` IPV4_IPV6, ``logged``/``disabled``/
  ``*_excluded`` false; policy ``stateful`` true (false for Ethernet), ``locked``
  false; condition ``scope_operator`` EQUALS; ``display_name`` equal to ``id``;
  ``None``, ``""`` and ``[]``;
* treats "any" lists alike: NSX *returns* ``["ANY"]`` for an unset source, destination,
  service, profile or scope list (ref §5.2, observed on the default rule), clients
  send ``["ANY"]``, and some send nothing; all three (and any casing) become *absent*;
* sorts what NSX treats as a set (paths in a rule, IPs, ports, tags, service entries)
  and canonicalises IP spellings; keeps order where order matters: rules sorted by
  ``sequence_number`` (then id), group expressions exactly as written.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from zerotrust.models._base import NsxModel
from zerotrust.models._values import is_any, is_path

__all__ = ["KIND_RULES", "KindRules", "normalise", "without_defaults"]

Default = Any | Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True)
class KindRules:
    """How one ``resource_type`` is brought to normal form."""

    defaults: Mapping[str, Default] = field(default_factory=dict)
    """NSX default per field (or a function of the object); equal values are dropped."""
    any_lists: frozenset[str] = frozenset()
    """Lists where ``["ANY"]``, ``[]`` and absent all mean "any"."""
    set_lists: frozenset[str] = frozenset()
    """Lists whose order NSX does not keep or use: sorted."""
    ordered_children: Mapping[str, str] = field(default_factory=dict)
    """Child lists sorted by this key (rules by ``sequence_number``)."""
    unordered_children: frozenset[str] = frozenset()
    """Child lists whose order is meaningless: sorted by their normal form."""
    anonymous_children: frozenset[str] = frozenset()
    """Child lists whose ids NSX generates: ``id``/``display_name`` dropped."""
    ip_lists: frozenset[str] = frozenset()
    """Lists that may hold IP literals, canonicalised (``2001:DB8::1`` -> ``2001:db8::1``)."""


_RULE_LISTS = frozenset({"source_groups", "destination_groups", "services", "profiles", "scope"})

KIND_RULES: Mapping[str, KindRules] = {
    "Rule": KindRules(
        defaults={
            "direction": "IN_OUT",
            "ip_protocol": "IPV4_IPV6",
            "logged": False,
            "disabled": False,
            "sources_excluded": False,
            "destinations_excluded": False,
        },
        any_lists=_RULE_LISTS,
        set_lists=_RULE_LISTS,
        unordered_children=frozenset({"service_entries"}),
        anonymous_children=frozenset({"service_entries"}),
        ip_lists=frozenset({"source_groups", "destination_groups"}),
    ),
    "SecurityPolicy": KindRules(
        defaults={
            "stateful": lambda obj: obj.get("category") != "Ethernet",
            "locked": False,
        },
        any_lists=frozenset({"scope"}),
        set_lists=frozenset({"scope"}),
        ordered_children={"rules": "sequence_number"},
    ),
    "Condition": KindRules(defaults={"scope_operator": "EQUALS"}),
    "IPAddressExpression": KindRules(set_lists=frozenset({"ip_addresses"}), ip_lists=frozenset({"ip_addresses"})),
    "MACAddressExpression": KindRules(set_lists=frozenset({"mac_addresses"})),
    "PathExpression": KindRules(set_lists=frozenset({"paths"})),
    "ExternalIDExpression": KindRules(set_lists=frozenset({"external_ids"})),
    "Service": KindRules(ordered_children={"service_entries": "id"}),
    "L4PortSetServiceEntry": KindRules(set_lists=frozenset({"source_ports", "destination_ports"})),
    "ALGTypeServiceEntry": KindRules(set_lists=frozenset({"source_ports", "destination_ports"})),
}
"""Per-kind normalisation; kinds not listed get only the generic steps."""

_NO_RULES = KindRules()
_ALWAYS_DROPPED = frozenset({"_revision"})


def normalise(obj: NsxModel) -> dict[str, Any]:
    """The normal form of ``obj`` (desired or ``Model.from_live(...)``), a plain dict."""
    return _object(obj.to_wire())


def without_defaults(data: Mapping[str, Any]) -> dict[str, Any]:
    """Wire fields without what NSX fills in when they are omitted (defaults, ``["ANY"]``).

    Unlike :func:`normalise` it keeps everything else as written (ids, order, spelling):
    what a person would write to get the same object, e.g. an adopted object kept verbatim.
    """
    kind = data.get("resource_type")
    rules = KIND_RULES.get(kind, _NO_RULES) if isinstance(kind, str) else _NO_RULES
    result: dict[str, Any] = {}
    for name, value in data.items():
        if name in rules.any_lists and isinstance(value, list) and is_any(value):
            continue
        if _is_default(name, value, rules, data) or value is None:
            continue
        if isinstance(value, Mapping):
            result[name] = without_defaults(value)
        elif isinstance(value, list):
            result[name] = [without_defaults(v) if isinstance(v, Mapping) else v for v in value]
        else:
            result[name] = value
    return result


def _object(data: Mapping[str, Any]) -> dict[str, Any]:
    kind = data.get("resource_type")
    rules = KIND_RULES.get(kind, _NO_RULES) if isinstance(kind, str) else _NO_RULES
    result: dict[str, Any] = {}
    for name, value in data.items():
        if name in _ALWAYS_DROPPED:
            continue
        if name in rules.any_lists and isinstance(value, list) and is_any(value):
            continue
        normal = _value(name, value, rules)
        if _is_empty(normal) or _is_default(name, normal, rules, data):
            continue
        result[name] = normal
    if kind is not None and result.get("display_name") == result.get("id"):
        result.pop("display_name", None)
    return result


def _value(name: str, value: Any, rules: KindRules) -> Any:
    if isinstance(value, Mapping):
        return _object(value)
    if not isinstance(value, list):
        return value
    if name == "tags":
        tags = [_object(tag) for tag in value]
        return sorted(tags, key=lambda tag: (tag.get("scope", ""), tag.get("tag", "")))
    items = [_object(item) if isinstance(item, Mapping) else item for item in value]
    if name in rules.anonymous_children:
        items = [{k: v for k, v in item.items() if k not in ("id", "display_name")} for item in items]
    if name in rules.ip_lists:
        items = [_canonical_ip(item) for item in items]
    if name in rules.ordered_children:
        key = rules.ordered_children[name]
        items.sort(key=lambda item: (_sortable(item.get(key)), str(item.get("id", ""))))
    elif name in rules.unordered_children:
        items.sort(key=lambda item: json.dumps(item, sort_keys=True))
    elif name in rules.set_lists:
        items = sorted(items, key=_set_key)
    return items


def _is_empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def _is_default(name: str, value: Any, rules: KindRules, data: Mapping[str, Any]) -> bool:
    if name not in rules.defaults:
        return False
    default = rules.defaults[name]
    if callable(default):
        default = default(data)
    return bool(value == default and type(value) is type(default))


def _canonical_ip(value: Any) -> Any:
    """Spell IPs, CIDRs and ranges the way ``ipaddress`` does; paths untouched."""
    if not isinstance(value, str) or is_path(value) or value.upper() == "ANY":
        return value
    try:
        if "/" in value:
            return str(ipaddress.ip_network(value, strict=False))
        if "-" in value:
            start, _, end = value.partition("-")
            return f"{ipaddress.ip_address(start)}-{ipaddress.ip_address(end)}"
        return str(ipaddress.ip_address(value))
    except ValueError:
        return value


def _sortable(value: Any) -> tuple[int, Any]:
    """Numbers before absent values, so rules without a number sort last."""
    return (0, value) if isinstance(value, int) else (1, 0)


def _set_key(item: Any) -> tuple[int, Any, str]:
    """Ports sort numerically (``"80"`` before ``"443"``), everything else as text."""
    text = item if isinstance(item, str) else json.dumps(item, sort_keys=True)
    head = text.split("-", 1)[0]
    return (0, int(head), text) if head.isdigit() else (1, 0, text)
