"""Fixtures shared across test folders."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_qwen3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight Qwen3 chat model with its own BPE tokenizer, built once per session."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from testing_models import build_tiny_qwen3

    return build_tiny_qwen3(tmp_path_factory.mktemp("models") / "tiny-qwen3")


def _cpu_seconds(run: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return best


@pytest.fixture(scope="session")
def growth() -> Callable[[Callable[[str], object], Callable[[int], str], int], float]:
    """How the CPU time of `work(make(n))` grows from n to 10n, per tenfold size step: about 1 for
    linear work, about 10 for quadratic. Tests bound it generously (say 4); speed itself is for
    benchmarks/, not tests. CPU time of this process, best of three, so load on other cores does
    not count."""

    def measure(work: Callable[[str], object], make: Callable[[int], str], size: int) -> float:
        small, large = make(size), make(size * 10)
        work(small)  # warm caches
        return _cpu_seconds(lambda: work(large)) / max(_cpu_seconds(lambda: work(small)), 1e-4) / 10

    return measure
