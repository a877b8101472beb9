"""Descriptive private facts: words from a lexicon (a condition, a drug, an arrest, a fingerprint)
kept only where the sentence says whose they are.

A diagnosis, a conviction or a fingerprint is private when it is someone's: "I was diagnosed with
severe anxiety", "my brother got a DUI", "我的指纹". The same words in general talk ("an essay on
diabetes", "the lawsuit against a company was in the news") are not. `CuedTerms` finds the terms of
a lexicon in one Aho-Corasick pass, widens each over its modifiers ("severe", "type 2", "轻度",
"三期") and keeps it when a cue of its kind ends the sentence before it (or one follows it) and no
veto word ("essay", "news", "科普") stands in the sentence. The span is the term with its modifiers,
never the cue: the minimal fragment that carries the fact.

Every check looks at a bounded window around a hit, so the cost stays linear in the message.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..engine import SENTENCE_END, Scan, ScanFinder

__all__ = [
    "EN_FIRST_PERSON",
    "EN_KIN",
    "EN_KIN_NAMED",
    "EN_VETO",
    "ZH_FIRST_PERSON",
    "ZH_KIN",
    "ZH_VETO",
    "CuedTerms",
    "Kind",
    "compile_cues",
]

_FLAGS = re.IGNORECASE

# How far back the sentence before a term is read, and how far a left modifier may reach.
_SENTENCE = 96
_LEFT = 48
# Where the words after a term stop counting for its veto: the clause ends at a comma too ("我的偏头痛，
# 如果风险太高": the hypothetical is the next clause's).
_CLAUSE_END = re.compile(r"[!?。！？\n;；,，]|\.(?=\s)")
# What stands between two items of a list.
_LIST = re.compile(
    r"\s*(?:[,，、/&+]|\band\b|\bor\b|\bplus\b|和|及|以及|与|跟|还有|或者?)\s*(?:(?:and|or|also|a|an|the|my|some)\s+)*"
    r"|\s*[,，、]\s*(?:and|or)\s+|\s*[,，、]\s*(?:还有|以及|和|及|加上|外加)\s*"
)
# The end of the clause after a term, for the veto words that follow it ("diabetes essay").
_AFTER = 32

# People a private fact can be said of, as they are named in a chat: kin, partners, friends.
EN_KIN = (
    r"(?:mom|mum|mother|dad|father|parents?|brother|sister|siblings?|sons?|daughters?|kids?|children|"
    r"child|baby|toddler|husband|wife|spouse|partner|boyfriend|girlfriend|fianc[eé]e?|ex|grandma|"
    r"grandmother|grandpa|grandfather|grandparents?|uncle|aunt|cousin|nephew|niece|friend|roommate|"
    r"flatmate|neighbou?r|boss|coworker|co-worker|colleague|in-laws?|stepdad|stepmom|stepson|"
    r"stepdaughter|twin)"
)
# A relation with the name that may follow it ("my son Eli has ADHD", "my wife Ana's asthma"): one
# word, since cues read lower-cased text and cannot tell a name by its capital.
EN_KIN_NAMED = (
    rf"{EN_KIN}(?:\s+(?!(?:and|or|but|who|that|which|whose|with|from|in|at|of)\b)[a-z][a-z'’-]{{1,15}})?"
)
# The speaker, or someone the speaker names by their relation ("my sister", "our son").
EN_FIRST_PERSON = r"\b(?:i|i'm|im|i've|i'd|i'll|me|my|mine|myself|we|we're|we've|us|our)\b"
ZH_KIN = (
    r"(?:妈妈|母亲|老妈|爸爸|父亲|老爸|爸|妈|爷爷|奶奶|外公|外婆|姥姥|姥爷|老公|老婆|丈夫|妻子|媳妇|"
    r"爱人|儿子|女儿|孩子|宝宝|闺女|哥哥|姐姐|弟弟|妹妹|哥|姐|弟|妹|男朋友|女朋友|男友|女友|对象|"
    r"未婚夫|未婚妻|前夫|前妻|朋友|同事|室友|舍友|邻居|领导|老板|家人|家里人|亲戚|表哥|表姐|表弟|表妹|"
    r"堂哥|堂姐|叔叔|阿姨|舅舅|姑姑|岳父|岳母|公公|婆婆)"
)
ZH_FIRST_PERSON = rf"(?:我|咱|俺|本人|{ZH_KIN})"

# General talk about a subject, not a fact about a person.
EN_VETO = (
    r"\b(?:news|article|articles|essay|essays|paper|thesis|research|researching|documentary|movie|film|"
    r"tv show|novel|book|books|podcast|lecture|homework|assignment|presentation|quiz|wikipedia|blog|"
    r"character|characters|headline|headlines|statistics|trivia|fiction|screenplay|hypothetical|"
    r"hypothetically|imagine|pretend|role-?play|write|writing|learn|learning)\b"
)
ZH_VETO = (
    r"关于|文章|论文|科普|报道|新闻|介绍一下|了解|研究|讨论|讲座|课程|作业|资料|知识|什么是|是什么|电影|电视剧|"
    r"小说|剧情|节目|纪录片|视频里|书里|角色|假如|假设|如果|写一篇|写一个|写篇|案例分析"
)


def compile_cues(*patterns: str) -> re.Pattern[str]:
    """Cue patterns as one case-insensitive alternation; each is searched in the sentence before
    a term, so a cue that must touch the term ends with `\\Z`."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), _FLAGS)


@dataclass(frozen=True)
class Kind:
    """How the terms of one kind are widened and told to be someone's.

    `left` (ending in `\\Z`) matches modifiers right before a term, `right` extensions right after
    it (a plural, "disorder", a dose). `cues` is searched in the sentence before the widened term;
    `after` is matched right after it and accepts it too ("GERD flared up", "胃病又犯了"). `veto`
    searched in the sentence (before and just after) rejects it, `doubt` searched only before it (a
    question or a hypothetical: "what happens if"), `spoil` only just after it ("probation period");
    `near` (ending in `\\Z`) rejects a term right after it ("browser fingerprint"). `modified` is
    one more cue that counts only for a term that came with a left modifier: a word that is also an
    everyday feeling ("焦虑") is a condition when said with its severity ("我有重度焦虑")."""

    cues: re.Pattern[str]
    after: re.Pattern[str] | None = None
    left: re.Pattern[str] | None = None
    right: re.Pattern[str] | None = None
    veto: re.Pattern[str] | None = None
    near: re.Pattern[str] | None = None
    doubt: re.Pattern[str] | None = None
    spoil: re.Pattern[str] | None = None
    modified: re.Pattern[str] | None = None


def _alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class CuedTerms(ScanFinder):
    """The terms of a lexicon that a cue marks as someone's (see the module docstring).

    `terms` maps each lower-case term to the name of its kind in `kinds`.
    Latin terms are whole words (a plural "s" allowed through `right`); Chinese ones any substring,
    the longest one winning where they overlap.
    """

    def __init__(
        self,
        terms: Mapping[str, str],
        kinds: Mapping[str, Kind],
    ) -> None:
        unknown = set(terms.values()) - set(kinds)
        if unknown:
            raise ValueError(f"terms of unknown kind(s): {sorted(unknown)}")
        if any(t != t.lower() or not t.strip() for t in terms):
            raise ValueError("terms must be lower case and not blank")
        self.terms = dict(terms)
        self.kinds = dict(kinds)
        self._automaton: Any = None
        self._lock = threading.Lock()

    def _build(self) -> Any:
        automaton = self._automaton
        if automaton is not None:
            return automaton
        with self._lock:
            if self._automaton is None:
                import ahocorasick

                built = ahocorasick.Automaton()
                for term, kind in self.terms.items():
                    built.add_word(term, (len(term), kind, term[0].isascii(), term[-1].isascii()))
                built.make_automaton()
                self._automaton = built
            return self._automaton

    def find(self, scan: Scan) -> Iterator[tuple[int, int]]:
        lower = scan.lower
        n = scan.n
        hits: list[tuple[int, int, str, bool]] = []
        for last, (size, kind, latin_start, latin_end) in self._build().iter(lower):
            start = last - size + 1
            if latin_start and start > 0 and _alnum(lower[start - 1]):
                continue
            hits.append((start, last + 1, kind, latin_end))
        if not hits:
            return
        hits.sort(key=lambda h: (h[0], -h[1]))
        taken = 0
        listed = ""  # the kind of the last term kept, while a list of them may go on
        for start, end, kind_name, latin_end in hits:
            if start < taken:
                continue
            kind = self.kinds[kind_name]
            m = kind.right.match(lower, end) if kind.right is not None else None
            # an extension that ends inside a word is not taken
            if m is not None and not (
                m.end() < n and _alnum(lower[m.end()]) and lower[m.end() - 1].isascii()
            ):
                end = m.end()
            if latin_end and end < n and _alnum(lower[end]):
                continue
            m = kind.left.search(lower, max(0, start - _LEFT), start) if kind.left is not None else None
            widened = m is not None and m.start() < start
            if m is not None:
                start = m.start()
            # the next item of a list whose first item was kept ("amlodipine, metformin and aspirin")
            in_list = kind_name == listed and _LIST.fullmatch(lower, taken, start) is not None
            if in_list or self._accepted(lower, start, end, kind, widened):
                taken, listed = end, kind_name
                yield start, end

    def _accepted(self, lower: str, start: int, end: int, kind: Kind, widened: bool) -> bool:
        a = max(0, start - _SENTENCE)
        for m in SENTENCE_END.finditer(lower, a, start):
            a = m.end()
        before = lower[a:start]
        if kind.near is not None and kind.near.search(before) is not None:
            return False
        if (
            kind.cues.search(before) is None
            and (kind.after is None or kind.after.match(lower, end) is None)
            and not (widened and kind.modified is not None and kind.modified.search(before) is not None)
        ):
            return False
        for pattern in (kind.veto, kind.doubt):
            if pattern is not None and pattern.search(before) is not None:
                return False
        if kind.veto is None and kind.spoil is None:
            return True
        b = _CLAUSE_END.search(lower, end, min(len(lower), end + _AFTER))
        after = lower[end : b.start() if b is not None else min(len(lower), end + _AFTER)]
        return all(p is None or p.search(after) is None for p in (kind.veto, kind.spoil))
