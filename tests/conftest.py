"""Fixtures shared across test folders."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_qwen3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight Qwen3 chat model with its own BPE tokenizer, built once per session."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from memprivacy_plugin.testing_models import build_tiny_qwen3

    return build_tiny_qwen3(tmp_path_factory.mktemp("models") / "tiny-qwen3")
