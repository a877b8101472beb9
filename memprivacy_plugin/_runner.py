"""Extractions under a time bound, on daemon worker threads that the guard manages itself.

Threads cannot be killed. A sync extraction that outlives its bound is *abandoned*: its caller
gets `TimeoutError` at once, the worker goes on running the call in the background until the
extractor returns (then the thread exits), and a fresh worker takes its place, so one hung call
never takes capacity from the next. Workers are daemon threads: a process can exit while one
hangs. Abandoned workers are capped per owner (the guard passes the extractor: `max_abandoned`,
32, each), so a hung extractor exhausts only its own allowance and every other extractor in the
process still runs; and per process (`max_threads`, 256 threads in all, running or abandoned),
so no number of hung extractors spawns threads without bound. Beyond either cap a call fails at
once with `WorkersExhausted`.

Not the asyncio default executor: an event loop's `to_thread` work (a vault, a restore) never
waits behind a hung extraction.

What an extractor may declare, all optional class attributes read with `getattr`:

- `linear_time = True`: pure Python, in process, time linear in the text (the rule extractor,
  known values). The guard calls it inline, without a thread hop, up to `INLINE_LIMIT` characters.
  It counts only where declared at or below the class that defines `extract` (see
  `extractors._bounds`): a subclass that overrides `extract` must declare it again.
- `default_timeout = 60.0`: the bound, in seconds, the guard uses for it when `PrivacyGuard`
  gets `timeout=None` (`math.inf`: no bound); without one, `DEFAULT_TIMEOUT`.
- `async_native = True | False`: whether its `aextract` does its own asynchronous I/O (an HTTP
  client). Without the attribute, an `aextract` other than `BaseExtractor`'s counts as native.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import math
import os
import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from .extractors._bounds import is_async_native, is_linear_time

__all__ = [
    "DEFAULT_TIMEOUT",
    "INLINE_LIMIT",
    "MAX_ABANDONED",
    "MAX_THREADS",
    "Job",
    "Runner",
    "WorkersExhausted",
    "bound",
    "declared_timeout",
    "default_runner",
    "is_async_native",
    "is_linear_time",
]

T = TypeVar("T")

#: Seconds an extraction may take when neither the guard nor the extractor says otherwise.
DEFAULT_TIMEOUT = 30.0
#: Characters up to which a `linear_time` extractor runs inline: its time is bounded anyway.
INLINE_LIMIT = 65_536
#: Workers still running an abandoned call for one owner (an extractor), beyond which that
#: owner's calls fail at once.
MAX_ABANDONED = 32
#: Threads of a runner in all (running, idle or abandoned), beyond which calls that would need
#: another abandoned one fail at once, whoever their owner.
MAX_THREADS = 256
#: Workers running calls at the same time; further calls wait for one (inside their bound).
MAX_WORKERS = 32
#: Seconds an idle worker waits for a call before its thread exits.
IDLE_SECONDS = 60.0


class WorkersExhausted(RuntimeError):
    """Too many abandoned extractions are still running; no worker is started for another."""


def declared_timeout(extractor: object) -> float | None:
    """The extractor's `default_timeout` when it is a positive number (inf: no bound), else None."""
    value = getattr(extractor, "default_timeout", None)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    return None


def bound(timeout: float | None) -> float | None:
    """None for no bound (None or inf), else the number of seconds."""
    return None if timeout is None or math.isinf(timeout) else timeout


class _Worker:
    __slots__ = ("abandoned", "owner")

    def __init__(self) -> None:
        self.abandoned = False
        # The owner of the abandoned call it runs: held until the count is given back, so the
        # id it is counted under cannot be reused by another object meanwhile.
        self.owner: object = None


class Job(Generic[T]):
    """One call handed to a worker: a `concurrent.futures.Future` and the worker running it."""

    __slots__ = ("args", "fn", "future", "kwargs", "owner", "worker")

    def __init__(
        self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any], owner: object = None
    ) -> None:
        self.fn = fn
        self.owner = owner
        self.args = args
        self.kwargs = kwargs
        self.future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self.worker: _Worker | None = None


class Runner:
    """A small pool of daemon workers whose hung calls are abandoned and replaced."""

    def __init__(
        self,
        *,
        max_workers: int = MAX_WORKERS,
        max_abandoned: int = MAX_ABANDONED,
        max_threads: int = MAX_THREADS,
        idle_seconds: float = IDLE_SECONDS,
        name: str = "memprivacy-extract",
    ) -> None:
        self._max_workers = max_workers
        self._max_abandoned = max_abandoned
        # Calls already running when the cap is reached may still be abandoned (at most one per
        # worker), and every worker may be live beside them: refusing at this many abandoned
        # keeps the threads, live and abandoned, within `max_threads`.
        self._max_abandoned_total = max(0, max_threads - 2 * max_workers)
        self._idle_seconds = idle_seconds
        self._name = name
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[Job[Any]] = queue.SimpleQueue()
        # Workers waiting for a job minus jobs waiting for a worker (negative: jobs queue up).
        self._idle = 0
        self._live = 0  # workers not abandoned
        self._abandoned = 0
        self._abandoned_by: dict[int, int] = {}  # id(owner) -> its abandoned calls still running
        self._spawned = 0

    @property
    def abandoned(self) -> int:
        """Workers still running a call whose caller gave up on it."""
        return self._abandoned

    def abandoned_by(self, owner: object) -> int:
        """Abandoned calls of this owner still running."""
        with self._lock:
            return self._abandoned_by.get(id(owner), 0)

    @property
    def live(self) -> int:
        """Workers that are not abandoned (idle or running a call someone waits for)."""
        return self._live

    def submit(self, fn: Callable[..., T], /, *args: Any, owner: object = None, **kwargs: Any) -> Job[T]:
        """Hand `fn(*args, **kwargs)` to a worker. `owner` (the extractor) is whose allowance of
        abandoned calls it counts against; calls without one share one allowance."""
        job: Job[T] = Job(fn, args, kwargs, owner)
        with self._lock:
            mine = self._abandoned_by.get(id(owner), 0)
            if mine >= self._max_abandoned:
                raise WorkersExhausted(f"{mine} of its extractions are still running past their time bound")
            if self._abandoned >= self._max_abandoned_total:
                raise WorkersExhausted(
                    f"{self._abandoned} extractions in this process are still running past their time bound"
                )
            if self._idle <= 0 and self._live < self._max_workers:
                self._spawned += 1
                thread = threading.Thread(
                    target=self._work, name=f"{self._name}-{self._spawned}", daemon=True
                )
                thread.start()
                self._live += 1
                self._idle += 1
            self._idle -= 1
            self._queue.put(job)
        return job

    def _work(self) -> None:
        me = _Worker()
        while True:
            try:
                job = self._queue.get(timeout=self._idle_seconds)
            except queue.Empty:
                with self._lock:
                    if self._idle > 0:  # more workers wait than jobs: this one may go
                        self._idle -= 1
                        self._live -= 1
                        return
                continue
            job.worker = me  # before the future is running, so `abandon` always finds it
            if job.future.set_running_or_notify_cancel():
                try:
                    result = job.fn(*job.args, **job.kwargs)
                except BaseException as exc:  # handed to the caller, whatever it is
                    job.future.set_exception(exc)
                    del exc
                else:
                    job.future.set_result(result)
                    del result
            del job  # hold no reference to the text while idle
            with self._lock:
                if me.abandoned:
                    self._abandoned -= 1
                    key = id(me.owner)
                    left = self._abandoned_by.pop(key) - 1
                    if left:
                        self._abandoned_by[key] = left
                    me.owner = None
                    return
                self._idle += 1

    def abandon(self, job: Job[Any]) -> bool:
        """Give up on a job: cancel it if it has not started, else leave its worker to finish it
        alone and let a new worker take its place. False if it completed meanwhile."""
        with self._lock:
            if job.future.cancel():
                return True
            if job.future.done():
                return False
            worker = job.worker
            if worker is not None and not worker.abandoned:
                worker.abandoned = True
                worker.owner = job.owner
                key = id(job.owner)
                self._abandoned_by[key] = self._abandoned_by.get(key, 0) + 1
                self._abandoned += 1
                self._live -= 1
            return True

    def result(self, job: Job[T], timeout: float | None) -> T:
        """Wait for a job; after `timeout` seconds abandon it and raise `TimeoutError`."""
        try:
            return job.future.result(timeout)
        except concurrent.futures.TimeoutError:
            if self.abandon(job):
                raise TimeoutError(f"the call took longer than {timeout} s") from None
            return job.future.result()
        except BaseException:  # interrupted while waiting (KeyboardInterrupt)
            if not job.future.done():
                self.abandon(job)
            raise

    async def aresult(self, job: Job[T], timeout: float | None) -> T:
        """`result` for a coroutine: awaits the job without blocking the event loop."""
        waiter = asyncio.wrap_future(job.future)
        try:
            if timeout is None:
                return await waiter
            return await asyncio.wait_for(waiter, timeout)
        except (asyncio.TimeoutError, concurrent.futures.TimeoutError):
            if self.abandon(job):
                raise TimeoutError(f"the call took longer than {timeout} s") from None
            return job.future.result()
        except BaseException:  # the awaiting task was cancelled
            if not job.future.done():
                self.abandon(job)
            raise

    def run(
        self, timeout: float | None, fn: Callable[..., T], /, *args: Any, owner: object = None, **kwargs: Any
    ) -> T:
        return self.result(self.submit(fn, *args, owner=owner, **kwargs), timeout)

    async def arun(
        self, timeout: float | None, fn: Callable[..., T], /, *args: Any, owner: object = None, **kwargs: Any
    ) -> T:
        return await self.aresult(self.submit(fn, *args, owner=owner, **kwargs), timeout)


_default: Runner | None = None
_default_lock = threading.Lock()


def default_runner() -> Runner:
    """The process-wide runner every guard shares (abandoned calls are capped per extractor and,
    in all, per process)."""
    global _default
    runner = _default
    if runner is None:
        with _default_lock:
            if _default is None:
                _default = Runner()
            runner = _default
    return runner


def _after_fork() -> None:  # a forked child has none of the parent's threads
    global _default, _default_lock
    _default = None
    _default_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
