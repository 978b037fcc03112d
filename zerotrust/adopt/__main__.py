"""``python -m zerotrust.adopt --stack <name>`` (``make adopt STACK=<name>``).

Reads an existing NSX (read-only) and writes ``stacks/<name>/environment.yaml``,
``stacks/<name>/apps/<app>.yaml`` and the import plan ``stacks/<name>/import.json``, then
prints what was adopted, kept verbatim and skipped, with why. The files are compiled and
compared with NSX before they are written: an object they do not reproduce exactly is kept
verbatim instead (``nsx:``), so the next ``pulumi preview`` shows the import and the taking
of ownership, and no change to any group, section or rule. Nothing is written to NSX here.

The endpoint and user come from the stack's config (``nsx.host``, ``nsx.username``,
``nsx.caFile``) unless given; the password from ``NSX_PASSWORD`` or, failing that, from the
stack's secret ``nsxPassword`` (through ``pulumi config get``, never printed).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from zerotrust.adopt.live import LiveEstate, read_estate
from zerotrust.adopt.plan import Adoption, plan_adoption
from zerotrust.adopt.verify import AdoptionBug, inexact
from zerotrust.adopt.write import summary, write_files
from zerotrust.nsx import NsxClient, NsxConfig, NsxError
from zerotrust.nsx.errors import ConfigError
from zerotrust.nsx.faults import config_fault, diagnose
from zerotrust.spec import SpecError
from zerotrust.stack_settings import REPO, read_stack

FLAGS = {
    "endpoint": "--nsx (or nsx.host)",
    "username": "--username (or nsx.username)",
    "password": "NSX_PASSWORD (or the secret nsxPassword)",
    "ca_file": "--ca-file (or nsx.caFile)",
    "insecure": "--insecure (or nsx.insecure)",
    "connect_timeout": "nsx.connectTimeout",
    "read_timeout": "nsx.readTimeout",
    "retry_seconds": "nsx.retrySeconds",
    "retry": "nsx.retryAttempts and nsx.retrySeconds",
    "timeouts": "nsx.connectTimeout and nsx.readTimeout",
}
"""Settings as this CLI's flags name them, for fault lines."""
ROUNDS = 3
"""Compile-and-compare rounds; each keeps verbatim what the previous one found inexact."""


@dataclass(frozen=True)
class Target:
    """Where to read from and for whom: the NSX endpoint and the stack that will own it all."""

    config: NsxConfig
    stack: str
    owner: str


def target(args: argparse.Namespace) -> Target:
    stack = read_stack(args.stack)
    try:
        config = stack.nsx_config(
            host=args.nsx,
            username=args.username or stack.nsx.get("username") or "admin",
            caFile=args.ca_file,
            insecure=args.insecure or None,
        )
    except ConfigError as error:
        raise SystemExit(f"adopt: {config_fault(error, str(args.nsx or stack.nsx.get('host'))).line(FLAGS)}") from None
    return Target(config, args.stack, stack.owner)


async def read(config: NsxConfig, domain: str) -> LiveEstate:
    async with NsxClient(config) as nsx:
        return await read_estate(nsx, domain)


def adopt(live: LiveEstate, *, owner: str, apps_by: str, stack: str) -> Adoption:
    """Plan, write to a scratch folder, compile and compare; repeat keeping verbatim what differs."""
    verbatim: set[tuple[str, str]] = set()
    for _ in range(ROUNDS):
        adoption = plan_adoption(live, owner=owner, apps_by=apps_by, verbatim=verbatim)
        with tempfile.TemporaryDirectory(prefix="zt-adopt-") as scratch:
            write_files(adoption, Path(scratch), endpoint=live.endpoint, stack=stack)
            found = inexact(adoption, live, Path(scratch))
        if not found:
            return adoption
        verbatim |= found
    raise AdoptionBug(f"{len(found)} object(s) still differ from NSX after {ROUNDS} rounds, e.g. {sorted(found)[:3]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zerotrust.adopt", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True, help="the stack that will own what is adopted")
    parser.add_argument("--nsx", help="NSX endpoint (default: the stack's nsx.host)")
    parser.add_argument("--username", help="NSX user (default: the stack's nsx.username)")
    parser.add_argument("--ca-file", help="CA of NSX's certificate (default: the stack's nsx.caFile)")
    parser.add_argument("--insecure", action="store_true", help="skip TLS verification (labs only)")
    parser.add_argument("--domain", default="default", help="the NSX domain to adopt (default: default)")
    parser.add_argument(
        "--apps-by",
        default="none",
        help="how Application sections split into apps: tag:<scope> (policy tag), prefix (id prefix), "
        "none (one 'unassigned' app; the default)",
    )
    parser.add_argument("--out", type=Path, help="folder to write (default: stacks/<stack>)")
    parser.add_argument("--force", action="store_true", help="overwrite existing stack files")
    args = parser.parse_args(argv)
    if args.apps_by not in ("none", "prefix") and not args.apps_by.startswith("tag:"):
        parser.error("--apps-by: use tag:<scope>, prefix or none")
    out = args.out or REPO / "stacks" / args.stack
    if (out / "environment.yaml").exists() and not args.force:
        print(f"adopt: {out / 'environment.yaml'} exists; move it away or pass --force", file=sys.stderr)
        return 2
    goal = target(args)
    started = time.perf_counter()
    try:
        live = asyncio.run(read(goal.config, args.domain))
        adoption = adopt(live, owner=goal.owner, apps_by=args.apps_by, stack=args.stack)
    except NsxError as error:  # adoption only reads: whatever failed, NSX is as it was
        fault = diagnose(error, goal.config)
        print(f"adopt: {fault.line(FLAGS) if fault else error} Nothing was changed in NSX.", file=sys.stderr)
        return 1
    except (SpecError, AdoptionBug) as error:
        print(f"adopt: {error}", file=sys.stderr)
        return 1
    written = write_files(adoption, out, endpoint=live.endpoint, stack=args.stack)
    print(summary(adoption, live.other_domains))
    print(f"read {live.endpoint} in {live.calls} API calls; {time.perf_counter() - started:.1f} s in all")
    for path in written:
        print(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    print(f"next: review the files, then `pulumi preview --stack {args.stack}` (import + ownership, nothing else)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
