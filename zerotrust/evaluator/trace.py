"""``trace``: a person's view of one verdict, in the spirit of Traceflow observations.

Usage (the lead wires ``--stack``): ``python -m zerotrust.evaluator.trace --config FILE
--from pod:shop/frontend --to vm:orders-db --port 5432 [--protocol tcp]``. For a stack,
call :func:`trace_lines` with an :class:`~zerotrust.evaluator.evaluate.Evaluator`.
Prints, per side (egress at the source, ingress at the destination), every layer
crossed: category, tier, K8s NetworkPolicy, default, then the verdict. Exit status 0
when every traced flow is allowed, 1 when one is not, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from zerotrust.evaluator.config import load_config_file
from zerotrust.evaluator.endpoints import EndpointError
from zerotrust.evaluator.evaluate import Evaluator
from zerotrust.evaluator.flows import Flow
from zerotrust.evaluator.verdict import render_trace

__all__ = ["main", "render_trace", "trace_lines"]

_PROTOCOLS = {"tcp": "TCP", "udp": "UDP", "sctp": "SCTP", "icmp": "ICMPv4", "icmpv6": "ICMPv6"}


def trace_lines(
    evaluator: Evaluator, source: str, destination: str, port: int | None, protocol: str = "tcp"
) -> tuple[list[str], bool]:
    """Trace every endpoint pair the selectors name; (text blocks, all allowed)."""
    blocks, all_allowed = [], True
    proto = _PROTOCOLS[protocol.lower()]
    for src in evaluator.endpoints(source):
        for dst in evaluator.endpoints(destination):
            verdict = evaluator.evaluate(Flow(src, dst, proto, port))
            all_allowed = all_allowed and verdict.allowed
            blocks.append(render_trace(verdict))
    return blocks, all_allowed


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(prog="python -m zerotrust.evaluator.trace", description=__doc__)
    parser.add_argument("--config", type=Path, required=True, help="seed-format YAML/JSON with objects and kubernetes")
    parser.add_argument(
        "--from", dest="source", required=True, help="vm:<name>, pod:<ns>/<name>, group:<id>, ip:<addr>"
    )
    parser.add_argument("--to", dest="destination", required=True)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--protocol", default="tcp", choices=sorted(_PROTOCOLS))
    args = parser.parse_args(argv)
    evaluator = Evaluator(load_config_file(args.config))
    for problem in evaluator.problems:
        print(f"warning {problem}")
    try:
        blocks, allowed = trace_lines(evaluator, args.source, args.destination, args.port, args.protocol)
    except EndpointError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n\n".join(blocks))
    return 0 if allowed else 1


if __name__ == "__main__":
    sys.exit(main())
