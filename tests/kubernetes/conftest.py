"""Real Kubernetes API servers for this folder (see tests/support/kube_fixtures.py)."""

from tests.support.kube_fixtures import kube_clusters

__all__ = ["kube_clusters"]
