"""The PR preview report: `pulumi preview --json` (+ policy violations, + intent results) -> Markdown.

Pure: standard library and pydantic only (an import-linter contract keeps it so), so it runs
in CI without the engine and is tested on captured real previews.
"""

from zerotrust.report.intents import IntentResult, parse_intents
from zerotrust.report.preview import Preview, parse
from zerotrust.report.render import blocking, render

__all__ = ["IntentResult", "Preview", "blocking", "parse", "parse_intents", "render"]
