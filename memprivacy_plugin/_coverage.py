"""What a guard's configuration can see: the types its policy protects that its extractor cannot
find, and the one warning that says so on the first `protect`.

The rule extractor finds data with a form (numbers, keys, addresses); a diagnosis, a salary or a
trip said in prose needs a model. A guard that protects those types with an extractor that cannot
find them lets them through in clear, and nothing else would tell the user. So the first `protect`
of each guard logs one warning on the package's logger (`memprivacy_plugin`) naming those types
and how to find them; `PrivacyGuard(..., warn_coverage=False)` silences it.

Coverage comes from the extractor (`coverage`, see `memprivacy_plugin.extractors.base`): a set of
types, `ANY_TYPE` for an open vocabulary (a generative model), or None when the extractor declares
nothing (an extractor of the user's own). Nothing is claimed for an unknown coverage: there is no
gap to report, and the guard logs one INFO line saying so instead of a warning. The warning names
types, levels and class names only, never text.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .extractors.base import ANY_TYPE, coverage_of
from .policy import Action, PrivacyPolicy
from .taxonomy import STANDARD_TYPES, PrivacyLevel

if TYPE_CHECKING:
    from .guard import PrivacyGuard

__all__ = ["CoverageNotice", "coverage_gaps", "describe_extractor", "gap_message", "protected_types"]

log = logging.getLogger("memprivacy_plugin")

#: Where the warning sends the user to close the gaps.
MODELS_DOC = "docs/models.md"


def protected_types(policy: PrivacyPolicy) -> dict[str, PrivacyLevel | None]:
    """The types the policy does not keep, with their standard level, in taxonomy order (strictest
    level first); custom types the policy names with an action other than keep come last, with
    no level."""
    out: dict[str, PrivacyLevel | None] = {}
    for level in sorted(PrivacyLevel, reverse=True):
        for info in STANDARD_TYPES.values():
            if info.level is level and _action(policy, info.name, level) is not Action.KEEP:
                out[info.name] = level
    for name, action in policy.types.items():
        if name not in STANDARD_TYPES and action is not Action.KEEP:
            out[name] = None
    return out


def _action(policy: PrivacyPolicy, name: str, level: PrivacyLevel) -> Action:
    return policy.types.get(name) or policy.levels[level]


def coverage_gaps(extractor: object, policy: PrivacyPolicy) -> list[str]:
    """The types `policy` protects that `extractor` cannot find; empty when its coverage is open
    (any type) or unknown."""
    covered = coverage_of(extractor)
    if covered is None or ANY_TYPE in covered:
        return []
    return [name for name in protected_types(policy) if name not in covered]


def describe_extractor(extractor: object) -> str:
    """The class name (of an extractor or an extractor class), with the members of an ensemble:
    never a repr, which an extractor of the user's own could fill with values."""
    members = getattr(extractor, "extractors", None)
    name = extractor.__name__ if isinstance(extractor, type) else type(extractor).__name__
    if isinstance(members, Iterable) and not isinstance(members, (str, bytes)):
        return f"{name}({', '.join(describe_extractor(m) for m in members)})"
    return name


#: How the guard's warning is silenced (the command line says its own).
SILENCE = "PrivacyGuard(..., warn_coverage=False) silences this warning"


def gap_message(extractor: object, policy: PrivacyPolicy, gaps: list[str], *, silence: str = SILENCE) -> str:
    """The warning: which protected types the extractor cannot find, by level, and what to do."""
    levels = protected_types(policy)
    groups: dict[str, list[str]] = {}
    for name in gaps:
        level = levels.get(name)
        groups.setdefault(level.value if level is not None else "custom", []).append(name)
    listed = "; ".join(f"{level}: {', '.join(names)}" for level, names in groups.items())
    return (
        f"the extractor {describe_extractor(extractor)} cannot find {len(gaps)} type(s) that the "
        f"policy protects, so those values reach the cloud in clear: {listed}. To protect them, add a "
        f"model extractor next to the rules, e.g. with_rules(VLLMExtractor(...)) or "
        f"`--extractor vllm|served|transformers` (see {MODELS_DOC}); `memprivacy doctor` shows the "
        f"whole configuration; {silence}."
    )


class CoverageNotice:
    """Says once per guard what its extractor cannot see: the first call logs, later calls cost
    one attribute read. Thread-safe: concurrent first calls log once."""

    __slots__ = ("_once", "done")

    def __init__(self, enabled: bool) -> None:
        self.done = not enabled
        self._once = threading.Lock()

    def __call__(self, guard: PrivacyGuard) -> None:
        if self.done or not self._once.acquire(blocking=False):
            return  # the lock is never released: only its first taker logs
        self.done = True
        try:
            extractor, policy = guard.extractor, guard.policy
            covered = coverage_of(extractor)
            gaps = coverage_gaps(extractor, policy)
        except Exception as exc:  # a coverage that cannot be read must not stop protect
            log.warning(
                "could not read the coverage of the extractor (%s); its gaps are not checked",
                type(exc).__name__,
            )
            return
        if covered is None:
            log.info(
                "the extractor %s declares no coverage, so the types the policy protects that it cannot "
                "find are not checked; give it a `coverage` (see docs/extractors.md)",
                describe_extractor(extractor),
            )
        elif gaps:
            log.warning(gap_message(extractor, policy, gaps))
