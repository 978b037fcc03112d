"""No Antrea CRD field reaches the evaluator without being modelled or named (issue 17).

Walks the openAPIV3Schema of the project's Antrea CRDs (kubernetes/crds/antrea-v2): every
field path must resolve in the evaluator's registry (zerotrust/evaluator/antrea_fields.py),
either modelled or named with a reason. Every named field is then fed in a manifest, and the
flow that reaches it must come back UNKNOWN with the field in the reason, and the field must
be among the evaluator's problems.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.evaluator.antrea_world import acnp, group, ns, verdict, world
from zerotrust.evaluator.antrea_fields import GROUP_SPEC, POLICY_SPEC, TIER_SPEC, Named, Node, lookup

CRDS = Path(__file__).resolve().parents[2] / "kubernetes" / "crds" / "antrea-v2"
ROOTS: dict[str, Node] = {"ClusterNetworkPolicy": POLICY_SPEC, "ClusterGroup": GROUP_SPEC, "Tier": TIER_SPEC}
SAMPLES = {"string": "x", "integer": 1, "boolean": True, "object": {}, "array": [], "number": 1}


def _walk(schema: dict[str, Any], parts: list[str]) -> list[tuple[list[str], str]]:
    out = []
    for key, sub in (schema.get("properties") or {}).items():
        here = [*parts, key]
        out.append((here, str(sub.get("type", "object"))))
        out += _walk(sub, here)
        if sub.get("type") == "array" and "items" in sub:
            out += _walk(sub["items"], [*here, "[]"])
    return out


@cache
def spec_fields() -> list[tuple[str, list[str], str]]:
    """(kind, path parts under spec, schema type) for every served version of each CRD."""
    out = []
    for name in ("clusternetworkpolicies", "clustergroups", "tiers"):
        for document in yaml.safe_load_all((CRDS / f"{name}.yaml").read_text()):
            kind = document["spec"]["names"]["kind"]
            for version in document["spec"]["versions"]:
                spec = version["schema"]["openAPIV3Schema"]["properties"]["spec"]
                out += [(kind, parts, kind_of) for parts, kind_of in _walk(spec, [])]
    return out


def test_the_schemas_have_the_fields_we_expect() -> None:
    paths = {".".join(p) for _, p, _ in spec_fields()}
    assert {"egress.[].to.[].fqdn", "ingress.[].ports.[].sourcePort", "childGroups"} <= paths
    assert len(paths) > 150


def test_every_field_is_modelled_or_named() -> None:
    unaccounted = [f"{kind} spec.{'.'.join(p)}" for kind, p, _ in spec_fields() if lookup(ROOTS[kind], p) is None]
    assert unaccounted == []


def _named_paths() -> list[tuple[str, list[str], str]]:
    """The shallowest named field on each path (its children are named through it)."""
    out = []
    for kind, parts, schema_type in spec_fields():
        node = lookup(ROOTS[kind], parts)
        parent = lookup(ROOTS[kind], parts[:-1]) if parts[:-1] else None
        if isinstance(node, Named) and not isinstance(parent, Named):
            out.append((kind, parts, schema_type))
    return out


def _nest(parts: list[str], leaf: Any) -> Any:
    if not parts:
        return leaf
    if parts[0] == "[]":
        return [_nest(parts[1:], leaf)]
    return {parts[0]: _nest(parts[1:], leaf)}


def _manifests(kind: str, parts: list[str], schema_type: str) -> list[dict[str, Any]]:
    """A manifest using the field where the x/a -> y/a TCP/80 flow reaches it."""
    value = _nest(parts, SAMPLES[schema_type])
    if kind == "ClusterGroup":
        return [
            group("g", **value),
            acnp("p", 5, appliedTo=[ns("x")], egress=[{"name": "r0", "action": "Drop", "to": [{"group": "g"}]}]),
        ]
    spec: dict[str, Any] = {"appliedTo": [{"podSelector": {}}]}
    rule = {"name": "r0", "action": "Drop"}
    for key, item in value.items():
        if key in ("ingress", "egress"):
            spec[key] = [{**rule, **item[0]}]
        elif key == "appliedTo":
            spec[key] = [{**item[0]}]
            spec["egress"] = [rule]
        else:
            spec[key] = item
            spec["egress"] = [rule]
    return [acnp("p", 5, **spec)]


NAMED = _named_paths()


@pytest.mark.parametrize(("kind", "parts", "schema_type"), NAMED, ids=[f"{k}:{'.'.join(p)}" for k, p, _ in NAMED])
def test_named_field_makes_verdicts_unknown(kind: str, parts: list[str], schema_type: str) -> None:
    evaluator = world(_manifests(kind, parts, schema_type))
    field = parts[-1]
    assert any(field in problem for problem in evaluator.problems), evaluator.problems
    found = verdict(evaluator, "pod:c1/x/a", "pod:c1/y/a")
    assert found.action == "UNKNOWN", found
    assert any(field in reason for reason in found.unknowns), found.unknowns


def test_named_fields_cover_the_known_gaps() -> None:
    names = {p[-1] for _, p, _ in NAMED}
    assert {"fqdn", "externalEntitySelector", "service", "host", "sni"} <= names
