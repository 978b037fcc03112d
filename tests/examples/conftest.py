"""The examples run against the library installed from a wheel, as a user installs it."""

from __future__ import annotations

import os

import pytest

from tests.support.installed_library import InstalledLibrary, shared_install
from tests.support.kube_fixtures import kube_clusters

__all__ = ["installed", "kube_clusters"]


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> InstalledLibrary:
    """Built once per test run and shared by its pytest workers (their base folders' common parent)."""
    base = tmp_path_factory.getbasetemp()
    run = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return shared_install(run / "installed-library")
