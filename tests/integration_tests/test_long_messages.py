"""A one-megabyte message neither fails nor leaks: the generative extractor chunks it in a real
tokenizer's tokens (a backend that behaves like a served model, tests/served_like.py), the
token-classification extractor reads it in segments and windows with a real BERT whose weights are
set by hand to tag every number, and a real tiny Qwen3 run by transformers reads a message longer
than its context. The guard's time bound is lifted (`timeout=math.inf`): speed is for benchmarks."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
from number_tagger import build_number_tagger
from served_like import ServedLikeModel

from memprivacy_plugin import InMemoryVault, PrivacyGuard
from memprivacy_plugin.extractors.prompt import SamplingSettings, output_schema

pytest.importorskip("transformers")
pytest.importorskip("torch")

MEGABYTE = 1_000_000
SENTENCES = [
    "We talked about the weather and the garden, then about books.",
    'She said "see you soon" and left.\n',
    "我们聊了天气和花园，然后聊了书。",
    "The meeting moved to Thursday afternoon.",
]


def phone(i: int) -> str:
    return f"1{3 + i % 7}{i:09d}"


def long_message(size: int, every: int = 900) -> tuple[str, list[str]]:
    """About `size` characters of chat with a distinct phone number every `every` characters."""
    parts: list[str] = []
    values: list[str] = []
    length = 0
    i = 0
    while length < size:
        filler = " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(every // 50))
        value = phone(i)
        values.append(value)
        parts.append(f"{filler} Call me on {value}, thanks. ")
        length += len(parts[-1])
        i += 1
    return "".join(parts), values


def no_value_left(text: str, values: list[str]) -> None:
    leaked = [v for v in values if v in text]
    assert not leaked, f"{len(leaked)} of {len(values)} values in clear"
    assert not re.search(r"\d{6,}", text)


@pytest.fixture(scope="module")
def tokenizer(tiny_qwen3: Path) -> Any:
    import transformers

    return transformers.AutoTokenizer.from_pretrained(str(tiny_qwen3))


def test_a_megabyte_through_a_served_model(tokenizer: Any) -> None:
    text, values = long_message(MEGABYTE)
    model = ServedLikeModel(tokenizer=tokenizer, context=4096, sampling=SamplingSettings(max_tokens=768))
    guard = PrivacyGuard(extractor=model, vault=InMemoryVault(), timeout=math.inf)
    result = guard.protect(text, user_id="u1")
    no_value_left(result.text, values)
    assert model.calls == 1  # every chunk in one batch
    assert model.conversations == len(model.windows(text)) > 200
    assert model.longest_prompt + 768 <= 4096  # no chunk overflowed the context
    assert guard.restore(result.text, user_id="u1") == text


def test_a_megabyte_through_a_token_classifier() -> None:
    extractor = build_number_tagger(sentences=SENTENCES)
    text, values = long_message(MEGABYTE)
    guard = PrivacyGuard(extractor=extractor, vault=InMemoryVault(), timeout=math.inf)
    result = guard.protect(text, user_id="u1")
    no_value_left(result.text, values)
    assert guard.restore(result.text, user_id="u1") == text
    # a number across a segment's edge is tagged whole
    from memprivacy_plugin.extractors.token_classification import SEGMENT_CHARS

    for at in (SEGMENT_CHARS - 5, SEGMENT_CHARS - 1, SEGMENT_CHARS + 3):
        edge = "word " * (at // 5) + "13800138000 and more words " * 3
        cut = edge.index("13800138000")
        spans = extractor.extract(edge)
        assert any(s.start <= cut and cut + 11 <= s.end for s in spans), at


def test_a_message_longer_than_a_real_models_context(tiny_qwen3: Path) -> None:
    """The tiny Qwen3 (4,096 positions) with real transformers generation and a constrained
    grammar: a message of several contexts' worth is read chunk by chunk; random weights give
    random spans, so the checks are on structure."""
    from memprivacy_plugin.extractors.transformers import TransformersExtractor

    extractor = TransformersExtractor(
        str(tiny_qwen3),
        device="cpu",
        schema=output_schema(max_items=2, max_text_length=12, max_type_length=16),
        sampling=SamplingSettings(max_tokens=96),
        batch_size=4,
    )
    size, _ = extractor.chunk_settings()
    assert size < 4096 - 96
    text, _ = long_message(30_000)
    windows = extractor.windows(text)
    assert len(windows) >= 3
    spans = extractor.extract(text)
    for span in spans:
        assert text[span.start : span.end] == span.text
