"""`TokenClassificationExtractor`: a PII token-classification model (BIO, BIOES or plain labels) run
locally with Hugging Face `transformers`, its labels mapped onto the MemPrivacy taxonomy.

Made for `openai/privacy-filter` (8 coarse labels) and `OpenMed/privacy-filter-nemotron` (the
Nemotron-PII categories); any `AutoModelForTokenClassification` checkpoint with a fast tokenizer
works, given a label map for labels the shipped one does not know.

How a message is read:

1. The fast tokenizer gives character offsets for every token. A text longer than `max_length`
   tokens is cut into windows that overlap by `stride` tokens; a token seen in two windows keeps
   the prediction of the window where it is farther from the edge (more context on both sides).
   A very long text (over `SEGMENT_CHARS` characters) is first cut into segments that overlap by
   `SEGMENT_OVERLAP` characters, read one group at a time, so that memory stays bounded however
   long the message (a megabyte holds hundreds of thousands of tokens); an entity cut at one
   segment's edge is whole in the next, and the segments' spans are merged into their union.
2. Each token gets the label of highest probability (`aggregation="simple"`), or tokens are first
   grouped into words (`"first"`, `"average"`, `"max"`, like the transformers pipeline).
3. `decode_entities` turns the label sequence into entities: B-/S-/U- open (S/U also close),
   I-/M- continue an entity of the same type or open one, E-/L- close, plain labels act as I-,
   `O` closes. An entity's score is the mean probability of its tokens; entities below
   `threshold` are dropped. Decoding is greedy, not the constrained Viterbi some model cards use.
4. The label map (`data/token_labels.json`, merged with the caller's `label_map`) gives the
   standard type and level; whitespace around an entity is trimmed, every span is checked against
   the message and overlapping spans are merged (`spans.merge_spans`).

Person labels: a tagger cannot tell the user from anyone else. A person entity is "Real Name" when
no `user_name` is given or when it matches the user's name (or a part of it), and "Relationship
Info" (PL2, third parties) when a `user_name` is given and it does not match.

Labels that are not in the map are kept (fail closed): `taxonomy.normalize_type` maps them onto a
standard type when it can ("credit card" → Financial Account, with that type's level), otherwise
the cleaned label is a custom type at `unknown_level` (PL3 by default: protected by a reversible
placeholder under the default policy, without the zero retention of PL4).

Results are kept in an `ExtractionCache` (on by default, `cache=False` to turn it off): a
conversation history protected again does not run the model again (see `_cache.py`).

`transformers` and `torch` are imported when an extractor is created, never at package import:
`pip install 'memprivacy-plugin[transformers]'`.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ..spans import PrivacySpan, merge_spans
from ..taxonomy import PrivacyLevel, normalize_type
from ._cache import BatchLookup, ExtractionCache, cache_option
from ._chunks import count_windows, merge_chunks, plan_windows, shift
from ._names import is_user_name
from .base import BaseExtractor, label_coverage

__all__ = [
    "AGGREGATIONS",
    "LabelRule",
    "TokenClassificationExtractor",
    "aggregate_words",
    "decode_entities",
    "default_label_map",
    "join_address_parts",
    "label_key",
    "resolve_label",
    "split_label",
]

AGGREGATIONS = ("simple", "first", "average", "max")
Entity = tuple[int, int, str, float]

#: Characters of a segment of a very long text (see the module docstring): a few thousand tokens.
SEGMENT_CHARS = 32_768
#: Characters shared by consecutive segments: longer than any entity a tagger finds.
SEGMENT_OVERLAP = 1_024

_PREFIX = re.compile(r"^([BIESLUM])-(.+)$", re.IGNORECASE)
_INSTALL_HINT = "pip install 'memprivacy-plugin[transformers]'"


# --------------------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelRule:
    """What a model label becomes: a standard type and level, and two special behaviours.

    `person`: the label names a person; Real Name when it is the user's own name, Relationship Info
    when a `user_name` is given and it does not match. `address_part`: a city/state/country label,
    kept only when it touches a Detailed Address span (it is then joined to that span)."""

    privacy_type: str
    level: PrivacyLevel
    person: bool = False
    address_part: bool = False

    @classmethod
    def coerce(cls, value: Any, *, unknown_level: PrivacyLevel = PrivacyLevel.PL3) -> LabelRule | None:
        """A rule from a map value: a `LabelRule`, `None` (not extracted), a type string (its
        taxonomy level, else `unknown_level`) or a mapping with `type` and optional `level`,
        `person`, `address_part`."""
        if value is None or isinstance(value, LabelRule):
            return value
        if isinstance(value, str):
            return _rule_for_type(value, None, unknown_level)
        if isinstance(value, Mapping):
            unknown_keys = set(value) - {"type", "level", "person", "address_part"}
            if unknown_keys or "type" not in value:
                raise ValueError(
                    "a label map entry needs 'type' (and only type, level, person, address_part), "
                    f"got {sorted(value)}"
                )
            rule = _rule_for_type(str(value["type"]), value.get("level"), unknown_level)
            return LabelRule(
                rule.privacy_type,
                rule.level,
                person=bool(value.get("person", False)),
                address_part=bool(value.get("address_part", False)),
            )
        raise TypeError(f"label map values are a type string, a mapping or None, not {type(value).__name__}")


def _rule_for_type(privacy_type: str, level: Any, unknown_level: PrivacyLevel) -> LabelRule:
    info = normalize_type(privacy_type)
    if level is not None:
        resolved = level if isinstance(level, PrivacyLevel) else PrivacyLevel(level)
    else:
        resolved = info.level or unknown_level
    return LabelRule(info.name, resolved)


def split_label(label: str) -> tuple[str, str]:
    """`("B", "private_email")` from `"B-private_email"`; a label without a B/I/E/S/L/U/M prefix
    comes back as `("", label)` (`"O"` included). The prefix is upper-cased."""
    label = label.strip()
    match = _PREFIX.match(label)
    if match:
        return match.group(1).upper(), match.group(2)
    return "", label


def label_key(label: str) -> str:
    """The comparison key of a label: prefix stripped, case-folded, spaces and hyphens as `_`."""
    return re.sub(r"[\s\-]+", "_", split_label(label)[1].strip().casefold())


@lru_cache(maxsize=1)
def _shipped_map() -> Mapping[str, LabelRule | None]:
    raw = json.loads(resources.files(__package__).joinpath("data/token_labels.json").read_text("utf-8"))
    return {label_key(k): LabelRule.coerce(v) for k, v in raw["labels"].items()}


def default_label_map() -> dict[str, LabelRule | None]:
    """The shipped label map (a copy): `openai/privacy-filter` and Nemotron-PII labels."""
    return dict(_shipped_map())


def resolve_label(
    label: str,
    label_map: Mapping[str, LabelRule | None],
    *,
    unknown_level: PrivacyLevel = PrivacyLevel.PL3,
) -> LabelRule | None:
    """The rule for a model label (prefix and case ignored). A label missing from the map is kept:
    normalised onto a standard type when `normalize_type` knows it, else a custom type at
    `unknown_level`. `None` means the label is not extracted."""
    key = label_key(label)
    if key in label_map:
        return label_map[key]
    return _rule_for_type(key.replace("_", " "), None, unknown_level)


# --------------------------------------------------------------------------------------------------
# Decoding (pure functions)
# --------------------------------------------------------------------------------------------------


def decode_entities(
    token_labels: Sequence[str],
    token_scores: Sequence[float],
    offsets: Sequence[tuple[int, int]],
) -> list[Entity]:
    """Entities `(start, end, label, score)` from per-token labels (BIO, BIOES/BILOU or plain),
    scores and character offsets. `label` is the entity type without its prefix; `score` is the
    mean token score. Tokens with empty offsets (special tokens, padding) are skipped.

    B-/S-/U- start a new entity (S-/U- end it at once); I-/M- continue the open entity of the same
    type or start one (a model may skip the B-); E-/L- end it; a plain label acts as I-; `O` ends
    it. Two entities of the same type that touch (no character between them: sub-word pieces of one
    word each tagged B-) are joined."""
    if not len(token_labels) == len(token_scores) == len(offsets):
        raise ValueError("token_labels, token_scores and offsets must have the same length")
    entities: list[tuple[int, int, str, list[float]]] = []
    current: tuple[int, int, str, list[float]] | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            start, end, label, scores = current
            last = entities[-1] if entities else None
            if last is not None and last[2] == label and last[1] == start:
                entities[-1] = (last[0], end, label, last[3] + scores)
            else:
                entities.append(current)
            current = None

    for label, score, (start, end) in zip(token_labels, token_scores, offsets, strict=True):
        if end <= start:
            continue
        prefix, entity = split_label(label)
        if not prefix and entity.upper() == "O":
            close()
            continue
        if prefix in ("B", "S", "U") or current is None or current[2] != entity:
            close()
            current = (start, end, entity, [float(score)])
        else:
            current = (current[0], end, entity, [*current[3], float(score)])
        if prefix in ("S", "U", "E", "L"):
            close()
    close()
    return [(s, e, label, sum(scores) / len(scores)) for s, e, label, scores in entities]


def aggregate_words(
    token_probs: Sequence[Sequence[float]],
    offsets: Sequence[tuple[int, int]],
    word_ids: Sequence[int | None],
    strategy: str,
) -> tuple[list[int], list[float], list[tuple[int, int]]]:
    """Group tokens into words (consecutive tokens with the same word id) and give each word one
    label id, score and offset span: `"first"` the first token's best label, `"max"` the best label
    of the most confident token, `"average"` the best label of the mean distribution. Tokens with
    no word id or empty offsets are left out."""
    if strategy not in ("first", "average", "max"):
        raise ValueError(f"unknown word aggregation {strategy!r}")
    groups: list[list[int]] = []
    last_word: int | None = None
    for i, (word, (start, end)) in enumerate(zip(word_ids, offsets, strict=True)):
        if word is None or end <= start:
            last_word = None
            continue
        if groups and word == last_word:
            groups[-1].append(i)
        else:
            groups.append([i])
        last_word = word
    labels: list[int] = []
    scores: list[float] = []
    spans: list[tuple[int, int]] = []
    for group in groups:
        if strategy == "first":
            probs = list(token_probs[group[0]])
        elif strategy == "max":
            probs = list(max((token_probs[i] for i in group), key=max))
        else:
            rows = [token_probs[i] for i in group]
            probs = [sum(col) / len(rows) for col in zip(*rows, strict=True)]
        best = max(range(len(probs)), key=probs.__getitem__)
        labels.append(best)
        scores.append(float(probs[best]))
        spans.append((offsets[group[0]][0], offsets[group[-1]][1]))
    return labels, scores, spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_ADDRESS_GAP = re.compile(r"[\s,，、]{0,3}")


def join_address_parts(
    text: str, items: Sequence[tuple[int, int, LabelRule, float]]
) -> list[tuple[int, int, LabelRule, float]]:
    """Address parts (`address_part` rules: city, state, country) that touch a Detailed Address
    entity, directly or through other parts, separated by at most three spaces or commas, are joined
    to it into one span; parts touching no such entity are dropped. Other entities pass through."""
    address = sorted(
        (it for it in items if it[2].address_part or it[2].privacy_type == "Detailed Address"),
        key=lambda it: it[0],
    )
    out = [it for it in items if not (it[2].address_part or it[2].privacy_type == "Detailed Address")]
    group: list[tuple[int, int, LabelRule, float]] = []

    def flush() -> None:
        anchors = [it for it in group if not it[2].address_part]
        if anchors:
            best = max(anchors, key=lambda it: (it[2].level.rank, it[3]))
            start, end = min(it[0] for it in group), max(it[1] for it in group)
            out.append((start, end, best[2], max(it[3] for it in group)))

    for item in address:
        if group and (
            item[0] <= max(it[1] for it in group)
            or _ADDRESS_GAP.fullmatch(text, max(it[1] for it in group), item[0])
        ):
            group.append(item)
        else:
            flush()
            group = [item]
    flush()
    return sorted(out, key=lambda it: (it[0], it[1]))


# --------------------------------------------------------------------------------------------------
# The extractor
# --------------------------------------------------------------------------------------------------


def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ImportError(
            f"TokenClassificationExtractor needs {name!r} (with torch): {_INSTALL_HINT}"
        ) from exc


@dataclass
class _Token:
    start: int
    end: int
    word: int | None
    label: int
    score: float
    probs: list[float] | None
    edge: int  # distance to the nearer edge of its window, in tokens


class TokenClassificationExtractor(BaseExtractor):
    """Extract privacy spans with a local token-classification (PII/NER) model.

    `model` is a Hub id or a local directory (loaded with `AutoModelForTokenClassification` and
    `AutoTokenizer`), or an already loaded model, then with `tokenizer` given. `label_map` entries
    (label → type string, `{"type", "level", "person", "address_part"}` or `None` to ignore the
    label) are merged over the shipped map; `use_default_labels=False` starts from an empty map.
    `stride` is the overlap between windows of `max_length` tokens (default: a quarter of it).
    """

    name = "token_classification"
    #: the guard's bound per extraction when it is given none (seconds)
    default_timeout = 60.0

    def __init__(
        self,
        model: str | os.PathLike[str] | Any,
        *,
        label_map: Mapping[str, Any] | None = None,
        aggregation: str = "simple",
        threshold: float = 0.5,
        device: str | Any = "cpu",
        batch_size: int = 16,
        max_length: int = 512,
        stride: int | None = None,
        tokenizer: str | os.PathLike[str] | Any | None = None,
        unknown_level: PrivacyLevel | str = PrivacyLevel.PL3,
        use_default_labels: bool = True,
        model_kwargs: Mapping[str, Any] | None = None,
        tokenizer_kwargs: Mapping[str, Any] | None = None,
        cache: ExtractionCache | bool = True,
    ) -> None:
        if aggregation not in AGGREGATIONS:
            raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {aggregation!r}")
        if not 0.0 <= threshold <= 1.01:
            raise ValueError("threshold must be in [0, 1] (above 1 disables every entity)")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if max_length < 8:
            raise ValueError("max_length must be at least 8 tokens")
        self.aggregation = aggregation
        self.threshold = float(threshold)
        self.batch_size = batch_size
        self.max_length = max_length
        self.stride = max_length // 4 if stride is None else stride
        if not 0 <= self.stride < max_length // 2:
            raise ValueError("stride must be >= 0 and less than half of max_length")
        self.unknown_level = PrivacyLevel(unknown_level)
        table: dict[str, LabelRule | None] = default_label_map() if use_default_labels else {}
        for label, value in (label_map or {}).items():
            table[label_key(label)] = LabelRule.coerce(value, unknown_level=self.unknown_level)
        self.label_map = table

        self._torch = _import("torch")
        transformers = _import("transformers")
        if isinstance(model, (str, os.PathLike)):
            self.model_name = os.fspath(model)
            self._model = transformers.AutoModelForTokenClassification.from_pretrained(
                self.model_name, **dict(model_kwargs or {})
            )
            self._model_key = self.model_name
        else:
            self._model = model
            name = getattr(getattr(model, "config", None), "_name_or_path", "")
            self.model_name = str(name or type(model).__name__)
            # for the cache: an unnamed model object is told apart from others of its class
            self._model_key = self.model_name if name else f"{self.model_name}@{id(model)}"
        if tokenizer is None:
            if not isinstance(model, (str, os.PathLike)):
                raise ValueError("pass tokenizer= together with an already loaded model")
            tokenizer = self.model_name
        if isinstance(tokenizer, (str, os.PathLike)):
            tokenizer = transformers.AutoTokenizer.from_pretrained(
                os.fspath(tokenizer), **dict(tokenizer_kwargs or {})
            )
        if not getattr(tokenizer, "is_fast", False):
            raise ValueError("TokenClassificationExtractor needs a fast tokenizer (character offsets)")
        self._tokenizer: Any = tokenizer
        self.device = self._torch.device(device)
        self._model.to(self.device)
        self._model.eval()
        id2label = getattr(self._model.config, "id2label", None) or {}
        self.id2label: dict[int, str] = {int(k): str(v) for k, v in id2label.items()}
        if not self.id2label:
            raise ValueError("the model config has no id2label")
        self._rules: dict[str, LabelRule | None] = {}
        #: results of earlier extractions (see `_cache.py`); None: every call runs the model
        self.cache = cache_option(cache)

    # -- labels -----------------------------------------------------------------------------------

    def rule_for(self, label: str) -> LabelRule | None:
        """The rule this extractor applies to a model label (see `resolve_label`)."""
        key = label_key(label)
        if key not in self._rules:
            self._rules[key] = resolve_label(label, self.label_map, unknown_level=self.unknown_level)
        return self._rules[key]

    @property
    def coverage(self) -> frozenset[str]:
        """The types the model's labels become under the label map (`O` and ignored labels aside)."""
        labels = {split_label(label)[1] for label in self.id2label.values()}
        return label_coverage(self.rule_for(label) for label in labels if label.upper() != "O")

    # -- extraction -------------------------------------------------------------------------------

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        return self.extract_batch([text], user_name=user_name)[0]

    def work_units(self, text: str) -> int:
        """Segments of `text` (see the module docstring), for the guard's time bound."""
        return count_windows(len(text), SEGMENT_CHARS, SEGMENT_OVERLAP)

    def cache_identity(self) -> str:
        """Everything that makes this extractor's answer what it is: the model, the decoding
        settings and the label map. Extractors sharing a cache share entries only when all agree."""
        settings = json.dumps(
            [
                f"{type(self).__module__}.{type(self).__qualname__}",
                self.model_name,
                self._model_key,
                self.aggregation,
                self.threshold,
                self.max_length,
                self.stride,
                self.unknown_level.value,
                sorted((k, repr(v)) for k, v in self.label_map.items()),
            ],
            ensure_ascii=False,
        )
        return hashlib.sha256(settings.encode("utf-8", "surrogatepass")).hexdigest()

    def extract_batch(self, texts: Sequence[str], *, user_name: str | None = None) -> list[list[PrivacySpan]]:
        if not texts:
            return []
        lookup = BatchLookup(self.cache, self.cache_identity(), texts, user_name)
        return lookup.complete(self._extract_batch(lookup.missing, user_name) if lookup.missing else [])

    def _extract_batch(self, texts: Sequence[str], user_name: str | None) -> list[list[PrivacySpan]]:
        texts = list(texts)
        found: list[list[list[PrivacySpan]]] = [[] for _ in texts]
        pieces = [
            (i, start, end)
            for i, text in enumerate(texts)
            if text and not text.isspace()
            for start, end in plan_windows(len(text), SEGMENT_CHARS, SEGMENT_OVERLAP)
        ]
        group: list[tuple[int, int, int]] = []
        size = 0
        for n, piece in enumerate(pieces):  # groups of about one segment's worth of characters
            group.append(piece)
            size += piece[2] - piece[1]
            if size >= SEGMENT_CHARS or n == len(pieces) - 1:
                chunks = [texts[i][start:end] for i, start, end in group]
                for (i, start, _), chunk, toks in zip(group, chunks, self._predict(chunks), strict=True):
                    found[i].append(shift(self._spans(chunk, toks, user_name), start))
                group, size = [], 0
        return [merge_chunks(t, f, everywhere=False) if f else [] for t, f in zip(texts, found, strict=True)]

    def _predict(self, texts: list[str]) -> list[list[_Token]]:
        """Per text, its tokens with a prediction each (windows merged)."""
        torch = self._torch
        enc = self._tokenizer(
            texts,
            truncation=True,
            max_length=self.max_length,
            stride=self.stride,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
            padding=False,
        )
        sample_of: list[int] = list(enc.get("overflow_to_sample_mapping", range(len(texts))))
        n_windows = len(enc["input_ids"])
        pad_id = self._tokenizer.pad_token_id
        pad_id = 0 if pad_id is None else int(pad_id)
        want_probs = self.aggregation != "simple"
        merged: list[dict[tuple[int, int], _Token]] = [{} for _ in texts]
        # Windows sorted by length so that a batch pads as little as possible.
        order = sorted(range(n_windows), key=lambda w: len(enc["input_ids"][w]))
        for lo in range(0, n_windows, self.batch_size):
            idx = order[lo : lo + self.batch_size]
            width = max(len(enc["input_ids"][w]) for w in idx)
            ids = [list(enc["input_ids"][w]) + [pad_id] * (width - len(enc["input_ids"][w])) for w in idx]
            mask = [[1] * len(enc["input_ids"][w]) + [0] * (width - len(enc["input_ids"][w])) for w in idx]
            with torch.inference_mode():
                out = self._model(
                    input_ids=torch.tensor(ids, device=self.device),
                    attention_mask=torch.tensor(mask, device=self.device),
                )
                probs = torch.softmax(out.logits.float(), dim=-1).cpu()
                best, best_id = probs.max(dim=-1)
            for row, w in enumerate(idx):
                offsets = enc["offset_mapping"][w]
                word_ids = enc.word_ids(w)
                real = [k for k, (s, e) in enumerate(offsets) if e > s]
                n_real = len(real)
                bucket = merged[sample_of[w]]
                row_probs = probs[row].tolist() if want_probs else None
                row_best = best[row].tolist()
                row_ids = best_id[row].tolist()
                for pos, k in enumerate(real):
                    s, e = offsets[k]
                    edge = min(pos, n_real - 1 - pos)
                    key = (int(s), int(e))
                    seen = bucket.get(key)
                    if seen is not None and seen.edge >= edge:
                        continue
                    bucket[key] = _Token(
                        int(s),
                        int(e),
                        word_ids[k],
                        int(row_ids[k]),
                        float(row_best[k]),
                        row_probs[k] if row_probs is not None else None,
                        edge,
                    )
        return [sorted(b.values(), key=lambda t: (t.start, t.end)) for b in merged]

    def _entities(self, tokens: Sequence[_Token]) -> list[Entity]:
        if self.aggregation == "simple":
            labels = [self.id2label.get(t.label, "O") for t in tokens]
            return decode_entities(labels, [t.score for t in tokens], [(t.start, t.end) for t in tokens])
        ids, scores, spans = aggregate_words(
            [t.probs or [] for t in tokens],
            [(t.start, t.end) for t in tokens],
            [t.word for t in tokens],
            self.aggregation,
        )
        return decode_entities([self.id2label.get(i, "O") for i in ids], scores, spans)

    def _spans(self, text: str, tokens: Sequence[_Token], user_name: str | None) -> list[PrivacySpan]:
        items: list[tuple[int, int, LabelRule, float]] = []
        for start, end, label, score in self._entities(tokens):
            if score < self.threshold:
                continue
            rule = self.rule_for(label)
            if rule is None:
                continue
            start, end = _trim(text, max(0, start), min(len(text), end))
            if end > start:
                items.append((start, end, rule, min(1.0, max(0.0, score))))
        joined = join_address_parts(text, items)
        spans = [self._span(text, s, e, rule, score, user_name) for s, e, rule, score in joined]
        return merge_spans(spans, text)

    def _span(
        self, text: str, start: int, end: int, rule: LabelRule, score: float, user_name: str | None
    ) -> PrivacySpan:
        privacy_type = rule.privacy_type
        if rule.person and user_name and user_name.strip():
            privacy_type = "Real Name" if is_user_name(text[start:end], user_name) else "Relationship Info"
        return PrivacySpan(
            text=text[start:end],
            start=start,
            end=end,
            privacy_type=privacy_type,
            level=rule.level,
            score=score,
            source=self.name,
        )

    def labels(self) -> Iterable[tuple[str, LabelRule | None]]:
        """Every entity label of the loaded model with the rule applied to it."""
        seen: set[str] = set()
        for label in self.id2label.values():
            prefix, entity = split_label(label)
            if (not prefix and entity.upper() == "O") or label_key(entity) in seen:
                continue
            seen.add(label_key(entity))
            yield entity, self.rule_for(entity)

    def __repr__(self) -> str:
        return f"TokenClassificationExtractor({self.model_name!r}, aggregation={self.aggregation!r})"
