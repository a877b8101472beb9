"""Long messages in overlapping chunks: the window plan (every short run lies whole in a window),
the merge of the chunks' spans, and the generative extractor's chunking and retries on answers that
did not fit, against a backend that behaves like a served model (tests/served_like.py)."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time

import pytest
from served_like import ServedLikeModel

from memprivacy_plugin import (
    ConfigError,
    EnsembleExtractor,
    ExtractionError,
    InMemoryVault,
    PrivacyGuard,
    PrivacyLevel,
    RuleExtractor,
)
from memprivacy_plugin.extractors._bounds import work_units
from memprivacy_plugin.extractors._chunks import (
    count_windows,
    json_escaped,
    merge_chunks,
    plan_windows,
    shift,
    split_window,
    token_offsets,
)
from memprivacy_plugin.extractors.generative import TruncatedOutputError
from memprivacy_plugin.extractors.prompt import SamplingSettings
from memprivacy_plugin.spans import PrivacySpan

# -- the plan -------------------------------------------------------------------------------------


def whole_in_a_window(windows: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in windows)


@pytest.mark.parametrize("seed", range(40))
def test_every_run_of_overlap_plus_one_units_lies_whole_in_a_window(seed: int) -> None:
    rng = random.Random(seed)
    size = rng.randint(2, 60)
    overlap = rng.randint(0, size - 1)
    length = rng.randint(0, 400)
    windows = plan_windows(length, size, overlap)
    assert windows[0][0] == 0
    assert windows[-1][1] == length
    assert all(e - s <= size for s, e in windows)
    assert all(a[0] < b[0] <= a[1] for a, b in itertools.pairwise(windows))
    for start in range(length):
        for end in range(start + 1, min(length, start + overlap + 1) + 1):
            assert whole_in_a_window(windows, start, end), (size, overlap, length, start, end)


@pytest.mark.parametrize("seed", range(20))
def test_the_plan_in_tokens(seed: int) -> None:
    """Tokens of 1 to 5 characters with gaps: a run of tokens lies whole in one window."""
    rng = random.Random(seed)
    offsets, pos = [], 0
    for _ in range(rng.randint(1, 300)):
        pos += rng.randint(0, 2)
        width = rng.randint(1, 5)
        offsets.append((pos, pos + width))
        pos += width
    length = pos + rng.randint(0, 3)
    size = rng.randint(2, 40)
    overlap = rng.randint(0, size - 1)
    windows = plan_windows(length, size, overlap, offsets)
    assert windows[0][0] == 0
    assert windows[-1][1] == length
    for first in range(len(offsets)):
        for last in range(first, min(len(offsets), first + overlap + 1)):
            assert whole_in_a_window(windows, offsets[first][0], offsets[last][1])


def test_a_text_that_fits_is_one_window() -> None:
    assert plan_windows(10, 10, 2) == [(0, 10)]
    assert plan_windows(0, 10, 2) == [(0, 0)]
    assert plan_windows(500, 10, 2, [(0, 250), (250, 500)]) == [(0, 500)]
    with pytest.raises(ValueError, match="overlap"):
        plan_windows(10, 4, 4)


def test_split_window() -> None:
    left, right = split_window((100, 200), 20)
    assert left[0] == 100
    assert right[1] == 200
    assert left[1] - right[0] == 20  # the halves share 20 characters
    assert split_window((0, 20), 8) == []  # too short to split
    assert split_window((0, 90), 1000)[0][1] - split_window((0, 90), 1000)[1][0] == 30  # a third at most


def test_json_escaped_maps_back() -> None:
    text = 'He said "hi"\nthen\t\\ left\x01 中文'
    escaped, index = json_escaped(text)
    assert escaped == json.dumps(text, ensure_ascii=False)[1:-1]
    assert index is not None
    assert len(index) == len(escaped)
    assert json_escaped("plain 中文") == ("plain 中文", None)


def span(text: str, start: int, end: int, level: str = "PL2", kind: str = "Phone Number") -> PrivacySpan:
    return PrivacySpan(text=text[start:end], start=start, end=end, privacy_type=kind, level=level)


def test_merge_chunks_dedupes_and_unions() -> None:
    text = "call 13800138000 or 13800138000, bye"
    # chunk A saw the first number whole and the start of the second; chunk B the second whole
    a = [span(text, 5, 16), span(text, 20, 26)]
    b = [span(text, 20, 31)]
    merged = merge_chunks(text, [a, b])
    assert [(s.start, s.end) for s in merged] == [(5, 16), (20, 31)]
    # a value found in one chunk is marked wherever it occurs, unless positions are all that count
    only_first = merge_chunks(text, [[span(text, 5, 16)], []])
    assert [(s.start, s.end) for s in only_first] == [(5, 16), (20, 31)]
    positional = merge_chunks(text, [[span(text, 5, 16)], []], everywhere=False)
    assert [(s.start, s.end) for s in positional] == [(5, 16)]
    # the strongest reading wins
    strong = merge_chunks(text, [[span(text, 5, 16)], [span(text, 20, 31, "PL4", "Secret")]])
    assert {s.level for s in strong} == {PrivacyLevel.PL4}


def test_shift() -> None:
    chunk = "x 13800138000"
    (moved,) = shift([span(chunk, 2, 13)], 100)
    assert (moved.start, moved.end, moved.text) == (102, 113, "13800138000")


# -- the generative extractor, counting characters -----------------------------------------------

FILLER = "We talked about the weather and the garden, then about books. "


def phone(i: int) -> str:
    return f"13{i % 10}{i:08d}"


def planted(n: int, gap: int = 3) -> tuple[str, list[str]]:
    values = [phone(i) for i in range(n)]
    parts = []
    for i, value in enumerate(values):
        parts.append(FILLER * gap)
        parts.append(
            f"My number is {value}. " if i % 2 else f"Write to user{i}@mail.example.com or {value}.\n"
        )
    return "".join(parts) + FILLER, values


def test_a_long_message_is_chunked_and_nothing_leaks() -> None:
    text, values = planted(30)
    model = ServedLikeModel(chunk_size=300, chunk_overlap=40)
    windows = model.windows(text)
    assert len(windows) > 10
    guard = PrivacyGuard(extractor=model, vault=InMemoryVault())
    result = guard.protect(text, user_id="u1")
    for value in values:
        assert value not in result.text
    assert "@mail.example.com" not in result.text
    assert guard.restore(result.text, user_id="u1") == text
    assert model.conversations == len(windows)
    assert model.calls == 1  # every chunk in one batch


def test_a_value_across_a_chunk_edge_is_found_whole() -> None:
    model = ServedLikeModel(chunk_size=100, chunk_overlap=20, fragments=True)
    for shift_by in range(0, 100, 7):  # move the number across the first edge
        text = "x" * (70 + shift_by) + " 13800138000 " + "y " * 80
        spans = model.extract(text)
        start = text.index("13800138000")
        assert any(s.start <= start and start + 11 <= s.end for s in spans), shift_by
        assert all(s.text == text[s.start : s.end] for s in spans)


def test_sync_async_and_batch_agree() -> None:
    texts = [planted(12)[0], "call 13912345678", "", planted(5, gap=1)[0]]
    model = ServedLikeModel(chunk_size=250, chunk_overlap=30)
    batch = model.extract_batch(texts)
    assert batch == [model.extract(t) for t in texts]
    assert asyncio.run(model.aextract_batch(texts)) == batch
    assert asyncio.run(model.aextract(texts[0])) == batch[0]


def test_an_answer_that_did_not_fit_is_split_and_retried() -> None:
    text, values = planted(8, gap=1)
    # max_tokens (characters here) fits the answer for a quarter of the message, not for all of it
    model = ServedLikeModel(sampling=SamplingSettings(max_tokens=400), chunk_size=4000)
    spans = model.extract(text)
    found = {s.text for s in spans}
    assert set(values) <= found
    assert model.calls > 1  # the first answer was cut off, its halves went again
    # without retries, or with a piece too short to split, it fails closed
    with pytest.raises(TruncatedOutputError, match="token limit"):
        ServedLikeModel(sampling=SamplingSettings(max_tokens=140), truncation_retries=0).extract(text)
    with pytest.raises(TruncatedOutputError):
        ServedLikeModel(sampling=SamplingSettings(max_tokens=5)).extract("call 13800138000")


def test_a_cut_off_answer_that_says_stop_is_retried_too() -> None:
    class StopsEarly(ServedLikeModel):
        def _one(self, conversation):  # type: ignore[no-untyped-def]
            done = super()._one(conversation)
            items = json.loads(done.text)
            if len(items) > 2:  # the JSON is cut, but the server says it stopped on its own
                return type(done)(done.text[: len(done.text) // 2], "stop")
            return done

    text = FILLER.join(["a 13800138000", "b 13900139000", "c 13700137000", "d 13600136000"])
    model = StopsEarly()
    assert {s.text for s in model.extract(text)} == {
        "13800138000",
        "13900139000",
        "13700137000",
        "13600136000",
    }
    assert model.calls > 1


def test_chunk_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match="chunk_size"):
        ServedLikeModel(chunk_size=4)
    with pytest.raises(ConfigError, match="chunk_overlap"):
        ServedLikeModel(chunk_size=100, chunk_overlap=50)
    with pytest.raises(ConfigError, match="truncation_retries"):
        ServedLikeModel(truncation_retries=-1)
    assert ServedLikeModel().chunk_settings() == (2000, 250)  # characters, when no tokenizer


# -- counting tokens, within the model's context --------------------------------------------------


@pytest.fixture(scope="module")
def tokenizer(tiny_qwen3):  # type: ignore[no-untyped-def]
    transformers = pytest.importorskip("transformers")
    return transformers.AutoTokenizer.from_pretrained(str(tiny_qwen3))


def test_chunks_fit_the_context_with_the_prompt_and_the_answer(tokenizer) -> None:  # type: ignore[no-untyped-def]
    text, values = planted(40)
    text = text.replace(". ", '."\n"', 50)  # quotes and newlines: escaped, they take more tokens
    model = ServedLikeModel(tokenizer=tokenizer, context=4096, sampling=SamplingSettings(max_tokens=512))
    size, overlap = model.chunk_settings()
    prompt = model._prompt_tokens(tokenizer)
    assert size == min(1024, 4096 - prompt - 512 - 64)
    assert overlap == size // 8
    windows = model.windows(text)
    assert len(windows) > 1
    for start, end in windows:
        assert len(token_offsets(tokenizer, text[start:end], escaped=True)) <= size + 2
    found = {s.text for s in model.extract(text)}  # the served-like model refuses prompts too long
    assert set(values) <= found
    assert model.longest_prompt + 512 <= 4096


def test_a_context_with_no_room_is_a_config_error(tokenizer) -> None:  # type: ignore[no-untyped-def]
    model = ServedLikeModel(tokenizer=tokenizer, context=1024)
    with pytest.raises(ConfigError, match="leaves no room"):
        model.extract("hello")
    guard = PrivacyGuard(extractor=model, vault=InMemoryVault())
    with pytest.raises(ExtractionError):
        guard.protect("hello 13800138000", user_id="u1")


# -- the guard's time bound grows with the chunks -------------------------------------------------


@pytest.mark.parametrize("seed", range(10))
def test_count_windows_and_work_units(seed: int) -> None:
    rng = random.Random(seed)
    size = rng.randint(2, 80)
    overlap = rng.randint(0, size - 1)
    for units in (0, 1, size, size + 1, rng.randint(0, 2000)):
        assert count_windows(units, size, overlap) == len(plan_windows(units, size, overlap))
    text, _ = planted(rng.randint(1, 20))
    model = ServedLikeModel(chunk_size=size * 10 + 16, chunk_overlap=overlap)
    assert model.work_units(text) == len(model.windows(text))


def test_work_units_in_tokens_is_never_below_the_chunks(tokenizer) -> None:  # type: ignore[no-untyped-def]
    text, _ = planted(40)
    model = ServedLikeModel(tokenizer=tokenizer, chunk_size=200, chunk_overlap=20)
    assert model.work_units(text) >= len(model.windows(text)) > 1
    assert model.work_units("short") == 1


class SlowModel(ServedLikeModel):
    """Each chunk takes a little while, as a model does."""

    def _one(self, conversation):  # type: ignore[no-untyped-def]
        time.sleep(0.01)
        return super()._one(conversation)


def test_the_guard_bound_is_per_chunk() -> None:
    """A bound of 0.1 s per call would cut off a message of 20-odd chunks of 10 ms each; the
    guard multiplies it by the chunks (`work_units`), as it does for the texts of a batch."""
    text, values = planted(20, gap=1)
    model = SlowModel(chunk_size=100, chunk_overlap=10)
    assert model.work_units(text) > 20
    for extractor in (model, EnsembleExtractor([RuleExtractor(), model])):
        guard = PrivacyGuard(extractor=extractor, vault=InMemoryVault(), timeout=0.1)
        assert work_units(extractor, [text]) == model.work_units(text)
        result = guard.protect(text, user_id="u1")
        assert not any(v in result.text for v in values)
        result = asyncio.run(guard.aprotect(text, user_id="u2"))
        assert not any(v in result.text for v in values)
        (batch,) = guard.protect_batch([text], user_id="u3")
        assert not any(v in batch.text for v in values)


def test_chunk_settings_follow_the_settings_they_depend_on(tokenizer) -> None:  # type: ignore[no-untyped-def]
    model = ServedLikeModel(tokenizer=tokenizer, context=4096, sampling=SamplingSettings(max_tokens=512))
    roomy = model.chunk_settings()[0]
    model.sampling = SamplingSettings(max_tokens=1500)
    assert model.chunk_settings()[0] < roomy  # a longer answer leaves less room for the message
    model.chunk_size = 100
    assert model.chunk_settings() == (100, 12)
