"""Intent assertions: ``frontend -> orders-db tcp/5432 allow``, ``quarantined -> any deny``.

Grammar: ``<from> -> <to> [<service>] <allow|deny>``, where an endpoint is
``vm:<name>``, ``pod:<ns>/<name>`` (pod name, or the pods whose ``app`` label is
``<name>``), ``pod:<cluster>/<ns>/<name>``, ``group:<id or path>``, ``ip:<address>``,
``any``, or a bare word naming exactly one of a VM, a group or an ``app`` label; a
service is ``tcp/5432``, ``udp/53``, ``tcp/8000-8080``, ``icmp``, or ``any`` (default).
``allow`` holds when every witness flow is allowed; ``deny`` when none is (an ERROR
verdict fails both). A failing intent carries its witness flow, the expected and
actual verdict and the decision chain (issue 7 deliverable 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["Intent", "IntentSyntaxError", "ServiceSpec", "parse_intent"]

_PROTOCOLS = {"tcp": "TCP", "udp": "UDP", "sctp": "SCTP", "icmp": "ICMPv4", "icmpv6": "ICMPv6"}
_SERVICE = re.compile(r"^(?P<proto>tcp|udp|sctp)/(?P<low>\d{1,5})(?:-(?P<high>\d{1,5}))?$")


class IntentSyntaxError(ValueError):
    """An intent that does not parse; the message quotes it and shows the grammar."""


@dataclass(frozen=True)
class ServiceSpec:
    """What an intent is about: a protocol and a port range, or any service (``protocol=None``)."""

    protocol: str | None = None
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class Intent:
    """One parsed assertion."""

    text: str
    source: str
    destination: str
    service: ServiceSpec
    expect: Literal["allow", "deny"]


_USAGE = (
    "write '<from> -> <to> [tcp/<port>|udp/<port>|tcp/<a>-<b>|icmp|any] allow|deny', "
    "endpoints as vm:<name>, pod:<ns>/<name>, group:<name>, ip:<address>, any or a bare name"
)


def _service(text: str, intent: str) -> ServiceSpec:
    lowered = text.lower()
    if lowered == "any":
        return ServiceSpec()
    if lowered in {"icmp", "icmpv6"}:
        return ServiceSpec(_PROTOCOLS[lowered])
    match = _SERVICE.match(lowered)
    if match is None:
        raise IntentSyntaxError(f"intent {intent!r}: service {text!r} is not understood; {_USAGE}")
    low = int(match["low"])
    high = int(match["high"]) if match["high"] else low
    if not 0 <= low <= high <= 65535:
        raise IntentSyntaxError(f"intent {intent!r}: port range {text!r} is outside 0-65535 or reversed")
    return ServiceSpec(_PROTOCOLS[match["proto"]], low, high)


def parse_intent(text: str) -> Intent:
    """Parse one intent; raises :class:`IntentSyntaxError` with the fix."""
    left, arrow, right = text.partition("->")
    if not arrow:
        raise IntentSyntaxError(f"intent {text!r} has no '->'; {_USAGE}")
    source = left.strip()
    words = right.split()
    if not source or " " in source:
        raise IntentSyntaxError(f"intent {text!r}: give exactly one source endpoint before '->'; {_USAGE}")
    if len(words) not in (2, 3):
        raise IntentSyntaxError(f"intent {text!r}: expected '<to> [service] allow|deny' after '->'; {_USAGE}")
    expect = words[-1].lower()
    if expect not in {"allow", "deny"}:
        raise IntentSyntaxError(f"intent {text!r}: must end in 'allow' or 'deny', got {words[-1]!r}")
    service = _service(words[1], text) if len(words) == 3 else ServiceSpec()
    return Intent(text, source, words[0], service, "allow" if expect == "allow" else "deny")
