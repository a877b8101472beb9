"""What an audit and a migration report: counts, never values.

A value shows only as its type, level and `ref`, a 10-hex-character keyed hash (BLAKE2b under a key
drawn at random for each report): two mentions of one value in one report share a ref, and nobody
can test a guess against it (a plain hash of a phone number is found by hashing every number).

`AuditTally` and `found_in_clear` are the shared tools of every auditor (stores, mem0, checkpoints):
`found_in_clear` runs the guard's extractor (bounded, fail closed) and keeps the spans that are in
clear, i.e. not inside a placeholder; `AuditTally.add` files an item's spans under its user and
builds the `AuditReport`. `MigrationReport` is filled in by each migrator and merged across workers.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from .._checks import check_text, clean, clean_name
from ..placeholders import PLACEHOLDER_RE
from ..policy import Action
from ..spans import PrivacySpan, merge_spans, resolve_span
from ..taxonomy import PrivacyLevel, normalize_type

if TYPE_CHECKING:
    from ..guard import PrivacyGuard
    from ..policy import PrivacyPolicy

__all__ = [
    "LEVELS",
    "RESIDUE_BACKUPS",
    "RESIDUE_POSTGRES",
    "RESIDUE_SQLITE",
    "AuditReport",
    "AuditTally",
    "MigrationReport",
    "UserAudit",
    "ValueRef",
    "found_in_clear",
]

LEVELS = tuple(level.value for level in PrivacyLevel)  # "PL1" .. "PL4"
MAX_EXAMPLES = 20  # distinct values shown as refs in an audit
NO_USER = "(no user)"  # items whose user cannot be told (a namespace without the user's position)

RESIDUE_BACKUPS = (
    "backups, snapshots, replicas and copies made before the migration still hold the old clear text: "
    "rotate or destroy them"
)
RESIDUE_SQLITE = (
    "SQLite: the old rows were overwritten with secure_delete, the WAL checkpointed and truncated and "
    "the file vacuumed; copies the filesystem or the disk made elsewhere (journaling, SSD wear levelling) "
    "are beyond SQLite's reach"
)
RESIDUE_POSTGRES = (
    "PostgreSQL keeps the old row versions (dead tuples) until VACUUM reclaims them and may still hold "
    "them in freed pages afterwards; the WAL, archived WAL, replicas and backups keep the old text "
    "until they are recycled or rotated"
)


def _zero_levels() -> dict[str, int]:
    return dict.fromkeys(LEVELS, 0)


class ValueRef(BaseModel):
    """One value as a report may show it: its type, its level (1-4) and a keyed-hash prefix."""

    model_config = ConfigDict(frozen=True)

    type: str
    level: int
    ref: str


class UserAudit(BaseModel):
    """One user's share of an audit: items read, items exposed, spans by level and by type."""

    items: int = 0
    exposed: int = 0
    by_level: dict[str, int] = Field(default_factory=_zero_levels)
    by_type: dict[str, int] = Field(default_factory=dict)


class AuditReport(BaseModel):
    """What an audit found. `by_level`/`by_type` count spans in clear (outside placeholders);
    an item is exposed when it holds a span the policy protects (any action but keep). `errors`:
    items that could not be read or extracted (never their message)."""

    source: str
    items_total: int = 0
    items_exposed: int = 0
    spans_total: int = 0
    spans_protected: int = 0
    by_level: dict[str, int] = Field(default_factory=_zero_levels)
    by_type: dict[str, int] = Field(default_factory=dict)
    per_user: dict[str, UserAudit] = Field(default_factory=dict)
    examples: list[ValueRef] = Field(default_factory=list)
    errors: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def share_exposed(self) -> float:
        """Share of the items read that hold something the policy protects (0.0 when none)."""
        return self.items_exposed / self.items_total if self.items_total else 0.0

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)

    def table(self) -> str:
        """Plain text for a terminal: totals, levels, types, users, example refs."""
        lines = [
            f"audit of {self.source}",
            f"items read      {self.items_total}",
            f"items exposed   {self.items_exposed} ({self.share_exposed:.1%})",
            f"spans in clear  {self.spans_total} ({self.spans_protected} the policy protects)",
        ]
        if self.errors:
            lines.append(f"items unreadable {self.errors}")
        lines += ["", "by level"] + [f"  {lvl}  {n:>8}" for lvl, n in self.by_level.items()]
        if self.by_type:
            width = max(len(t) for t in self.by_type)
            lines += ["", "by type"] + [
                f"  {t:<{width}}  {n:>8}" for t, n in sorted(self.by_type.items(), key=lambda kv: -kv[1])
            ]
        if self.per_user:
            width = max(len(u) for u in self.per_user)
            lines += ["", f"  {'user':<{width}}  {'items':>8}  {'exposed':>8}  " + "  ".join(LEVELS)]
            for user, row in sorted(self.per_user.items()):
                levels = "  ".join(f"{row.by_level.get(lvl, 0):>3}" for lvl in LEVELS)
                lines.append(f"  {user:<{width}}  {row.items:>8}  {row.exposed:>8}  {levels}")
        if self.examples:
            lines += ["", "examples (type, level, keyed-hash ref; values are never shown)"]
            lines += [f"  {e.type:<28} PL{e.level}  {e.ref}" for e in self.examples]
        return "\n".join(lines)

    def plot(self, path: str | Path, *, title: str | None = None) -> Path:
        """A PNG bar chart of the spans in clear by level and by type (matplotlib, Agg backend,
        imported here: the `migration` extra)."""
        try:
            import matplotlib

            matplotlib.use("Agg", force=False)
            import matplotlib.pyplot as plt
        except ImportError as exc:
            raise ImportError(
                "the audit chart needs matplotlib: pip install 'memprivacy-plugin[migration]'"
            ) from exc
        path = Path(path)
        types = sorted(self.by_type.items(), key=lambda kv: -kv[1])[:20]
        fig, (left, right) = plt.subplots(
            1, 2, figsize=(11, max(3.5, 0.32 * len(types) + 1.5)), gridspec_kw={"width_ratios": [1, 2]}
        )
        try:
            colors = ["#9bbbd4", "#f2c14e", "#f08a4b", "#c0392b"]
            left.bar(list(self.by_level), list(self.by_level.values()), color=colors)
            left.set_title("spans in clear by level")
            left.set_ylabel("spans")
            names = [t for t, _ in types][::-1]
            right.barh(names, [n for _, n in types][::-1], color="#5b7aa8")
            right.set_title("spans in clear by type")
            right.set_xlabel("spans")
            fig.suptitle(
                title
                or f"{self.source}: {self.items_exposed} of {self.items_total} items exposed "
                f"({self.share_exposed:.0%})"
            )
            fig.tight_layout()
            fig.savefig(path, dpi=110)
        finally:
            plt.close(fig)
        return path


class MigrationReport(BaseModel):
    """What a migration did (or, with `dry_run`, would do), over the whole job: `items_rewritten`
    + `items_unchanged` + `items_failed` = `items_seen`, items a checkpoint file marked done before
    this run included (`resumed_from` says how many), so a resumed run reports what an uninterrupted
    one would. `history`: what became of a history of old values
    (mem0's): "migrated", "purged", "kept" or "n/a". `residue`: plain statements of where old clear
    text may still exist and cannot be removed from here; `scrubbed`: what was done about it."""

    source: str
    dry_run: bool = False
    items_seen: int = 0
    items_rewritten: int = 0
    items_unchanged: int = 0
    items_failed: int = 0
    spans_protected: int = 0
    by_level: dict[str, int] = Field(default_factory=_zero_levels)
    by_type: dict[str, int] = Field(default_factory=dict)
    history: Literal["migrated", "purged", "kept", "n/a"] = "n/a"
    residue: list[str] = Field(default_factory=list)
    scrubbed: list[str] = Field(default_factory=list)
    resumed_from: int = 0

    def count_spans(self, spans: Iterable[PrivacySpan]) -> None:
        """Add the spans an item's rewrite protected (by level and type)."""
        for span in spans:
            self.spans_protected += 1
            self.by_level[span.level.value] = self.by_level.get(span.level.value, 0) + 1
            self.by_type[span.privacy_type] = self.by_type.get(span.privacy_type, 0) + 1

    def merge(self, other: MigrationReport) -> None:
        """Add another worker's counts into this report."""
        for name in ("items_seen", "items_rewritten", "items_unchanged", "items_failed", "spans_protected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mine, theirs in ((self.by_level, other.by_level), (self.by_type, other.by_type)):
            for key, n in theirs.items():
                mine[key] = mine.get(key, 0) + n
        self.residue += [r for r in other.residue if r not in self.residue]
        self.scrubbed += [s for s in other.scrubbed if s not in self.scrubbed]

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)

    def table(self) -> str:
        verb = "would be rewritten" if self.dry_run else "rewritten"
        rows = [
            ("items seen", self.items_seen),
            (f"items {verb}", self.items_rewritten),
            ("items unchanged", self.items_unchanged),
            ("items failed", self.items_failed),
            ("spans protected", self.spans_protected),
        ]
        if self.resumed_from:
            rows.append(("done before (resumed)", self.resumed_from))
        lines = [f"{'dry run of the ' if self.dry_run else ''}migration of {self.source}"]
        lines += [f"{label:<26}{n:>8}" for label, n in rows]
        if self.history != "n/a":
            lines.append(f"{'history':<26}{self.history:>8}")
        if self.spans_protected:
            lines += ["", "by level"] + [f"  {lvl}  {n:>8}" for lvl, n in self.by_level.items()]
            width = max(len(t) for t in self.by_type)
            lines += ["", "by type"] + [
                f"  {t:<{width}}  {n:>8}" for t, n in sorted(self.by_type.items(), key=lambda kv: -kv[1])
            ]
        if self.scrubbed:
            lines += ["", "done against old copies on disk"] + [f"  - {s}" for s in self.scrubbed]
        if self.residue:
            lines += ["", "not guaranteed"] + [f"  - {r}" for r in self.residue]
        return "\n".join(lines)


class AuditTally:
    """Builds an `AuditReport` item by item: `add(user, spans)` per item read, `error(user)` per
    item that could not be read. Values are hashed under a key made here, never kept."""

    def __init__(self, source: str, policy: PrivacyPolicy, *, max_examples: int = MAX_EXAMPLES) -> None:
        self.report = AuditReport(source=source)
        self._policy = policy
        self._key = secrets.token_bytes(32)
        self._max_examples = max_examples
        self._seen_refs: set[str] = set()

    def ref(self, value: str) -> str:
        """The keyed-hash prefix of a value (10 hex characters); the same within this tally."""
        digest = hashlib.blake2b(value.encode("utf-8", "surrogatepass"), key=self._key, digest_size=5)
        return digest.hexdigest()

    def _user(self, user: str | None) -> UserAudit:
        return self.report.per_user.setdefault(user or NO_USER, UserAudit())

    def add(self, user: str | None, spans: Sequence[PrivacySpan]) -> None:
        """One item read: the spans found in clear in all of its texts."""
        report, row = self.report, self._user(user)
        report.items_total += 1
        row.items += 1
        protected = [s for s in spans if self._policy.action_for(s) is not Action.KEEP]
        if protected:
            report.items_exposed += 1
            row.exposed += 1
        report.spans_total += len(spans)
        report.spans_protected += len(protected)
        for span in spans:
            level, kind = span.level.value, span.privacy_type
            for counts in (report.by_level, row.by_level):
                counts[level] = counts.get(level, 0) + 1
            for counts in (report.by_type, row.by_type):
                counts[kind] = counts.get(kind, 0) + 1
        for span in protected:
            if len(report.examples) >= self._max_examples:
                break
            ref = self.ref(span.text)
            if ref not in self._seen_refs:
                self._seen_refs.add(ref)
                report.examples.append(ValueRef(type=span.privacy_type, level=span.level.rank, ref=ref))

    def error(self, user: str | None) -> None:
        """One item that could not be read or extracted: counted, nothing of it kept."""
        self.report.items_total += 1
        self.report.errors += 1
        self._user(user).items += 1


def _outside_placeholders(text: str, spans: list[PrivacySpan]) -> list[PrivacySpan]:
    if "<" not in text and "&" not in text:
        return spans
    tokens = [(m.start(), m.end()) for m in PLACEHOLDER_RE.finditer(text)]
    if not tokens:
        return spans
    return [s for s in spans if not any(s.start < end and start < s.end for start, end in tokens)]


def found_in_clear(
    guard: PrivacyGuard, texts: Sequence[str], user_name: str | None = None
) -> list[list[PrivacySpan]]:
    """The spans the guard's extractor finds in each text (of one user, whose own name is
    `user_name` when known), as `protect` reads them (one batched,
    time-bounded extraction, the guard's fallback if the extractor fails, else `ExtractionError`;
    types normalised to the standard tags; offsets checked or the text re-located; overlaps
    merged), without the spans that touch a placeholder: text in placeholder form is not exposed."""
    cleaned = [clean(check_text(t)) for t in texts]
    found = guard._extract_many(cleaned, clean_name(user_name))
    out: list[list[PrivacySpan]] = []
    for text, spans in zip(cleaned, found, strict=True):
        kept: list[PrivacySpan] = []
        for span in spans:
            info = normalize_type(span.privacy_type)
            if info.known and info.name != span.privacy_type:
                span = span.model_copy(update={"privacy_type": info.name})
            kept.extend(resolve_span(text, span))
        kept = _outside_placeholders(text, kept)
        out.append(merge_spans(kept, text) if len(kept) > 1 else kept)
    return out
