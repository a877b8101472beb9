"""The prompt, output schema and output parsing shared by every generative extractor.

The MemPrivacy models take one user turn: a fixed instruction, then `User's Real Name:` and
`Current Input Dialogue:` followed by the message as a JSON object, and answer with a JSON array
of `{original_text, privacy_type, privacy_level}`. The instruction text here is ours, written from
the taxonomy and versioned (`PROMPT_VERSION`); users can pass their own template and schema, or read
the model authors' published prompt with `PromptTemplate.from_file` (a fine-tuned model answers
best to the prompt it was trained on).

Model output is not trusted: `<think>` blocks and code fences are stripped, broken JSON is repaired
with `json-repair`, items whose text is not in the message (after Unicode normalisation) are
dropped, type strings are normalised through the taxonomy, and an item without a usable level
gets the strictest one. Output that cannot be read as a list at all raises `OutputParseError`, an
`ExtractionError`, so the guard fails closed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..errors import ConfigError, ExtractionError
from ..spans import Locator, PrivacySpan, merge_spans
from ..taxonomy import STANDARD_TYPES, PrivacyLevel, normalize_type

__all__ = [
    "DEFAULT_TEMPLATE",
    "PROMPT_VERSION",
    "TEMPLATE_FIELDS",
    "OutputParseError",
    "ParsedOutput",
    "PromptTemplate",
    "SamplingSettings",
    "default_instruction",
    "output_schema",
    "parse_output",
    "read_output",
]

PROMPT_VERSION = "memprivacy-plugin/prompt-v1"


class OutputParseError(ExtractionError):
    """The model's output could not be read as a list of spans, even after repair."""


def default_instruction() -> str:
    """The instruction, written from the taxonomy so the two never drift apart."""
    lines = [
        "You are a privacy extraction model running on the user's own device. Read the user's "
        "message and list every span of privacy-sensitive information in it, so that it can be "
        "protected before the message is sent to a cloud memory.",
        "",
        "Privacy levels and their standard types:",
    ]
    headings = {
        PrivacyLevel.PL4: "PL4 - credentials and secrets whose exposure causes immediate loss",
        PrivacyLevel.PL3: "PL3 - highly sensitive personal information",
        PrivacyLevel.PL2: "PL2 - information that identifies a person",
    }
    for level, heading in headings.items():
        lines.append(f"{heading}:")
        lines.extend(f"- {t.name}: {t.description}" for t in STANDARD_TYPES.values() if t.level == level)
    lines += [
        "PL1 - preferences, habits and opinions: never extract these.",
        "",
        "Rules:",
        "1. original_text must be copied exactly, character for character, from the message.",
        "2. Extract the minimal span that carries the private value (the number, not the sentence "
        "around it), but keep a descriptive span whole when the description itself is the private "
        "information (a diagnosis, a transaction, an itinerary).",
        "3. Use the standard type names above; if none fits, give a short descriptive type.",
        "4. When unsure between two levels, choose the higher level.",
        "5. The user's own name is Real Name; names of other people are Relationship Info.",
        "6. Do not extract public figures, public places, generic facts, or placeholders such as <Email_1>.",
        '7. Output only a JSON array of objects {"original_text", "privacy_type", "privacy_level"}; '
        "output [] when there is nothing to extract.",
    ]
    return "\n".join(lines)


#: The fields an input format may name: ours, and the MemPrivacy authors' names for the same two.
TEMPLATE_FIELDS: dict[str, str] = {
    "user_name": "user_name",
    "real_name": "user_name",
    "dialogue": "dialogue",
    "input_dialogue_content": "dialogue",
}


def _template_problem(fmt: str) -> str | None:
    """Why `fmt` is not a usable input format (one line), or None. Fields are plain names from
    `TEMPLATE_FIELDS`, without attribute access, index, conversion or format spec (a format string
    that could reach into objects is no place for user text), and the message must appear."""
    try:
        parsed = list(string.Formatter().parse(fmt))
    except ValueError:
        return "a single '{' or '}' (write literal braces doubled: {{ and }})"
    names = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in TEMPLATE_FIELDS:
            known = ", ".join("{" + f + "}" for f in TEMPLATE_FIELDS)
            shown = "{" + name[:40] + "}"
            return f"unknown field {shown} (known: {known}; write literal braces doubled)"
        if spec or conversion:
            return f"field {{{name}}} takes no conversion or format spec"
        names.append(name)
    if not any(TEMPLATE_FIELDS[n] == "dialogue" for n in names):
        return "no {input_dialogue_content} or {dialogue} field: the model would never see the message"
    return None


class PromptTemplate(BaseModel):
    """How a message becomes the model's input: `instruction` first (literal text), then
    `input_format`, a `str.format` string (literal braces doubled) with the fields `{user_name}`
    and `{dialogue}` (the message as a JSON object `{"role": ..., "content": ...}`), or the
    MemPrivacy authors' names for them, `{real_name}` and `{input_dialogue_content}`.

    `PromptTemplate.from_file(path)` reads a whole prompt in the authors' published format."""

    model_config = ConfigDict(frozen=True)

    version: str = PROMPT_VERSION
    instruction: str = Field(default_factory=default_instruction)
    input_format: str = "User's Real Name: {user_name}\n\nCurrent Input Dialogue:\n{dialogue}"
    unknown_user_name: str = "Unknown"

    @field_validator("input_format")
    @classmethod
    def _fields(cls, value: str) -> str:
        problem = _template_problem(value)
        if problem is not None:
            raise ValueError(f"input_format: {problem}")
        return value

    @classmethod
    def from_file(
        cls,
        path: str | os.PathLike[str],
        *,
        version: str | None = None,
        unknown_user_name: str = "Unknown",
    ) -> PromptTemplate:
        """The whole prompt from a UTF-8 text file in the MemPrivacy authors' format: the
        instruction with `{real_name}` and `{input_dialogue_content}` where the user's name and the
        message go (our `{user_name}` and `{dialogue}` work too), literal braces doubled as in
        `str.format`. One final newline is dropped (editors add it). `version` defaults to the
        file's name and a hash of its text, so a changed prompt never shares cached results.

        Raises `ConfigError`, in one line, for a file that cannot be read, is empty, names an unknown
        field, or has no field for the message."""
        file = Path(path)
        try:
            raw = file.read_bytes()
        except OSError as exc:
            why = exc.strerror or type(exc).__name__
            raise ConfigError(f"cannot read prompt file {file}: {why}") from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ConfigError(f"prompt file {file} is not UTF-8 text") from None
        text = text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text
        if not text.strip():
            raise ConfigError(f"prompt file {file} is empty")
        problem = _template_problem(text)
        if problem is not None:
            raise ConfigError(f"prompt file {file}: {problem}")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        return cls(
            version=version or f"file:{file.name}:sha256:{digest}",
            instruction="",
            input_format=text,
            unknown_user_name=unknown_user_name,
        )

    def render(self, text: str, *, user_name: str | None = None, role: str = "user") -> str:
        dialogue = json.dumps({"role": role, "content": text}, ensure_ascii=False)
        name = user_name or self.unknown_user_name
        block = self.input_format.format_map(
            {field: (name if kind == "user_name" else dialogue) for field, kind in TEMPLATE_FIELDS.items()}
        )
        return f"{self.instruction}\n\n{block}" if self.instruction else block

    def messages(
        self, text: str, *, user_name: str | None = None, role: str = "user"
    ) -> list[dict[str, str]]:
        """The chat messages for one extraction: a single user turn."""
        return [{"role": "user", "content": self.render(text, user_name=user_name, role=role)}]


DEFAULT_TEMPLATE = PromptTemplate()


class SamplingSettings(BaseModel):
    """Decoding settings; the defaults are the MemPrivacy models' published ones."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    temperature: float = Field(default=0.1, ge=0.0)
    top_p: float = Field(default=0.1, gt=0.0, le=1.0)
    repetition_penalty: float = Field(default=1.05, gt=0.0)
    max_tokens: int = Field(default=1024, gt=0)
    seed: int | None = None


def _bounded_string(max_length: int | None) -> dict[str, Any]:
    # A `pattern` rather than `maxLength`: grammar engines (xgrammar) compile `maxLength` to "any
    # character but a quote or backslash", which lets raw control characters into the string.
    if not max_length:
        return {"type": "string", "minLength": 1}
    return {"type": "string", "pattern": f'^[^\\x00-\\x1f"\\\\]{{1,{max_length}}}$'}


def output_schema(
    *, max_items: int | None = None, max_text_length: int | None = None, max_type_length: int | None = 64
) -> dict[str, Any]:
    """The JSON schema of the output: an array of spans. Bounds keep constrained decoding finite
    (tests with random-weight models need them; real models rarely hit them)."""
    text = _bounded_string(max_text_length)
    ptype = _bounded_string(max_type_length)
    schema: dict[str, Any] = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "original_text": text,
                "privacy_type": ptype,
                "privacy_level": {"type": "string", "enum": ["PL2", "PL3", "PL4"]},
            },
            "required": ["original_text", "privacy_type", "privacy_level"],
            "additionalProperties": False,
        },
    }
    if max_items is not None:
        schema["maxItems"] = max_items
    return schema


_THINK = re.compile(r"<think>.*?(?:</think>|\Z)", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)(?:```|\Z)", re.DOTALL)
_TEXT_KEYS = ("original_text", "text", "span", "value", "content")
_TYPE_KEYS = ("privacy_type", "type", "category", "label")
_LEVEL_KEYS = ("privacy_level", "level", "privacy level")


def _strip(raw: str) -> str:
    text = _THINK.sub("", raw)
    fence = _FENCE.search(text)
    if fence:
        text = fence.group(1)
    return text.strip()


def _load(text: str) -> Any:
    try:
        return json.loads(text, strict=False)  # strict=False: raw control characters in strings
    except ValueError:
        pass
    start = min((i for i in (text.find("["), text.find("{")) if i >= 0), default=-1)
    if start < 0:
        raise OutputParseError("the model's output holds no JSON")
    try:  # well-formed JSON with prose around it
        return json.JSONDecoder(strict=False).raw_decode(text, start)[0]
    except ValueError:
        pass
    try:
        from json_repair import repair_json
    except ImportError as exc:  # pragma: no cover - installed with every generative extra
        raise ImportError("parsing model output needs json-repair: pip install json-repair") from exc
    try:
        return repair_json(text[start:], return_objects=True)
    except Exception as exc:  # json-repair raises a variety of errors on hopeless input
        raise OutputParseError(f"the model's output is not repairable JSON ({type(exc).__name__})") from None


def _items(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        for value in data.values():  # {"spans": [...]}, {"privacy_info": [...]}
            if isinstance(value, list):
                return value
        if any(k in data for k in _TEXT_KEYS):
            return [data]
        if not data:
            return []
    raise OutputParseError("the model's output is not a list of spans")


def _first(item: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if key in item and item[key] not in (None, ""):
            return item[key]
    return None


def _level(raw: Any, privacy_type: str) -> PrivacyLevel:
    if raw is not None:
        try:
            return PrivacyLevel(raw)
        except ValueError:
            pass
    # No usable level from the model: the type's standard level, else the strictest (fail closed).
    return normalize_type(privacy_type).level or PrivacyLevel.PL4


@dataclass(frozen=True)
class _Tail:
    """How the JSON of an output ends: `complete` when its first value closed; otherwise the output
    was cut, and when the cut fell inside a string that is a value, `key` and `prefix` are that
    value's key and its decoded text so far."""

    complete: bool
    key: str | None = None
    prefix: str | None = None


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}


def _decode_partial(raw: str) -> str:
    """A JSON string's content cut anywhere: escapes decoded, an escape cut short dropped (a
    dangling backslash, `\\u` with under four hex digits, half a surrogate pair)."""
    out: list[str] = []
    i, n = 0, len(raw)
    while i < n:
        ch = raw[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        if i + 1 >= n:
            break
        code = raw[i + 1]
        if code != "u":
            out.append(_ESCAPES.get(code, code))
            i += 2
            continue
        digits = raw[i + 2 : i + 6]
        if len(digits) < 4 or not all(c in string.hexdigits for c in digits):
            break
        out.append(chr(int(digits, 16)))
        i += 6
    text = "".join(out)
    if text and 0xD800 <= ord(text[-1]) <= 0xDBFF:
        text = text[:-1]  # a high surrogate whose low half was cut off
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _tail(text: str) -> _Tail:
    """Scan the JSON at the start of `text` (strings with either quote, escapes, nesting) to tell
    whether it closes, and if it was cut inside a string value, which key and text it had."""
    first = [i for i in (text.find("["), text.find("{")) if i >= 0]
    if not first:
        return _Tail(True)
    i, n = min(first), len(text)
    depth = 0
    previous = ""  # the last significant character outside strings
    last_string: str | None = None
    key: str | None = None
    while i < n:
        ch = text[i]
        if ch == '"' or (ch == "'" and previous in "[{,:"):
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                if previous != ":" or key is None:
                    return _Tail(False)
                return _Tail(False, key=key, prefix=_decode_partial(text[i + 1 :]))
            last_string = _decode_partial(text[i + 1 : j])
            previous = '"'
            i = j + 1
            continue
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth <= 0:
                return _Tail(True)
        if ch == ":":
            key = last_string
        elif ch in ",{":
            key = None
        if not ch.isspace():
            previous = ch
        i += 1
    return _Tail(False)


def _kind(ch: str) -> str:
    if ch.isdigit():
        return "digit"
    if unicodedata.category(ch) in ("Ll", "Lu", "Lt"):  # scripts with case put spaces between words
        return "letter"
    return "other"  # CJK and other scripts without spaces between words: any position may start a value


_JOINERS = frozenset("-._@/+:#'&\u2019")
_SPACES = frozenset(" \u00a0")


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or unicodedata.category(ch).startswith("M")


def _token_end(message: str, end: int) -> int:
    """Where the token that `message[:end]` stops inside ends: over word characters, over joiners
    (`-._@/+:#'&`) between word characters, and over a comma or a single space between digits
    ("187,500", "+1 415 867 5309": a number cut between its groups)."""
    n = len(message)
    while end < n:
        ch = message[end]
        if _word(ch):
            end += 1
            continue
        if not (0 < end < n - 1 and _word(message[end - 1]) and _word(message[end + 1])):
            break
        digits = message[end - 1].isdigit() and message[end + 1].isdigit()
        if ch in _JOINERS or (digits and (ch == "," or ch in _SPACES)):
            end += 1
        else:
            break
    return end


_CLAUSE_ENDS = frozenset(",;!?\n\r\t，。；！？、")
#: Characters past its known beginning that a cut value is extended over, at most, to its clause's end.
CLAUSE_REACH = 120


def _clause_end(message: str, end: int) -> int:
    """The end of the clause `message[:end]` stops in (a comma, a semicolon, a sentence's end or a
    line break), at most `CLAUSE_REACH` characters on, and never inside a token."""
    limit = min(len(message), end + CLAUSE_REACH)
    stop = end
    while stop < limit and message[stop] not in _CLAUSE_ENDS:
        if message[stop] == "." and (stop + 1 == len(message) or message[stop + 1].isspace()):
            break
        stop += 1
    while stop > end and message[stop - 1].isspace():
        stop -= 1
    return max(stop, _token_end(message, end))


def _cut_item(message: str, locator: Locator, prefix: str) -> list[tuple[int, int]]:
    """Where a value cut off at the end of the output lies: each occurrence of its beginning,
    extended to the end of the token it stops in, so no rest of the value stays in clear.
    Occurrences that start inside a word of the same kind (the "138" of "2013800") are left out
    unless there is no other. A beginning found at one place only, which a description cut
    between its words ("graduate teaching") usually is, is extended to the end of its clause."""
    needle = prefix.strip()
    found = locator.find(needle) if needle else []
    if not found:
        return []
    head = _kind(needle[0])

    def starts_a_token(start: int) -> bool:
        return start == 0 or head == "other" or _kind(message[start - 1]) != head

    at_start = [(s, e) for s, e in found if starts_a_token(s)] or found
    if len(at_start) == 1:
        start, end = at_start[0]
        return [(start, _clause_end(message, end))]
    return [(s, _token_end(message, e)) for s, e in at_start]


@dataclass(frozen=True)
class ParsedOutput:
    """What `read_output` made of a model's answer: the spans, whether the answer was cut off
    (its JSON never closed: items after the cut are missing), and whether its last item's text
    was cut (that item was extended to the end of the token, or the clause, it stops in)."""

    spans: list[PrivacySpan]
    truncated: bool = False
    cut_item: bool = False


def read_output(raw: str, message: str, *, source: str = "model", score: float = 0.9) -> ParsedOutput:
    """`parse_output` and what it noticed about the answer's end (see `ParsedOutput`)."""
    if not raw or not raw.strip():
        raise OutputParseError("the model returned no output")
    stripped = _strip(raw)
    if not stripped:
        raise OutputParseError("the model returned no output outside its thinking block")
    data = _load(stripped)
    tail = _Tail(True)
    if not _loads_strictly(stripped):
        tail = _tail(stripped)
    items = [item for item in _items(data) if isinstance(item, Mapping)]
    cut_text = tail.prefix if tail.key in _TEXT_KEYS else None
    cut_index = -1
    if cut_text is not None:
        # The repaired JSON closed the cut string: its last item holds the cut text (repaired its
        # own way, a cut escape kept as is); ours replaces it. Items before it are whole.
        if items and isinstance(_first(items[-1], _TEXT_KEYS), str):
            cut_index = len(items) - 1
        else:
            items.append({})
            cut_index = len(items) - 1
    locator = Locator(message)
    spans: list[PrivacySpan] = []
    for index, item in enumerate(items):
        text = cut_text if index == cut_index else _first(item, _TEXT_KEYS)
        if not isinstance(text, str) or not text.strip():
            continue
        raw_type = _first(item, _TYPE_KEYS)
        privacy_type = str(raw_type).strip() if raw_type is not None else "Private Data"
        info = normalize_type(privacy_type)
        level = _level(_first(item, _LEVEL_KEYS), privacy_type)
        if level is PrivacyLevel.PL1:
            continue
        places = _cut_item(message, locator, text) if index == cut_index else locator.find(text.strip())
        for start, end in places:
            spans.append(
                PrivacySpan(
                    text=message[start:end],
                    start=start,
                    end=end,
                    privacy_type=info.name,
                    level=level,
                    score=score,
                    source=source,
                )
            )
    return ParsedOutput(merge_spans(spans, message), truncated=not tail.complete, cut_item=cut_index >= 0)


def _loads_strictly(text: str) -> bool:
    try:
        json.loads(text, strict=False)
    except ValueError:
        return False
    return True


def parse_output(raw: str, message: str, *, source: str = "model", score: float = 0.9) -> list[PrivacySpan]:
    """Spans from a model's raw output for `message`.

    Raises `OutputParseError` when the output is empty or cannot be read as a list; drops items
    that are malformed, that are not in the message, or that are PL1. An item whose text was cut
    off at the end of the output (`{"original_text": "138001`) is never taken as it stands: each
    place its beginning occurs is extended to the end of the token it stops in, at the level the
    item gives, else its type's, else PL4 (see `read_output`).
    """
    return read_output(raw, message, source=source, score=score).spans
