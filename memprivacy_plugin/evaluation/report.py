"""`memprivacy eval`: run extractors and baselines over a dataset, write `results.json` (every figure)
and `report.md` (tables, with PNG plots beside it), and return a summary table for the terminal."""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .datasets import load_dataset
from .runner import evaluate_extractor, messages_of

__all__ = ["HEADLINE", "headline_rows", "run_eval", "summary_table", "utility_rows", "write_report"]

LEVELS = ("PL2", "PL3", "PL4")


def run_eval(
    dataset: str,
    extractor: str = "rules",
    baselines: Sequence[str] = (),
    *,
    limit: int | None = None,
    roles: Sequence[str] = ("user",),
    utility: bool | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Every figure for `extractor` and `baselines` on `dataset` (a name or a path). `utility`:
    run the memory-utility measure (default: when the dataset has questions with evidence)."""
    from .metrics import TypeSimilarity

    records = load_dataset(dataset, roles=roles)
    messages = messages_of(records, limit)
    similarity = TypeSimilarity()
    out: dict[str, Any] = {
        "dataset": str(dataset),
        "roles": list(roles),
        "limit": limit,
        "records": len(records),
        "messages": len(messages),
        "gold_spans": sum(len(m.gold) for m in messages),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "extractors": {},
    }
    names = [extractor, *[b for b in baselines if b and b != extractor]]
    for name in names:
        result = evaluate_extractor(name, messages, similarity=similarity, progress=progress)
        result.pop("predictions", None)
        out["extractors"][name] = result
    has_questions = any(q.get("evidence") for r in records for q in r.questions)
    if utility or (utility is None and has_questions):
        from .utility import memory_utility

        out["utility"] = memory_utility(records, extractor, limit=limit, progress=progress)
    return out


def _f(x: float) -> str:
    return f"{x:.3f}"


HEADLINE = [
    "extractor",
    "overlap P",
    "overlap R",
    "overlap F1",
    "exact F1",
    "level F1",
    "MemPrivacy F1 (optimal / greedy)",
    "leak PL2",
    "leak PL3",
    "leak PL4",
    "char coverage PL2-4",
    "msg/s",
]


def headline_rows(results: dict[str, Any], *, markdown: bool = False) -> list[list[str]]:
    """One row per extractor, columns as `HEADLINE` (the table of report.md and
    docs/evaluation.md; `markdown` bolds the overlap F1)."""
    rows = []
    for name, r in results["extractors"].items():
        o = r["spans"]["overall"]
        mp = r["memprivacy"]
        leak = r["leakage"]["per_level"]
        f1 = _f(o["overlap"]["f1"])
        rows.append(
            [
                name,
                _f(o["overlap"]["precision"]),
                _f(o["overlap"]["recall"]),
                f"**{f1}**" if markdown else f1,
                _f(o["exact"]["f1"]),
                _f(o["level"]["f1"]),
                f"{_f(mp['optimal']['f1'])} / {_f(mp['greedy']['f1'])}",
                *[_f(leak[lv]["leak_rate"]) if lv in leak else "-" for lv in LEVELS],
                _f(r["spans"]["char_coverage"]["all"]["coverage"]),
                f"{r['messages_per_second']:.0f}",
            ]
        )
    return rows


def utility_head(u: dict[str, Any]) -> list[str]:
    return ["treatment", *[f"hit@{k}" for k in u["ks"]], *[f"retention@{k}" for k in u["ks"]]]


def utility_rows(u: dict[str, Any]) -> list[list[str]]:
    """One row per treatment: hit rate at each k, then retention at each k."""
    ks = [str(k) for k in u["ks"]]
    return [
        [t, *[_f(row["hit"][k]) for k in ks], *[_f(row["retention"][k]) for k in ks]]
        for t, row in u["treatments"].items()
    ]


def _md_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---", *["---:"] * (len(head) - 1)]) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def summary_table(results: dict[str, Any]) -> str:
    """A plain-text table of the headline figures."""
    rows = [HEADLINE, *headline_rows(results)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADLINE))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    title = f"{results['dataset']}: {results['messages']} messages, {results['gold_spans']} gold spans"
    text = title + "\n" + "\n".join(lines)
    if results.get("utility"):
        text += "\n\n" + _utility_text(results["utility"])
    return text


def _utility_text(u: dict[str, Any]) -> str:
    ks = u["ks"]
    lines = [f"memory utility ({u['questions']} questions, evidence retrieved in top-k; retention vs raw):"]
    for t, row in u["treatments"].items():
        cells = "  ".join(f"@{k} {row['hit'][str(k)]:.3f} ({row['retention'][str(k)]:.2f})" for k in ks)
        lines.append(f"  {t:<14} {cells}")
    return "\n".join(lines)


def _gold_types(results: dict[str, Any]) -> list[str]:
    """The gold types of the dataset, most frequent first."""
    first = next(iter(results["extractors"].values()))["spans"]["per_type"]
    return sorted((t for t in first if first[t]["type"]["gold"]), key=lambda t: -first[t]["type"]["gold"])


def _plots(results: dict[str, Any], out: Path) -> list[str]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - matplotlib is in the eval extra
        return []
    names = list(results["extractors"])
    made: list[str] = []
    width = 0.8 / max(1, len(names))

    def save(fig: Any, name: str) -> None:
        fig.tight_layout()
        fig.savefig(out / name, dpi=110)
        plt.close(fig)
        made.append(name)

    # per-level recall (label-agnostic overlap) and per-level guard leak rate
    fig, ax = plt.subplots(figsize=(7, 4))
    for i, n in enumerate(names):
        per = results["extractors"][n]["spans"]["per_level"]
        vals = [per.get(lv, {}).get("overlap", {}).get("recall", 0.0) for lv in LEVELS]
        ax.bar([x + i * width for x in range(len(LEVELS))], vals, width, label=n)
    ax.set_xticks([x + width * (len(names) - 1) / 2 for x in range(len(LEVELS))], LEVELS)
    ax.set_ylim(0, 1)
    ax.set_ylabel("overlap recall")
    ax.set_title("Recall per level")
    ax.legend()
    save(fig, "per_level_recall.png")

    # per-type F1 (type-strict overlap), the most frequent gold types
    types = _gold_types(results)[:15]
    if types:
        fig, ax = plt.subplots(figsize=(8, 0.35 * len(types) * max(1, len(names)) / 2 + 2))
        for i, n in enumerate(names):
            per = results["extractors"][n]["spans"]["per_type"]
            vals = [per.get(t, {}).get("type", {}).get("f1", 0.0) for t in types]
            ax.barh([y + i * width for y in range(len(types))], vals, width, label=n)
        ax.set_yticks([y + width * (len(names) - 1) / 2 for y in range(len(types))], types)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("F1 (overlap, same type)")
        ax.set_title("F1 per type (most frequent gold types)")
        ax.legend()
        save(fig, "per_type_f1.png")

    fig, ax = plt.subplots(figsize=(6, 3))
    ax.barh(names, [results["extractors"][n]["messages_per_second"] for n in names])
    ax.set_xscale("log")
    ax.set_xlabel("messages per second (one at a time, CPU)")
    ax.invert_yaxis()
    save(fig, "speed.png")

    u = results.get("utility")
    if u:
        fig, ax = plt.subplots(figsize=(7, 4))
        treatments = list(u["treatments"])
        w = 0.8 / len(treatments)
        for i, t in enumerate(treatments):
            vals = [u["treatments"][t]["retention"][str(k)] for k in u["ks"]]
            ax.bar([x + i * w for x in range(len(u["ks"]))], vals, w, label=t)
        ax.set_xticks(
            [x + w * (len(treatments) - 1) / 2 for x in range(len(u["ks"]))], [f"top-{k}" for k in u["ks"]]
        )
        ax.set_ylabel("evidence hit rate relative to raw text")
        ax.set_title("Memory utility retention")
        ax.legend()
        save(fig, "utility_retention.png")
    return made


def _report_md(results: dict[str, Any], plots: Sequence[str]) -> str:
    names = list(results["extractors"])
    parts = [
        f"# Evaluation: {results['dataset']}",
        "",
        f"{results['messages']} messages ({', '.join(results['roles'])} turns"
        + (f", first {results['limit']}" if results["limit"] else "")
        + f"), {results['gold_spans']} gold spans; {results['created']}.",
        "",
        "Overlap: regions overlap by at least half of the shorter, one-to-one. Level F1: overlap and same "
        "level. MemPrivacy F1: the benchmark metric (span/level/type pair scores), optimal and greedy "
        "matching. Leak: share of gold values of protected levels still present in the guard's "
        "cloud-bound text (default policy). msg/s: extraction only, one message at a time.",
        "",
        _md_table(HEADLINE, headline_rows(results, markdown=True)),
        "",
        "## Per level",
        "",
    ]
    head = ["extractor", "level", "gold", "recall (found)", "P (same level)", "R (same level)",
            "F1 (same level)", "char coverage", "guard leak"]  # fmt: skip
    rows = []
    for n in names:
        r = results["extractors"][n]
        for lv in LEVELS:
            per = r["spans"]["per_level"].get(lv)
            if not per:
                continue
            cov = r["spans"]["char_coverage"].get(lv, {})
            leak = r["leakage"]["per_level"].get(lv, {})
            rows.append([n, lv, str(per["overlap"]["gold"]), _f(per["overlap"]["recall"]),
                         _f(per["level"]["precision"]), _f(per["level"]["recall"]), _f(per["level"]["f1"]),
                         _f(cov.get("coverage", 0.0)), _f(leak.get("leak_rate", 0.0))])  # fmt: skip
    parts += [_md_table(head, rows), "", "## Per type (overlap, same type)", ""]
    first = results["extractors"][names[0]]["spans"]["per_type"]
    types = _gold_types(results)
    head = ["type", "gold", *[f"{n} R" for n in names], *[f"{n} F1" for n in names]]
    rows = []
    for t in types:
        cells = [t, str(first[t]["type"]["gold"])]
        per = [results["extractors"][n]["spans"]["per_type"].get(t, {}).get("type", {}) for n in names]
        cells += [_f(p.get("recall", 0.0)) for p in per] + [_f(p.get("f1", 0.0)) for p in per]
        rows.append(cells)
    parts += [_md_table(head, rows), ""]
    parts += ["## Leak examples (synthetic data)", ""]
    for n in names:
        ex = results["extractors"][n]["leakage"]["examples"]
        for lv, items in sorted(ex.items()):
            for e in items:
                parts.append(f'- {n}, {lv} {e["type"]}: `{e["value"]}` in "…{e["cloud"]}…"')
    if results.get("utility"):
        u = results["utility"]
        parts += ["", "## Memory utility", "", u.get("method", ""), ""]
        parts += [_md_table(utility_head(u), utility_rows(u))]
    if plots:
        parts += ["", "## Plots", ""] + [f"![{p}]({p})" for p in plots]
    return "\n".join(parts) + "\n"


def write_report(results: dict[str, Any], output: str | Path) -> list[Path]:
    """Write `results.json`, `report.md` and the plots into `output`; return the paths written."""
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    plots = _plots(results, out)
    (out / "report.md").write_text(_report_md(results, plots), encoding="utf-8")
    return [out / "results.json", out / "report.md", *(out / p for p in plots)]
