"""TransformersExtractor with a real (tiny, random-weight) Qwen3 model, real transformers generate
and real xgrammar constrained decoding. Random weights give random content; the assertions are on
structure: valid JSON, verified spans, batching, truncation and fail-closed behaviour."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("xgrammar")

from memprivacy_plugin import EnsembleExtractor, ExtractionError, InMemoryVault, PrivacyGuard, RuleExtractor
from memprivacy_plugin.extractors.generative import TruncatedOutputError
from memprivacy_plugin.extractors.prompt import SamplingSettings, output_schema
from memprivacy_plugin.extractors.transformers import TransformersExtractor

MESSAGES = ["Call me at 13800138000 please", "my code is 482913", "我的手机号是13800138000", "hello there"]
SCHEMA = output_schema(max_items=3, max_text_length=12, max_type_length=16)


@pytest.fixture(scope="module")
def extractor(tiny_qwen3: Path) -> TransformersExtractor:
    return TransformersExtractor(
        str(tiny_qwen3), device="cpu", schema=SCHEMA, sampling=SamplingSettings(max_tokens=160, seed=0)
    )


def test_prompt_uses_the_chat_template_with_thinking_disabled(extractor: TransformersExtractor) -> None:
    prompt = extractor._prompt(extractor.conversation("hi", user_name="Dana"))
    assert prompt.startswith("<|im_start|>user\n")
    assert prompt.endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")
    assert "User's Real Name: Dana" in prompt


def test_constrained_output_is_schema_valid_json(extractor: TransformersExtractor) -> None:
    completions = extractor._complete([extractor.conversation(m) for m in MESSAGES])
    assert len(completions) == len(MESSAGES)
    for completion in completions:
        assert completion.finish_reason == "stop"
        data = json.loads(completion.text)
        assert isinstance(data, list)
        assert len(data) <= 3
        for item in data:
            assert set(item) == {"original_text", "privacy_type", "privacy_level"}
            assert item["privacy_level"] in {"PL2", "PL3", "PL4"}
            assert len(item["original_text"]) <= 12


def test_spans_are_verified_against_the_message(extractor: TransformersExtractor) -> None:
    for message, spans in zip(MESSAGES, extractor.extract_batch(MESSAGES), strict=True):
        for span in spans:  # random text rarely occurs in the message; whatever survives is real
            assert message[span.start : span.end] == span.text
            assert span.source == "transformers"


def test_truncation_fails_closed(tiny_qwen3: Path) -> None:
    short = TransformersExtractor(
        str(tiny_qwen3), device="cpu", schema=SCHEMA, sampling=SamplingSettings(max_tokens=5)
    )
    with pytest.raises(TruncatedOutputError):
        short.extract(MESSAGES[0])
    guard = PrivacyGuard(extractor=short, vault=InMemoryVault())
    with pytest.raises(ExtractionError, match="token limit"):
        guard.protect(MESSAGES[0], user_id="u1")


def test_in_an_ensemble_behind_the_guard(extractor: TransformersExtractor) -> None:
    guard = PrivacyGuard(extractor=EnsembleExtractor([RuleExtractor(), extractor]), vault=InMemoryVault())
    result = guard.protect(MESSAGES[0], user_id="u1")
    assert "13800138000" not in result.text
    assert guard.restore(result.text, user_id="u1") == MESSAGES[0]
