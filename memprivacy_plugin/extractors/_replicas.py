"""Which replica of a served extractor gets the next request, and how a request fails over.

Pure bookkeeping, no I/O: `ReplicaSet` keeps each replica's health (up, or down until its
cool-down ends) behind one lock, and `Route` walks one request through the replicas. The sync and
the async request loops of `OpenAICompatibleExtractor` both drive them, so they cannot drift apart.

Health is passive: a replica is marked down by a failed request (no connection, a timeout, HTTP
408, 429 or 5xx) and is tried again by one request (a probe) once its cool-down is over; while
that probe is in flight, other requests keep to the replicas that are up.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["Failure", "Pick", "ReplicaHealth", "ReplicaSet", "Route", "backoff"]

log = logging.getLogger("memprivacy_plugin.extractors.openai_server")

#: exponential backoff before a request goes back to a replica it already tried (seconds)
BACKOFF_START = 0.5
BACKOFF_MAX = 8.0
#: a server's Retry-After is honoured up to this many seconds, as the openai client does
RETRY_AFTER_MAX = 60.0


def backoff(retry: int) -> float:
    """Seconds to wait before the `retry`-th repeat (0-based): 0.5, 1, 2, ... 8, less up to 25% jitter,
    so replicas that come back are not hit by every waiting request at once."""
    delay = min(BACKOFF_MAX, BACKOFF_START * 2.0 ** min(retry, 16))
    return delay * (1.0 - 0.25 * random.random())


@dataclass(frozen=True)
class ReplicaHealth:
    """What one replica looks like now (`OpenAICompatibleExtractor.replica_health()`).

    `up` is False while the replica is in cool-down after a failure; `down_for` is the seconds of
    cool-down left (0 once it is over: the next request probes it). `last_error` says what the last
    failure was (`"cannot reach"`, `"timed out"`, `"HTTP 503"`), never anything of a message.
    """

    url: str
    up: bool
    down_for: float
    attempts: int
    successes: int
    failures: int
    last_error: str | None


@dataclass(frozen=True)
class Failure:
    """Why one attempt failed. `replica_fault`: the replica could not serve (fail over); otherwise
    the server answered and the request itself is at fault (raise at once). `message` names the
    server and the reason, never the request."""

    reason: str
    message: str
    replica_fault: bool
    retry_after: float | None = None


@dataclass(frozen=True)
class Pick:
    """One attempt's replica; `probe`: this attempt holds the replica's probe after its cool-down."""

    index: int
    probe: bool


class _State:
    __slots__ = ("attempts", "down_until", "failures", "last_error", "probing", "successes", "url")

    def __init__(self, url: str) -> None:
        self.url = url
        self.down_until: float | None = None  # None: up
        self.probing = False
        self.attempts = 0
        self.successes = 0
        self.failures = 0
        self.last_error: str | None = None


class ReplicaSet:
    """The replicas of one extractor: round robin over those that are up, a cool-down of
    `cooldown` seconds for one that failed, then one probe at a time. Thread-safe; `clock` is
    `time.monotonic` (tests replace it)."""

    def __init__(
        self, urls: Sequence[str], cooldown: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.urls = tuple(urls)
        self.cooldown = cooldown
        self.clock = clock
        self._states = [_State(url) for url in self.urls]
        self._cursor = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._states)

    def _eligible(self, state: _State, now: float) -> bool:
        """Up, or its cool-down is over and no other request is probing it."""
        return state.down_until is None or (now >= state.down_until and not state.probing)

    def available(self) -> bool:
        """Whether any replica may take a request now (the others are in cool-down)."""
        with self._lock:
            now = self.clock()
            return any(self._eligible(s, now) for s in self._states)

    def pick(self, tries: Sequence[int]) -> Pick:
        """The replica for the next attempt of a request that has tried replica i `tries[i]` times:
        the fewest tries first; among those, the next eligible one in round-robin order, else
        the one whose cool-down ends first (a last resort beats failing)."""
        with self._lock:
            now = self.clock()
            n = len(self._states)
            best: tuple[int, int, float] | None = None
            index = 0
            for offset in range(n):
                i = (self._cursor + offset) % n
                state = self._states[i]
                if self._eligible(state, now):
                    key: tuple[int, int, float] = (tries[i], 0, float(offset))
                else:
                    key = (tries[i], 1, state.down_until if state.down_until is not None else math.inf)
                if best is None or key < best:
                    best, index = key, i
            state = self._states[index]
            eligible = best is not None and best[1] == 0
            if eligible:
                self._cursor = (index + 1) % n
            probe = eligible and state.down_until is not None
            if probe:
                state.probing = True
            state.attempts += 1
            return Pick(index, probe)

    def succeeded(self, pick: Pick) -> None:
        """The replica answered (a completion, or an error that is the request's own fault)."""
        with self._lock:
            state = self._states[pick.index]
            if pick.probe:
                state.probing = False
            if state.down_until is not None:
                log.info("extraction server %s is back", state.url)
            state.down_until = None
            state.successes += 1

    def failed(self, pick: Pick, reason: str) -> None:
        """The replica could not serve: down for the cool-down, whatever it was before."""
        with self._lock:
            state = self._states[pick.index]
            if pick.probe:
                state.probing = False
            if state.down_until is None:
                log.warning(
                    "extraction server %s is down for %.3g s (%s); requests go to the other replicas",
                    state.url,
                    self.cooldown,
                    reason,
                )
            state.down_until = self.clock() + self.cooldown
            state.failures += 1
            state.last_error = reason

    def release(self, pick: Pick) -> None:
        """The attempt ended without an answer either way (cancelled): free its probe."""
        if pick.probe:
            with self._lock:
                self._states[pick.index].probing = False

    def url(self, pick: Pick) -> str:
        return self._states[pick.index].url

    def health(self) -> tuple[ReplicaHealth, ...]:
        with self._lock:
            now = self.clock()
            return tuple(
                ReplicaHealth(
                    url=s.url,
                    up=s.down_until is None,
                    down_for=0.0 if s.down_until is None else max(0.0, s.down_until - now),
                    attempts=s.attempts,
                    successes=s.successes,
                    failures=s.failures,
                    last_error=s.last_error,
                )
                for s in self._states
            )


class Route:
    """One request's way through the replicas.

    Each replica is tried once (those that are up first), then `max_retries` more attempts follow,
    each after a backoff, on the replicas tried least. When every replica is in cool-down as the
    request starts, it gets one attempt only: the service is known to be down, so it fails fast
    (closed) instead of queueing retries, while a replica that came back still answers it.
    """

    def __init__(self, replicas: ReplicaSet, max_retries: int) -> None:
        self.replicas = replicas
        n = len(replicas)
        self.all_down = not replicas.available()
        self.budget = 1 if self.all_down else n + max_retries
        self.tries = [0] * n
        self.retries = 0
        self.failures: list[tuple[int, Failure]] = []
        self.last: Failure | None = None
        self._retry_after: dict[int, float] = {}

    def next(self) -> tuple[Pick, float] | None:
        """The next attempt's replica and the seconds to wait before it; None: no attempt left."""
        if len(self.failures) >= self.budget:
            return None
        pick = self.replicas.pick(self.tries)
        delay = 0.0
        if self.tries[pick.index]:
            delay = self._retry_after.pop(pick.index, 0.0) or backoff(self.retries)
            self.retries += 1
        self.tries[pick.index] += 1
        return pick, delay

    def failed(self, pick: Pick, failure: Failure) -> bool:
        """Record a failed attempt; True when the request may go on to another attempt."""
        self.last = failure
        if not failure.replica_fault:
            self.replicas.succeeded(pick)  # it answered: the request is at fault, not the replica
            return False
        self.replicas.failed(pick, failure.reason)
        self.failures.append((pick.index, failure))
        ra = failure.retry_after
        if ra is not None and 0 < ra <= RETRY_AFTER_MAX:
            self._retry_after[pick.index] = ra
        return len(self.failures) < self.budget

    def error_message(self) -> str:
        """Why the request failed: the server(s) and reasons, never the request's content."""
        n = len(self.replicas)
        if self.last is None:
            return "the extraction request was not sent"
        if not self.last.replica_fault or len(self.failures) == 1:
            if self.last.replica_fault and self.all_down and n > 1:
                return f"all {n} extraction servers are down (in cool-down); {self.last.message}"
            return self.last.message
        latest: dict[int, str] = {}
        for index, failure in self.failures:  # each server once, with its last reason
            latest[index] = failure.message
        return (
            f"the extraction request failed on {len(latest)} of {n} extraction server"
            f"{'s' if n > 1 else ''} after {len(self.failures)} attempts: " + "; ".join(latest.values())
        )
