"""Loaders for evaluation data in the MemPrivacy record format, read in place; Presidio's synthetic set.

MemPrivacy-Bench and PersonaMem-v2 (`../shared/data/memprivacy_bench`, CC BY-NC-ND: read, never
copy) hold one synthetic user per line: `{uuid, metadata{user_name, ...}, dialogues: [{role,
content, privacy_info: [{original_text, privacy_type, privacy_level}]}], questions: [...]}`. A user's
own JSONL in the same format loads the same way.

Presidio's synthetic set (`../shared/data/presidio_synth/synth_dataset_v2.json`, MIT) is a list of
template-generated texts with character offsets; `load_presidio_synth` gives one `Record` per text
(one user turn) with offsets on its spans, its entity types mapped by `PRESIDIO_SYNTH_TYPES`:

| Presidio type | our tag | level | why |
|---|---|---|---|
| PERSON | Real Name | PL2 | a person's name |
| STREET_ADDRESS, ZIP_CODE | Detailed Address | PL2 | addresses and postcodes |
| PHONE_NUMBER | Phone Number | PL2 | |
| EMAIL_ADDRESS | Email | PL2 | |
| IP_ADDRESS | Network Identifier | PL2 | |
| ORGANIZATION | Identity Background | PL2 | in these templates, where someone works |
| AGE | Identity Background | PL2 | |
| NRP | Sensitive Identity | PL3 | nationality, religion, political group |
| CREDIT_CARD, IBAN_CODE | Financial Account | PL3 | |
| US_SSN, US_DRIVER_LICENSE | ID Number | PL3 | |
| GPE | dropped | | a city or country alone identifies nobody (our spaCy extractor skips it too) |
| DATE_TIME | dropped | | a year, weekday or timestamp alone is not personal data |
| TITLE | dropped | | mostly honorifics ("Dr.", "Mrs."), a few job titles |
| DOMAIN_NAME | dropped | | public web sites of companies |

`keep_all=True` keeps the dropped types too (as custom PL1 types, so that nothing is protected).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..errors import ConfigError
from ..extractors.known import KnownValuesExtractor
from ..taxonomy import PrivacyLevel, coerce_level

__all__ = [
    "DATASETS",
    "PRESIDIO_SYNTH_TYPES",
    "Dialogue",
    "GoldSpan",
    "Record",
    "iter_memprivacy",
    "load_dataset",
    "load_memprivacy",
    "load_presidio_synth",
    "oracle_extractor",
    "shared_data_dir",
]

DATASETS = {
    "memprivacy-bench": "memprivacy_bench/memprivacy_bench_testset.jsonl",
    "personamem-v2": "memprivacy_bench/personamem_v2_testset.jsonl",
    "presidio-synth": "presidio_synth/synth_dataset_v2.json",
}

# Presidio entity type -> (our tag, level); None: not personal data under our taxonomy (dropped).
PRESIDIO_SYNTH_TYPES: dict[str, tuple[str, PrivacyLevel] | None] = {
    "PERSON": ("Real Name", PrivacyLevel.PL2),
    "STREET_ADDRESS": ("Detailed Address", PrivacyLevel.PL2),
    "ZIP_CODE": ("Detailed Address", PrivacyLevel.PL2),
    "PHONE_NUMBER": ("Phone Number", PrivacyLevel.PL2),
    "EMAIL_ADDRESS": ("Email", PrivacyLevel.PL2),
    "IP_ADDRESS": ("Network Identifier", PrivacyLevel.PL2),
    "ORGANIZATION": ("Identity Background", PrivacyLevel.PL2),
    "AGE": ("Identity Background", PrivacyLevel.PL2),
    "NRP": ("Sensitive Identity", PrivacyLevel.PL3),
    "CREDIT_CARD": ("Financial Account", PrivacyLevel.PL3),
    "IBAN_CODE": ("Financial Account", PrivacyLevel.PL3),
    "US_SSN": ("ID Number", PrivacyLevel.PL3),
    "US_DRIVER_LICENSE": ("ID Number", PrivacyLevel.PL3),
    "GPE": None,
    "DATE_TIME": None,
    "TITLE": None,
    "DOMAIN_NAME": None,
}


class GoldSpan(BaseModel):
    """A labelled private value: a string of the message. MemPrivacy labels carry no offsets
    (`start`/`end` are None: locate the text); Presidio's set has them."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(repr=False)
    privacy_type: str
    level: PrivacyLevel
    start: int | None = None
    end: int | None = None


class Dialogue(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: str
    content: str = Field(repr=False)
    date: str | None = None
    spans: list[GoldSpan] = Field(default_factory=list)


class Record(BaseModel):
    """One synthetic user: name, turns and memory questions."""

    model_config = ConfigDict(frozen=True)

    uuid: str
    user_name: str | None = None
    language: str | None = None
    dialogues: list[Dialogue]
    questions: list[dict[str, Any]] = Field(default_factory=list)


def shared_data_dir() -> Path:
    """`$MEMPRIVACY_SHARED_DATA`, else `../shared/data` beside the repository or the working directory."""
    env = os.environ.get("MEMPRIVACY_SHARED_DATA")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parents[2].parent / "shared" / "data"
    return here if here.is_dir() else Path.cwd().parent / "shared" / "data"


def _path(name_or_path: str | Path) -> Path:
    if isinstance(name_or_path, str) and name_or_path in DATASETS:
        return shared_data_dir() / DATASETS[name_or_path]
    return Path(name_or_path)


def _record(raw: dict[str, Any], roles: set[str] | None) -> Record:
    meta = raw.get("metadata") or {}
    dialogues = []
    for d in raw.get("dialogues") or []:
        if roles is not None and d.get("role") not in roles:
            continue
        spans = [
            GoldSpan(
                text=p["original_text"],
                privacy_type=p["privacy_type"],
                level=coerce_level(p["privacy_level"]),
            )
            for p in d.get("privacy_info") or []
            if p.get("original_text")
        ]
        dialogues.append(
            Dialogue(
                role=d.get("role", "user"), content=d.get("content") or "", date=d.get("date"), spans=spans
            )
        )
    return Record(
        uuid=str(raw.get("uuid", "")),
        user_name=meta.get("user_name"),
        language=meta.get("language"),
        dialogues=dialogues,
        questions=list(raw.get("questions") or []),
    )


def iter_memprivacy(name_or_path: str | Path, *, roles: Iterable[str] | None = ("user",)) -> Iterator[Record]:
    path = _path(name_or_path)
    wanted = set(roles) if roles is not None else None
    try:
        fh = path.open(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read dataset {path}: {exc.strerror or exc}") from None
    with fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield _record(json.loads(line), wanted)
            except (ValueError, KeyError, TypeError) as exc:
                raise ConfigError(
                    f"{path}:{number}: not a MemPrivacy record ({type(exc).__name__})"
                ) from None


def load_memprivacy(name_or_path: str | Path, *, roles: Iterable[str] | None = ("user",)) -> list[Record]:
    """Records of `memprivacy-bench`, `personamem-v2` or a JSONL path; user turns only by default
    (`roles=None` keeps every turn)."""
    return list(iter_memprivacy(name_or_path, roles=roles))


def load_presidio_synth(path: str | Path | None = None, *, keep_all: bool = False) -> list[Record]:
    """Presidio's synthetic set: one single-turn `Record` per text, spans with offsets, entity types
    mapped by `PRESIDIO_SYNTH_TYPES` (unmapped types are dropped unless `keep_all`)."""
    file = Path(path) if path is not None else shared_data_dir() / DATASETS["presidio-synth"]
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read dataset {file}: {exc.strerror or exc}") from None
    except ValueError:
        raise ConfigError(f"{file}: not JSON") from None
    records = []
    for number, item in enumerate(raw):
        text = item["full_text"]
        spans = []
        for sp in item.get("spans") or []:
            entity = str(sp["entity_type"])
            mapped = PRESIDIO_SYNTH_TYPES.get(entity)
            if mapped is None:
                if not keep_all:
                    continue
                mapped = (entity.replace("_", " ").title(), PrivacyLevel.PL1)
            start, end = int(sp["start_position"]), int(sp["end_position"])
            spans.append(
                GoldSpan(text=text[start:end], privacy_type=mapped[0], level=mapped[1], start=start, end=end)
            )
        records.append(
            Record(
                uuid=f"presidio-synth-{number}",
                language="en",
                dialogues=[Dialogue(role="user", content=text, spans=spans)],
            )
        )
    return records


def load_dataset(
    name_or_path: str | Path, *, roles: Iterable[str] | None = ("user",), keep_all: bool = False
) -> list[Record]:
    """Any evaluation set by name (`memprivacy-bench`, `personamem-v2`, `presidio-synth`) or path
    (a `.json` list in Presidio's format, else MemPrivacy JSONL)."""
    if name_or_path == "presidio-synth":
        return load_presidio_synth(keep_all=keep_all)
    path = _path(name_or_path)
    if path.suffix == ".json":
        return load_presidio_synth(path, keep_all=keep_all)
    return load_memprivacy(path, roles=roles)


def oracle_extractor(records: Iterable[Record]) -> KnownValuesExtractor:
    """An extractor that finds exactly the gold values of these records (leak tests: what the
    integrations must keep out of the cloud, independent of any real extractor's recall)."""
    oracle = KnownValuesExtractor()
    for record in records:
        for dialogue in record.dialogues:
            for span in dialogue.spans:
                if span.text.strip():
                    oracle.add(span.text, span.privacy_type, span.level)
    return oracle
