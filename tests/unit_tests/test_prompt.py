"""Prompt building and the parsing of realistic (and broken) model outputs."""

from __future__ import annotations

import json
import re

import pytest

from memprivacy_plugin import ExtractionError, PrivacyLevel
from memprivacy_plugin.extractors.prompt import (
    PROMPT_VERSION,
    OutputParseError,
    PromptTemplate,
    default_instruction,
    output_schema,
    parse_output,
)
from memprivacy_plugin.taxonomy import STANDARD_TYPES

MESSAGE = "我叫张伟，手机号 13800138000，刚确诊二型糖尿病。Email: zhang.wei@fastmail.com"


def test_instruction_covers_the_taxonomy() -> None:
    text = default_instruction()
    for name in STANDARD_TYPES:
        assert name in text
    assert "PL1" in text
    assert "never" in text
    assert "higher level" in text


def test_render_follows_the_memprivacy_input_format() -> None:
    template = PromptTemplate()
    content = template.render('He said "hi"\nbye', user_name="Zhang Wei")
    instruction, block = content.split("\n\nUser's Real Name: ")
    assert instruction == default_instruction()
    assert block.startswith("Zhang Wei\n\nCurrent Input Dialogue:\n")
    dialogue = json.loads(block.split("Current Input Dialogue:\n", 1)[1])
    assert dialogue == {"role": "user", "content": 'He said "hi"\nbye'}
    assert "User's Real Name: Unknown" in template.render("x")
    assert template.messages("x") == [{"role": "user", "content": template.render("x")}]
    assert template.version == PROMPT_VERSION


def test_custom_template() -> None:
    template = PromptTemplate(
        instruction="Find secrets.", input_format="Name={user_name}\n{dialogue}", version="mine"
    )
    assert template.render("x", user_name="A") == 'Find secrets.\n\nName=A\n{"role": "user", "content": "x"}'


def test_schema_bounds() -> None:
    schema = output_schema(max_items=3, max_text_length=20)
    assert schema["type"] == "array"
    assert schema["maxItems"] == 3
    props = schema["items"]["properties"]
    pattern = re.compile(props["original_text"]["pattern"])
    assert pattern.fullmatch("x" * 20)
    assert not pattern.fullmatch("x" * 21)
    assert not pattern.fullmatch("a\tb")  # no raw control characters
    assert not pattern.fullmatch("")
    assert props["privacy_level"]["enum"] == ["PL2", "PL3", "PL4"]
    assert "maxItems" not in output_schema()


def _triples(spans):
    return [(s.text, s.privacy_type, s.level.value) for s in spans]


def test_clean_json() -> None:
    raw = json.dumps(
        [
            {"original_text": "13800138000", "privacy_type": "Phone Number", "privacy_level": "PL2"},
            {"original_text": "二型糖尿病", "privacy_type": "Medical Health", "privacy_level": "PL3"},
        ],
        ensure_ascii=False,
    )
    spans = parse_output(raw, MESSAGE, source="m")
    assert _triples(spans) == [
        ("13800138000", "Phone Number", "PL2"),
        ("二型糖尿病", "Medical Health", "PL3"),
    ]
    assert all(MESSAGE[s.start : s.end] == s.text and s.source == "m" for s in spans)


def test_think_block_and_code_fence() -> None:
    raw = (
        "<think>The user gave a phone number [not JSON]</think>\n"
        "Here you go:\n```json\n"
        '[{"original_text": "13800138000", "privacy_type": "手机号", "privacy_level": "PL2"}]\n```'
    )
    assert _triples(parse_output(raw, MESSAGE)) == [("13800138000", "Phone Number", "PL2")]


def test_unterminated_think_block_is_no_output() -> None:
    with pytest.raises(OutputParseError):
        parse_output("<think>still thinking about 13800138000", MESSAGE)


def test_truncated_array_is_repaired() -> None:
    raw = '[{"original_text": "13800138000", "privacy_type": "Phone Number", "privacy_level": "PL2"}, {"orig'
    assert _triples(parse_output(raw, MESSAGE)) == [("13800138000", "Phone Number", "PL2")]


def test_slightly_malformed_json_is_repaired() -> None:
    raw = "[{'original_text': 'zhang.wei@fastmail.com', 'privacy_type': 'Email', 'privacy_level': 'PL2',},]"
    assert _triples(parse_output(raw, MESSAGE)) == [("zhang.wei@fastmail.com", "Email", "PL2")]


def test_spans_not_in_the_message_are_dropped() -> None:
    raw = json.dumps(
        [
            {"original_text": "13900000000", "privacy_type": "Phone Number", "privacy_level": "PL2"},
            {"original_text": "张伟", "privacy_type": "Real Name", "privacy_level": "PL2"},
        ],
        ensure_ascii=False,
    )
    assert _triples(parse_output(raw, MESSAGE)) == [("张伟", "Real Name", "PL2")]


def test_full_width_output_is_relocated_in_half_width_message() -> None:
    raw = json.dumps(
        [{"original_text": "１３８００１３８０００", "privacy_type": "phone", "privacy_level": "PL2"}]
    )
    spans = parse_output(raw, MESSAGE)
    assert _triples(spans) == [("13800138000", "Phone Number", "PL2")]


def test_chinese_type_labels_and_odd_keys() -> None:
    raw = json.dumps(
        {
            "spans": [
                {"text": "二型糖尿病", "type": "病历", "level": 3},
                {"value": "张伟", "category": "姓名"},
            ]
        },
        ensure_ascii=False,
    )
    assert _triples(parse_output(raw, MESSAGE)) == [
        ("张伟", "Real Name", "PL2"),
        ("二型糖尿病", "Medical Health", "PL3"),
    ]


def test_missing_or_bad_level_falls_back_to_type_then_strictest() -> None:
    raw = json.dumps(
        [
            {"original_text": "13800138000", "privacy_type": "Phone Number", "privacy_level": "high"},
            {"original_text": "二型糖尿病", "privacy_type": "Mystery Kind"},
        ],
        ensure_ascii=False,
    )
    spans = {s.text: s for s in parse_output(raw, MESSAGE)}
    assert spans["13800138000"].level is PrivacyLevel.PL2
    assert spans["二型糖尿病"].level is PrivacyLevel.PL4
    assert spans["二型糖尿病"].privacy_type == "Mystery Kind"


def test_pl1_items_are_never_extracted() -> None:
    raw = json.dumps(
        [{"original_text": "张伟", "privacy_type": "Preference", "privacy_level": "PL1"}], ensure_ascii=False
    )
    assert parse_output(raw, MESSAGE) == []


def test_every_occurrence_is_returned() -> None:
    message = "code 482913, again: 482913"
    raw = '[{"original_text": "482913", "privacy_type": "Verification Code", "privacy_level": "PL4"}]'
    assert [(s.start, s.end) for s in parse_output(raw, message)] == [(5, 11), (20, 26)]


def test_raw_control_characters_in_strings_are_tolerated() -> None:
    raw = '[{"original_text": "13800138000", "privacy_type": "Phone\tNumber", "privacy_level": "PL2"}]'
    assert _triples(parse_output(raw, MESSAGE)) == [("13800138000", "Phone Number", "PL2")]


def test_empty_list_is_no_spans() -> None:
    assert parse_output("[]", MESSAGE) == []
    assert parse_output("```json\n[]\n```", MESSAGE) == []


@pytest.mark.parametrize("raw", ["", "   ", "I cannot help with that.", "42", '"just a string"'])
def test_unreadable_output_fails_closed(raw: str) -> None:
    with pytest.raises(ExtractionError):
        parse_output(raw, MESSAGE)


def test_garbage_items_are_skipped() -> None:
    raw = '[1, "x", null, {"privacy_type": "Email"}, {"original_text": "  "}, {"original_text": "张伟"}]'
    assert _triples(parse_output(raw, MESSAGE)) == [("张伟", "Private Data", "PL4")]
