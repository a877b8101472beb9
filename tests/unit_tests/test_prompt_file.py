"""`PromptTemplate.from_file`: a whole prompt in the MemPrivacy authors' published format
(`{real_name}`, `{input_dialogue_content}`, literal braces doubled), written here by the test."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from memprivacy_plugin import ConfigError, InMemoryVault, PrivacyGuard
from memprivacy_plugin.extractors import GenerativeExtractor
from memprivacy_plugin.extractors.generative import Completion, Conversation
from memprivacy_plugin.extractors.prompt import PROMPT_VERSION, PromptTemplate

# The shape of an authors' prompt: instruction, a JSON example with doubled braces, then the two
# fields. The wording is ours; only the format matters.
AUTHORS_STYLE = """You are a privacy detector. List private spans of the user's message.
Answer with a JSON array such as [{{"original_text": "...", "privacy_type": "...", "privacy_level": "PL3"}}].
Write {{}} for an empty set of braces and [] for nothing found.

User's Real Name: {real_name}

Current Input Dialogue:
{input_dialogue_content}
"""


def write(tmp_path: Path, text: str, name: str = "prompt.txt", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_authors_format_renders_their_fields(tmp_path: Path) -> None:
    template = PromptTemplate.from_file(write(tmp_path, AUTHORS_STYLE))
    rendered = template.render('I said "hi" {real_name} {{x}}', user_name="Zhang Wei")
    head, dialogue = rendered.split("Current Input Dialogue:\n")
    # doubled braces become literal ones; the instruction is the file's, with nothing before it
    assert head.startswith("You are a privacy detector.")
    assert '[{"original_text": "...", "privacy_type": "...", "privacy_level": "PL3"}]' in head
    assert "Write {} for an empty set" in head
    assert "User's Real Name: Zhang Wei\n\n" in head
    # the message is the JSON object, its braces untouched; the file's final newline is dropped
    assert json.loads(dialogue) == {"role": "user", "content": 'I said "hi" {real_name} {{x}}'}
    assert not rendered.endswith("\n")
    assert "User's Real Name: Unknown" in template.render("x")
    assert template.messages("x") == [{"role": "user", "content": template.render("x")}]


def test_our_own_field_names_work_too(tmp_path: Path) -> None:
    template = PromptTemplate.from_file(write(tmp_path, "Find secrets.\nName={user_name}\n{dialogue}\n"))
    assert template.render("x", user_name="A") == 'Find secrets.\nName=A\n{"role": "user", "content": "x"}'
    both = PromptTemplate.from_file(write(tmp_path, "{real_name}/{user_name}: {dialogue}", "b.txt"))
    assert both.render("x", user_name="A") == 'A/A: {"role": "user", "content": "x"}'


def test_version_names_the_file_and_changes_with_its_text(tmp_path: Path) -> None:
    one = PromptTemplate.from_file(write(tmp_path, AUTHORS_STYLE))
    same = PromptTemplate.from_file(write(tmp_path, AUTHORS_STYLE.replace("\n", "\r\n"), "p2.txt"))
    other = PromptTemplate.from_file(write(tmp_path, AUTHORS_STYLE.replace("detector", "finder")))
    assert one.version.startswith("file:prompt.txt:sha256:")
    assert one.version != other.version
    assert one.version != PROMPT_VERSION
    assert same.render("x") == one.render("x").replace("\n", "\r\n")
    assert (
        PromptTemplate.from_file(write(tmp_path, AUTHORS_STYLE), version="theirs-v1").version == "theirs-v1"
    )
    bom = PromptTemplate.from_file(write(tmp_path, "\ufeff" + AUTHORS_STYLE, "bom.txt"))
    assert bom.render("x") == one.render("x")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Name: {name}\n{input_dialogue_content}", "unknown field {name}"),
        ('Example: {"original_text": "x"}\n{input_dialogue_content}', "unknown field"),
        ("{input_dialogue_content.__class__}", "unknown field"),
        ("{input_dialogue_content[0]}", "unknown field"),
        ("{}{input_dialogue_content}", "unknown field {}"),
        ("{0}", "unknown field {0}"),
        ("{real_name!r} {input_dialogue_content}", "no conversion or format spec"),
        ("{real_name:>20} {input_dialogue_content}", "no conversion or format spec"),
        ("a single brace { here {input_dialogue_content}", "doubled"),
        ("closing } alone {input_dialogue_content}", "doubled"),
        ("User's Real Name: {real_name}\nno message field", "would never see the message"),
        ("\n\n  \n", "is empty"),
    ],
)
def test_bad_files_are_one_line_config_errors(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(ConfigError, match=r"^prompt file .*prompt\.txt") as info:
        PromptTemplate.from_file(write(tmp_path, text))
    message = str(info.value)
    assert says in message
    assert "\n" not in message
    assert len(message) < 300


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read prompt file") as info:
        PromptTemplate.from_file(tmp_path / "missing.txt")
    assert "\n" not in str(info.value)
    with pytest.raises(ConfigError, match="cannot read prompt file"):
        PromptTemplate.from_file(tmp_path)  # a directory
    with pytest.raises(ConfigError, match="not UTF-8"):
        PromptTemplate.from_file(write(tmp_path, "名字 {real_name} {input_dialogue_content}", encoding="gbk"))


def test_the_constructor_checks_its_input_format() -> None:
    with pytest.raises(ValueError, match="unknown field"):
        PromptTemplate(input_format="{name}: {dialogue}")
    with pytest.raises(ValueError, match="never see the message"):
        PromptTemplate(input_format="{user_name}")
    assert (
        PromptTemplate(input_format="{real_name}|{input_dialogue_content}")
        .render("x", user_name="A")
        .endswith('A|{"role": "user", "content": "x"}')
    )


class EchoModel(GenerativeExtractor):
    """A generative backend that reads the message back out of its prompt, as a model does, and
    answers with the phone number it contains."""

    name = "echo"

    def __init__(self, template: PromptTemplate) -> None:
        super().__init__(template=template)
        self.prompts: list[str] = []

    def _complete(self, conversations: Sequence[Conversation]) -> list[Completion]:
        out = []
        for conversation in conversations:
            prompt = conversation[-1]["content"]
            self.prompts.append(prompt)
            message = json.loads(prompt.rsplit("Current Input Dialogue:\n", 1)[1])["content"]
            found = [w.strip(",.") for w in message.split() if w.strip(",.").isdigit()]
            items = [
                {"original_text": w, "privacy_type": "Phone Number", "privacy_level": "PL2"} for w in found
            ]
            out.append(Completion(json.dumps(items), "stop"))
        return out


def test_a_guard_runs_a_model_with_the_file_prompt(tmp_path: Path) -> None:
    model = EchoModel(PromptTemplate.from_file(write(tmp_path, AUTHORS_STYLE)))
    guard = PrivacyGuard(extractor=model, vault=InMemoryVault())
    result = guard.protect("call me on 13800138000, thanks", user_id="u1", user_name="Dana")
    assert result.text == "call me on <Phone_Number_1>, thanks"
    (prompt,) = model.prompts
    assert prompt.startswith("You are a privacy detector.")
    assert "User's Real Name: Dana\n" in prompt
