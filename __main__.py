"""The Pulumi program: this stack's desired state -> components -> NSX (and Kubernetes).

1. Load ``stacks/<stack>/`` (the admins' environment.yaml and the apps' files) and compile
   it; any problem stops here with file, line and fix, before any API call. The stack's
   intents are checked against the compiled state (zerotrust/spec/verify.py); a broken one
   fails the preview with its witness flow and decision chain.
2. One NSX provider for the environment (password from a Pulumi secret), the registered
   clusters, then the whole rule base -- every persona's groups and sections -- as one
   Firewall (one PolicySet resource, docs/scale.md). Who owns what is recorded per group
   and section; the files it came from decide it (docs/personas.md). A stack adopted from
   an existing NSX (``import.json`` next to its files, docs/adoption.md) imports it first.
"""

from __future__ import annotations

from pathlib import Path

import pulumi

from components.firewall import Firewall, FirewallArgs
from components.kube_environment import deploy_environment, load_environment_or_fail
from components.vks_cluster import VksCluster, VksClusterArgs
from zerotrust.resources import NsxProvider, stop
from zerotrust.spec import SpecError, compile_stack, import_plan, load_stack
from zerotrust.spec.verify import broken_report, verify

config = pulumi.Config()
stack = pulumi.get_stack()
spec_dir = Path(config.get("specDir") or Path("stacks") / stack)

try:
    stack_spec = load_stack(spec_dir)
    desired = compile_stack(stack_spec)
except SpecError as error:
    stop(f"the desired state in {spec_dir} is not valid:\n{error}")

# Intents are checked against the desired state and an inventory snapshot, before any API call.
inventory = config.get("inventory")
if inventory:
    checked = verify(desired, Path(inventory))
    for line in checked.warnings():
        pulumi.log.warn(line)
    broken = broken_report(desired, checked.intents)
    if broken:
        stop(f"{sum(not r.ok for r in checked.intents)} intent(s) broken:\n{broken}")
    pulumi.log.info(f"{len(checked.intents)} intents hold (checked against {inventory})")
elif desired.intents:
    pulumi.log.warn("intents were not checked: set the stack config 'inventory' to an inventory snapshot")

nsx = config.require_object("nsx")
provider = NsxProvider(
    "nsx",
    host=nsx["host"],
    username=nsx["username"],
    password=config.require_secret("nsxPassword"),
    ca_file=nsx.get("caFile"),
    insecure=bool(nsx.get("insecure", False)),
    connect_timeout=nsx.get("connectTimeout"),
    read_timeout=nsx.get("readTimeout"),
    retry_attempts=nsx.get("retryAttempts"),
    retry_seconds=nsx.get("retrySeconds"),
)

clusters = {
    name: VksCluster(
        name,
        VksClusterArgs(
            control_plane=control_plane,
            provider=provider,
            timeout_seconds=stack_spec.environment.clusters[name].wait_seconds,
        ),
    )
    for name, control_plane in sorted(desired.clusters.items())
}
adoption = import_plan(spec_dir)  # written by `make adopt`: take over what NSX already holds
firewall = Firewall(stack, FirewallArgs(desired=desired, provider=provider, clusters=clusters, import_id=adoption))

# The Kubernetes half (Antrea egress pools, app NetworkPolicies, the Supervisor's NSX switch),
# for stacks whose clusters' kubeconfigs are in stack config (docs/kubernetes.md).
kubernetes_file = config.get("kubernetesEnvironment")
if kubernetes_file:
    deploy_environment(load_environment_or_fail(kubernetes_file), source=kubernetes_file, config=config)

pulumi.export("nsx_endpoint", nsx["host"])
pulumi.export("clusters", {name: c.path for name, c in clusters.items()})
pulumi.export("groups", firewall.groups)
pulumi.export("sections", firewall.sections)
