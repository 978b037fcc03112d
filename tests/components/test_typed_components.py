"""The typed components under Pulumi's mocks: what they put in the firewall's one policy set,
and how bad arguments fail (at construction, naming the argument, before any registration)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import pulumi
import pytest

from components import (
    ArgumentError,
    DfwSection,
    DfwSectionArgs,
    Firewall,
    FirewallArgs,
    FirewallSealedError,
    Pods,
    Rule,
    SecurityGroup,
    SecurityGroupArgs,
)
from zerotrust.resources import NsxProvider

F = TypeVar("F", bound=Callable[..., Any])
under_mocks = cast("Callable[[F], F]", pulumi.runtime.test)
"""``pulumi.runtime.test``, typed: runs the test and awaits the Output it returns."""


class Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.registered.append(args)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {"path": "/infra/sites/default/enforcement-points/default/cluster-control-planes/c1", "id": "c1"}, None


@pytest.fixture
def mocks() -> Mocks:
    mocks = Mocks()
    pulumi.runtime.set_mocks(mocks, preview=False, stack="dev")
    return mocks


def policy_sets(mocks: Mocks) -> list[dict[str, Any]]:
    return [r.inputs for r in mocks.registered if r.typ == "zerotrust:nsx:PolicySet"]


def registered(fw: Firewall, check: Any) -> pulumi.Output[Any]:
    """Run ``check`` once the firewall's policy set has been registered (after the body)."""

    def policy_set_urn(_: list[str]) -> pulumi.Output[Any]:
        assert fw.policy_set is not None
        return fw.policy_set.urn

    return fw.sections.apply(policy_set_urn).apply(check)


def nsx() -> NsxProvider:
    return NsxProvider("nsx", host="https://nsx.example", username="admin", password="secret")


@under_mocks
def test_groups_and_sections_land_in_one_policy_set(mocks: Mocks) -> pulumi.Output[Any]:
    fw = Firewall("dev", FirewallArgs(provider=nsx()))
    web = SecurityGroup("web", SecurityGroupArgs(firewall=fw, vm_tags={"app": "web"}))
    db = SecurityGroup("db", SecurityGroupArgs(firewall=fw, vm_tags={"tier": "db"}, ips=["192.0.2.20"]))
    DfwSection(
        "web-db",
        DfwSectionArgs(
            firewall=fw,
            category="Application",
            rules=[
                Rule("web-to-db", sources=[web], destinations=[db], services=["tcp/5432"]),
                Rule("rest", destinations=[db], action="drop", log=True),
            ],
        ),
    )
    assert db.path == "/infra/domains/default/groups/db"

    def check(_: str) -> None:
        [inputs] = policy_sets(mocks)
        assert sorted(inputs["groups"]) == ["db", "web"]
        assert inputs["owners"] == {"groups/web": "dev", "groups/db": "dev", "policies/web-db": "dev"}
        allow, drop = inputs["policies"]["web-db"]["rules"]
        assert allow["source_groups"] == [web.path]
        assert allow["destination_groups"] == [db.path]
        assert allow["service_entries"][0]["destination_ports"] == ["5432"]
        assert (drop["action"], drop["source_groups"], drop["logged"]) == ("DROP", ["ANY"], True)
        ips = [e for e in inputs["groups"]["db"]["expression"] if e["resource_type"] == "IPAddressExpression"]
        assert ips[0]["ip_addresses"] == ["192.0.2.20"]

    return registered(fw, check)


@under_mocks
def test_a_path_output_from_another_stack_is_a_rule_side(mocks: Mocks) -> pulumi.Output[Any]:
    fw = Firewall("app", FirewallArgs(provider=nsx(), owner="app:shop"))
    shared = pulumi.Output.from_input("/infra/domains/default/groups/jump-host")
    api = SecurityGroup("api", SecurityGroupArgs(firewall=fw, vm_tags={"app": "api"}))
    DfwSection(
        "api-in",
        DfwSectionArgs(firewall=fw, category="Application", rules=[Rule("ssh", sources=[shared], destinations=[api])]),
    )

    def check(_: str) -> None:
        [inputs] = policy_sets(mocks)
        assert inputs["policies"]["api-in"]["rules"][0]["source_groups"] == ["/infra/domains/default/groups/jump-host"]
        assert inputs["owners"]["policies/api-in"] == "app:shop"

    return registered(fw, check)


@under_mocks
def test_a_section_naming_pods_is_spanned_to_their_cluster(mocks: Mocks) -> pulumi.Output[Any]:
    fw = Firewall("dev", FirewallArgs(provider=nsx()))
    cluster = "/infra/sites/default/enforcement-points/default/cluster-control-planes/c1"
    front = SecurityGroup(
        "front", SecurityGroupArgs(firewall=fw, pods=Pods(cluster=cluster, namespace="shop", labels={"app": "web"}))
    )
    DfwSection(
        "front-in",
        DfwSectionArgs(firewall=fw, category="Application", rules=[Rule("in", destinations=[front], action="drop")]),
    )

    def check(_: str) -> None:
        [inputs] = policy_sets(mocks)
        assert inputs["groups"]["front"]["group_type"] == ["ANTREA"]
        assert inputs["spans"] == {"front-in/cluster": {"container_cluster_path": cluster}}

    return registered(fw, check)


@under_mocks
def test_a_member_declared_after_the_rule_base_is_written_fails(mocks: Mocks) -> pulumi.Output[Any]:
    fw = Firewall("dev", FirewallArgs(provider=nsx()))

    def late(_: list[str]) -> str:
        with pytest.raises(FirewallSealedError, match="SecurityGroup 'late': Firewall 'dev' is already complete"):
            SecurityGroup("late", SecurityGroupArgs(firewall=fw, vm_tags={"app": "late"}))
        return "checked"

    return fw.groups.apply(late)


# --- construction-time validation: plain constructors, no engine, nothing registered ------


def section(fw: Firewall, *rules: Rule, category: str = "Application") -> DfwSection:
    return DfwSection("web-db", DfwSectionArgs(firewall=fw, category=category, rules=list(rules)))


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            Rule("r", services=["tpc/5432"]),
            "DfwSection 'web-db': rules[0].services[0]: 'tpc/5432' is not a service. Fix: write 'tcp/<port>'",
        ),
        (Rule("r", action="alow"), "rules[0].action: 'alow' is not allowed. Fix: did you mean 'allow'?"),
        (Rule("r", direction="both"), "rules[0].direction: 'both' is not allowed"),
        (Rule("r", sources=["web"]), "rules[0].sources[0]: 'web' is not a group path. Fix: pass the SecurityGroup"),
        (Rule("r", sources=["any", "/infra/domains/default/groups/x"]), "rules[0].sources: "),
        (Rule("r", log="yes"), "rules[0].log: 'yes' is not True or False"),  # type: ignore[arg-type]
    ],
)
def test_a_bad_rule_argument_fails_naming_it(mocks: Mocks, rule: Rule, message: str) -> None:
    fw = Firewall("dev", FirewallArgs(provider=nsx()))
    with pytest.raises(ArgumentError) as failed:
        section(fw, rule)
    assert message in str(failed.value)
    assert not any(r.typ == "zerotrust:components:DfwSection" for r in mocks.registered)


def test_a_typo_in_a_rule_keyword_names_it() -> None:
    with pytest.raises(TypeError, match="sorces"):
        Rule("r", sorces=["any"])  # type: ignore[call-arg]


def test_category_and_selectors_are_checked(mocks: Mocks) -> None:
    fw = Firewall("dev", FirewallArgs(provider=nsx()))
    with pytest.raises(ArgumentError, match=r"category: 'Aplication' is not allowed\. Fix: did you mean 'Application'"):
        section(fw, Rule("r"), category="Aplication")
    with pytest.raises(ArgumentError, match=r"SecurityGroup 'g': selectors: \{\} selects nothing"):
        SecurityGroup("g", SecurityGroupArgs(firewall=fw))
    with pytest.raises(ArgumentError, match=r"ips\[0\]: '10.0.0.300' is not an IP address"):
        SecurityGroup("g", SecurityGroupArgs(firewall=fw, ips=["10.0.0.300"]))
    with pytest.raises(ArgumentError, match="mixes pods with VMs"):
        SecurityGroup(
            "g", SecurityGroupArgs(firewall=fw, vm_tags={"a": "b"}, pods=Pods(cluster="/c", labels={"a": "b"}))
        )
    web = SecurityGroup("web", SecurityGroupArgs(firewall=fw, vm_tags={"app": "web"}))
    with pytest.raises(ValueError, match="the NSX id 'web' is already used"):
        SecurityGroup("web2", SecurityGroupArgs(firewall=fw, nsx_id="web", vm_tags={"app": "web"}))
    pods = SecurityGroup("pods", SecurityGroupArgs(firewall=fw, pods=Pods(cluster="/c", labels={"a": "b"})))
    with pytest.raises(ArgumentError, match="mixes VM groups"):
        section(fw, Rule("r", sources=[web], destinations=[pods]))
