"""Memory utility without a cloud LLM: does the memory still retrieve the right turn?

For each MemPrivacy-Bench question with evidence, every user turn of that user is stored in a real
vector memory (LangGraph `InMemoryStore` with a semantic index on the local all-MiniLM-L6-v2
embedder, one namespace per user and treatment) and the question is searched; a hit at k means an
evidence turn is among the top k results. Four treatments of the stored turns and the question:

- `raw`: the text as it is (the reference);
- `placeholders`: the product path: turns are put and the question searched through
  `PrivateStore` (our guard: extractor + default policy, one vault scope per user, so the question's
  values get the same placeholders as the turns') over the same kind of store;
- `masked`: the same spans replaced by `***` (irreversible masking);
- `generic`: the same spans replaced by `<MASK_n>`, numbered per distinct value and user (a
  consistent placeholder without a type).

Evidence turns: the evidence field is prose quoting the user ("2026-03-28中用户说“...”"); the
evidence turns are the user turns that contain one of its quoted fragments (double, single, curly or
CJK quotes; 4+ characters; compared after NFKC, case and whitespace normalisation; a quote abridged
with an ellipsis is looked up piece by piece; a fragment with no exact home is tried by its first
and last 12 characters). Questions whose evidence quotes no user turn are skipped (counted).
Retention at k = hit rate of the treatment / hit rate of raw text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..policy import Action
from ..spans import normalize_for_match
from .datasets import Record

__all__ = ["TREATMENTS", "evidence_turns", "memory_utility"]

TREATMENTS = ("raw", "placeholders", "masked", "generic")
_QUOTES = re.compile(
    r"“([^”]+)”|\"([^\"]+)\"|「([^」]+)」|‘([^’]+)’|『([^』]+)』"
    # 'single quotes' (an apostrophe between letters, as in "I've", does not close them)
    r"|(?:^|(?<=[\s,:(]))'((?:[^']|(?<=\w)'(?=\w)){4,}?)'(?=[\s.,;:)!?]|$)"
)
_ELLIPSIS = re.compile(r"……|…|\.\.\.")


def evidence_turns(evidence: str, turns: Sequence[str]) -> list[int]:
    """Indexes of the turns that contain a fragment quoted in `evidence`."""
    norm_turns = [normalize_for_match(t) for t in turns]
    hits: set[int] = set()
    for m in _QUOTES.finditer(evidence):
        quote = normalize_for_match(next(g for g in m.groups() if g))
        # a quote abridged with an ellipsis is looked up piece by piece
        pieces = [quote, *_ELLIPSIS.split(quote)] if _ELLIPSIS.search(quote) else [quote]
        for piece in pieces:
            fragment = piece.strip(" .,。，…!?！？'\"")
            if len(fragment) < 4:
                continue
            found = {i for i, t in enumerate(norm_turns) if fragment in t}
            if not found and len(fragment) >= 24:
                head, tail = fragment[:12], fragment[-12:]
                found = {i for i, t in enumerate(norm_turns) if head in t and tail in t}
            hits |= found
    return sorted(hits)


def _apply(text: str, replacements: Sequence[tuple[int, int, str]]) -> str:
    out, last = [], 0
    for start, end, new in sorted(replacements):
        out.append(text[last:start])
        out.append(new)
        last = end
    out.append(text[last:])
    return "".join(out)


def memory_utility(
    records: Sequence[Record],
    extractor: str = "rules",
    *,
    ks: Sequence[int] = (1, 5, 10),
    limit: int | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Evidence retrieval at k under the four treatments (see the module docstring). `limit` caps
    the number of questions."""
    from langgraph.store.base import IndexConfig
    from langgraph.store.memory import InMemoryStore

    from ..guard import LITERAL_TYPE, PrivacyGuard
    from ..integrations.langgraph import PrivateStore
    from ..vault.memory import InMemoryVault
    from .metrics import local_embedder
    from .runner import _progress, _Replay, build_any

    encode = local_embedder()
    cache: dict[str, list[float]] = {}

    def warm(texts: Sequence[str]) -> None:
        todo = list(dict.fromkeys(t for t in texts if t not in cache))
        for text, vector in zip(todo, encode(todo) if todo else [], strict=True):
            cache[text] = vector

    def embed(texts: Sequence[str]) -> list[list[float]]:
        warm(texts)
        return [cache[t] for t in texts]

    # each text is extracted once: the spans of a turn serve the masked and generic treatments here
    # and PrivateStore's own protection of the same turn
    guard = PrivacyGuard(extractor=_Replay({}, build_any(extractor)), vault=InMemoryVault())
    index: IndexConfig = {"embed": embed, "dims": 384, "fields": ["text"]}
    store = InMemoryStore(index=index)
    private = PrivateStore(InMemoryStore(index=index), guard, fields=["text"], namespace_user_index=0)

    def forms(text: str, uid: str, numbers: dict[str, int]) -> dict[str, str]:
        # no user_name: PrivateStore (a BaseStore) has none to pass, and all four treatments must
        # replace the same spans
        res = guard.protect(text, user_id=uid)
        masked, generic = [], []
        for r in res.replacements:
            if r.action is Action.KEEP or r.span.privacy_type == LITERAL_TYPE:
                continue
            n = numbers.setdefault(r.span.text, len(numbers) + 1)
            masked.append((r.span.start, r.span.end, "***"))
            generic.append((r.span.start, r.span.end, f"<MASK_{n}>"))
        return {
            "raw": text,
            "placeholders": res.text,
            "masked": _apply(text, masked),
            "generic": _apply(text, generic),
        }

    jobs: list[tuple[Record, dict[str, Any], list[int]]] = []
    skipped = 0
    for rec in records:
        turns = [d.content for d in rec.dialogues if d.role == "user"]
        for q in rec.questions:
            if not q.get("evidence") or not q.get("question"):
                continue
            ev = evidence_turns(str(q["evidence"]), turns)
            if ev:
                jobs.append((rec, q, ev))
            else:
                skipped += 1
    if limit is not None:
        jobs = jobs[:limit]
    hits = {t: {k: 0 for k in ks} for t in TREATMENTS}
    indexed: set[str] = set()
    numbers_of: dict[str, dict[str, int]] = {}
    for rec, q, ev in _progress(jobs, "utility", progress):
        uid = rec.uuid or "user"
        numbers = numbers_of.setdefault(uid, {})
        if uid not in indexed:
            indexed.add(uid)
            user_turns = [d.content for d in rec.dialogues if d.role == "user"]
            puts = [
                ((t, uid), str(i), form)
                for i, text in enumerate(user_turns)
                for t, form in forms(text, uid, numbers).items()
            ]
            warm([form for _, _, form in puts])  # one batched embedding call for the user's turns
            for (t, _), key, form in puts:
                if t == "placeholders":  # the raw turn goes in; PrivateStore protects it
                    private.put((uid, t), key, {"text": user_turns[int(key)]})
                else:
                    store.put((uid, t), key, {"text": form})
        question = str(q["question"])
        qforms = forms(question, uid, numbers)
        for t in TREATMENTS:
            if t == "placeholders":
                found = private.search((uid, t), query=question, limit=max(ks))
            else:
                found = store.search((uid, t), query=qforms[t], limit=max(ks))
            ranks = [int(item.key) for item in found]
            for k in ks:
                hits[t][k] += any(r in ev for r in ranks[:k])
    guard.close()
    n = len(jobs)
    raw = hits["raw"]
    return {
        "extractor": extractor,
        "questions": n,
        "skipped_no_evidence_turn": skipped,
        "ks": list(ks),
        "method": "Evidence turn retrieved in the top k of a LangGraph InMemoryStore semantic search "
        "(all-MiniLM-L6-v2, local) over the user's turns, question and turns under the same treatment "
        "(placeholders: put and searched through PrivateStore); "
        f"spans from the `{extractor}` extractor and the default policy.",
        "treatments": {
            t: {
                "hit": {str(k): hits[t][k] / n if n else 0.0 for k in ks},
                "retention": {str(k): hits[t][k] / raw[k] if raw[k] else 0.0 for k in ks},
            }
            for t in TREATMENTS
        },
    }
