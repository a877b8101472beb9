"""Run an extractor (ours by preset name, or a baseline) over a dataset and score it.

`evaluate_extractor` extracts every message once (timed: messages per second is extraction only,
one message at a time, as the guard calls it), scores the spans with `metrics`, then runs the full
guard (extractor output + default policy + placeholders, an in-memory vault per run) over the same
messages and counts the gold values of protected levels that survive into the cloud-bound text.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..extractors.base import BaseExtractor, Extractor
from ..policy import Action, PrivacyPolicy
from ..spans import Locator, PrivacySpan, resolve_span
from ..taxonomy import PrivacyLevel, normalize_type
from .datasets import GoldSpan, Record
from .leaks import find_leaks
from .metrics import MemPrivacyScorer, Region, SpanScorer

__all__ = ["Message", "build_any", "evaluate_extractor", "gold_regions", "messages_of", "run_extractor"]


@dataclass(frozen=True)
class Message:
    uuid: str
    user_name: str | None
    text: str
    gold: list[GoldSpan] = field(default_factory=list)


def messages_of(records: Iterable[Record], limit: int | None = None) -> list[Message]:
    """The turns of `records` (as loaded: user turns by default), at most `limit`."""
    out: list[Message] = []
    for r in records:
        for d in r.dialogues:
            if limit is not None and len(out) >= limit:
                return out
            out.append(Message(r.uuid, r.user_name, d.content, list(d.spans)))
    return out


def gold_regions(message: Message) -> list[Region]:
    """Gold values as regions: their offsets, else every occurrence in the message (a value not
    found anywhere stays as an unmatched region at -1)."""
    locator = Locator(message.text)
    seen: set[tuple[int, int]] = set()
    out: list[Region] = []
    for g in message.gold:
        if g.start is not None and g.end is not None:
            places = [(g.start, g.end)]
        else:
            places = locator.find(g.text) or [(-1, -1)]
        for s, e in places:
            if s >= 0 and (s, e) in seen:
                continue
            seen.add((s, e))
            out.append(Region(s, e, g.privacy_type, g.level, g.text))
    return out


def build_any(name: str, **options: Any) -> Extractor:
    """A baseline (`presidio`, `argus`) or one of our presets (`rules`, `rules+spacy`, ...)."""
    from .baselines import BASELINES, build_baseline

    if name.strip().lower().replace("_", "-") in {*BASELINES, "argus-redact"}:
        return build_baseline(name)
    from ..extractors.presets import build_extractor

    return build_extractor(name, **options)


def _progress(items: Sequence[Any], desc: str, enabled: bool) -> Iterable[Any]:
    if not enabled:
        return items
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is in the eval extra
        return items
    return tqdm(items, desc=desc, unit="msg", leave=False)  # type: ignore[no-any-return]


def run_extractor(
    extractor: Extractor, messages: Sequence[Message], *, progress: bool = False, desc: str = "extract"
) -> tuple[list[list[PrivacySpan]], float, int]:
    """(spans per message, seconds spent extracting, failures). A failing message has no spans."""
    out: list[list[PrivacySpan]] = []
    seconds = 0.0
    failures = 0
    for m in _progress(messages, desc, progress):
        t0 = time.perf_counter()
        try:
            spans = extractor.extract(m.text, user_name=m.user_name)
        except Exception:
            spans = []
            failures += 1
        seconds += time.perf_counter() - t0
        out.append(list(spans))
    return out, seconds, failures


class _Replay(BaseExtractor):
    """Hands the guard the spans already extracted for each text; with `inner`, extracts a text it
    has not seen once and remembers it (so one text is never extracted twice)."""

    name = "replay"

    def __init__(self, found: dict[str, list[PrivacySpan]], inner: Extractor | None = None) -> None:
        self.found = found
        self.inner = inner

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        if self.inner is not None and text not in self.found:
            self.found[text] = list(self.inner.extract(text, user_name=user_name))
        return list(self.found.get(text, []))


def _protected(policy: PrivacyPolicy, g: GoldSpan) -> bool:
    tag = normalize_type(g.privacy_type).name
    action = policy.types.get(tag) or policy.levels[PrivacyLevel(g.level)]
    return action is not Action.KEEP


def _context(text: str, value: str, width: int = 40) -> str:
    i = text.find(value)
    return text[max(0, i - width) : i + len(value) + width].replace("\n", " ")


def leakage(
    messages: Sequence[Message],
    predictions: Sequence[Sequence[PrivacySpan]],
    *,
    policy: PrivacyPolicy | None = None,
    examples: int = 3,
    progress: bool = False,
) -> dict[str, Any]:
    """Gold values of protected levels (3+ characters, present in their message) that survive the
    guard into the cloud-bound text, per level and per type, with a few examples."""
    from ..guard import PrivacyGuard
    from ..vault.memory import InMemoryVault

    policy = policy or PrivacyPolicy.default()
    found: dict[str, list[PrivacySpan]] = {}
    for m, spans in zip(messages, predictions, strict=True):
        found.setdefault(m.text, list(spans))
    guard = PrivacyGuard(extractor=_Replay(found), vault=InMemoryVault(), policy=policy)
    total: dict[str, int] = defaultdict(int)
    leaked: dict[str, int] = defaultdict(int)
    type_total: dict[str, int] = defaultdict(int)
    type_leaked: dict[str, int] = defaultdict(int)
    shown: dict[str, list[dict[str, str]]] = defaultdict(list)
    blocked = 0
    for m in _progress(messages, "leakage", progress):
        values = {
            g.text.strip(): g
            for g in m.gold
            if _protected(policy, g) and len(g.text.strip()) >= 3 and g.text.strip() in m.text
        }
        if not values:
            continue
        try:
            cloud = guard.protect(m.text, user_id=m.uuid or "user", user_name=m.user_name).text
        except Exception:  # a blocking policy: nothing is sent
            blocked += 1
            cloud = ""
        hits = {leak.value for leak in find_leaks([("cloud", cloud)], values)}
        for value, g in values.items():
            lvl, tag = g.level.value, normalize_type(g.privacy_type).name
            total[lvl] += 1
            type_total[tag] += 1
            if value in hits:
                leaked[lvl] += 1
                type_leaked[tag] += 1
                if len(shown[lvl]) < examples:
                    shown[lvl].append(
                        {"type": g.privacy_type, "value": value, "cloud": _context(cloud, value)}
                    )
    guard.close()
    n, k = sum(total.values()), sum(leaked.values())
    return {
        "values": n,
        "leaked": k,
        "leak_rate": k / n if n else 0.0,
        "blocked_messages": blocked,
        "per_level": {
            lvl: {"values": total[lvl], "leaked": leaked[lvl], "leak_rate": leaked[lvl] / total[lvl]}
            for lvl in sorted(total)
        },
        "per_type": {
            t: {
                "values": type_total[t],
                "leaked": type_leaked[t],
                "leak_rate": type_leaked[t] / type_total[t],
            }
            for t in sorted(type_total)
        },
        "examples": dict(shown),
    }


def score(
    messages: Sequence[Message],
    predictions: Sequence[Sequence[PrivacySpan]],
    *,
    similarity: Callable[[str, str], float] | None = None,
) -> dict[str, Any]:
    """Span metrics and the MemPrivacy metric of `predictions` against the gold of `messages`."""
    spans = SpanScorer()
    mp = MemPrivacyScorer(similarity)
    for m, preds in zip(messages, predictions, strict=True):
        resolved: list[PrivacySpan] = []
        for p in preds:
            resolved.extend(resolve_span(m.text, p))
        spans.add(m.text, gold_regions(m), [Region.of(p) for p in resolved])
        mp.add(
            m.text,
            [(g.text, g.privacy_type, g.level) for g in m.gold],
            [(p.text, p.privacy_type, p.level) for p in preds],
        )
    return {"spans": spans.result(), "memprivacy": mp.result()}


def evaluate_extractor(
    name: str,
    messages: Sequence[Message],
    *,
    extractor: Extractor | None = None,
    similarity: Callable[[str, str], float] | None = None,
    policy: PrivacyPolicy | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Every figure for one extractor on `messages` (see the module docstring)."""
    t0 = time.perf_counter()
    extractor = extractor or build_any(name)
    load_s = time.perf_counter() - t0
    predictions, seconds, failures = run_extractor(extractor, messages, progress=progress, desc=name)
    result: dict[str, Any] = {
        "name": name,
        "messages": len(messages),
        "load_seconds": load_s,
        "extract_seconds": seconds,
        "messages_per_second": len(messages) / seconds if seconds else 0.0,
        "failures": failures,
    }
    result.update(score(messages, predictions, similarity=similarity))
    result["leakage"] = leakage(messages, predictions, policy=policy, progress=progress)
    result["predictions"] = predictions  # dropped before writing results.json
    return result
