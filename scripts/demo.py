"""`make demo`: the whole story on the embedded defaults, for a new user.

1. start the NSX emulator (HTTPS, its own CA) with the demo seed, and a local Kubernetes API
   server standing in for the VKS cluster `vks-dev-01` (its namespaces and pods as in the seed);
2. `pulumi preview`, then `pulumi up`: the NSX side and the Kubernetes side (Antrea egress pool,
   Egresses, NetworkPolicies) in one run;
3. `kubectl get` what the Kubernetes side created; a trace: payments reaches the external
   database through its Egress IP, the shop frontend does not;
4. quarantine, live: tag the VM `orders-db` in NSX and label a frontend pod in Kubernetes
   (mirrored into NSX's container inventory as the Antrea adapter would); the group members
   change, the trace flips to DROP by the Emergency rule, the forensic pod still gets in, and
   `pulumi preview` shows no change: a quarantine is a tag, not a policy deploy;
5. someone edits a rule by hand in NSX: `pulumi preview --refresh` shows it, `up` puts it back;
6. lift the quarantine; what NSX holds now; where to look next.

Every run starts from a fresh emulator, API server and dev stack, so it can be repeated. What it
started is stopped at the end, also on Ctrl-C. `pulumi` runs with a working copy of the stack
config (`--config-file`): the committed stacks/Pulumi.dev.yaml never gets the demo's kubeconfig.
tests/scenarios/test_demo.py drives the same steps and checks each one's effect.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from local_cluster.apiserver import BIN, CRDS, KubeCluster, kubectl_env, running_control_plane  # noqa: E402
from nsx_emulator.launcher import RunningEmulator, start_emulator  # noqa: E402
from zerotrust.nsx.group_members import effective_ips  # noqa: E402

STACK = "dev"
CLUSTER = "vks-dev-01"
DEMO_PASSWORD = "VMware1!VMware1!"
AUDITOR_PASSWORD = "Demo-Auditor-1!"
SEED = REPO / "nsx_emulator" / "seeds" / "demo.yaml"
DOMAIN = "/policy/api/v1/infra/domains/default"
QUARANTINE = {"scope": "quarantine", "tag": "malicious"}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def say(text: str) -> None:
    print(f"\n\033[1m== {text}\033[0m", flush=True)


def look(text: str) -> None:
    """The one line that tells the reader what to look at in the output below."""
    print(f"   \033[36m-> {text}\033[0m", flush=True)


@dataclass(frozen=True)
class Run:
    """A finished command: its exit code and its output without colours."""

    returncode: int
    output: str

    @property
    def warnings(self) -> list[str]:
        """Diagnostics lines of severity warning in a `pulumi` run."""
        return [line.strip() for line in self.output.splitlines() if line.strip().startswith("warning:")]


def run(argv: list[str], *, cwd: Path, env: dict[str, str], show: str | None = None) -> Run:
    """Run a command, streaming its output to the terminal and keeping it."""
    print(f"$ {show or ' '.join(argv)}", flush=True)
    process = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    lines = []
    assert process.stdout is not None
    try:
        for line in process.stdout:
            print(line, end="", flush=True)
            lines.append(_ANSI.sub("", line))
        return Run(process.wait(), "".join(lines))
    except BaseException:  # Ctrl-C or SIGTERM: the command stops with the demo
        process.terminate()
        process.wait(timeout=30)
        raise


@dataclass
class Demo:
    """The demo's world: the project folder it runs `pulumi` in, NSX, and the Kubernetes cluster."""

    project: Path
    """A folder with Pulumi.yaml, __main__.py and stacks/ (the repository, or a test's copy)."""
    emulator: RunningEmulator
    kube: KubeCluster
    env: dict[str, str]
    config_file: Path = field(init=False)

    def __post_init__(self) -> None:
        self.config_file = self.project / ".tools" / "demo" / f"Pulumi.{STACK}.yaml"

    # --- plumbing ----------------------------------------------------------------------

    def pulumi(self, *args: str, check: bool = True) -> Run:
        argv = ["pulumi", *args, "--stack", STACK, "--config-file", str(self.config_file), "--color", "always"]
        result = run(argv, cwd=self.project, env=self.env, show=f"pulumi {' '.join(args)}")
        if check and result.returncode != 0:
            raise SystemExit(f"demo: `pulumi {' '.join(args)}` failed (exit {result.returncode})")
        return result

    def kubectl(self, *args: str) -> Run:
        env = {**kubectl_env(), "KUBECONFIG": str(self.kube.kubeconfig_path)}
        return run([str(BIN / "kubectl"), *args], cwd=self.project, env=env, show=f"kubectl {' '.join(args)}")

    def trace(self, source: str, destination: str, port: int) -> Run:
        """`make trace ... LIVE=1`: the stack's rules against what NSX knows now, read as the auditor."""
        argv = [sys.executable, "-m", "zerotrust.spec.trace", "--stacks", str(self.project / "stacks")]
        argv += ["--stack", STACK, "--from", source, "--to", destination, "--port", str(port), "--live"]
        env = {**self.env, "NSX_USERNAME": "auditor", "NSX_PASSWORD": AUDITOR_PASSWORD}
        show = f"make trace STACK={STACK} FROM={source} TO={destination} PORT={port} LIVE=1"
        return run(argv, cwd=self.project, env=env, show=show)

    @contextmanager
    def nsx(self) -> Iterator[httpx.Client]:
        assert self.emulator.ca_file is not None
        verify = ssl.create_default_context(cafile=str(self.emulator.ca_file))
        auth = ("admin", self.emulator.admin_password)
        with httpx.Client(base_url=self.emulator.base_url, verify=verify, auth=auth, timeout=30) as client:
            yield client

    def members(self, group: str) -> list[str]:
        with self.nsx() as nsx:
            reply = nsx.get(f"{DOMAIN}/groups/{group}/members/consolidated-effective-ip-addresses")
            reply.raise_for_status()
            return effective_ips(reply.json())

    # --- the story ---------------------------------------------------------------------

    def fresh_stack(self) -> None:
        """A new dev stack, and a working copy of its config with the local cluster's kubeconfig."""
        subprocess.run(
            ["pulumi", "stack", "rm", STACK, "--yes", "--force", "--preserve-config"],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            check=False,
        )
        subprocess.run(
            ["pulumi", "stack", "init", STACK], cwd=self.project, env=self.env, capture_output=True, check=True
        )
        self.config_file.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(self.project / "stacks" / f"Pulumi.{STACK}.yaml", self.config_file)
        base = ["pulumi", "config", "set", "--stack", STACK, "--config-file", str(self.config_file)]
        steps = [
            [*base, "kubernetesEnvironment", f"stacks/{STACK}/kubernetes.yaml"],
            [*base, "--secret", f"kubeconfig-{CLUSTER}", "--", self.kube.kubeconfig],
        ]
        for argv in steps:
            subprocess.run(argv, cwd=self.project, env=self.env, capture_output=True, check=True)

    def seed_cluster(self) -> None:
        """The seed's namespaces and pods of vks-dev-01 in the API server (no kubelet runs them)."""
        cluster = next(c for c in yaml.safe_load(SEED.read_text())["clusters"] if c["name"] == CLUSTER)
        with self.kube.client() as kube:
            for namespace in cluster["namespaces"]:
                self.kube.ensure_namespace(namespace["name"], namespace.get("labels"))
                account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}}
                kube.post(f"/api/v1/namespaces/{namespace['name']}/serviceaccounts", json=account)
            for pod in cluster["pods"]:
                body = {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {"name": pod["name"], "labels": pod.get("labels", {})},
                    "spec": {"containers": [{"name": "app", "image": "registry.invalid/demo:1"}]},
                }
                reply = kube.post(f"/api/v1/namespaces/{pod['namespace']}/pods", json=body)
                if reply.status_code != 409:  # already there
                    reply.raise_for_status()

    def preview(self) -> Run:
        say("What would change: pulumi preview")
        look("every object below is a create; no warning about the stack itself")
        return self.pulumi("preview")

    def up(self) -> Run:
        say("Apply it: pulumi up (NSX and Kubernetes in one run)")
        look("groups, sections and cluster spans in NSX; the egress pool, Egresses and NetworkPolicies in vks-dev-01")
        return self.pulumi("up", "--yes", "--skip-preview")

    def show_kubernetes(self) -> Run:
        say("The Kubernetes side in vks-dev-01")
        look("one ExternalIPPool, an Egress per app with its pinned IP, the apps' NetworkPolicies")
        return self.kubectl("get", "externalippools,egresses,networkpolicies", "-A")

    def trace_egress(self) -> tuple[Run, Run]:
        say("Egress hardening: who may reach the external database?")
        look("payments leaves through its Egress IP 198.51.100.10 and is allowed; the shop frontend is dropped")
        return (
            self.trace("pod:payments/payments", "vm:external-db", 5432),
            self.trace("pod:shop/frontend", "vm:external-db", 5432),
        )

    def quarantine(self, on: bool) -> None:
        """Tag orders-db in NSX; label a frontend pod in Kubernetes and mirror it into NSX."""
        action = "add_tags" if on else "remove_tags"
        with self.nsx() as nsx:
            [vm] = nsx.get("/api/v1/fabric/virtual-machines", params={"display_name": "orders-db"}).json()["results"]
            print(f"$ POST /api/v1/fabric/virtual-machines?action={action}  orders-db quarantine=malicious")
            body = {"external_id": vm["external_id"], "tags": [QUARANTINE]}
            nsx.post("/api/v1/fabric/virtual-machines", params={"action": action}, json=body).raise_for_status()
            pod = self.frontend_pod(nsx)
            label = "quarantine=malicious" if on else "quarantine-"
            self.kubectl("label", "pod", "-n", "shop", pod["display_name"], label)
            labels = {t["scope"]: t["tag"] for t in pod.get("tags", []) if t["scope"] != "quarantine"}
            if on:
                labels["quarantine"] = "malicious"
            nsx.patch(
                f"/emulator/admin/inventory/pods/{pod['external_id']}", json={"labels": labels}
            ).raise_for_status()
            print(f"(NSX's container inventory now has the pod's labels: {labels})")

    @staticmethod
    def frontend_pod(nsx: httpx.Client) -> dict[str, Any]:
        """The first frontend pod (by name) as NSX's container inventory lists it."""
        reply = nsx.get("/api/v1/fabric/container-application-instances", params={"page_size": 1000})
        pods: list[dict[str, Any]] = reply.json()["results"]
        frontends = [p for p in pods if str(p["display_name"]).startswith("frontend-")]
        return min(frontends, key=lambda p: str(p["display_name"]))

    def quarantine_live(self) -> dict[str, Any]:
        say("Quarantine, live: a tag in NSX, a label in Kubernetes, no deploy")
        before = {g: self.members(g) for g in ("quarantined-vms", "quarantined-pods")}
        self.quarantine(on=True)
        after = {g: self.members(g) for g in ("quarantined-vms", "quarantined-pods")}
        look(f"group members before: {before}")
        look(f"group members after:  {after}")
        say("The frontend loses orders-db: the Emergency rule decides now")
        look("DROP by quarantine/isolate-in, ahead of the shop's own allow rule")
        blocked = self.trace("pod:shop/frontend", "vm:orders-db", 5432)
        say("The forensic pod still gets in")
        look("ALLOW by quarantine/forensics-in: NSX tells the forensic pod apart by its Egress IP")
        forensic = self.trace("pod:forensics/forensic", "vm:orders-db", 22)
        say("And nothing to deploy: pulumi preview --expect-no-changes")
        look("no change: a quarantine is a tag, the policies were there all along")
        unchanged = self.pulumi("preview", "--expect-no-changes", check=False)
        return {"before": before, "after": after, "blocked": blocked, "forensic": forensic, "unchanged": unchanged}

    def drift(self) -> tuple[Run, Run]:
        say("Someone edits a rule by hand in NSX")
        rule = f"{DOMAIN}/security-policies/shop-orders/rules/frontend-to-orders-db"
        with self.nsx() as nsx:
            body = nsx.get(rule).json()
            body["service_entries"][0]["destination_ports"] = ["15432"]
            nsx.patch(rule, json=body).raise_for_status()
        print("Changed rule frontend-to-orders-db of section shop-orders: port 5432 -> 15432 (by hand, in NSX).")
        say("Drift shows on refresh: pulumi preview --refresh --diff")
        look("destination_ports 15432 -> 5432 is the one planned change")
        shown = self.pulumi("preview", "--refresh", "--diff")
        say("Desired state wins again: pulumi up --refresh")
        return shown, self.pulumi("up", "--refresh", "--yes", "--skip-preview")

    def lift_quarantine(self) -> Run:
        say("Lift the quarantine")
        self.quarantine(on=False)
        look("the frontend reaches orders-db again, by the shop's own rule")
        return self.trace("pod:shop/frontend", "vm:orders-db", 5432)

    def summary(self) -> None:
        say("What is in NSX now")
        owner = {"scope": "zerotrust/managed-by", "tag": f"zerotrust-dfw/{STACK}"}
        with self.nsx() as nsx:
            groups = nsx.get(f"{DOMAIN}/groups", params={"page_size": 1000}).json()["results"]
            print("Groups this stack owns, and the addresses NSX computes for them today:")
            for group in sorted(groups, key=lambda g: g["id"]):
                if owner not in (group.get("tags") or []):
                    continue
                kind = "Antrea" if "ANTREA" in (group.get("group_type") or []) else "DFW"
                print(f"  {group['id']:<26} {kind:<6} {', '.join(self.members(group['id'])) or '(no members now)'}")
            policies = nsx.get(f"{DOMAIN}/security-policies", params={"page_size": 1000}).json()["results"]
            print("Sections (security policies), in NSX's evaluation order:")
            order = {"Emergency": 0, "Infrastructure": 1, "Environment": 2, "Application": 3}
            mine = [p for p in policies if owner in (p.get("tags") or [])]
            for policy in sorted(mine, key=lambda p: (order.get(p["category"], 9), p["sequence_number"])):
                rules = nsx.get(f"{DOMAIN}/security-policies/{policy['id']}").json()["rules"]
                print(f"  {policy['category']:<12} {policy['id']:<24} {len(rules)} rules")

    def story(self) -> None:
        """Every step after start-up, in order (the test drives the same steps one by one)."""
        self.preview()
        self.up()
        self.show_kubernetes()
        self.trace_egress()
        self.quarantine_live()
        self.drift()
        self.lift_quarantine()
        self.summary()


def stack_port(project: Path) -> int:
    """The emulator port the dev stack points at (stacks/Pulumi.dev.yaml nsx.host)."""
    config = yaml.safe_load((project / "stacks" / f"Pulumi.{STACK}.yaml").read_text())
    return int(str(config["config"]["zerotrust-dfw:nsx"]["host"]).rsplit(":", 1)[1])


def _stop_on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> None:
    if shutil.which("pulumi") is None:
        raise SystemExit("demo: pulumi is not on PATH; run it through `make demo`")
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C, even when started in the background
    env = {**os.environ, "PULUMI_CONFIG_PASSPHRASE": os.environ.get("PULUMI_CONFIG_PASSPHRASE", "zerotrust-demo")}
    work = REPO / ".tools" / "demo"
    say("Starting the embedded NSX Manager (emulator) and a local API server for vks-dev-01")
    emulator = start_emulator(
        REPO / ".emulator",
        seed=SEED,
        admin_password=os.environ.get("NSX_EMULATOR_ADMIN_PASSWORD", DEMO_PASSWORD),
        auditor_password=AUDITOR_PASSWORD,
        port=stack_port(REPO),
        state_name="state.db",
    )
    shutil.rmtree(work / "kube", ignore_errors=True)  # a fresh cluster every run, like the emulator
    try:
        with running_control_plane(work / "kube", {CLUSTER: CRDS / "antrea-v2"}) as clusters:
            print(f"NSX emulator at {emulator.base_url} (CA {emulator.ca_file}); user admin, password in the README.")
            print(
                f"{CLUSTER}: kube-apiserver at {clusters[CLUSTER].url} (kubeconfig {clusters[CLUSTER].kubeconfig_path})"
            )
            demo = Demo(REPO, emulator, clusters[CLUSTER], env)
            demo.seed_cluster()
            demo.fresh_stack()
            demo.story()
            say("Where to look next")
            print(
                "  stacks/dev/environment.yaml   the security admins' guardrails (quarantine, cluster egress)\n"
                "  stacks/dev/apps/*.yaml        the app teams' policies (shop, payments, forensics)\n"
                "  stacks/dev/kubernetes.yaml    the Kubernetes half: egress pool, Egresses, NetworkPolicies\n"
                "  docs/personas.md              who owns what, and why one project with split files\n"
                "  docs/evaluator.md             how a trace decides, and what it cannot decide\n"
                "  make emulator                 keep an NSX emulator running to explore its API"
            )
    except KeyboardInterrupt:
        print("\ndemo: interrupted; stopping what it started", file=sys.stderr)
        raise SystemExit(130) from None
    finally:
        emulator.stop()
        print("\nEmulator and API server stopped.")


if __name__ == "__main__":
    main()
