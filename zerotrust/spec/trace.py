"""`make trace`: can A reach B on port P in this stack, and which rule decides?

    python -m zerotrust.spec.trace --stack dev --from pod:shop/frontend --to vm:orders-db --port 5432

Answers from the stack's *desired* state (stacks/<stack>/, compiled as a preview would) and
the inventory the stack's preview reads (stack config ``inventory``: a snapshot file, offline;
unset or ``live``: NSX, read-only), in the spirit of Antrea Traceflow's observations: each
enforcement point, each category and tier walked, the rule that decided. ``--live`` (``make
trace LIVE=1``) reads NSX even when the stack names a snapshot, with the stack's NSX settings
and account as ``make doctor`` finds them (``NSX_USERNAME`` / ``NSX_PASSWORD`` win). Nothing
is written to NSX. Exit code 0 when every traced flow is allowed, 1 when one is not, 2 on bad
input or when NSX cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from zerotrust.evaluator.evaluate import Evaluator
from zerotrust.evaluator.trace import trace_lines
from zerotrust.spec import SpecError, compile_stack, load_stack
from zerotrust.spec.live_inventory import LIVE, InventoryReadError, StackInventory, is_live, stack_inventory
from zerotrust.spec.verify import policy_config
from zerotrust.stack_settings import read_stack


def inventory_of(stacks: Path, stack: str, *, live: bool) -> StackInventory:
    """What the stack's preview checks against (``--live``: NSX whatever the stack names)."""
    settings = read_stack(stack, repo=stacks.resolve().parent)
    value = settings.values.get("inventory")
    setting = LIVE if live or is_live(value) else str(settings.repo / str(value))
    return stack_inventory(setting, settings.nsx_config, endpoint=str(settings.nsx.get("host", "")))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zerotrust.spec.trace", description=__doc__.split("\n")[0])
    parser.add_argument("--stack", required=True, help="environment, e.g. dev")
    parser.add_argument("--from", dest="source", required=True, help="vm:<name>, pod:<ns>/<app>, group:<id>, ip:<a>")
    parser.add_argument("--to", dest="destination", required=True)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--protocol", default="tcp")
    parser.add_argument("--stacks", type=Path, default=Path("stacks"), help="folder of the stack files")
    parser.add_argument("--live", action="store_true", help="read the inventory from NSX, not the stack's snapshot")
    args = parser.parse_args(argv)
    try:
        desired = compile_stack(load_stack(args.stacks / args.stack))
        inventory = inventory_of(args.stacks, args.stack, live=args.live)
        evaluator = Evaluator(policy_config(desired, inventory.data))
        blocks, allowed = trace_lines(evaluator, args.source, args.destination, args.port, args.protocol)
    except (SpecError, InventoryReadError, ValueError, KeyError) as error:
        print(f"trace: {error}", file=sys.stderr)
        return 2
    for note in inventory.notes:
        print(f"trace: warning: {note}", file=sys.stderr)
    print(f"inventory: {inventory.source}\n")
    print("\n\n".join(blocks))
    return 0 if allowed else 1


if __name__ == "__main__":
    sys.exit(main())
