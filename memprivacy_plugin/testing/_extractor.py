"""Contract tests for extractors: subclass `ExtractorContractTests` and provide an `extractor` fixture.

What the guard relies on from any extractor, whatever finds the spans (rules, a local model, a
served one): a list of `PrivacySpan` whose offsets point at exactly their text, nothing for empty
or blank text, the same answer twice and from several threads at once, batch and async forms that
agree with `extract`, and no failure on the Unicode people really send. `examples` lists
(message, value) pairs the extractor must find; override it for an extractor with other targets,
or set it to `()` for one that finds nothing on its own (a known-values list).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

from ..extractors.base import Extractor, aextract_with, extract_batch_with
from ..spans import PrivacySpan

__all__ = ["ExtractorContractTests"]

# Text a privacy layer meets in real messages: CJK, emoji and joiners, right-to-left text and
# marks, combining accents, full-width forms, zero-width characters, odd spaces and line breaks.
UNICODE_SAMPLES = (
    "我的手机号是13800138000，明天联系",
    "family 👨\u200d👩\u200d👧 trip, call +1 415 867 5309 ☎️",
    "\u05e9\u05dc\u05d5\u05dd \u200fmy mail is dana.whitfield@fastmail.com\u200e ok",
    "Zoë's café, naïve résumé, ｆｕｌｌ－ｗｉｄｔｈ ４１５",
    "a\u200bb\u00a0c\u2003d\u2028e\r\nf\tg",
    "",
    " \n\t ",
)


class ExtractorContractTests:
    """Inherit this in a `Test...` class whose `extractor` fixture returns the extractor."""

    #: (message, value) pairs the extractor must find (the value inside some span's text).
    examples: ClassVar[Sequence[tuple[str, str]]] = (
        ("call me on +1 415 867 5309 tomorrow", "+1 415 867 5309"),
        ("my email is dana.whitfield@fastmail.com", "dana.whitfield@fastmail.com"),
    )

    @staticmethod
    def check_spans(text: str, spans: object) -> list[PrivacySpan]:
        """Spans of `text` as the guard needs them; returns them typed."""
        assert isinstance(spans, list), f"extract must return a list, not {type(spans).__name__}"
        for span in spans:
            assert isinstance(span, PrivacySpan), f"not a PrivacySpan: {type(span).__name__}"
            assert 0 <= span.start < span.end <= len(text), "span offsets outside the text"
            assert text[span.start : span.end] == span.text, "span text differs from the text at its offsets"
        return spans

    def test_is_an_extractor(self, extractor: Extractor) -> None:
        assert isinstance(extractor, Extractor)

    def test_nothing_in_empty_or_blank_text(self, extractor: Extractor) -> None:
        for text in ("", " ", "\n\t "):
            assert extractor.extract(text) == []

    def test_finds_the_examples(self, extractor: Extractor) -> None:
        for i, (text, value) in enumerate(self.examples):
            spans = self.check_spans(text, extractor.extract(text))
            assert any(value in s.text for s in spans), f"example {i} not found"  # never the value

    def test_spans_point_at_their_text_in_any_unicode(self, extractor: Extractor) -> None:
        for text in UNICODE_SAMPLES:
            self.check_spans(text, extractor.extract(text))

    def test_same_answer_twice(self, extractor: Extractor) -> None:
        for text, _ in self.examples:
            assert extractor.extract(text) == extractor.extract(text)

    def test_user_name_is_accepted(self, extractor: Extractor) -> None:
        text = "Dana here, call me on +1 415 867 5309"
        self.check_spans(text, extractor.extract(text, user_name="Dana"))

    def test_batch_agrees_with_extract(self, extractor: Extractor) -> None:
        texts = [t for t, _ in self.examples] + list(UNICODE_SAMPLES)
        assert extract_batch_with(extractor, texts) == [extractor.extract(t) for t in texts]

    def test_async_agrees_with_extract(self, extractor: Extractor) -> None:
        async def both() -> list[list[PrivacySpan]]:
            return list(await asyncio.gather(*(aextract_with(extractor, t) for t, _ in self.examples)))

        assert asyncio.run(both()) == [extractor.extract(t) for t, _ in self.examples]

    def test_threads_get_the_same_answer(self, extractor: Extractor) -> None:
        texts = [t for t, _ in self.examples] * 8
        with ThreadPoolExecutor(max_workers=4) as pool:
            concurrent = list(pool.map(extractor.extract, texts))
        assert concurrent == [extractor.extract(t) for t in texts]
