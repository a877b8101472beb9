"""An item cut off at the end of a model's output (`{"original_text": "138001`) never becomes a span
as it stands: each place its beginning occurs is extended to the end of the token it stops in, and
the answer is reported as truncated (`read_output`). Checked at every cut point of real outputs."""

from __future__ import annotations

import json

import pytest

from memprivacy_plugin import PrivacyLevel
from memprivacy_plugin.extractors.prompt import OutputParseError, parse_output, read_output

MESSAGE = (
    "我叫张伟，手机号 13800138000，刚确诊二型糖尿病。Email: zhang.wei@fastmail.com; "
    "my salary is $187,500, call +1 415 867 5309. Born 2013800 days ago."
)
# The values of MESSAGE a model lists, each one token of the message (its "word").
VALUES = [
    ("张伟", "Real Name", "PL2"),
    ("13800138000", "Phone Number", "PL2"),
    ("二型糖尿病", "Medical Health", "PL3"),
    ("zhang.wei@fastmail.com", "Email", "PL2"),
    ("$187,500", "Assets/Income", "PL3"),
    ("+1 415 867 5309", "Phone Number", "PL2"),
]


def render(ascii_only: bool, quote: str = '"') -> str:
    items = [{"original_text": v, "privacy_type": t, "privacy_level": lv} for v, t, lv in VALUES]
    raw = json.dumps(items, ensure_ascii=ascii_only)
    return raw if quote == '"' else raw.replace('"', quote)


def covered(spans: list, start: int, end: int) -> int:
    return sum(1 for i in range(start, end) if any(s.start <= i < s.end for s in spans))


def place(value: str) -> tuple[int, int]:
    start = MESSAGE.index(value)
    return start, start + len(value)


def test_the_issue_example() -> None:
    parsed = read_output('[{"original_text": "138001', MESSAGE)
    assert parsed.truncated
    assert parsed.cut_item
    (span,) = parsed.spans
    assert (span.text, span.level) == ("13800138000", PrivacyLevel.PL4)
    assert parse_output('[{"original_text": "138001', MESSAGE) == parsed.spans


@pytest.mark.parametrize(("ascii_only", "quote"), [(False, '"'), (True, '"'), (False, "'")])
def test_no_cut_point_leaves_part_of_a_value_in_clear(ascii_only: bool, quote: str) -> None:
    """Cut the output after every character: each value whose text the output began is protected
    whole (the one being cut included); the others may be untouched. A short cut beginning may
    also cover parts of other values ("1" starts "187,500" too): more protection, never less."""
    raw = render(ascii_only, quote)
    for cut in range(len(raw) + 1):
        try:
            parsed = read_output(raw[:cut], MESSAGE)
        except OutputParseError:
            assert cut < 3  # nothing readable yet
            continue
        assert parsed.truncated is (cut < len(raw)), cut
        for value, _, _ in VALUES:
            encoded = json.dumps(value, ensure_ascii=ascii_only)[1:-1]
            text_at = raw.index(f"{quote}original_text{quote}: {quote}{encoded}") + len("original_text") + 5
            first = len(json.dumps(value[0], ensure_ascii=ascii_only)) - 2
            if cut >= text_at + first:  # its first character is out
                start, end = place(value)
                assert covered(parsed.spans, start, end) == end - start, (cut, value)


def test_a_cut_value_keeps_the_level_and_type_it_was_given() -> None:
    raw = '[{"privacy_level": "PL3", "privacy_type": "Medical Health", "original_text": "二型'
    (span,) = parse_output(raw, MESSAGE)
    assert (span.text, span.privacy_type, span.level) == ("二型糖尿病", "Medical Health", PrivacyLevel.PL3)
    # given nothing else, the strictest level
    (span,) = parse_output('[{"original_text": "zhang.w', MESSAGE)
    assert (span.text, span.privacy_type, span.level) == (
        "zhang.wei@fastmail.com",
        "Private Data",
        PrivacyLevel.PL4,
    )


def test_a_beginning_inside_a_word_of_its_kind_is_not_the_value() -> None:
    # "138" also occurs inside "2013800": that one does not start a number
    spans = parse_output('[{"original_text": "138', MESSAGE)
    assert [s.text for s in spans] == ["13800138000"]
    # with no other occurrence, it is taken all the same (fail closed)
    spans = parse_output('[{"original_text": "0138', "year 2013800")
    assert [s.text for s in spans] == ["013800"]


@pytest.mark.parametrize(
    "raw",
    [
        '[{"original_text": "138\\u00',  # a \\u escape cut short
        '[{"original_text": "138\\',  # a dangling backslash
        '[{"original_text": "13800\\u',
    ],
)
def test_cut_escapes_are_dropped_not_searched(raw: str) -> None:
    assert [s.text for s in parse_output(raw, MESSAGE)] == ["13800138000"]


def test_a_cut_surrogate_pair_is_dropped() -> None:
    message = "my handle is 😀dana99, ok"
    raw = '[{"original_text": "\\ud83d\\ude00dana'
    assert [s.text for s in parse_output(raw, message)] == ["😀dana99"]
    raw = '[{"original_text": "x\\ud83d'  # the high half alone
    assert parse_output(raw, "x1 and x2") == [] or all(
        s.text in ("x1", "x2") for s in parse_output(raw, "x1 and x2")
    )


def test_cuts_outside_a_value_leave_no_partial_span() -> None:
    # inside a key, inside the type, between items: the items before are whole, nothing partial
    for raw in (
        '[{"original_text": "13800138000", "privacy_type": "Phone Number", "privacy_level": "PL2"}, {"orig',
        '[{"original_text": "13800138000", "privacy_type": "Pho',
        '[{"original_text": "13800138000", ',
        '[{"original_text": "13800138000"}, ',
        '[{"original_text": ',
    ):
        parsed = read_output(raw, MESSAGE)
        assert parsed.truncated
        assert not parsed.cut_item
        assert [s.text for s in parsed.spans] in ([], ["13800138000"])


def test_complete_answers_are_not_truncated() -> None:
    whole = json.dumps([{"original_text": "张伟", "privacy_type": "Real Name", "privacy_level": "PL2"}])
    for raw in (
        whole,
        f"```json\n{whole}\n```",
        f"<think>hmm [</think>{whole}",
        f"{whole}\nThat's all I found: {{not json",  # prose after the closed array, quotes and all
        f"Here it is: {whole}",
    ):
        parsed = read_output(raw, MESSAGE)
        assert not parsed.truncated, raw
        assert [s.text for s in parsed.spans] == ["张伟"]


def test_a_cut_inside_a_fence_or_after_thinking() -> None:
    parsed = read_output('<think>ok</think>\n```json\n[{"original_text": "+1 415 8', MESSAGE)
    assert parsed.truncated
    assert [s.text for s in parsed.spans] == ["+1 415 867 5309"]
    parsed = read_output('{"spans": [{"text": "1380', MESSAGE)
    assert [s.text for s in parsed.spans] == ["13800138000"]


def test_a_description_cut_between_its_words_is_extended_to_its_clause() -> None:
    message = "I work as a graduate teaching assistant at the college, and my sister works as a nurse. Bye"
    (span,) = parse_output('[{"original_text": "graduate teach', message)
    assert span.text == "graduate teaching assistant at the college"
    # a beginning found at several places: each to the end of its token only
    spans = parse_output('[{"original_text": "my', "my mum and my dad")
    assert [s.text for s in spans] == ["my", "my"]
    # a sentence's end stops it, a period inside a token does not
    (span,) = parse_output('[{"original_text": "e.g. the tr', "See e.g. the trip to Oslo. Then home")
    assert span.text == "e.g. the trip to Oslo"
    # and it reaches so far at most
    long = "my diagnosis " + "word " * 100
    (span,) = parse_output('[{"original_text": "my diag', long)
    assert len(span.text) <= len("my diag") + 120 + 4
