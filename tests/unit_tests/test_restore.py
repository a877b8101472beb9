"""One-pass restore with a lookup, and the streaming restorer."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memprivacy_plugin.restore import StreamingRestorer, placeholder_keys, restore_text

VALUES = {
    "phone_number_1": "+1 415 867 5309",
    "email_2": "jean@example.org",
    "account_id_username_12": "jbd_1947",
    # A value that itself looks like a placeholder of a known key: must not be restored again.
    "real_name_3": "<Phone_Number_1>",
}


class CountingLookup:
    """A dict lookup that records every call."""

    def __init__(self, values: Mapping[str, str] = VALUES) -> None:
        self.values = dict(values)
        self.calls: list[set[str]] = []

    def __call__(self, keys: Collection[str]) -> Mapping[str, str]:
        self.calls.append(set(keys))
        return {k: self.values[k] for k in keys if k in self.values}


# -- restore_text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "<Phone_Number_1>",
        "<phone_number_1>",
        "<PHONE_NUMBER_1>",
        "< Phone_Number_1 >",
        "<Phone Number 1>",
        "<Phone-Number-1>",
        "\\<Phone\\_Number\\_1\\>",
        "&lt;Phone_Number_1&gt;",
        "&LT;Phone_Number_1&GT;",
    ],
)
def test_tolerant_forms_are_restored(token: str) -> None:
    assert restore_text(f"Call {token} today.", CountingLookup()) == "Call +1 415 867 5309 today."


def test_markdown_wrapping_is_kept_around_the_value() -> None:
    assert restore_text("**<Phone_Number_1>**", CountingLookup()) == "**+1 415 867 5309**"


def test_several_placeholders() -> None:
    text = "<Email_2>, <Account_ID_Username_12> and <email_2>."
    assert restore_text(text, CountingLookup()) == "jean@example.org, jbd_1947 and jean@example.org."


def test_unknown_keys_left_exactly_as_is() -> None:
    text = "Mine: < Phone_Number_9 >, yours: \\<Email\\_7\\>, and <Email_2>."
    expected = "Mine: < Phone_Number_9 >, yours: \\<Email\\_7\\>, and jean@example.org."
    assert restore_text(text, CountingLookup()) == expected


def test_nothing_known_returns_the_same_text() -> None:
    text = "only <Other_User_1> here"
    assert restore_text(text, CountingLookup()) == text


def test_restored_value_is_not_restored_again() -> None:
    assert restore_text("name: <Real_Name_3>", CountingLookup()) == "name: <Phone_Number_1>"


def test_lookup_called_once_with_the_set_of_keys() -> None:
    lookup = CountingLookup()
    restore_text("<Email_2> <email_2> <Phone Number 1> <Unknown_4> <Email_2>", lookup)
    assert lookup.calls == [{"email_2", "phone_number_1", "unknown_4"}]


@pytest.mark.parametrize(
    "text", ["", "no placeholder at all", "x < 3 and y > 2", "<h1>title</h1>", "a &amp; b"]
)
def test_no_lookup_without_placeholders(text: str) -> None:
    lookup = CountingLookup()
    assert restore_text(text, lookup) == text
    assert lookup.calls == []


def test_placeholder_keys() -> None:
    assert placeholder_keys("<Email_2> and &lt;phone number 1&gt; and <h1>") == {"email_2", "phone_number_1"}
    assert placeholder_keys("nothing") == set()


# -- streaming -----------------------------------------------------------------------------------

STREAM_TEXTS = [
    "Call <Phone_Number_1> or mail <Email_2>.",
    "Escaped \\<Phone\\_Number\\_1\\> and entity &lt;Email_2&gt; and spaced < Account_ID_Username_12 >.",
    "**<Phone_Number_1>**<Email_2><Unknown_5> x < 3 & y > 2 <Real_Name_3>",
    "&LT;Email_2&GT; and &amp; then \\ backslash <Email_",
    "<<Email_2>> <<<Phone Number 1>",
]


def stream(text: str, cuts: list[int], lookup: CountingLookup | None = None) -> str:
    restorer = StreamingRestorer(lookup or CountingLookup())
    out, prev = [], 0
    for cut in [*sorted(cuts), len(text)]:
        out.append(restorer.feed(text[prev:cut]))
        prev = cut
    out.append(restorer.flush())
    return "".join(out)


@pytest.mark.parametrize("text", STREAM_TEXTS)
def test_stream_split_at_every_position(text: str) -> None:
    expected = restore_text(text, CountingLookup())
    for i in range(len(text) + 1):
        assert stream(text, [i]) == expected, i


@pytest.mark.parametrize("text", STREAM_TEXTS)
def test_stream_char_by_char(text: str) -> None:
    assert stream(text, list(range(len(text)))) == restore_text(text, CountingLookup())


@pytest.mark.parametrize(
    ("head", "tail"),
    [
        ("value &l", "t;Email_2&gt; end"),
        ("value &lt", ";Email_2&gt; end"),
        ("value &lt;", "Email_2&gt; end"),
        ("value &lt; ", "Email_2 &gt; end"),
        ("value &lt;Email_2&", "gt; end"),
        ("value &lt;Email_2&gt", "; end"),
        ("value \\", "<Phone\\_Number\\_1\\> end"),
        ("value \\<Phone\\", "_Number\\_1\\> end"),
        ("value \\<Phone\\_Number\\_1\\", "> end"),
        ("value <", "Email_2> end"),
        ("value < ", " Email_2 > end"),
    ],
)
def test_stream_split_inside_escaped_forms(head: str, tail: str) -> None:
    text = head + tail
    expected = restore_text(text, CountingLookup())
    assert "jean@example.org" in expected or "+1 415 867 5309" in expected
    assert stream(text, [len(head)]) == expected


def test_stream_releases_text_that_cannot_be_a_placeholder() -> None:
    restorer = StreamingRestorer(CountingLookup())
    assert restorer.feed("Hello there, ") == "Hello there, "
    assert restorer.feed("call <Phone_Nu") == "call "
    assert restorer.feed("mber_1> now") == "+1 415 867 5309 now"
    assert restorer.flush() == ""


def test_stream_with_comparisons_does_not_hold_back_much() -> None:
    restorer = StreamingRestorer(CountingLookup())
    released = restorer.feed("a < b ") + restorer.feed("x" * 500)
    assert len(released) >= 506 - 200
    assert released + restorer.flush() == "a < b " + "x" * 500


def test_stream_char_by_char_comparisons_bounded() -> None:
    restorer = StreamingRestorer(CountingLookup())
    text = "if a < b and c < d then " * 40
    released = "".join(restorer.feed(ch) for ch in text)
    assert len(text) - len(released) <= 200
    assert released + restorer.flush() == text


def test_flush_releases_the_held_tail() -> None:
    restorer = StreamingRestorer(CountingLookup())
    assert restorer.feed("see <Phone_Number_1") == "see "
    assert restorer.flush() == "<Phone_Number_1"
    assert restorer.flush() == ""


def test_flush_restores_a_complete_held_placeholder() -> None:
    restorer = StreamingRestorer(CountingLookup())
    assert restorer.feed("x &lt;Email_2&gt") == "x "
    assert restorer.flush() == "&lt;Email_2&gt"  # the closer never came: not a placeholder
    restorer = StreamingRestorer(CountingLookup())
    assert restorer.feed("x \\<Email\\_2\\") == "x "
    assert restorer.flush() == "\\<Email\\_2\\"


def test_stream_long_adversarial_input_is_bounded() -> None:
    restorer = StreamingRestorer(CountingLookup())
    text = "<" + "a_" * 5000
    released = "".join(restorer.feed(text[i : i + 7]) for i in range(0, len(text), 7))
    assert len(text) - len(released) <= 200
    assert released + restorer.flush() == text


_PIECES = [
    "<Phone_Number_1>",
    "<Email_2>",
    "&lt;Email_2&gt;",
    "\\<Phone\\_Number\\_1\\>",
    "< Account_ID_Username_12 >",
    "<Real_Name_3>",
    "<Unknown_4>",
    "&LT;Email_2&GT;",
    "<Phone Number 1>",
    "<",
    ">",
    "&",
    "&lt;",
    "&gt;",
    "\\",
    "_",
    " ",
    "1",
    "a",
    "Email",
    "x < 3",
    "**",
    "\n",
    "é",
]


@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(_PIECES) | st.text(max_size=4), max_size=14),
    cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=8),
)
def test_streaming_equals_whole_restore(pieces: list[str], cuts: list[int]) -> None:
    text = "".join(pieces)
    cuts = [c for c in cuts if c <= len(text)]
    assert stream(text, cuts) == restore_text(text, CountingLookup())


def test_a_backslash_of_the_text_itself_is_kept() -> None:
    values = {"email_1": "a@b.co"}
    assert restore_text("\\<Email_1>", lambda keys: values) == "\\a@b.co"  # the text's own backslash
    assert restore_text("\\<Email\\_1\\>", lambda keys: values) == "a@b.co"  # markdown escaping
