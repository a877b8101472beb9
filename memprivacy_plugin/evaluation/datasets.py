"""Loaders for evaluation data in the MemPrivacy record format, read in place.

MemPrivacy-Bench and PersonaMem-v2 (`../shared/data/memprivacy_bench`, CC BY-NC-ND: read, never
copy) hold one synthetic user per line: `{uuid, metadata{user_name, ...}, dialogues: [{role,
content, privacy_info: [{original_text, privacy_type, privacy_level}]}], questions: [...]}`. A user's
own JSONL in the same format loads the same way.
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
    "Dialogue",
    "GoldSpan",
    "Record",
    "load_memprivacy",
    "oracle_extractor",
    "shared_data_dir",
]

DATASETS = {
    "memprivacy-bench": "memprivacy_bench/memprivacy_bench_testset.jsonl",
    "personamem-v2": "memprivacy_bench/personamem_v2_testset.jsonl",
}


class GoldSpan(BaseModel):
    """A labelled private value: a string of the message (the labels carry no offsets)."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(repr=False)
    privacy_type: str
    level: PrivacyLevel


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
