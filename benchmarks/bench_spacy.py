"""Benchmark `EnsembleExtractor([RuleExtractor(), SpacyNerExtractor()])` on the user turns of
MemPrivacy-Bench and PersonaMem-v2.

    .venv/bin/python benchmarks/bench_spacy.py [--errors N] [--repeat N] [--pipeline NAME]

Prints throughput (messages per second, batched with `extract_batch` and one message at a time)
and, on the English turns, overlap recall/precision for the name-like PL2 gold types:

- Person: Real Name, Third-Party Identifiable Info, Relationship Info (predicted Real Name or
  Relationship Info);
- Organisation: Employer/Company Name, Company/Organization Info, Company Name, School (predicted
  Identity Background).

A prediction matches a gold span of its family when they overlap by at least half of the shorter one
(as in `_rules_eval`); "covers any gold" is the share of predictions that match a gold span of any
type (a bank's name labelled Financial Account, a street inside a Detailed Address). Gold
"Relationship Info" includes descriptions without a name ("my lab partner"), which no NER finds;
the per-label recall table shows it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._rules_eval import Counts, Turn, _fmt, _matches, dataset_paths, load_turns
from memprivacy_plugin.extractors import EnsembleExtractor, RuleExtractor
from memprivacy_plugin.extractors.spacy_ner import SpacyNerExtractor, detect_language
from memprivacy_plugin.spans import PrivacySpan

GOLD_FAMILIES = {
    "Real Name": "Person",
    "Third-Party Identifiable Info": "Person",
    "Relationship Info": "Person",
    "Employer/Company Name": "Organisation",
    "Company/Organization Info": "Organisation",
    "Company Name": "Organisation",
    "School": "Organisation",
}
PREDICTED_FAMILIES = {
    "Real Name": "Person",
    "Relationship Info": "Person",
    "Identity Background": "Organisation",
}


OTHER = "other"  # every other gold label: counted only for "covers any gold span"


def score(
    turns: Sequence[Turn], predictions: Sequence[Sequence[PrivacySpan]]
) -> tuple[dict[str, Counts], dict[str, Counts], dict[str, int], list[tuple[str, str, str]]]:
    """Per family and per gold label counts, per family the number of predictions that cover some
    gold span of any type, and the errors."""
    families = {"Person": Counts(), "Organisation": Counts()}
    labels: dict[str, Counts] = {}
    covering = dict.fromkeys(families, 0)
    errors: list[tuple[str, str, str]] = []
    for turn, preds in zip(turns, predictions, strict=True):
        typed = [(p, PREDICTED_FAMILIES.get(p.privacy_type)) for p in preds]
        for g in turn.gold:
            if g.family == OTHER:
                continue
            hit = any(f == g.family and _matches(p.start, p.end, g.start, g.end) for p, f in typed)
            for counts in (families[g.family], labels.setdefault(g.raw_label, Counts())):
                counts.gold += 1
                counts.found += hit
            if not hit:
                errors.append(("FN", g.family, turn.text[g.start : g.end]))
        for p, fam in typed:
            if fam is None:
                continue
            ok = any(g.family == fam and _matches(p.start, p.end, g.start, g.end) for g in turn.gold)
            families[fam].pred += 1
            families[fam].correct += ok
            covering[fam] += any(_matches(p.start, p.end, g.start, g.end) for g in turn.gold)
            if not ok:
                errors.append(("FP", fam, p.text))
    return families, labels, covering, errors


def _rate(extract: object, texts: Sequence[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        extract(texts)  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return len(texts) / best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", type=int, default=0, help="print up to N false positives/negatives")
    parser.add_argument("--repeat", type=int, default=2, help="timed passes over the messages")
    parser.add_argument("--pipeline", default=None, help="English spaCy pipeline (default: first installed)")
    args = parser.parse_args(argv)

    paths = dataset_paths()
    if not paths:
        print("dataset not found (set MEMPRIVACY_SHARED_DATA)", file=sys.stderr)
        return 2
    turns = load_turns(paths, family=lambda raw: GOLD_FAMILIES.get(raw, OTHER), unformatted=frozenset())
    english = [t for t in turns if detect_language(t.text) == "en"]
    spacy_ner = SpacyNerExtractor({"en": args.pipeline} if args.pipeline else None)
    ensemble = EnsembleExtractor([RuleExtractor(), spacy_ner])
    texts = [t.text for t in turns]
    en_texts = [t.text for t in english]

    ensemble.extract_batch(texts[:64])  # load the pipeline, warm up
    predictions = ensemble.extract_batch(en_texts)
    families, labels, covering, errors = score(english, predictions)

    model = spacy_ner.pipeline("en").meta
    print(f"{len(turns)} user turns ({len(english)} English) from {', '.join(p.name for p in paths)}")
    print(f"spaCy {model['lang']}_{model['name']} {model['version']}\n")
    lines = [
        "| family (English turns) | gold | found | recall | predicted | correct | precision "
        "| covers any gold |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for fam, c in families.items():
        recall, precision = _fmt(c.recall), _fmt(c.precision)
        cover = _fmt(covering[fam] / c.pred if c.pred else float("nan"))
        lines.append(
            f"| {fam} | {c.gold} | {c.found} | {recall} | {c.pred} | {c.correct} | {precision} | {cover} |"
        )
    lines += ["", "| gold label | gold | found | recall |", "|---|---:|---:|---:|"]
    for label, c in sorted(labels.items(), key=lambda kv: -kv[1].gold):
        lines.append(f"| {label} | {c.gold} | {c.found} | {_fmt(c.recall)} |")
    print("\n".join(lines))

    chars = sum(map(len, en_texts)) / len(en_texts)
    batched_en = _rate(ensemble.extract_batch, en_texts, args.repeat)
    batched_all = _rate(ensemble.extract_batch, texts, args.repeat)
    single_en = _rate(lambda ts: [ensemble.extract(t) for t in ts], en_texts, 1)
    spacy_only = _rate(spacy_ner.extract_batch, en_texts, args.repeat)
    print(
        f"\nthroughput, one process (English turns: mean {chars:.0f} chars):\n"
        f"  ensemble extract_batch, English turns: {batched_en:,.0f} messages/s\n"
        f"  ensemble extract_batch, all turns (CJK turns skip spaCy): {batched_all:,.0f} messages/s\n"
        f"  ensemble extract, one message at a time, English turns: {single_en:,.0f} messages/s\n"
        f"  spaCy alone, extract_batch, English turns: {spacy_only:,.0f} messages/s"
    )
    if args.errors:
        print()
        for kind, fam, value in errors[: args.errors]:
            print(f"{kind} [{fam}] {value!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
