"""The Pulumi program: this stack's desired state -> components -> NSX (and Kubernetes).

1. Load ``stacks/<stack>/`` (the admins' environment.yaml and the apps' files) and compile
   it; any problem stops here with file, line and fix, before any API call. A part of a rule
   no enforcement point can enforce is a warning with the same (a problem on a strict stack,
   zerotrust/spec/landing.py). The stack's
   intents are checked against the compiled state (zerotrust/spec/verify.py) and the
   inventory, read live from NSX before any resource exists, or a snapshot file
   (zerotrust/spec/live_inventory.py); a broken one fails the preview with its witness flow
   and decision chain.
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
from components.stack_files import declare_stack_files
from components.vks_cluster import VksCluster, VksClusterArgs
from zerotrust.nsx.config import NsxConfig
from zerotrust.resources import NsxProvider, stop
from zerotrust.spec import SpecError, compile_stack, import_plan, load_stack
from zerotrust.spec.live_inventory import OFF, InventoryReadError, stack_inventory
from zerotrust.spec.verify import broken_report, unchecked_report, verify

config = pulumi.Config()
stack = pulumi.get_stack()
spec_dir = Path(config.get("specDir") or Path("stacks") / stack)

try:
    stack_spec = load_stack(spec_dir)
    desired = compile_stack(stack_spec)
except SpecError as error:
    stop(f"the desired state in {spec_dir} is not valid:\n{error}")
for line in desired.warnings:  # a part of a rule enforced nowhere (a problem instead on a strict stack)
    pulumi.log.warn(line)

nsx = config.require_object("nsx")


def nsx_settings() -> NsxConfig:
    """The provider's NSX settings for the live inventory read. It runs before any resource
    exists, so it takes the password's value now (kept in a Secret that never prints)."""
    return NsxConfig.from_settings({**nsx, "password": config.require("nsxPassword")})


# Intents are checked against the desired state and the inventory before any resource exists: NSX
# read live (read-only) by default, or the snapshot file the stack config 'inventory' names.
if config.get("inventory") == OFF:
    pulumi.log.warn("intents were not checked: stack config 'inventory' is 'off'")
else:
    try:
        inventory = stack_inventory(config.get("inventory"), nsx_settings, endpoint=str(nsx.get("host", "")))
    except InventoryReadError as error:
        stop(str(error))
    for note in inventory.notes:
        pulumi.log.warn(note)
    checked = verify(desired, inventory.data)
    for line in checked.warnings():
        pulumi.log.warn(line)
    broken = broken_report(desired, checked.intents)
    if broken:
        stop(f"{sum(r.broken for r in checked.intents)} intent(s) broken:\n{broken}")
    for line in unchecked_report(desired, checked.intents):
        pulumi.log.warn(line)
    holding = sum(r.ok for r in checked.intents)
    counted = f"{holding}" if holding == len(checked.intents) else f"{holding} of {len(checked.intents)}"
    pulumi.log.info(f"{counted} intents hold (checked against {inventory.source})")

provider = NsxProvider.from_config("nsx", config)

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
firewall = Firewall(stack, FirewallArgs(provider=provider, domain=desired.domain, import_id=adoption))
declare_stack_files(firewall, desired, clusters)  # the same SecurityGroup / DfwSection a typed program uses

# The Kubernetes half (Antrea egress pools, app NetworkPolicies, the Supervisor's NSX switch),
# for stacks whose clusters' kubeconfigs are in stack config (docs/kubernetes.md).
kubernetes_file = config.get("kubernetesEnvironment")
if kubernetes_file:
    deploy_environment(load_environment_or_fail(kubernetes_file), source=kubernetes_file, config=config)

pulumi.export("nsx_endpoint", nsx["host"])
pulumi.export("clusters", {name: c.path for name, c in clusters.items()})
pulumi.export("groups", firewall.groups)
pulumi.export("sections", firewall.sections)
