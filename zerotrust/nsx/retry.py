"""The one retry loop of the client (openai-python's ``_should_retry`` habit, style anchors §2).

Retried: HTTP 429 and 503 (NSX throttling, ref §3.3), 500 with error_code 607
(transaction aborted, ref §3.4), and transport failures (connection refused or reset,
timeouts). Not retried: everything else, notably 409/412 stale revisions, which need a
re-read rather than the same request again (ref §3.4), and certificate failures.

Waits grow exponentially with jitter, ``Retry-After`` wins when the server sends it,
and both the number of attempts and the total time are bounded (:class:`RetrySettings`).
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC

import httpx

from zerotrust.nsx.config import RetrySettings
from zerotrust.nsx.errors import error_for_transport

__all__ = ["RetryTally", "backoff_delay", "is_retryable_response", "parse_retry_after", "send_with_retry"]

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
RETRY_STATUSES = frozenset({429, 503})
TRANSACTION_ABORTED = (500, 607)


@dataclass
class RetryTally:
    """How one call went through the loop: attempts made and seconds from first to last."""

    attempts: int = 0
    elapsed: float = 0.0


def is_retryable_response(response: httpx.Response) -> bool:
    """429, 503, or 500 / 607; the body must already be read."""
    if response.status_code in RETRY_STATUSES:
        return True
    if response.status_code == TRANSACTION_ABORTED[0]:
        try:
            code = json.loads(response.content).get("error_code")
        except (ValueError, AttributeError):
            return False
        return bool(code == TRANSACTION_ABORTED[1])
    return False


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), else ``None``."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else time.time()
    return max(0.0, float(when.timestamp() - current))


def backoff_delay(retry_number: int, settings: RetrySettings, rng: Callable[[], float] = random.random) -> float:
    """Exponential delay for retry ``retry_number`` (1-based), scaled down by jitter."""
    base = min(settings.max_delay, settings.initial_delay * 2.0 ** (retry_number - 1))
    return base * (1.0 - settings.jitter * rng())


async def send_with_retry(
    send: Callable[[], Awaitable[httpx.Response]],
    settings: RetrySettings,
    *,
    method: str,
    path: str,
    sleep: Sleep = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
    rng: Callable[[], float] = random.random,
    tally: RetryTally | None = None,
) -> httpx.Response:
    """Call ``send`` until it gives a non-retryable response or the bounds are reached.

    Returns the last response (possibly a 429/503 once retries are exhausted; the caller
    turns it into an error). Raises ``NsxConnectionError``/``NsxTlsError`` when the
    last attempt failed in transport, with ``attempts`` and ``elapsed`` set; ``tally``
    gets the same for a returned response.
    """
    started = clock()
    waited = 0.0  # counted too, so an injected fake ``sleep`` still meets the time bound
    tally = tally if tally is not None else RetryTally()
    attempt = 0
    while True:
        attempt += 1
        tally.attempts = attempt
        try:
            response = await send()
        except httpx.TransportError as error:
            failure = error_for_transport(error, method=method, path=path)
            delay = backoff_delay(attempt, settings, rng)
            elapsed = max(clock() - started, waited)
            tally.elapsed = elapsed
            if not failure.retryable or not _may_retry(attempt, delay, elapsed, settings):
                failure.attempts, failure.elapsed = attempt, elapsed
                raise failure from error
            log.debug("retry %s %s after %s (attempt %d)", method, path, type(error).__name__, attempt)
        else:
            tally.elapsed = max(clock() - started, waited)
            if not is_retryable_response(response):
                return response
            hinted = parse_retry_after(response.headers.get("Retry-After"))
            delay = (
                min(hinted, settings.max_retry_after) if hinted is not None else backoff_delay(attempt, settings, rng)
            )
            if not _may_retry(attempt, delay, tally.elapsed, settings):
                return response
            log.debug(
                "retry %s %s after HTTP %d in %.2fs (attempt %d)",
                method,
                path,
                response.status_code,
                delay,
                attempt,
            )
        await sleep(delay)
        waited += delay


def _may_retry(attempt: int, delay: float, elapsed: float, settings: RetrySettings) -> bool:
    if attempt >= settings.max_attempts:
        return False
    return elapsed + delay <= settings.max_total
