"""Time bounds on extraction: every path is bounded, a hung extractor never wedges the guard, the
asyncio default executor or the process, and each kind of extractor runs where it should.

No wall-clock assertions: the extractors below block on events and record where and how often
they ran, so each test asserts what happened, not how long it took.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import math
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import pytest

from memprivacy_plugin import (
    ConfigError,
    EnsembleExtractor,
    ExtractionError,
    InMemoryVault,
    PrivacyGuard,
    PrivacySpan,
    RuleExtractor,
    _runner,
)
from memprivacy_plugin._runner import INLINE_LIMIT, Runner, WorkersExhausted
from memprivacy_plugin.extractors.known import KnownValuesExtractor

PHONE = "+1 415 867 5309"
KNOWN = KnownValuesExtractor({PHONE: "Phone Number"})


class Hanging:
    """Blocks every text containing "hang" until released (30 s at most); finds PHONE elsewhere.
    Records the threads it ran on and how many calls started and finished."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.started = 0
        self.finished = 0
        self.threads: list[str] = []

    def _enter(self) -> None:
        with self.lock:
            self.started += 1
            self.threads.append(threading.current_thread().name)

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        self._enter()
        if "hang" in text:
            self.release.wait(30)
        with self.lock:
            self.finished += 1
        return KNOWN.extract(text)

    def extract_batch(self, texts: list[str], *, user_name: str | None = None) -> list[list[PrivacySpan]]:
        return [self.extract(t) for t in texts]


class HangingNoBatch(Hanging):
    extract_batch = None  # type: ignore[assignment]  # the guard falls back to extract per text


@pytest.fixture
def hanging() -> Iterator[Hanging]:
    extractor = Hanging()
    yield extractor
    extractor.release.set()  # let abandoned workers finish and exit


def test_hung_calls_do_not_wedge_later_calls(hanging: Hanging) -> None:
    guard = PrivacyGuard(extractor=hanging, vault=InMemoryVault(), timeout=0.1)
    for _ in range(6):  # more than any fixed pool of workers
        with pytest.raises(ExtractionError, match="timed out"):
            guard.protect("please hang", user_id="u1")
    assert hanging.finished == 0  # every one of them is still running
    assert (
        guard.protect(f"hello world, call {PHONE}", user_id="u1").text == "hello world, call <Phone_Number_1>"
    )


@pytest.mark.parametrize("extractor_class", [Hanging, HangingNoBatch])
def test_every_batch_path_is_bounded(extractor_class: type[Hanging]) -> None:
    hanging = extractor_class()
    guard = PrivacyGuard(extractor=hanging, vault=InMemoryVault(), timeout=0.1)
    texts = [f"call {PHONE}", "please hang"]
    calls = [
        lambda: guard.protect_batch(texts, user_id="u1"),
        lambda: guard.protect_data({"a": texts}, user_id="u1"),
        lambda: guard.protect_messages([{"role": "user", "content": t} for t in texts], user_id="u1"),
        lambda: asyncio.run(guard.aprotect_batch(texts, user_id="u1")),
        lambda: asyncio.run(guard.aprotect_data({"a": texts}, user_id="u1")),
    ]
    try:
        for call in calls:
            with pytest.raises(ExtractionError, match="timed out"):
                call()
        assert hanging.finished < hanging.started
        assert guard.vault.entries("u1") == []
    finally:
        hanging.release.set()


def test_a_batch_may_take_the_bound_times_its_size(hanging: Hanging) -> None:
    started = threading.Event()
    seen: list[float | None] = []
    real = _runner.Runner.run

    def spy(self: Runner, timeout: float | None, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(timeout)
        started.set()
        return real(self, timeout, fn, *args, **kwargs)

    guard = PrivacyGuard(extractor=hanging, vault=InMemoryVault(), timeout=2.5)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_runner.Runner, "run", spy)
        guard.protect_batch(["a", "b", "  ", "c"], user_id="u1")  # the blank text is not extracted
    assert seen == [7.5]


def test_the_fallback_gets_the_batch_when_the_main_extractor_times_out(hanging: Hanging) -> None:
    guard = PrivacyGuard(extractor=hanging, vault=InMemoryVault(), timeout=0.1, fallback=KNOWN)
    out = guard.protect_batch([f"call {PHONE}", "please hang"], user_id="u1")
    assert [r.text for r in out] == ["call <Phone_Number_1>", "please hang"]


def test_aprotect_never_uses_the_default_executor(hanging: Hanging) -> None:
    guard = PrivacyGuard(extractor=hanging, vault=InMemoryVault(), timeout=0.1)

    async def run() -> str:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=1))
        for _ in range(3):
            with pytest.raises(ExtractionError, match="timed out"):
                await guard.aprotect("please hang", user_id="u1")
        # The single default-executor thread is free: it answers (the wait_for is only a guard
        # against hanging the test suite, not a speed assertion).
        assert await asyncio.wait_for(loop.run_in_executor(None, lambda: 42), 20) == 42
        protected = await guard.aprotect(f"call {PHONE}", user_id="u1")
        return await guard.arestore(protected.text, user_id="u1")

    assert asyncio.run(run()) == f"call {PHONE}"
    assert all(name.startswith("memprivacy-extract") for name in hanging.threads)


class Linear(Hanging):
    linear_time = True


def test_linear_time_extractors_run_inline_up_to_the_limit() -> None:
    linear = Linear()
    guard = PrivacyGuard(extractor=linear, vault=InMemoryVault())
    here = threading.current_thread().name
    guard.protect(f"call {PHONE}", user_id="u1")
    asyncio.run(guard.aprotect(f"call {PHONE}", user_id="u1"))
    guard.protect_batch([f"call {PHONE}", "x"], user_id="u1")
    assert linear.threads == [here] * 4  # no thread hop, sync or async
    guard.protect("x" * (INLINE_LIMIT + 1), user_id="u1")  # long: on a bounded worker
    assert linear.threads[-1].startswith("memprivacy-extract")


def test_sync_extractors_run_on_the_guards_workers(hanging: Hanging) -> None:
    guard = PrivacyGuard(extractor=hanging, vault=InMemoryVault())
    guard.protect(f"call {PHONE}", user_id="u1")
    asyncio.run(guard.aprotect(f"call {PHONE}", user_id="u1"))
    assert len(hanging.threads) == 2
    assert all(name.startswith("memprivacy-extract") for name in hanging.threads)


class NativeAsync:
    """An async extractor whose aextract hangs on "hang" and records being cancelled."""

    def __init__(self) -> None:
        self.cancelled = 0
        self.sync_calls = 0

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        self.sync_calls += 1
        return KNOWN.extract(text)

    async def aextract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        if "hang" in text:
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.cancelled += 1
                raise
        return KNOWN.extract(text)


def test_native_async_extractors_are_awaited_and_cancelled_on_timeout() -> None:
    native = NativeAsync()
    guard = PrivacyGuard(extractor=native, vault=InMemoryVault(), timeout=0.1)
    with pytest.raises(ExtractionError, match="timed out"):
        asyncio.run(guard.aprotect("please hang", user_id="u1"))
    assert native.cancelled == 1
    assert asyncio.run(guard.aprotect(f"call {PHONE}", user_id="u1")).text == "call <Phone_Number_1>"
    assert [r.text for r in asyncio.run(guard.aprotect_batch([f"call {PHONE}", "x"], user_id="u1"))] == [
        "call <Phone_Number_1>",
        "x",
    ]
    assert native.sync_calls == 0


def test_too_many_abandoned_workers_fail_at_once(hanging: Hanging, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_runner, "_default", Runner(max_abandoned=2))
    guard = PrivacyGuard(extractor=hanging, vault=InMemoryVault(), timeout=0.1)
    for _ in range(2):
        with pytest.raises(ExtractionError, match="timed out"):
            guard.protect("please hang", user_id="u1")
    for call in (
        lambda: guard.protect(f"call {PHONE}", user_id="u1"),
        lambda: asyncio.run(guard.aprotect(f"call {PHONE}", user_id="u1")),
    ):
        with pytest.raises(ExtractionError, match="not started"):
            call()
    assert hanging.started == 2  # refused before any worker ran the extractor again


def test_runner_replaces_a_hung_worker_and_recovers_after_it_returns() -> None:
    runner = Runner(max_workers=1, max_abandoned=2)
    release = threading.Event()
    finished: list[str] = []

    def hang() -> str:
        release.wait(30)
        finished.append("late")
        return "late"

    with pytest.raises(TimeoutError):
        runner.result(runner.submit(hang), 0.05)
    assert runner.abandoned == 1
    # One worker at most, and that one is stuck: this call runs on its replacement.
    assert runner.run(5, lambda: "fresh") == "fresh"
    with pytest.raises(TimeoutError):
        runner.result(runner.submit(hang), 0.05)
    assert runner.abandoned == 2  # the cap: no worker is started any more
    with pytest.raises(WorkersExhausted):
        runner.submit(lambda: "refused")
    release.set()
    for _ in range(3000):  # abandoned workers exit right after their call returns
        if runner.abandoned == 0:
            break
        threading.Event().wait(0.01)
    assert finished == ["late", "late"]
    assert runner.abandoned == 0
    assert runner.run(5, lambda: "again") == "again"


def test_a_job_that_never_started_is_cancelled_not_abandoned() -> None:
    runner = Runner(max_workers=1)
    release = threading.Event()
    first = runner.submit(release.wait, 30)
    queued = runner.submit(lambda: "never")
    with pytest.raises(TimeoutError):
        runner.result(queued, 0.05)
    assert queued.future.cancelled()
    assert runner.abandoned == 0
    release.set()
    assert runner.result(first, 30) is True


def test_the_process_can_exit_while_an_extraction_hangs(tmp_path: Path) -> None:
    script = tmp_path / "hang.py"
    script.write_text(
        textwrap.dedent(
            """
            import threading
            from memprivacy_plugin import ExtractionError, InMemoryVault, PrivacyGuard

            class Forever:
                def extract(self, text, *, user_name=None):
                    threading.Event().wait()  # never returns
                    return []

            guard = PrivacyGuard(extractor=Forever(), vault=InMemoryVault(), timeout=0.2)
            try:
                guard.protect("hello", user_id="u1")
            except ExtractionError:
                print("failed closed")
            """
        )
    )
    # A liveness check: with a non-daemon worker the interpreter would wait for it forever.
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "failed closed"


class Declares:
    default_timeout = 7.0

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        return []


def test_default_timeout_comes_from_the_extractor_or_the_global_default() -> None:
    vault = InMemoryVault()
    assert PrivacyGuard(extractor=Declares(), vault=vault)._timeout_for(Declares()) == 7.0
    assert PrivacyGuard(extractor=KNOWN, vault=vault)._timeout_for(Hanging()) == _runner.DEFAULT_TIMEOUT
    assert PrivacyGuard(extractor=KNOWN, vault=vault, timeout=2)._timeout_for(Declares()) == 2
    assert PrivacyGuard(extractor=KNOWN, vault=vault, timeout=math.inf)._timeout_for(Declares()) is None
    for bad in (0, -1, math.nan, True, "5"):
        with pytest.raises(ConfigError, match="timeout"):
            PrivacyGuard(extractor=KNOWN, vault=vault, timeout=bad)  # type: ignore[arg-type]


def test_no_bound_runs_a_sync_extractor_on_the_calling_thread(hanging: Hanging) -> None:
    guard = PrivacyGuard(extractor=hanging, vault=InMemoryVault(), timeout=math.inf)
    guard.protect(f"call {PHONE}", user_id="u1")
    assert hanging.threads == [threading.current_thread().name]


def test_model_extractors_declare_their_bounds() -> None:
    from memprivacy_plugin.extractors.generative import GenerativeExtractor

    assert _runner.declared_timeout(GenerativeExtractor) == 120.0
    assert _runner.is_async_native(GenerativeExtractor()) is False
    openai_server = pytest.importorskip("memprivacy_plugin.extractors.openai_server")
    assert _runner.is_async_native(openai_server.OpenAICompatibleExtractor) is True


def test_ensemble_reads_its_members() -> None:
    linear = EnsembleExtractor([KNOWN, Linear()])
    assert linear.linear_time is True
    mixed = EnsembleExtractor([KNOWN, Declares(), Declares()])
    assert mixed.linear_time is False
    assert mixed.default_timeout == 14.0
    assert mixed.async_native is False
    assert EnsembleExtractor([KNOWN, Hanging()]).default_timeout is None
    native = EnsembleExtractor([KNOWN, NativeAsync()])
    assert native.async_native is True
    guard = PrivacyGuard(extractor=native, vault=InMemoryVault(), timeout=0.1)
    with pytest.raises(ExtractionError, match="timed out"):
        asyncio.run(guard.aprotect("please hang", user_id="u1"))


# -- linear_time speaks only for the extract it was declared with ---------------------------------


_RELEASE = [threading.Event()]  # the slow extractors below block until the test sets it


def _hang() -> list[PrivacySpan]:
    _RELEASE[0].wait(30)
    return []


@pytest.fixture
def release() -> Iterator[threading.Event]:
    _RELEASE[0] = threading.Event()
    yield _RELEASE[0]
    _RELEASE[0].set()  # let abandoned workers finish and exit


class SlowRules(RuleExtractor):
    """Overrides `extract` without declaring `linear_time`: inherits the flag, not the promise."""

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        return _hang()


class SlowKnown(KnownValuesExtractor):
    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        return _hang()


class SlowEnsemble(EnsembleExtractor):
    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        return _hang()

    def extract_batch(self, texts: Sequence[str], *, user_name: str | None = None) -> list[list[PrivacySpan]]:
        return [_hang() for _ in texts]


class SlowBatchRules(RuleExtractor):
    """Overrides only `extract_batch`: the batch path is not covered by the base's declaration."""

    def extract_batch(self, texts: Sequence[str], *, user_name: str | None = None) -> list[list[PrivacySpan]]:
        return [_hang() for _ in texts]


class DeclaredRules(RuleExtractor):
    """Overrides `extract` and declares `linear_time` itself: trusted, run inline."""

    linear_time = True
    threads: ClassVar[list[str]] = []

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        self.threads.append(threading.current_thread().name)
        return super().extract(text, user_name=user_name)


def _slow_extractors() -> list[object]:
    return [
        SlowRules(),
        SlowKnown({PHONE: "Phone Number"}),
        SlowEnsemble([KNOWN]),
        EnsembleExtractor([KNOWN, SlowRules()]),  # a slow member makes the ensemble not linear
    ]


@pytest.mark.parametrize("slow", _slow_extractors(), ids=lambda e: type(e).__name__)
@pytest.mark.usefixtures("release")
def test_a_subclass_overriding_extract_is_bounded(slow: object) -> None:
    assert SlowRules().linear_time is True  # the instance still carries its base's flag
    assert _runner.is_linear_time(slow) is False
    guard = PrivacyGuard(extractor=slow, vault=InMemoryVault(), timeout=0.1)  # type: ignore[arg-type]
    for call in (
        lambda: guard.protect("hello", user_id="u1"),
        lambda: asyncio.run(guard.aprotect("hello", user_id="u1")),
        lambda: guard.protect_batch(["hello", "world"], user_id="u1"),
    ):
        with pytest.raises(ExtractionError, match="timed out"):
            call()


@pytest.mark.usefixtures("release")
def test_an_override_of_extract_batch_or_on_the_instance_is_bounded() -> None:
    batch = SlowBatchRules()
    assert _runner.is_linear_time(batch) is False
    on_instance = KnownValuesExtractor({PHONE: "Phone Number"})
    on_instance.extract = lambda text, *, user_name=None: _hang()  # type: ignore[method-assign]
    assert _runner.is_linear_time(on_instance) is False
    with pytest.raises(ExtractionError, match="timed out"):
        PrivacyGuard(extractor=batch, vault=InMemoryVault(), timeout=0.1).protect_batch(["a"], user_id="u1")
    with pytest.raises(ExtractionError, match="timed out"):
        PrivacyGuard(extractor=on_instance, vault=InMemoryVault(), timeout=0.1).protect("a", user_id="u1")


def test_a_subclass_that_declares_linear_time_itself_runs_inline() -> None:
    assert _runner.is_linear_time(DeclaredRules()) is True
    assert _runner.is_linear_time(EnsembleExtractor([DeclaredRules(), KNOWN])) is True
    assert _runner.is_linear_time(RuleExtractor(extra=[])) is True
    guard = PrivacyGuard(extractor=DeclaredRules(), vault=InMemoryVault())
    guard.protect(f"call {PHONE}", user_id="u1")
    assert DeclaredRules.threads == [threading.current_thread().name]


# -- abandoned calls are capped per extractor, threads per process --------------------------------


def test_a_hung_extractor_exhausts_only_its_own_allowance(
    hanging: Hanging, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = Runner()
    monkeypatch.setattr(_runner, "_default", runner)
    stuck = PrivacyGuard(extractor=hanging, vault=InMemoryVault(), timeout=0.05)
    outcomes: list[str] = []
    for _ in range(40):
        with pytest.raises(ExtractionError) as info:
            stuck.protect("please hang", user_id="u1")
        outcomes.append("timed out" if "timed out" in str(info.value) else "not started")
    assert outcomes == ["timed out"] * _runner.MAX_ABANDONED + ["not started"] * (40 - _runner.MAX_ABANDONED)
    assert runner.abandoned_by(hanging) == _runner.MAX_ABANDONED
    # Another guard, the default rule extractor, a text long enough to need a worker: it runs.
    other = PrivacyGuard(vault=InMemoryVault())
    long_text = "x " * INLINE_LIMIT + f"call {PHONE}"
    assert other.protect(long_text, user_id="u2").text.endswith("call <Phone_Number_1>")
    # The stuck extractor itself is refused at once, so a fallback behind it takes over.
    with_fallback = PrivacyGuard(extractor=hanging, vault=InMemoryVault(), fallback=KNOWN, timeout=0.05)
    assert with_fallback.protect(f"call {PHONE}", user_id="u1").text == "call <Phone_Number_1>"


def test_threads_are_capped_per_process() -> None:
    runner = Runner(max_workers=2, max_abandoned=3, max_threads=10)  # 10 - 2*2: 6 abandoned in all
    release = threading.Event()
    owners = [object() for _ in range(3)]
    refused: list[str] = []
    try:
        for owner in owners:
            for _ in range(3):
                try:
                    job = runner.submit(release.wait, 30, owner=owner)
                except WorkersExhausted as exc:
                    refused.append(str(exc))
                    continue
                with pytest.raises(TimeoutError):
                    runner.result(job, 0.05)
                assert runner.live + runner.abandoned <= 10
        assert [runner.abandoned_by(o) for o in owners] == [3, 3, 0]
        assert len(refused) == 3
        assert all("in this process" in r for r in refused)
    finally:
        release.set()
