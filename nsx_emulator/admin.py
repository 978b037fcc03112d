"""Test hooks real NSX lacks: limits, faults, counters (all off by default).

- per-client rate limit: 429 ``Client '<user>' exceeded request rate of N per second.``
  and per-client concurrency limit: 429 (ref §3.3); a client is the user;
- fault injection: rules of (method, path regex, fraction, kind) drawn from a
  seeded RNG; kinds ``429``/``503`` (with Retry-After), ``500``, ``412`` (a concurrent
  edit: stale revision), ``drop`` (the connection is cut mid-response) and ``delay``
  (sleep ``delay_ms`` first); ``after`` lets that many matching requests through first
  (to fail an operation halfway), ``count`` stops after that many injections;
- request counters by method and path template, for benchmarks.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .errors import NsxError, bad_request, internal, stale_revision, too_many_requests

FAULT_KINDS = ("429", "503", "500", "412", "drop", "delay")


@dataclass
class FaultRule:
    """With probability ``rate``, answer a request matching ``methods`` and
    ``path_regex`` with one of ``statuses`` (drawn from the seeded RNG)."""

    statuses: list[str]
    rate: float = 1.0
    methods: tuple[str, ...] = ("*",)
    path_regex: re.Pattern[str] = field(default_factory=lambda: re.compile(".*"))
    retry_after: int = 1
    delay_ms: int = 0
    remaining: int | None = None  # inject at most this many times
    after: int = 0  # let this many matching requests through first

    def describe(self) -> dict[str, Any]:
        return {
            "statuses": self.statuses,
            "rate": self.rate,
            "methods": list(self.methods),
            "path_regex": self.path_regex.pattern,
            "retry_after": self.retry_after,
            "delay_ms": self.delay_ms,
            "count": self.remaining,
            "after": self.after,
        }


def parse_fault(spec: Any) -> FaultRule:
    if not isinstance(spec, dict):
        raise bad_request("A fault rule must be an object.")
    raw = spec.get("statuses")
    statuses = [str(s) for s in raw] if isinstance(raw, list) else []
    if not statuses or any(s not in FAULT_KINDS for s in statuses):
        raise bad_request(f"statuses must be a non-empty list of {', '.join(FAULT_KINDS)}.")
    methods = spec.get("methods") or ["*"]
    try:
        rate = float(spec.get("rate", 1.0))
        regex = re.compile(str(spec.get("path_regex", ".*")))
        count = spec.get("count")
        rule = FaultRule(
            statuses,
            rate,
            tuple(str(m).upper() for m in methods),
            regex,
            int(spec.get("retry_after", 1)),
            int(spec.get("delay_ms", 0)),
            int(count) if count is not None else None,
            int(spec.get("after", 0)),
        )
    except (TypeError, ValueError, re.error) as exc:
        raise bad_request(f"Invalid fault rule: {exc}.") from None
    if not 0.0 <= rate <= 1.0:
        raise bad_request("rate must be between 0 and 1.")
    return rule


class Faults:
    """Body of ``PUT /faults``: one rule at the top level, or ``{"seed", "rules": [...]}``."""

    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self.seed = 0
        self.rng = random.Random(0)  # noqa: S311 - reproducible faults, not cryptography
        self.injected: Counter[str] = Counter()

    def configure(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise bad_request('Expected a fault rule or {"seed": int, "rules": [...]}.')
        specs = body.get("rules", [body])
        if not isinstance(specs, list):
            raise bad_request("rules must be a list.")
        rules = [parse_fault(r) for r in specs]
        self.seed = int(body.get("seed", 0))
        self.rng = random.Random(self.seed)  # noqa: S311 - reproducible faults, not cryptography
        self.rules = rules
        self.injected.clear()

    def clear(self) -> None:
        self.rules = []
        self.injected.clear()

    def pick(self, method: str, path: str) -> tuple[FaultRule, str] | None:
        for rule in self.rules:
            if ("*" not in rule.methods and method not in rule.methods) or not rule.path_regex.search(path):
                continue
            if rule.remaining is not None and rule.remaining <= 0:
                continue
            if rule.after > 0:
                rule.after -= 1
                continue
            if self.rng.random() < rule.rate:
                if rule.remaining is not None:
                    rule.remaining -= 1
                kind = self.rng.choice(rule.statuses)
                self.injected[kind] += 1
                return rule, kind
        return None

    def describe(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "rules": [r.describe() for r in self.rules],
            "injected": dict(self.injected),
        }


def fault_error(rule: FaultRule, kind: str) -> NsxError:
    if kind == "429":
        return too_many_requests("Too many requests (injected fault).", rule.retry_after)
    if kind == "503":
        return NsxError(
            503,
            503,
            "Service unavailable (injected fault).",
            module_name="common-services",
            headers={"Retry-After": str(rule.retry_after)},
        )
    if kind == "412":
        return stale_revision(None, "injected fault")
    return internal("Internal server error (injected fault).")


class Limits:
    """Per-client request rate and concurrency limits (ref §3.3), off when None."""

    def __init__(self) -> None:
        self.rate: int | None = None
        self.concurrency: int | None = None
        self._windows: dict[str, tuple[int, int]] = {}
        self.inflight: Counter[str] = Counter()

    @staticmethod
    def _valid(value: Any) -> int | None:
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise bad_request("A limit must be a positive integer or null.")
        return value

    def set_rate(self, value: Any) -> None:
        """Requests per second per client; None turns the limit off."""
        self.rate = self._valid(value)
        self._windows.clear()

    def set_concurrency(self, value: Any) -> None:
        """Requests in flight per client; None turns the limit off."""
        self.concurrency = self._valid(value)

    def describe(self) -> dict[str, Any]:
        return {"requests_per_second": self.rate, "max_in_flight": self.concurrency}

    def check_rate(self, client: str) -> None:
        if self.rate is None:
            return
        second = int(time.monotonic())
        start, count = self._windows.get(client, (second, 0))
        if start != second:
            start, count = second, 0
        count += 1
        self._windows[client] = (start, count)
        if count > self.rate:
            raise too_many_requests(f"Client '{client}' exceeded request rate of {self.rate} per second.")

    def enter(self, client: str) -> None:
        self.inflight[client] += 1
        if self.concurrency is not None and self.inflight[client] > self.concurrency:
            self.inflight[client] -= 1
            raise too_many_requests(f"Client '{client}' exceeded concurrent request limit of {self.concurrency}.")

    def leave(self, client: str) -> None:
        self.inflight[client] -= 1


class RequestCounters:
    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()

    def count(self, method: str, template: str) -> None:
        self.counts[(method, template)] += 1

    def describe(self) -> dict[str, Any]:
        rows = [{"method": m, "path": p, "count": n} for (m, p), n in sorted(self.counts.items())]
        return {"total": sum(self.counts.values()), "results": rows}

    def reset(self) -> None:
        self.counts.clear()
