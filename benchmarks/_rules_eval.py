"""Dataset reading and scoring shared by `bench_rules.py` and the dataset floor test.

Reads the MemPrivacy-Bench and PersonaMem-v2 test slices in place (never copied into the repo),
keeps the user turns, locates every gold span in its message, and scores an extractor's spans per
"formatted family" with the overlap match of `memprivacy_plugin.evaluation.metrics` (the two regions
overlap by at least half of the shorter one), using the evaluation loaders to read the data.

Recall counts the gold spans of a family whose raw label is a formatted kind (a licence plate or a
security-question answer is in the ID Number / Password standard types but has no form a rule can
see). Precision counts a prediction as correct when it matches any gold span whose normalised type
is in its family.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from memprivacy_plugin.evaluation.datasets import iter_memprivacy, shared_data_dir
from memprivacy_plugin.evaluation.metrics import Region, overlap_match
from memprivacy_plugin.spans import PrivacySpan, locate
from memprivacy_plugin.taxonomy import PrivacyLevel, normalize_type

DATASET_FILES = ("memprivacy_bench_testset.jsonl", "personamem_v2_testset.jsonl")

# family -> standard types (after taxonomy.normalize_type) in it
FAMILIES: dict[str, tuple[str, ...]] = {
    "Email": ("Email",),
    "Phone Number": ("Phone Number",),
    "Verification Code": ("Verification Code",),
    "Password/PIN": ("Password",),
    "Payment Security Code": ("Payment Security Code",),
    "Token": ("Token",),
    "Key": ("Key", "Private Key"),
    "Network Identifier": ("Network Identifier",),
    "ID Number": ("ID Number",),
    "Financial Account": ("Financial Account",),
    "Database Connection String": ("Database Connection String",),
}
_FAMILY_OF_TYPE = {t: fam for fam, types in FAMILIES.items() for t in types}

# Raw labels of those standard types that name something without a recognisable form.
UNFORMATTED_LABELS = frozenset(
    {
        "Security Question Answer",
        "Security Question",
        "License Plate",
        "Vehicle Information",
        "Document Number",
        "Intranet Entry Point",
        "Financial Account",
    }
)


def dataset_paths(data_dir: Path | None = None) -> list[Path]:
    base = (data_dir or shared_data_dir()) / "memprivacy_bench"
    return [base / name for name in DATASET_FILES if (base / name).is_file()]


@dataclass(frozen=True)
class GoldSpan:
    start: int
    end: int
    family: str
    raw_label: str
    formatted: bool


@dataclass
class Turn:
    text: str
    gold: list[GoldSpan]
    user: str = ""


def family_of(privacy_type: str) -> str | None:
    return _FAMILY_OF_TYPE.get(normalize_type(privacy_type).name)


def load_turns(
    paths: Iterable[Path],
    *,
    family: Callable[[str], str | None] = family_of,
    unformatted: frozenset[str] = UNFORMATTED_LABELS,
) -> list[Turn]:
    """User turns with their gold spans located (every occurrence of each labelled string).

    `family` maps a raw gold label to the family it is scored in (None: not kept); labels in
    `unformatted` are kept but not counted for recall (other benchmarks pass their own)."""
    turns: list[Turn] = []
    for path in paths:
        for record in iter_memprivacy(path, roles=("user",)):
            for dialogue in record.dialogues:
                text = dialogue.content
                gold: dict[tuple[int, int, str], GoldSpan] = {}
                for info in dialogue.spans:
                    fam = family(info.privacy_type)
                    if fam is None:
                        continue
                    for start, end in locate(text, info.text):
                        key = (start, end, fam)
                        formatted = info.privacy_type not in unformatted
                        if key not in gold or formatted:
                            gold[key] = GoldSpan(start, end, fam, info.privacy_type, formatted)
                turns.append(Turn(text, list(gold.values()), record.uuid))
    return turns


# Presidio's entity types with a form, scored in our families. Its other types (names, streets,
# cities, dates, organisations, titles, nationalities, ages, zip codes, domains) have none a rule
# family covers and are not scored here.
PRESIDIO_FORMATTED = {
    "PHONE_NUMBER": "Phone Number",
    "EMAIL_ADDRESS": "Email",
    "IP_ADDRESS": "Network Identifier",
    "CREDIT_CARD": "Financial Account",
    "IBAN_CODE": "Financial Account",
    "US_SSN": "ID Number",
    "US_DRIVER_LICENSE": "ID Number",
}


def user_texts(limit: int = 0) -> list[str]:
    """The texts of the MemPrivacy sets' user turns (the first `limit` when given); a one-line
    exit when the data is not there."""
    paths = dataset_paths()
    if not paths:
        raise SystemExit("dataset not found: set MEMPRIVACY_SHARED_DATA or place ../shared/data")
    texts = [t.text for t in load_turns(paths)]
    return texts[:limit] if limit else texts


def load_presidio_turns(data_dir: Path | None = None) -> list[Turn]:
    """Presidio's synthetic set (read in place) with its formatted entities as gold spans, under
    their own entity type as the raw label."""
    path = (data_dir or shared_data_dir()) / "presidio_synth" / "synth_dataset_v2.json"
    if not path.is_file():
        return []
    turns = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        gold = [
            GoldSpan(int(sp["start_position"]), int(sp["end_position"]), fam, sp["entity_type"], True)
            for sp in item.get("spans") or []
            if (fam := PRESIDIO_FORMATTED.get(sp["entity_type"])) is not None
        ]
        turns.append(Turn(item["full_text"], gold))
    return turns


def _matches(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """The evaluation's overlap match on two bare regions."""
    level = PrivacyLevel.PL2
    return overlap_match(Region(a_start, a_end, "", level), Region(b_start, b_end, "", level))


@dataclass
class Counts:
    gold: int = 0
    found: int = 0  # gold spans matched (recall numerator)
    pred: int = 0
    correct: int = 0  # predictions matched (precision numerator)
    covered: int = 0  # gold spans overlapped by any prediction, whatever its type (not leaked)

    @property
    def precision(self) -> float:
        return self.correct / self.pred if self.pred else float("nan")

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else float("nan")

    @property
    def protected(self) -> float:
        return self.covered / self.gold if self.gold else float("nan")


@dataclass
class Report:
    families: dict[str, Counts] = field(default_factory=dict)
    labels: dict[str, Counts] = field(default_factory=dict)  # recall per raw label
    errors: list[tuple[str, str, str, str]] = field(default_factory=list)  # (kind, family, value, context)

    def total(self) -> Counts:
        out = Counts()
        for c in self.families.values():
            out.gold += c.gold
            out.found += c.found
            out.pred += c.pred
            out.correct += c.correct
            out.covered += c.covered
        return out


def score(turns: Sequence[Turn], predictions: Sequence[Sequence[PrivacySpan]]) -> Report:
    report = Report(families={fam: Counts() for fam in FAMILIES})
    for turn, preds in zip(turns, predictions, strict=True):
        typed = [(p, family_of(p.privacy_type)) for p in preds]
        for g in turn.gold:
            if not g.formatted:
                continue
            hit = any(f == g.family and _matches(p.start, p.end, g.start, g.end) for p, f in typed)
            covered = hit or any(_matches(p.start, p.end, g.start, g.end) for p, _ in typed)
            for counts in (report.families[g.family], report.labels.setdefault(g.raw_label, Counts())):
                counts.gold += 1
                counts.found += hit
                counts.covered += covered
            if not hit:
                report.errors.append(
                    ("FN", g.family, turn.text[g.start : g.end], _context(turn.text, g.start, g.end))
                )
        for p, fam in typed:
            if fam is None:
                continue
            ok = any(g.family == fam and _matches(p.start, p.end, g.start, g.end) for g in turn.gold)
            report.families[fam].pred += 1
            report.families[fam].correct += ok
            if not ok:
                report.errors.append(("FP", fam, p.text, _context(turn.text, p.start, p.end)))
    return report


def _context(text: str, start: int, end: int, width: int = 50) -> str:
    return text[max(0, start - width) : end + width].replace("\n", " ")


def evaluate(extract: Callable[[str], Sequence[PrivacySpan]], turns: Sequence[Turn]) -> Report:
    return score(turns, [extract(t.text) for t in turns])


def evaluate_guard(turns: Sequence[Turn]) -> Report:
    """What a `PrivacyGuard` with the rule extractor protects, each user's turns in order through
    one guard (an in-memory vault, every level protected): values it protected once are protected
    again where they come back without their key word. The spans scored are the replacements."""
    from memprivacy_plugin import InMemoryVault, PrivacyGuard, PrivacyPolicy, RuleExtractor

    rules = RuleExtractor()
    guards: dict[str, PrivacyGuard] = {}
    predictions = []
    for turn in turns:
        guard = guards.get(turn.user)
        if guard is None:
            policy = PrivacyPolicy.placeholder_all()
            guard = guards[turn.user] = PrivacyGuard(extractor=rules, vault=InMemoryVault(), policy=policy)
        result = guard.protect(turn.text, user_id=turn.user or "u")
        predictions.append([r.span for r in result.replacements if r.span.source != "guard"])
    return score(turns, predictions)


def _fmt(x: float) -> str:
    return "n/a" if x != x else f"{x:.3f}"


def markdown_table(report: Report) -> str:
    lines = [
        "| family | gold | found | recall | predicted | correct | precision | protected (any type) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for fam, c in [*report.families.items(), ("**all formatted**", report.total())]:
        recall, precision, covered = _fmt(c.recall), _fmt(c.precision), _fmt(c.protected)
        lines.append(
            f"| {fam} | {c.gold} | {c.found} | {recall} | {c.pred} | {c.correct} | {precision} | {covered} |"
        )
    lines += ["", "| raw label | gold | found | recall |", "|---|---:|---:|---:|"]
    for label, c in sorted(report.labels.items(), key=lambda kv: -kv[1].gold):
        lines.append(f"| {label} | {c.gold} | {c.found} | {_fmt(c.recall)} |")
    return "\n".join(lines)
