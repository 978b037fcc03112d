"""``python -m zerotrust.report --preview preview.json --stack dev [--intents i.json] [--check]``

Prints the Markdown report for one stack. With ``--check`` the exit code says whether the PR
may merge: 1 on a mandatory policy violation, a broken intent or a failed preview, else 0.
The report is printed either way, so CI can post it before failing the check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zerotrust.report.intents import parse_intents
from zerotrust.report.preview import parse
from zerotrust.report.render import blocking, render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zerotrust.report", description=__doc__.splitlines()[0])
    parser.add_argument("--preview", required=True, type=Path, help="output of `pulumi preview --json`")
    parser.add_argument("--stack", required=True, help="stack name shown in the heading")
    parser.add_argument("--intents", type=Path, help="intent results (JSON list, see zerotrust/report/intents.py)")
    parser.add_argument("--output", type=Path, help="write the report here instead of stdout")
    parser.add_argument("--check", action="store_true", help="exit 1 when the preview must block the merge")
    args = parser.parse_args(argv)

    preview = parse(args.preview.read_text())
    intents = parse_intents(args.intents.read_text()) if args.intents else []
    text = render(preview, stack=args.stack, intents=intents)
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)
    reasons = blocking(preview, intents)
    if args.check and reasons:
        print(f"stack {args.stack}: " + ", ".join(reasons), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
