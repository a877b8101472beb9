"""The extraction cache: an in-memory LRU keyed by a keyed hash of (extractor, user name, text), so
that protecting a conversation history again does not run the model again. Counted in model calls,
never in time."""

from __future__ import annotations

import asyncio
import hashlib
import threading

import pytest
from served_like import ServedLikeModel

from memprivacy_plugin import ConfigError, ExtractionError, InMemoryVault, PrivacyGuard
from memprivacy_plugin.extractors import ExtractionCache, PromptTemplate
from memprivacy_plugin.extractors.prompt import SamplingSettings
from memprivacy_plugin.spans import PrivacySpan

HISTORY = [
    "hi, I'm Dana",
    "my number is 13800138000",
    "and my mail is dana.whitfield@fastmail.com",
    "call 13900139000 after six",
    "thanks!",
]


def test_the_same_text_runs_the_model_once() -> None:
    model = ServedLikeModel()
    first = model.extract(HISTORY[1])
    assert model.conversations == 1
    assert model.extract(HISTORY[1]) == first
    assert asyncio.run(model.aextract(HISTORY[1])) == first
    assert model.extract_batch([HISTORY[1], HISTORY[1]]) == [first, first]
    assert model.conversations == 1
    stats = model.cache.stats()
    assert (stats.hits, stats.misses, stats.entries) == (4, 1, 1)


def test_user_name_and_text_are_part_of_the_key() -> None:
    model = ServedLikeModel()
    model.extract(HISTORY[1])
    model.extract(HISTORY[1], user_name="Dana")
    model.extract(HISTORY[1] + " ")
    assert model.conversations == 3
    model.extract(HISTORY[1], user_name="Dana")
    assert model.conversations == 3


def test_re_protecting_a_growing_history_reads_each_message_once() -> None:
    """What an agent does: before each call, the whole conversation so far is protected again."""
    model = ServedLikeModel()
    guard = PrivacyGuard(extractor=model, vault=InMemoryVault())
    for turn in range(1, len(HISTORY) + 1):
        messages = [{"role": "user", "content": text} for text in HISTORY[:turn]]
        protected = guard.protect_messages(messages, user_id="u1")
        assert "13800138000" not in str(protected)
    assert model.conversations == len(HISTORY)  # not 1 + 2 + 3 + 4 + 5


def test_without_a_cache_every_text_is_read() -> None:
    model = ServedLikeModel(cache=False)
    assert model.cache is None
    batch = model.extract_batch([HISTORY[1], HISTORY[3], HISTORY[1]])
    assert batch[0] == batch[2]
    assert model.conversations == 3
    model.extract(HISTORY[1])
    assert model.conversations == 4


class Flaky(ServedLikeModel):
    """Fails while `down` is set, as a server that is unreachable."""

    down = True

    def _complete(self, conversations):  # type: ignore[no-untyped-def]
        if self.down:
            self.calls += 1
            raise ExtractionError("cannot reach the extraction server")
        return super()._complete(conversations)


def test_failures_are_never_cached() -> None:
    model = Flaky()
    guard = PrivacyGuard(extractor=model, vault=InMemoryVault())
    for _ in range(2):
        with pytest.raises(ExtractionError):
            guard.protect(HISTORY[1], user_id="u1")
    assert model.calls == 2
    assert model.cache.stats().entries == 0
    model.down = False
    assert "13800138000" not in guard.protect(HISTORY[1], user_id="u1").text
    assert guard.protect(HISTORY[1], user_id="u1").text == "my number is <Phone_Number_1>"
    assert model.calls == 3


def test_an_answer_that_never_fits_is_not_cached() -> None:
    model = ServedLikeModel(sampling=SamplingSettings(max_tokens=5))
    for _ in range(2):
        with pytest.raises(ExtractionError):
            model.extract(HISTORY[1])
    assert model.cache.stats().entries == 0
    assert model.conversations == 2


def test_what_changes_the_answer_changes_the_key() -> None:
    shared = ExtractionCache()
    one = ServedLikeModel(cache=shared)
    one.extract(HISTORY[1])
    same = ServedLikeModel(cache=shared)
    same.extract(HISTORY[1])
    assert same.conversations == 0  # same class and settings, same cache: a hit
    for other in (
        ServedLikeModel(cache=shared, template=PromptTemplate(instruction="Find secrets.")),
        ServedLikeModel(cache=shared, sampling=SamplingSettings(temperature=0.0)),
        ServedLikeModel(cache=shared, chunk_size=500),
    ):
        other.extract(HISTORY[1])
        assert other.conversations == 1
    one.template = PromptTemplate(instruction="Something else.")  # settings changed in place
    one.extract(HISTORY[1])
    assert one.conversations == 2


def test_keys_are_keyed_hashes_and_entries_hold_no_text() -> None:
    cache = ExtractionCache()
    model = ServedLikeModel(cache=cache)
    spans = model.extract(HISTORY[2])
    assert spans
    ((key, (entry, _)),) = cache._entries.items()
    assert len(key) == 32
    assert key == cache.key(model.cache_identity(), None, HISTORY[2])
    assert key != ExtractionCache().key(model.cache_identity(), None, HISTORY[2])  # a random key each
    assert key != hashlib.sha256(HISTORY[2].encode()).digest()
    flat = repr(entry)
    assert "dana" not in flat
    assert "13800138000" not in flat
    # a hit is rebuilt on the text it is asked about
    again = cache.get(model.cache_identity(), None, HISTORY[2])
    assert again == spans
    assert all(isinstance(s, PrivacySpan) and HISTORY[2][s.start : s.end] == s.text for s in again)


def test_the_lru_is_bounded_in_entries_and_bytes() -> None:
    cache = ExtractionCache(max_entries=3)
    model = ServedLikeModel(cache=cache)
    texts = [f"call 1380013800{i}" for i in range(5)]
    for text in texts:
        model.extract(text)
    assert len(cache) == 3
    model.extract(texts[4])  # recent: a hit
    assert model.conversations == 5
    model.extract(texts[2])  # the oldest kept
    model.extract(texts[0])  # evicted: the model again
    assert model.conversations == 6
    model.extract(texts[3])  # evicted by texts[0] (texts[2] and [4] were used since)
    assert model.conversations == 7

    small = ExtractionCache(max_bytes=1000)
    model = ServedLikeModel(cache=small)
    for i in range(20):
        model.extract(f"call 1380013800{i % 10} and 1390013900{i % 10}")
    assert small.stats().bytes <= 1000
    assert 0 < len(small) < 10


def test_bad_settings() -> None:
    with pytest.raises(ConfigError):
        ExtractionCache(max_entries=0)
    with pytest.raises(ConfigError):
        ExtractionCache(max_bytes=-1)
    with pytest.raises(ConfigError, match="cache must be"):
        ServedLikeModel(cache="yes")  # type: ignore[arg-type]


def test_threads_share_one_cache() -> None:
    model = ServedLikeModel()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for text in HISTORY * 20:
                model.extract(text)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(HISTORY) <= model.conversations <= 4 * len(HISTORY)
    assert model.cache.stats().entries == len(HISTORY)


def test_token_classification_caches_too() -> None:
    pytest.importorskip("transformers")
    pytest.importorskip("torch")
    from number_tagger import build_number_tagger

    tagger = build_number_tagger()
    calls = 0
    predict = tagger._predict

    def counted(texts):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += len(texts)
        return predict(texts)

    tagger._predict = counted
    first = tagger.extract_batch(HISTORY)
    assert calls == len(HISTORY)  # every text read once
    assert tagger.extract_batch(HISTORY) == first
    assert calls == len(HISTORY)
    assert [s.text for s in first[1]] == ["13800138000"]
    uncached = build_number_tagger(cache=False)
    assert uncached.cache is None
    # another model object of the same class, or other settings: another identity
    assert uncached.cache_identity() != tagger.cache_identity()
    assert tagger.cache_identity() == tagger.cache_identity()
