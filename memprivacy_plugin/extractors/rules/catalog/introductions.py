"""A person introducing themselves by name (Real Name, PL2), in English and Chinese: "my name is Ana
Lopez", "hi, I'm Marcus Oyelaran", "you can call me Jo", "我叫陈思远", "收件人：李明".

The user's own name is found anywhere once the guard is told it (`user_name`); these rules find
the name where the message says it is one, which is how most people give it to an assistant.

English names are capitalised words right after the phrase that introduces them; a capitalised
word that is a day, a month or an everyday word ("call me Monday", "my name is Not important") is
refused. Chinese names are a common surname and one or two given-name characters (`_cjk_names`),
right after 我叫, 我的名字是, 收件人 and the like; after the looser 我是 the name must end the clause
("我是陈思远，" but not "我是高中生").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..engine import Recognizer, Scan, ScanFinder
from ._cjk_names import cjk_name_at

__all__ = ["introduction_recognizers"]

RN = "Real Name"

_WORD = r"(?-i:(?:Mc|Mac|O'|D')?[A-Z][a-z]+(?:-[A-Z][a-z]+)?)"
_NAME = rf"(?P<value>{_WORD}(?:\s{_WORD}){{0,2}})"
# Capitalised words that follow these phrases without being names.
_NOT_NAMES_TEXT = """
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december today tomorrow tonight later back please the a
an not just so okay ok here now there anytime asap sir madam maam mister miss mrs mr ms dr
anonymous unknown private redacted secret none nobody someone something user guest admin good
fine great well sorry new happy tired done ready home bored curious confused stuck sick excited
glad alright also really very still trying looking wondering going having working feeling
"""
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())
_EN_NAMED = re.compile(
    r"(?:\bmy\s+(?:full\s+|first\s+|last\s+|real\s+|legal\s+|given\s+|birth\s+)?name(?:'s|’s|\s+is)"
    r"|\b(?:name's|name’s)|\bi(?:'m|’m|\s+am)\s+called|\b(?:people|everyone|everybody|they|friends)\s+calls?\s+me"
    r"|\b(?:you\s+can|please|just)\s+call\s+me|\bi\s+go\s+by)"
    rf"\s+{_NAME}(?![\w'’-])",
    re.IGNORECASE,
)
_EN_GREETED = re.compile(
    r"\b(?:hi|hey|hello|hiya|greetings)(?:\s+there)?[,!.]?\s+(?:i(?:'m|’m|\s+am)|this\s+is|it's|it’s)"
    rf"\s+{_NAME}(?![\w'’-])",
    re.IGNORECASE,
)
_EN_NAMED_WORDS = ("name", "call", "go by")
_GREETINGS = ("hi ", "hi,", "hi!", "hi.", "hey", "hello", "greetings")
# Cues after which a Chinese name is given outright, and the looser 我是 (only before a clause's end).
_ZH_CUE_WORDS = ("我叫", "我名叫", "名字", "本人", "姓名", "收件人", "收货人", "联系人", "签名", "落款")
_ZH_CUES = re.compile(
    r"(?:我叫|我名叫|我的名字(?:是|叫)|我名字(?:是|叫)|本人叫|本人姓名(?:是|为)?|本人是|(?:真实)?姓名(?:是|为)"
    r"|(?:真实)?姓名\s*[:：]|名字\s*[:：]|收件人|收货人|联系人|签名|落款)\s*[:：]?\s*"
)
_ZH_CLAUSE_END = re.compile(r"\s*(?:[，,。！!？?；;、\n]|$)")
_TRIGGERS = (*_EN_NAMED_WORDS, *_GREETINGS, *_ZH_CUE_WORDS, "我是")


class Introductions(ScanFinder):
    """Names right after the words that introduce them; each pattern runs only where its words
    are (answered from the extractor's one trigger pass)."""

    watch = _TRIGGERS

    def find(self, scan: Scan) -> Iterator[tuple[int, int]]:
        text = scan.text
        patterns = [
            p
            for p, words in ((_EN_NAMED, _EN_NAMED_WORDS), (_EN_GREETED, _GREETINGS))
            if any(scan.has(w) for w in words)
        ]
        for pattern in patterns:
            for m in pattern.finditer(text):
                words = m.group("value").split()
                # "my name is Ana and ...": drop trailing capitalised non-names ("Jo Monday")
                while words and words[-1].lower() in _NOT_NAMES:
                    words.pop()
                if words and words[0].lower() not in _NOT_NAMES:
                    start = m.start("value")
                    yield start, start + len(" ".join(words))
        if any(scan.has(w) for w in _ZH_CUE_WORDS):
            for m in _ZH_CUES.finditer(text):
                end = cjk_name_at(text, m.end(), cued=True)
                if end > 0:
                    yield m.end(), end
        i = text.find("我是") if scan.has("我是") else -1
        while i >= 0:
            end = cjk_name_at(text, i + 2)
            if end > 0 and _ZH_CLAUSE_END.match(text, end) is not None:
                yield i + 2, end
            i = text.find("我是", i + 2)


def introduction_recognizers() -> list[Recognizer]:
    return [
        Recognizer(
            "self_introduction",
            RN,
            finder=Introductions(),
            score=0.8,
            trigger=_TRIGGERS,
            description="a name right after 'my name is', 'hi, I'm', 'call me', 我叫, 收件人 and the like",
        ),
    ]
