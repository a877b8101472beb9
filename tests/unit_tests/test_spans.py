"""PrivacySpan validation, locating spans in a message, resolving and merging them."""

from __future__ import annotations

import itertools

import pytest
from pydantic import ValidationError

from memprivacy_plugin.spans import PrivacySpan, locate, merge_spans, resolve_span, resolve_spans
from memprivacy_plugin.taxonomy import PrivacyLevel


def span(
    text: str,
    start: int,
    end: int,
    level: str = "PL2",
    privacy_type: str = "Phone Number",
    score: float = 1.0,
    source: str = "",
) -> PrivacySpan:
    return PrivacySpan(
        text=text, start=start, end=end, privacy_type=privacy_type, level=level, score=score, source=source
    )


# -- validation ----------------------------------------------------------------------------------


def test_valid_span_and_level_coercion() -> None:
    s = span("13812345678", 3, 14, level="pl2")
    assert s.level is PrivacyLevel.PL2
    assert len(s) == 11
    assert span("x", 0, 1, level=4).level is PrivacyLevel.PL4  # type: ignore[arg-type]


@pytest.mark.parametrize(("start", "end"), [(5, 5), (6, 5), (0, 0)])
def test_end_must_be_after_start(start: int, end: int) -> None:
    with pytest.raises(ValidationError):
        span("abc", start, end)


@pytest.mark.parametrize("score", [-0.01, 1.01, 2.0])
def test_score_out_of_bounds_rejected(score: float) -> None:
    with pytest.raises(ValidationError):
        span("abc", 0, 3, score=score)


@pytest.mark.parametrize("score", [0.0, 1.0, 0.5])
def test_score_bounds_inclusive(score: float) -> None:
    assert span("abc", 0, 3, score=score).score == score


@pytest.mark.parametrize(
    "kwargs",
    [
        {"start": -1},
        {"text": ""},
        {"privacy_type": ""},
        {"level": "PL7"},
        {"unexpected": "field"},
    ],
)
def test_invalid_fields_rejected(kwargs: dict[str, object]) -> None:
    base: dict[str, object] = {"text": "abc", "start": 0, "end": 3, "privacy_type": "Email", "level": "PL2"}
    with pytest.raises(ValidationError):
        PrivacySpan(**{**base, **kwargs})


def test_repr_and_str_hide_the_value() -> None:
    s = span("hunter2-secret", 0, 14, level="PL4", privacy_type="Password")
    assert "hunter2-secret" not in repr(s)
    assert "hunter2-secret" not in str(s)
    assert "Password" in repr(s)


def test_span_is_frozen() -> None:
    s = span("abc", 0, 3)
    with pytest.raises(ValidationError):
        s.start = 1  # type: ignore[misc]
    with pytest.raises(ValidationError):
        s.text = "xyz"  # type: ignore[misc]
    assert s.start == 0 and s.text == "abc"  # noqa: PT018


def test_overlaps() -> None:
    a = span("abcde", 0, 5)
    assert a.overlaps(span("efg", 4, 7))
    assert not a.overlaps(span("fg", 5, 7))  # adjacent is not overlapping
    assert span("c", 2, 3).overlaps(a)


# -- locate --------------------------------------------------------------------------------------


def test_locate_exact_multiple_occurrences() -> None:
    message = "call 555-0100 or 555-0100 again"
    assert locate(message, "555-0100") == [(5, 13), (17, 25)]


def test_locate_not_found_and_empty() -> None:
    assert locate("nothing here", "555-0100") == []
    assert locate("nothing here", "") == []
    assert locate("nothing here", "\u200b") == []


def test_locate_full_width_message_half_width_needle() -> None:
    message = "电话１３８００１３８０００谢谢"
    found = locate(message, "13800138000")
    assert found == [(2, 13)]
    assert message[2:13] == "１３８００１３８０００"


def test_locate_half_width_message_full_width_needle() -> None:
    message = "电话13800138000谢谢"
    assert locate(message, "１３８００１３８０００") == [(2, 13)]


def test_locate_short_full_width_needle() -> None:
    assert locate("x １３８ y", "138") == [(2, 5)]
    assert locate("x 138 y", "１３８") == [(2, 5)]


def test_locate_zero_width_inside_message() -> None:
    message = "pin 12\u200b34 ok"
    assert locate(message, "1234") == [(4, 9)]
    assert message[4:9] == "12\u200b34"


def test_locate_zero_width_inside_needle() -> None:
    assert locate("pin 1234 ok", "12\u200b34") == [(4, 8)]


def test_locate_whitespace_differences() -> None:
    message = "I am John   Smith,\nand John\tSmith"
    assert locate(message, "John Smith") == [(5, 17), (23, 33)]
    assert locate("I am John Smith", "  John   Smith ") == [(5, 15)]


def test_locate_case_differences() -> None:
    message = "Mail ALICE@Example.COM now"
    assert locate(message, "alice@example.com") == [(5, 22)]


def test_locate_exact_wins_over_normalised() -> None:
    # An exact occurrence exists, so the normalised (case-insensitive) one is not reported.
    assert locate("abc ABC", "ABC") == [(4, 7)]


# -- resolve_span --------------------------------------------------------------------------------


def test_resolve_keeps_correct_offsets() -> None:
    message = "my phone is 555-0100"
    s = span("555-0100", 12, 20)
    assert resolve_span(message, s) == [s]


def test_resolve_relocates_wrong_offsets() -> None:
    message = "my phone is 555-0100, call 555-0100"
    s = span("555-0100", 0, 8, privacy_type="Phone Number", score=0.7, source="model")
    resolved = resolve_span(message, s)
    assert [(r.start, r.end) for r in resolved] == [(12, 20), (27, 35)]
    for r in resolved:
        assert message[r.start : r.end] == "555-0100"
        assert (r.privacy_type, r.level, r.score) == ("Phone Number", PrivacyLevel.PL2, 0.7)
        assert r.source == "model"


def test_resolve_relocates_offsets_past_the_end() -> None:
    message = "id 42"
    assert [(r.start, r.end) for r in resolve_span(message, span("42", 10, 12))] == [(3, 5)]


def test_resolve_relocated_text_is_read_from_message() -> None:
    message = "phone １３８００１３８０００"
    (r,) = resolve_span(message, span("13800138000", 0, 11))
    assert (r.start, r.end, r.text) == (6, 17, "１３８００１３８０００")


def test_resolve_drops_absent_text() -> None:
    assert resolve_span("hello world", span("555-0100", 0, 8)) == []


def test_resolve_spans_merges() -> None:
    message = "card 4111 1111 1111 1111 ok"
    spans = [
        span("4111 1111", 5, 14, level="PL3", privacy_type="Financial Account"),
        span("1111 1111 1111", 10, 24, level="PL3", privacy_type="Financial Account"),
        span("not there", 0, 9),
    ]
    (merged,) = resolve_spans(message, spans)
    assert (merged.start, merged.end, merged.text) == (5, 24, "4111 1111 1111 1111")


# -- merge_spans ---------------------------------------------------------------------------------

MSG = "0123456789abcdefghij"


def mk(start: int, end: int, level: str = "PL2", privacy_type: str = "T", score: float = 1.0) -> PrivacySpan:
    return span(MSG[start:end], start, end, level=level, privacy_type=privacy_type, score=score)


def test_merge_overlap_higher_level_wins() -> None:
    (m,) = merge_spans([mk(0, 8, "PL2", "Long"), mk(5, 10, "PL4", "Secret")], MSG)
    assert (m.start, m.end, m.text) == (0, 10, "0123456789")
    assert (m.privacy_type, m.level) == ("Secret", PrivacyLevel.PL4)


def test_merge_same_level_longer_wins() -> None:
    (m,) = merge_spans([mk(2, 5, "PL3", "Short"), mk(4, 12, "PL3", "Long")], MSG)
    assert (m.start, m.end) == (2, 12)
    assert m.privacy_type == "Long"


def test_merge_same_level_same_length_higher_score_wins() -> None:
    (m,) = merge_spans([mk(0, 4, "PL3", "Low", 0.4), mk(2, 6, "PL3", "High", 0.9)], MSG)
    assert (m.start, m.end, m.privacy_type, m.score) == (0, 6, "High", 0.9)


def test_merge_full_tie_earlier_wins() -> None:
    (m,) = merge_spans([mk(2, 6, "PL3", "Later"), mk(0, 4, "PL3", "Earlier")], MSG)
    assert (m.start, m.end, m.privacy_type) == (0, 6, "Earlier")


def test_merge_adjacent_spans_stay_separate() -> None:
    a, b = mk(0, 5), mk(5, 8)
    assert merge_spans([b, a], MSG) == [a, b]


def test_merge_nested() -> None:
    (m,) = merge_spans([mk(0, 10, "PL2", "Outer"), mk(3, 5, "PL4", "Inner")], MSG)
    assert (m.start, m.end, m.text) == (0, 10, "0123456789")
    assert (m.privacy_type, m.level) == ("Inner", PrivacyLevel.PL4)
    (m,) = merge_spans([mk(0, 10, "PL3", "Outer"), mk(3, 5, "PL3", "Inner")], MSG)
    assert (m.start, m.end, m.privacy_type) == (0, 10, "Outer")


def test_merge_chain_of_overlaps() -> None:
    # 0-4 overlaps 3-7, 3-7 overlaps 6-9, but 0-4 and 6-9 do not touch: still one union.
    (m,) = merge_spans([mk(6, 9, "PL3", "C"), mk(0, 4, "PL2", "A"), mk(3, 7, "PL2", "B")], MSG)
    assert (m.start, m.end, m.text, m.privacy_type) == (0, 9, "012345678", "C")


def test_merge_output_sorted_and_disjoint() -> None:
    spans = [mk(15, 18), mk(0, 3), mk(10, 13), mk(2, 5), mk(12, 16), mk(7, 8)]
    merged = merge_spans(spans, MSG)
    assert [(m.start, m.end) for m in merged] == [(0, 5), (7, 8), (10, 18)]
    for left, right in itertools.pairwise(merged):
        assert left.end <= right.start
    for m in merged:
        assert m.text == MSG[m.start : m.end]


def test_merge_single_and_empty() -> None:
    assert merge_spans([]) == []
    s = mk(3, 6)
    assert merge_spans([s], MSG) == [s]


def test_merge_without_message_stitches_text() -> None:
    (m,) = merge_spans([span("abcd", 0, 4), span("cdef", 2, 6)])
    assert (m.start, m.end, m.text) == (0, 6, "abcdef")


def test_merge_union_text_read_from_message() -> None:
    message = "name: Jean-Baptiste Dubois."
    (m,) = merge_spans(
        [
            span("Jean-Baptiste", 6, 19, privacy_type="Real Name"),
            span("Baptiste Dubois", 11, 26, privacy_type="Real Name"),
        ],
        message,
    )
    assert (m.start, m.end, m.text) == (6, 26, "Jean-Baptiste Dubois")
