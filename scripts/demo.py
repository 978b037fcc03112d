"""`make demo`: the whole story on the embedded default, for a new user.

1. start the NSX emulator (HTTPS, its own CA) with the demo seed, on the port stacks/dev names;
2. `pulumi preview`, then `pulumi up` of the dev stack (local backend, passphrase secrets);
3. change a rule by hand through the NSX API, as someone in the NSX UI would, and show it
   with `pulumi preview --refresh`; `pulumi up --refresh` puts it back;
4. print what was created (with the memberships NSX computes) and where to look next.

The emulator is stopped at the end, whatever happens. Every run starts from a fresh
emulator and a fresh dev stack, so the demo can be repeated.
"""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nsx_emulator.launcher import RunningEmulator, start_emulator  # noqa: E402
from zerotrust.nsx.group_members import effective_ips  # noqa: E402

STACK = "dev"
DEMO_PASSWORD = "VMware1!VMware1!"
SEED = REPO / "nsx_emulator" / "seeds" / "demo.yaml"
DOMAIN = "/policy/api/v1/infra/domains/default"


def say(text: str) -> None:
    print(f"\n\033[1m== {text}\033[0m", flush=True)


def pulumi(*args: str, check: bool = True) -> None:
    print(f"$ pulumi {' '.join(args)}", flush=True)
    result = subprocess.run(["pulumi", *args, "--stack", STACK, "--color", "always"], cwd=REPO, check=False)
    if check and result.returncode != 0:
        raise SystemExit(f"demo: `pulumi {' '.join(args)}` failed (exit {result.returncode})")


def stack_endpoint() -> int:
    """The emulator port the dev stack points at (stacks/Pulumi.dev.yaml nsx.host)."""
    config = yaml.safe_load((REPO / "stacks" / f"Pulumi.{STACK}.yaml").read_text())
    host = str(config["config"]["zerotrust-dfw:nsx"]["host"])
    return int(host.rsplit(":", 1)[1])


def fresh_stack() -> None:
    """A new dev stack in the local backend, keeping the committed stack config."""
    subprocess.run(
        ["pulumi", "stack", "rm", STACK, "--yes", "--force", "--preserve-config"],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    subprocess.run(["pulumi", "stack", "init", STACK], cwd=REPO, capture_output=True, check=True)


def nsx_client(emu: RunningEmulator) -> httpx.Client:
    assert emu.ca_file is not None
    return httpx.Client(
        base_url=emu.base_url,
        verify=ssl.create_default_context(cafile=str(emu.ca_file)),
        auth=("admin", emu.admin_password),
        timeout=30,
    )


def change_by_hand(nsx: httpx.Client) -> None:
    rule = f"{DOMAIN}/security-policies/shop-orders/rules/frontend-to-orders-db"
    body = nsx.get(rule).json()
    body["service_entries"][0]["destination_ports"] = ["15432"]
    nsx.patch(rule, json=body).raise_for_status()
    print("Changed rule frontend-to-orders-db of section shop-orders: port 5432 -> 15432 (by hand, in NSX).")


def summary(nsx: httpx.Client) -> None:
    owner = {"scope": "zerotrust/managed-by", "tag": f"zerotrust-dfw/{STACK}"}
    groups = nsx.get(f"{DOMAIN}/groups", params={"page_size": 1000}).json()["results"]
    print("Groups this stack owns, and the addresses NSX computes for them today:")
    for group in sorted(groups, key=lambda g: g["id"]):
        if owner not in (group.get("tags") or []):
            continue
        members = nsx.get(f"{DOMAIN}/groups/{group['id']}/members/consolidated-effective-ip-addresses").json()
        kind = "Antrea" if "ANTREA" in (group.get("group_type") or []) else "DFW"
        print(f"  {group['id']:<26} {kind:<6} {', '.join(effective_ips(members)) or '(no members yet)'}")
    policies = nsx.get(f"{DOMAIN}/security-policies", params={"page_size": 1000}).json()["results"]
    print("Sections (security policies), in NSX's evaluation order:")
    order = {"Emergency": 0, "Infrastructure": 1, "Environment": 2, "Application": 3}
    mine = [p for p in policies if owner in (p.get("tags") or [])]
    for policy in sorted(mine, key=lambda p: (order.get(p["category"], 9), p["sequence_number"])):
        rules = nsx.get(f"{DOMAIN}/security-policies/{policy['id']}").json()["rules"]
        print(f"  {policy['category']:<12} {policy['id']:<24} {len(rules)} rules")


def main() -> None:
    if shutil.which("pulumi") is None:
        raise SystemExit("demo: pulumi is not on PATH; run it through `make demo`")
    os.environ.setdefault("PULUMI_CONFIG_PASSPHRASE", "zerotrust-demo")
    say("Starting the embedded NSX Manager (emulator) with the demo seed")
    emu = start_emulator(
        REPO / ".emulator",
        seed=SEED,
        admin_password=os.environ.get("NSX_EMULATOR_ADMIN_PASSWORD", DEMO_PASSWORD),
        auditor_password=None,
        port=stack_endpoint(),
        state_name="state.db",
    )
    try:
        print(f"NSX emulator at {emu.base_url} (CA {emu.ca_file}); user admin, password in the README.")
        fresh_stack()
        say("What would change: pulumi preview")
        pulumi("preview")
        say("Apply it: pulumi up")
        pulumi("up", "--yes", "--skip-preview")
        with nsx_client(emu) as nsx:
            say("Someone edits a rule by hand in NSX")
            change_by_hand(nsx)
            say("Drift shows on refresh: pulumi preview --refresh --diff")
            pulumi("preview", "--refresh", "--diff")
            say("Desired state wins again: pulumi up --refresh")
            pulumi("up", "--refresh", "--yes", "--skip-preview")
            say("What is in NSX now")
            summary(nsx)
        say("Where to look next")
        print(
            "  stacks/dev/environment.yaml   the security admins' guardrails (quarantine, cluster egress)\n"
            "  stacks/dev/apps/*.yaml        the app teams' policies (shop, payments)\n"
            "  docs/personas.md              who owns what, and why one project with split files\n"
            "  . toolchain/activate && pulumi stack -s dev    the stack's resources and outputs\n"
            "  make emulator                 keep an NSX emulator running to explore its API"
        )
    finally:
        emu.stop()
        print("\nEmulator stopped.")


if __name__ == "__main__":
    main()
