"""Real previews of the dev stack, recorded by the engine test and replayed by the unit tests.

``normalise`` removes what changes from run to run (paths, ports, provider ids, timestamps,
debug chatter) so the recorded events and the expected reports are stable text in git.
Set ``ZT_UPDATE_EXPECTED=1`` to re-record after an intended change of the dev stack or of the
report, then read the diff of ``expected/*.md``: it is what reviewers will see.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from tests.support.pulumi_harness import REPO

HERE = Path(__file__).resolve().parent
EXPECTED = HERE / "expected"
RECORDED = HERE / "recorded"
CASES = ("dev_first_preview", "one_rule_change")
UPDATE = os.environ.get("ZT_UPDATE_EXPECTED") == "1"

DROPPED_EVENTS = ("resOutputsEvent", "policyRemediateSummaryEvent", "policyAnalyzeSummaryEvent", "policyLoadEvent")
DROPPED_STATE = ("stackTrace", "sourcePosition", "outputs", "created", "modified", "propertyDependencies")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_PORT = re.compile(r"127\.0\.0\.1:\d+")


def normalise(text: str, *, tmp: Path | None = None) -> str:
    if tmp is not None:
        text = text.replace(str(tmp), "<tmp>")
    text = text.replace(str(REPO), "<repo>")
    return _PORT.sub("127.0.0.1:<port>", _UUID.sub("<uuid>", text))


def normalise_events(output: str, *, tmp: Path) -> str:
    """The event stream without debug diagnostics and timings, one event per line."""
    kept = []
    for line in output.splitlines():
        if not line.strip():
            continue
        event = json.loads(line)
        if event.get("diagnosticEvent", {}).get("severity") == "debug" or any(k in event for k in DROPPED_EVENTS):
            continue
        for state in ("old", "new"):
            for key in DROPPED_STATE:
                (event.get("resourcePreEvent", {}).get("metadata", {}).get(state) or {}).pop(key, None)
        event.pop("timestamp", None)
        event.pop("sequence", None)
        event.get("summaryEvent", {}).pop("durationSeconds", None)
        kept.append(json.dumps(event, sort_keys=True))
    return normalise("\n".join(kept) + "\n", tmp=tmp)


def check_or_update(path: Path, actual: str) -> None:
    """Compare with the checked-in file, or rewrite it when ZT_UPDATE_EXPECTED=1."""
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual)
        return
    assert path.exists(), f"{path} is missing: run the test with ZT_UPDATE_EXPECTED=1 and review it"
    expected = path.read_text()
    assert actual == expected, f"{path.name} differs (ZT_UPDATE_EXPECTED=1 re-records it; review the diff)"
