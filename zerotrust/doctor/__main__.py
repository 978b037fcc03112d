"""``python -m zerotrust.doctor --stack <name> [--for up|preview]``; exit 1 when a check blocks."""

from __future__ import annotations

import argparse
import asyncio
import sys

from zerotrust.doctor.kube_checks import kube_rows
from zerotrust.doctor.nsx_checks import nsx_rows
from zerotrust.doctor.report import Row, blocking, render
from zerotrust.nsx.errors import ConfigError
from zerotrust.nsx.faults import config_fault
from zerotrust.providers._faults import CONFIG_KEYS
from zerotrust.spec import SpecError, load_stack
from zerotrust.stack_settings import StackSettings, read_stack


def rows(stack: StackSettings, *, for_up: bool) -> list[Row]:
    """Every check, in the order a run meets them."""
    try:
        spec = load_stack(stack.spec_dir)
    except SpecError as error:
        return [Row("stack files", "fail", str(error).replace("\n", " "))]
    clusters = {name: cluster.control_plane or name for name, cluster in spec.environment.clusters.items()}
    found = [Row("stack files", "ok", f"{stack.spec_dir} is valid ({len(spec.apps)} apps, {len(clusters)} clusters)")]
    try:
        config = stack.nsx_config()
    except ConfigError as error:
        line = config_fault(error, str(stack.nsx.get("host") or "")).line(CONFIG_KEYS)
        return [*found, Row("NSX settings", "fail", line)]
    found += asyncio.run(nsx_rows(config, clusters, for_up=for_up, settings=CONFIG_KEYS))
    return found + kube_rows(stack)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zerotrust.doctor", description=__doc__)
    parser.add_argument("--stack", required=True)
    parser.add_argument(
        "--for",
        dest="purpose",
        choices=("up", "preview"),
        default="up",
        help="what the checks must allow: up (a read-write account) or preview (read-only is enough)",
    )
    args = parser.parse_args(argv)
    table = rows(read_stack(args.stack), for_up=args.purpose == "up")
    print(render(table))
    problems = blocking(table)
    if problems:
        print(f"\ndoctor: {len(problems)} problem(s) block `pulumi {args.purpose}` on stack {args.stack}")
        return 1
    print(f"\ndoctor: stack {args.stack} is ready for `pulumi {args.purpose}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
