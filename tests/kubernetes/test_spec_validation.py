"""Bad Kubernetes desired state fails before apply, naming the file, the field and the fix."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from zerotrust.kube import (
    AntreaVersion,
    SpecError,
    applied_ranges,
    egress_api_version,
    load_environment,
    manifests,
    parse_environment,
    range_update_problems,
)

ENVIRONMENT = Path(__file__).parent / "environments" / "two-clusters.yaml"
SOURCE = "envs/prod.yaml"


@pytest.fixture
def desired() -> dict[str, Any]:
    return dict(yaml.safe_load(ENVIRONMENT.read_text()))


def _problems(data: dict[str, Any]) -> str:
    with pytest.raises(SpecError) as failed:
        parse_environment(data, SOURCE)
    return str(failed.value)


def test_the_example_environment_is_valid() -> None:
    env = load_environment(ENVIRONMENT)
    assert [c.egress_api_version for c in env.clusters] == ["crd.antrea.io/v1beta1", "crd.antrea.io/v1alpha2"]


@pytest.mark.parametrize(
    ("version", "api"),
    [
        ("1.7.2+vmware.1-tkg.1-advanced", "crd.antrea.io/v1alpha2"),
        ("1.12.3", "crd.antrea.io/v1alpha2"),
        ("1.13.0", "crd.antrea.io/v1beta1"),
        ("v1.15.1", "crd.antrea.io/v1beta1"),
        ("2.3.0", "crd.antrea.io/v1beta1"),
    ],
)
def test_api_version_follows_the_clusters_antrea(version: str, api: str) -> None:
    assert egress_api_version(AntreaVersion.parse(version)) == api


def test_overlapping_pools_are_rejected(desired: dict[str, Any]) -> None:
    desired["clusters"][0]["egressPools"][1]["ipRanges"] = [{"cidr": "192.0.2.16/28"}]
    text = _problems(desired)
    assert (
        f"{SOURCE}: clusters[0].egressPools[1].ipRanges[0]: range 192.0.2.16/28 overlaps 192.0.2.10-192.0.2.19" in text
    )
    assert "pool shop-egress" in text
    assert "fix: make the ranges disjoint" in text


def test_overlap_inside_one_pool_is_rejected(desired: dict[str, Any]) -> None:
    desired["clusters"][0]["egressPools"][0]["ipRanges"].append({"start": "192.0.2.19", "end": "192.0.2.25"})
    assert "clusters[0].egressPools[0].ipRanges[1]" in _problems(desired)
    assert "the same pool" in _problems(desired)


def test_node_selector_is_required(desired: dict[str, Any]) -> None:
    del desired["clusters"][0]["egressPools"][1]["nodeSelector"]
    text = _problems(desired)
    assert f"{SOURCE}: clusters[0].egressPools[1].nodeSelector: Field required" in text
    assert "fix: add nodeSelector: {}" in text


def test_strict_selector_that_matches_nothing(desired: dict[str, Any]) -> None:
    desired["clusters"][0]["egressPools"][0]["egresses"][1]["appliedTo"]["podSelector"]["matchLabels"]["app"] = "apii"
    desired["clusters"][0]["apps"][0]["policies"][0]["podSelector"] = {"matchLabels": {"app": "webb"}}
    text = _problems(desired)
    assert (
        "clusters[0].egressPools[0].egresses[1].appliedTo: selects no declared workload (podSelector app=apii)" in text
    )
    assert "clusters[0].apps[0].policies[0].podSelector: selects no declared workload in namespace shop" in text
    assert "declare the workload under clusters[0].workloads, or set strict: false" in text
    desired["strict"] = False
    parse_environment(desired, SOURCE)  # the same selectors are fine when the environment is not strict


def test_strict_peer_selector_that_matches_nothing(desired: dict[str, Any]) -> None:
    peer = desired["clusters"][0]["apps"][0]["policies"][1]["egress"][0]["to"][0]
    peer["namespaceSelector"] = {"matchLabels": {"pci": "yes"}}
    assert "clusters[0].apps[0].policies[1].egress[0].to[0]: selects no declared workload" in _problems(desired)


def test_pinned_egress_ip_must_be_in_the_pool(desired: dict[str, Any]) -> None:
    desired["clusters"][0]["egressPools"][1]["egresses"][0]["egressIP"] = "198.51.100.0"  # a cidr's first address
    text = _problems(desired)
    assert "clusters[0].egressPools[1].egresses[0].egressIP: 198.51.100.0 is not an allocatable address" in text


def test_empty_applied_to_and_unknown_fields(desired: dict[str, Any]) -> None:
    desired["clusters"][0]["egressPools"][0]["egresses"][0]["appliedTo"] = {}
    desired["clusters"][0]["egressPools"][0]["nodeSelectr"] = {}
    text = _problems(desired)
    assert "clusters[0].egressPools[0].egresses[0].appliedTo: an empty appliedTo selects no Pods" in text
    assert "clusters[0].egressPools[0].nodeSelectr: Extra inputs are not permitted" in text


def test_features_the_clusters_antrea_lacks(desired: dict[str, Any]) -> None:
    legacy = desired["clusters"][1]
    legacy["egressPools"][0]["subnetInfo"] = {"gateway": "203.0.113.1", "prefixLength": 24}
    assert "clusters[1].egressPools[0].subnetInfo: subnetInfo needs Antrea >= 1.15.0" in _problems(desired)
    legacy["antreaVersion"] = "1.5.0"
    del legacy["egressPools"][0]["subnetInfo"]
    assert "featureGates.Egress: true" in _problems(desired)


def test_gateway_inside_a_cidr_is_flagged(desired: dict[str, Any]) -> None:
    pool = desired["clusters"][0]["egressPools"][1]
    pool["subnetInfo"] = {"gateway": "198.51.100.1", "prefixLength": 24, "vlan": 10}
    assert "contains the gateway 198.51.100.1" in _problems(desired)


def test_ranges_may_only_be_appended(desired: dict[str, Any]) -> None:
    before = applied_ranges(parse_environment(desired, SOURCE))
    grown = copy.deepcopy(desired)
    grown["clusters"][0]["egressPools"][0]["ipRanges"].append({"cidr": "192.0.2.64/28"})
    assert range_update_problems(parse_environment(grown, SOURCE), before) == []
    changed = copy.deepcopy(desired)
    changed["clusters"][0]["egressPools"][0]["ipRanges"] = [{"start": "192.0.2.10", "end": "192.0.2.29"}]
    [problem] = range_update_problems(parse_environment(changed, SOURCE), before)
    assert problem.field == "clusters[0].egressPools[0].ipRanges"
    assert "192.0.2.10-192.0.2.19" in problem.message
    assert "new name" in problem.fix
    # a new pool, or a pool of another cluster, has no history to violate
    assert range_update_problems(parse_environment(changed, SOURCE), {}) == []


def test_unreadable_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "env.yaml"
    bad.write_text("clusters: [\n")
    with pytest.raises(SpecError, match=rf"{bad}: \(file\)"):
        load_environment(bad)


def test_manifests_are_in_normal_form() -> None:
    env = load_environment(ENVIRONMENT)
    current = env.clusters[0]
    pool = manifests.external_ip_pool(current, current.egress_pools[1])
    assert pool["spec"] == {"ipRanges": [{"cidr": "198.51.100.0/28"}], "nodeSelector": {}}
    unpinned = manifests.egress(current, current.egress_pools[0], current.egress_pools[0].egresses[1])
    assert "egressIP" not in unpinned["spec"], "an unpinned Egress leaves spec.egressIP to the controller"
    deny = manifests.network_policy(env.clusters[1].apps[0], env.clusters[1].apps[0].policies[0])
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    web = manifests.network_policy(current.apps[0], current.apps[0].policies[0])
    assert web["spec"]["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 8443}]
