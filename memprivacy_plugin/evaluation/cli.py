"""The `memprivacy eval` subcommand (registered by `memprivacy_plugin.cli`; imports stay light until
it runs)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import ConfigError

__all__ = ["add_eval_parser"]


def add_eval_parser(sub: Any) -> None:
    e = sub.add_parser(
        "eval",
        help="measure extraction, leakage and memory utility on a dataset",
        description="Run an extractor (and baselines) over a dataset; print a summary and write "
        "results.json and report.md (with plots) to --output. Needs the 'eval' extra.",
    )
    e.add_argument(
        "--dataset",
        required=True,
        metavar="NAME_OR_PATH",
        help="memprivacy-bench, personamem-v2, presidio-synth, or a JSONL file of MemPrivacy records",
    )
    e.add_argument("--extractor", default="rules", help="our extractor preset: rules, rules+spacy, ...")
    e.add_argument(
        "--baselines",
        default="",
        help="comma-separated: presidio, presidio-pii, argus, argus-ner, or our presets",
    )
    e.add_argument(
        "--limit", type=int, default=None, help="only the first N messages (and N utility questions)"
    )
    e.add_argument(
        "--output", default="eval-results", metavar="DIR", help="where to write (default: eval-results)"
    )
    e.add_argument(
        "--assistant", action="store_true", help="evaluate assistant turns too (default: user turns)"
    )
    e.add_argument(
        "--utility",
        choices=("auto", "yes", "no"),
        default="auto",
        help="memory-utility retrieval test (auto: when the dataset has questions with evidence)",
    )
    e.add_argument("--no-progress", action="store_true", help="no progress bars")
    e.set_defaults(func=_cmd_eval)


def _cmd_eval(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit <= 0:
        raise ConfigError("--limit must be a positive number")
    try:
        from .report import run_eval, summary_table, write_report
    except ImportError as exc:
        raise ConfigError(f"{exc}; install the extra: pip install 'memprivacy-plugin[eval]'") from None
    from ..extractors.presets import EXTRACTOR_NAMES
    from .baselines import BASELINES

    baselines = [b.strip() for b in args.baselines.split(",") if b.strip()]
    known = {*BASELINES, "argus-redact", *EXTRACTOR_NAMES}
    for name in baselines:
        if name.lower() not in known:
            raise ConfigError(
                f"unknown baseline {name!r}; choose from: {', '.join(BASELINES)} (or our presets)"
            )
    utility = {"auto": None, "yes": True, "no": False}[args.utility]
    try:
        results = run_eval(
            args.dataset,
            args.extractor,
            baselines,
            limit=args.limit,
            roles=("user", "assistant") if args.assistant else ("user",),
            utility=utility,
            progress=not args.no_progress and sys.stderr.isatty(),
        )
    except ImportError as exc:  # an extra is missing: its message names the pip command
        raise ConfigError(str(exc)) from None
    paths = write_report(results, args.output)
    print(summary_table(results))
    print(f"\nwrote {', '.join(str(p) for p in paths[:2])} (+{len(paths) - 2} plots)")
    return 0
