"""A generative backend that behaves like a model server, without a model: for tests of what the
generative extractor does around the model (chunking, retries, caching), where a random-weight model
would find nothing to check against.

    from served_like import ServedLikeModel  # tests/ is on the tests' sys.path

Like a served model it reads the message out of its prompt (the JSON object after `Current Input
Dialogue:`), refuses a prompt longer than its context (as vLLM answers HTTP 400, an
`ExtractionError`), answers a JSON array of what it finds, and stops at `max_tokens` tokens of
answer, cut mid-item if need be, with `finish_reason="length"`. What it finds: phone numbers,
e-mail addresses and, with `fragments=True`, any run of six digits or more (a real model reports
the part of a number it sees at a chunk's edge). It counts calls and conversations, thread-safely.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from typing import Any

from memprivacy_plugin import ExtractionError
from memprivacy_plugin.extractors import GenerativeExtractor
from memprivacy_plugin.extractors.generative import Completion, Conversation

__all__ = ["ServedLikeModel", "message_of"]

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
EMAIL = re.compile(r"[a-z0-9._]+@[a-z0-9.]+\.[a-z]{2,}")
DIGITS = re.compile(r"\d{6,}")


def message_of(conversation: Conversation) -> str:
    """The message a conversation of the default prompt carries."""
    prompt = conversation[-1]["content"]
    return str(json.loads(prompt.rsplit("Current Input Dialogue:\n", 1)[1])["content"])


class ServedLikeModel(GenerativeExtractor):
    name = "served_like"

    def __init__(
        self,
        *,
        tokenizer: Any = None,
        context: int | None = None,
        fragments: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self._tokenizer = tokenizer
        self._context = context
        self.fragments = fragments
        self.calls = 0
        self.conversations = 0
        self.longest_prompt = 0
        self._lock = threading.Lock()

    def chunk_tokenizer(self) -> Any:
        return self._tokenizer

    def context_length(self) -> int | None:
        return self._context

    def _tokens(self, text: str) -> list[str]:
        """The answer's tokens (characters without a tokenizer), to cut it at max_tokens."""
        if self._tokenizer is None:
            return list(text)
        offsets = self._tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)[
            "offset_mapping"
        ]
        return [text[s:e] for s, e in offsets]

    def _answer(self, message: str) -> list[dict[str, str]]:
        items = [
            {"original_text": m.group(), "privacy_type": "Phone Number"} for m in PHONE.finditer(message)
        ]
        items += [{"original_text": m.group(), "privacy_type": "Email"} for m in EMAIL.finditer(message)]
        if self.fragments:
            items += [
                {"original_text": m.group(), "privacy_type": "Phone Number"}
                for m in DIGITS.finditer(message)
                if not PHONE.fullmatch(m.group())
            ]
        return [{**item, "privacy_level": "PL2"} for item in items]

    def _one(self, conversation: Conversation) -> Completion:
        if self._tokenizer is not None and self._context:
            ids = self._tokenizer.apply_chat_template(
                conversation, tokenize=True, add_generation_prompt=True, enable_thinking=False
            )
            used = len(ids["input_ids"] if isinstance(ids, dict) else ids)
            with self._lock:
                self.longest_prompt = max(self.longest_prompt, used)
            if used + self.sampling.max_tokens > self._context:
                raise ExtractionError(
                    f"HTTP 400: {used} prompt tokens and max_tokens {self.sampling.max_tokens} "
                    f"exceed the context ({self._context})"
                )
        answer = json.dumps(self._answer(message_of(conversation)))
        tokens = self._tokens(answer)
        if len(tokens) > self.sampling.max_tokens:
            return Completion("".join(tokens[: self.sampling.max_tokens]), "length")
        return Completion(answer, "stop")

    def _complete(self, conversations: Sequence[Conversation]) -> list[Completion]:
        with self._lock:
            self.calls += 1
            self.conversations += len(conversations)
        return [self._one(c) for c in conversations]
