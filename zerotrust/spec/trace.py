"""`make trace`: can A reach B on port P in this stack, and which rule decides?

    python -m zerotrust.spec.trace --stack dev --from pod:shop/frontend --to vm:orders-db --port 5432

Answers from the stack's *desired* state (stacks/<stack>/, compiled as a preview would) and
the stack's inventory snapshot (stack config ``inventory``), in the spirit of Antrea
Traceflow's observations: each enforcement point, each category and tier walked, the rule
that decided. Nothing is sent to NSX. Exit code 0 when every traced flow is allowed, 1 when
one is not, 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from zerotrust.evaluator.evaluate import Evaluator
from zerotrust.evaluator.trace import trace_lines
from zerotrust.spec import SpecError, compile_stack, load_stack
from zerotrust.spec.verify import policy_config

PROJECT = "zerotrust-dfw"


def inventory_of(stacks: Path, stack: str) -> Path:
    """The inventory snapshot the stack's config names (``<project>:inventory``)."""
    config_file = stacks / f"Pulumi.{stack}.yaml"
    config = (yaml.safe_load(config_file.read_text()) or {}).get("config", {}) if config_file.exists() else {}
    value = config.get(f"{PROJECT}:inventory")
    if not value:
        raise SpecError(
            [f"{config_file}: no '{PROJECT}:inventory'. Fix: pulumi config set inventory <file> -s {stack}"]
        )
    return Path(value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zerotrust.spec.trace", description=__doc__.split("\n")[0])
    parser.add_argument("--stack", required=True, help="environment, e.g. dev")
    parser.add_argument("--from", dest="source", required=True, help="vm:<name>, pod:<ns>/<app>, group:<id>, ip:<a>")
    parser.add_argument("--to", dest="destination", required=True)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--protocol", default="tcp")
    parser.add_argument("--stacks", type=Path, default=Path("stacks"), help="folder of the stack files")
    args = parser.parse_args(argv)
    try:
        desired = compile_stack(load_stack(args.stacks / args.stack))
        inventory = yaml.safe_load(inventory_of(args.stacks, args.stack).read_text()) or {}
        evaluator = Evaluator(policy_config(desired, inventory))
        blocks, allowed = trace_lines(evaluator, args.source, args.destination, args.port, args.protocol)
    except (SpecError, ValueError, KeyError) as error:
        print(f"trace: {error}", file=sys.stderr)
        return 2
    print("\n\n".join(blocks))
    return 0 if allowed else 1


if __name__ == "__main__":
    sys.exit(main())
