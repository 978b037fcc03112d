"""The Kubernetes half of an environment, as the root program will run it: file -> components."""

from __future__ import annotations

import pulumi

from components.kube_environment import deploy_environment, load_environment_or_fail

config = pulumi.Config()
source = config.require("environmentFile")
deploy_environment(load_environment_or_fail(source), source=source, config=config)
