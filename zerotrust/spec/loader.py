"""Load one stack's desired state (``stacks/<env>/``) and check it before any API call.

``load_stack(folder)`` reads ``environment.yaml`` and every ``apps/*.yaml``, validates them
with the schema, then resolves names across files. Every problem found is collected and
raised together as one :class:`SpecError`, each line naming the file, the line and the fix.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from zerotrust.models.policy_set import POLICY_SET
from zerotrust.spec._source import Source, SpecError, load, where
from zerotrust.spec.schema import AppSpec, EnvironmentSpec, GroupSpec, NamespaceSelector, PodSelector, SectionSpec

ADMIN_ONLY_FIELDS = {"category": "the category of an app section is always Application"}
IMPORT_PLAN = "import.json"
"""Next to a stack's files when they were adopted from an existing NSX (docs/adoption.md)."""


@dataclass(frozen=True)
class LoadedApp:
    spec: AppSpec
    source: Source


@dataclass(frozen=True)
class StackSpec:
    """A whole environment: the admins' file and the apps' files, validated and resolved."""

    folder: Path
    environment: EnvironmentSpec
    env_source: Source
    apps: dict[str, LoadedApp] = field(default_factory=dict)


def _validate(model: type[BaseModel], source: Source, problems: list[str], *, app: bool) -> Any:
    try:
        return model.model_validate(source.data if source.data is not None else {})
    except ValidationError as error:
        for item in error.errors():
            loc = tuple(item["loc"])
            last = loc[-1] if loc else ""
            if item["type"] == "extra_forbidden":
                if app and last in ADMIN_ONLY_FIELDS:
                    problems.append(
                        f"{where(source, loc)}: '{last}' is not allowed in an app spec: "
                        f"{ADMIN_ONLY_FIELDS[last]}. Fix: remove it; sections in Emergency, "
                        "Infrastructure or Environment belong to the security admins' environment.yaml."
                    )
                else:
                    problems.append(
                        f"{where(source, loc)}: unknown field '{last}'. Fix: remove it or check its spelling."
                    )
            elif item["type"] == "missing":
                problems.append(f"{where(source, loc)}: required field '{last}' is missing. Fix: add it.")
            elif item["type"] == "literal_error":
                problems.append(f"{where(source, loc)}: {item['msg']}. Fix: use one of the listed values.")
            else:
                message = str(item["msg"]).removeprefix("Value error, ")
                problems.append(f"{where(source, loc)}: {message}.")
        return None


def load_stack(folder: Path) -> StackSpec:
    """Read, validate and resolve ``stacks/<env>/``; raise SpecError listing every problem."""
    env_file = folder / "environment.yaml"
    if not env_file.is_file():
        raise SpecError([f"{env_file}: missing. Fix: every stack needs the admins' environment.yaml."])
    problems: list[str] = []
    env_source = load(env_file)
    environment = _validate(EnvironmentSpec, env_source, problems, app=False)
    apps: dict[str, LoadedApp] = {}
    for file in sorted((folder / "apps").glob("*.yaml")):
        source = load(file)
        spec = _validate(AppSpec, source, problems, app=True)
        if spec is None:
            continue
        if spec.app != file.stem:
            problems.append(
                f"{where(source, ('app',))}: app {spec.app!r} is in {file.name}. "
                f"Fix: name the file {spec.app}.yaml or set app: {file.stem}."
            )
        apps[spec.app] = LoadedApp(spec, source)
    if environment is not None:
        problems.extend(_resolve(environment, env_source, apps))
    if problems:
        raise SpecError(problems)
    return StackSpec(folder=folder, environment=environment, env_source=env_source, apps=apps)


# --- name resolution -------------------------------------------------------------------


def _group_problems(
    groups: dict[str, GroupSpec],
    source: Source,
    clusters: set[str],
    default_cluster: str | None,
    *,
    app: bool,
) -> Iterable[str]:
    for name, group in groups.items():
        loc: tuple[str | int, ...] = ("groups", name)
        if app and group.shared:
            yield f"{where(source, (*loc, 'shared'))}: only environment.yaml can share groups. Fix: remove 'shared'."
        selectors: list[PodSelector | NamespaceSelector] = [*group.pods, *group.namespaces]
        for i, pods in enumerate(selectors):
            cluster = pods.cluster or default_cluster
            if cluster is None:
                yield (
                    f"{where(source, (*loc, 'pods', i))}: pods need a cluster. "
                    f"Fix: add cluster: <one of {sorted(clusters)}>."
                )
            elif cluster not in clusters:
                yield (
                    f"{where(source, (*loc, 'pods', i))}: cluster {cluster!r} is not declared in "
                    f"environment.yaml (clusters: {sorted(clusters)}). Fix: use a declared cluster."
                )
        for i, nested in enumerate(group.groups):
            if nested not in groups:
                yield f"{where(source, (*loc, 'groups', i))}: nested group {nested!r} does not exist. Fix: declare it."


def _reference_problems(
    sections: dict[str, Any],
    source: Source,
    known: set[str],
    clusters: set[str],
    foreign: dict[str, str],
) -> Iterable[str]:
    for section_name, section in sections.items():
        assert isinstance(section, SectionSpec)
        for i, target in enumerate(section.applied_to):
            if target.startswith("cluster:") and target.removeprefix("cluster:") in clusters:
                continue
            if target not in known:
                yield (
                    f"{where(source, ('sections', section_name, 'applied_to', i))}: {target!r} is neither a "
                    f"group nor cluster:<name>. Fix: use one of {sorted(known)} or cluster:{sorted(clusters)}."
                )
        for r, rule in enumerate(section.rules):
            for side, values in (("from", rule.sources), ("to", rule.destinations), ("applied_to", rule.applied_to)):
                for v, value in enumerate(values):
                    if value.lower() == "any" or value in known:
                        continue
                    if value.startswith("cluster:") and value.removeprefix("cluster:") in clusters:
                        continue
                    loc = ("sections", section_name, "rules", r, side, v)
                    if value in foreign:
                        yield (
                            f"{where(source, loc)}: group {value!r} belongs to {foreign[value]}; an app may use "
                            "only its own groups and the environment's shared groups. Fix: ask its owners "
                            "to share it through environment.yaml, or declare your own."
                        )
                    else:
                        yield (
                            f"{where(source, loc)}: group {value!r} does not exist. "
                            f"Fix: declare it under groups, or use one of {sorted(known)[:12]}."
                        )


def _resolve(env: EnvironmentSpec, env_source: Source, apps: dict[str, LoadedApp]) -> list[str]:
    problems: list[str] = []
    clusters = set(env.clusters)
    problems.extend(_group_problems(env.groups, env_source, clusters, None, app=False))
    # Admins may name any app's groups and egress as "<app>/<name>".
    admin_known = set(env.groups)
    for name, loaded in apps.items():
        admin_known |= {f"{name}/{g}" for g in [*loaded.spec.groups, *loaded.spec.egress]}
    problems.extend(_reference_problems(dict(env.sections), env_source, admin_known, clusters, {}))
    shared = {name for name, g in env.groups.items() if g.shared}
    for app_name, loaded in apps.items():
        spec, source = loaded.spec, loaded.source
        if spec.cluster is not None and spec.cluster not in clusters:
            problems.append(
                f"{where(source, ('cluster',))}: cluster {spec.cluster!r} is not declared in environment.yaml. "
                f"Fix: use one of {sorted(clusters)}."
            )
        problems.extend(_group_problems(spec.groups, source, clusters, spec.cluster, app=True))
        for egress_name, egress in spec.egress.items():
            group = spec.groups.get(egress.pods)
            if group is None or not group.has_pods or group.has_vm_side:
                problems.append(
                    f"{where(source, ('egress', egress_name, 'pods'))}: {egress.pods!r} must be one of this "
                    "app's pod groups. Fix: name a group that selects pods only."
                )
        known = set(spec.groups) | set(spec.egress) | shared
        foreign: dict[str, str] = {n: "the security admins" for n in set(env.groups) - shared}
        for other, other_app in apps.items():
            if other != app_name:
                foreign.update({g: f"app {other!r}" for g in other_app.spec.groups if g not in known})
        problems.extend(_reference_problems(dict(spec.sections), source, known, clusters, foreign))
    return problems


def import_plan(folder: Path) -> str | None:
    """The policy set's import id from ``folder/import.json`` (a Pulumi import file), if any."""
    path = folder / IMPORT_PLAN
    if not path.is_file():
        return None
    try:
        plan = json.loads(path.read_text())
        ids = [r["id"] for r in plan["resources"] if r.get("type") == POLICY_SET]
    except (ValueError, KeyError, TypeError) as error:
        raise SpecError([f"{path}: not an import plan ({error}). Fix: run `make adopt` again, or delete it."]) from None
    if len(ids) != 1:
        raise SpecError([f"{path}: names {len(ids)} policy sets, not one. Fix: run `make adopt` again."])
    return str(ids[0])
