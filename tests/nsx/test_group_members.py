"""Unpacking group ``members/{kind}`` pages (vcf-nsx 9.1.1.0 list-result types), pure."""

from __future__ import annotations

import pytest

from zerotrust.nsx.group_members import KubernetesMember, effective_ips, kubernetes_members, pods


def test_effective_ips_of_every_site_sorted_once() -> None:
    page = {
        "results": [
            {"site_id": "site-b", "effective_ips": ["10.0.0.2", "10.0.0.1"]},
            {"site_id": "site-a", "effective_ips": ["10.0.0.1", "192.0.2.0/24"]},
            {"site_id": "site-c", "effective_ips": []},
        ],
        "result_count": 3,
    }
    assert effective_ips(page) == ["10.0.0.1", "10.0.0.2", "192.0.2.0/24"]
    assert effective_ips({"results": [], "result_count": 0}) == []


def test_pods_carry_their_cluster_and_namespace() -> None:
    web = {"id": "p1", "display_name": "web-1"}
    db = {"id": "p2", "display_name": "db-1"}
    page = {
        "results": [
            {
                "cluster": [
                    {
                        "cluster_id": "c1",
                        "cluster_name": "prod",
                        "namespaces": [
                            {"id": "n1", "display_name": "shop", "pods": [web]},
                            {"id": "n2", "display_name": "data", "pods": [db]},
                        ],
                    }
                ]
            }
        ]
    }
    assert pods(page) == [KubernetesMember("prod", "shop", web), KubernetesMember("prod", "data", db)]


def test_cluster_scoped_kinds() -> None:
    egress = {"external_id": "e1", "display_name": "eg", "egress_ip": "198.51.100.1"}
    page = {"results": [{"clusters": [{"external_id": "c1", "display_name": "prod", "antrea_egresses": [egress]}]}]}
    assert kubernetes_members("antrea-egresses", page) == [KubernetesMember("prod", None, egress)]


def test_namespace_scoped_kinds() -> None:
    svc = {"external_id": "s1", "display_name": "web", "type": "ClusterIP", "cluster_ips": ["10.96.0.1"]}
    namespaces = [{"external_id": "n1", "display_name": "shop", "kubernetes_services": [svc]}]
    page = {"results": [{"clusters": [{"external_id": "c1", "display_name": "prod", "namespaces": namespaces}]}]}
    assert kubernetes_members("kubernetes-services", page) == [KubernetesMember("prod", "shop", svc)]


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="pods"):
        kubernetes_members("pods", {"results": []})
