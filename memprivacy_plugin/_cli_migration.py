"""`memprivacy audit store|mem0` and `memprivacy migrate store|mem0`: see what an existing memory
holds in clear, then rewrite it in place into placeholder form (`memprivacy_plugin.migration`).

The guard is built from the options every command shares, the way `protect` builds it (`--vault`,
`--key-file`, `--vault-postgres` with `--schema`, `--policy`, `--extractor`), so a migration uses
the vault the app's `PrivateStore` / `PrivateMemory` uses afterwards. The store is named by
`--sqlite PATH` (LangGraph's SqliteStore) or `--postgres DSN` (PostgresStore); mem0 by `--path`,
the folder of an embedded mem0 made with `local_mem0_config` (local Qdrant, SQLite history).

Reports go to stdout (a table, or `--json`), the progress bar to stderr; no value is ever printed.
Exit status: 0, or 1 when some items could not be protected (they are still in clear; the report
says how many), or 2 for an error (one line on stderr).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    from .guard import PrivacyGuard
    from .migration import AuditReport, MigrationReport

__all__ = ["GuardOptions", "add_migration_parsers"]


@dataclass(frozen=True)
class GuardOptions:
    """The guard the command line describes, made anew in each worker process (picklable)."""

    vault: str | None = None
    key_file: str | None = None
    vault_postgres: str | None = field(default=None, repr=False)
    schema: str = "memprivacy"
    policy: str | None = None
    extractor: str = "rules"
    model: str | None = None
    base_url: str | None = None
    prompt_file: str | None = None

    @classmethod
    def of(cls, args: argparse.Namespace) -> GuardOptions:
        return cls(
            vault=str(args.vault) if args.vault is not None else None,
            key_file=str(args.key_file) if args.key_file is not None else None,
            vault_postgres=args.vault_postgres,
            schema=args.schema,
            policy=args.policy,
            extractor=args.extractor,
            model=args.model,
            base_url=args.base_url,
            prompt_file=str(args.prompt_file) if args.prompt_file is not None else None,
        )

    def __call__(self) -> PrivacyGuard:
        from .cli import _guard

        return _guard(
            argparse.Namespace(
                vault=Path(self.vault) if self.vault is not None else None,
                key_file=Path(self.key_file) if self.key_file is not None else None,
                postgres=self.vault_postgres,
                schema=self.schema,
                policy=self.policy,
                extractor=self.extractor,
                model=self.model,
                base_url=self.base_url,
                prompt_file=Path(self.prompt_file) if self.prompt_file is not None else None,
            )
        )


# -- sources -------------------------------------------------------------------------------------


def _index(args: argparse.Namespace) -> dict[str, Any] | None:
    if args.embed is None:
        if args.dims is not None or args.index_field:
            raise ConfigError("--dims and --index-field describe an index: pass --embed too")
        return None
    if args.dims is None:
        raise ConfigError("--embed needs --dims (the size of its vectors)")
    index: dict[str, Any] = {"embed": args.embed, "dims": args.dims}
    if args.index_field:
        index["fields"] = list(args.index_field)
    return index


def _store_source(args: argparse.Namespace) -> Any:
    from .migration import PostgresSource, SqliteSource

    if args.sqlite is not None:
        if not Path(args.sqlite).is_file():
            raise ConfigError(f"{args.sqlite} is not a file (--sqlite names an existing SqliteStore file)")
        return SqliteSource(str(args.sqlite), index=_index(args))
    return PostgresSource(args.postgres, index=_index(args))


def _prefix(args: argparse.Namespace) -> tuple[str, ...]:
    return tuple(args.namespace_prefix.split(".")) if args.namespace_prefix else ()


@contextmanager
def _mem0(args: argparse.Namespace) -> Iterator[Any]:
    """The embedded mem0 in `--path` (as `local_mem0_config` lays it out)."""
    path = Path(args.path).expanduser()
    if not path.is_dir():
        raise ConfigError(f"{path} is not a folder (--path names the folder of an embedded mem0)")
    from .demo import _quiet
    from .integrations.mem0 import local_mem0_config

    with _quiet():
        config = local_mem0_config(path, collection=args.collection)
        try:
            import mem0
        except ImportError:
            raise ConfigError("mem0 is not installed: pip install 'memprivacy-plugin[mem0]'") from None
        memory = mem0.Memory.from_config(config)
    try:
        yield memory
    finally:
        client = getattr(getattr(memory, "vector_store", None), "client", None)
        close = getattr(client, "close", None)
        if callable(close):
            close()


# -- output --------------------------------------------------------------------------------------


@contextmanager
def _progress(what: str) -> Iterator[Callable[[int, int], None] | None]:
    """A tqdm bar on stderr (none when stderr is closed or tqdm is not installed)."""
    if sys.stderr is None:
        yield None
        return
    try:
        from tqdm import tqdm
    except ImportError:
        yield None
        return
    bars: list[Any] = []  # made at the first report of progress: an error before it shows no bar

    def update(done: int, total: int) -> None:
        if not bars:
            bars.append(tqdm(total=total, unit="item", desc=what, file=sys.stderr, dynamic_ncols=True))
        bar = bars[0]
        if bar.total != total:
            bar.total = total
            bar.refresh()
        if done > bar.n:
            bar.update(done - bar.n)

    try:
        yield update
    finally:
        for bar in bars:
            bar.close()


def _emit(report: AuditReport | MigrationReport, args: argparse.Namespace) -> None:
    print(report.to_json() if args.json else report.table())
    chart = getattr(args, "chart", None)
    if chart is not None:
        try:
            report.plot(chart)  # type: ignore[union-attr]
        except ImportError as exc:
            raise ConfigError(str(exc)) from None
        print(f"chart written to {chart}", file=sys.stderr)


@contextmanager
def _store_errors() -> Iterator[None]:
    """An error of the store's database becomes one line naming its kind: its message may quote
    the data (a key, a row), so it is not shown."""
    kind = None
    try:
        yield
    except Exception as exc:
        if not _is_database_error(exc):
            raise
        kind = type(exc).__name__
    if kind is not None:  # raised here, outside the except block: the error is not chained
        raise ConfigError(
            f"the store's database failed ({kind}); its message is not shown: it may quote data"
        )


def _is_database_error(exc: BaseException) -> bool:
    import sqlite3

    if isinstance(exc, sqlite3.Error):
        return True
    try:
        import psycopg
    except ImportError:
        return False
    return isinstance(exc, psycopg.Error)


def _status(report: MigrationReport) -> int:
    return 1 if report.items_failed else 0


# -- commands ------------------------------------------------------------------------------------


def _cmd_audit_store(args: argparse.Namespace) -> int:
    from .migration import audit_store

    guard = GuardOptions.of(args)()
    try:
        with _store_errors():
            report = audit_store(
                _store_source(args),
                guard,
                namespace_prefix=_prefix(args),
                user_of=args.user_index,
                fields=args.field or None,
                batch_size=args.batch_size,
                user_names=_user_names(args),
            )
    finally:
        guard.close()
    _emit(report, args)
    return 0


def _cmd_migrate_store(args: argparse.Namespace) -> int:
    from .migration import migrate_store

    if args.user_index is None:
        raise ConfigError(
            "--user-index is required: the namespace position of the user id, as the app's PrivateStore "
            "namespace_user_index (0 for LangGraph's (user_id, ...) namespaces, -1 for langmem's)"
        )
    source = _store_source(args)
    options = GuardOptions.of(args)
    guard: Any = options() if args.workers == 1 else options
    try:
        with _store_errors(), _progress("migrating" if not args.dry_run else "dry run") as progress:
            report = migrate_store(
                source,
                guard,
                namespace_prefix=_prefix(args),
                user_of=args.user_index,
                fields=args.field or None,
                dry_run=args.dry_run,
                batch_size=args.batch_size,
                workers=args.workers,
                checkpoint=args.checkpoint,
                scrub_after=not args.no_scrub,
                vacuum_full=args.vacuum_full,
                progress=progress,
                user_names=_user_names(args),
            )
    finally:
        if args.workers == 1:
            guard.close()
    _emit(report, args)
    return _status(report)


def _mem0_ids(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "user_ids": args.user_id or None,
        "agent_ids": args.agent_id or None,
        "run_ids": args.run_id or None,
    }


def _cmd_audit_mem0(args: argparse.Namespace) -> int:
    from .migration.mem0 import audit_mem0

    guard = GuardOptions.of(args)()
    try:
        with _mem0(args) as memory:
            report = audit_mem0(memory, guard, **_mem0_ids(args), user_names=_user_names(args))
    finally:
        guard.close()
    _emit(report, args)
    return 0


def _cmd_migrate_mem0(args: argparse.Namespace) -> int:
    from .migration.mem0 import migrate_mem0

    guard = GuardOptions.of(args)()
    try:
        with _mem0(args) as memory, _progress("migrating" if not args.dry_run else "dry run") as progress:
            report = migrate_mem0(
                memory,
                guard,
                **_mem0_ids(args),
                dry_run=args.dry_run,
                batch_size=args.batch_size,
                workers=args.workers,
                checkpoint=args.checkpoint,
                history=args.history,
                progress=progress,
                user_names=_user_names(args),
            )
    finally:
        guard.close()
    _emit(report, args)
    return _status(report)


# -- parsers -------------------------------------------------------------------------------------


def _guard_parent(extractor_options: Callable[[Any], None]) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("vault and guard (the ones the app uses)")
    g.add_argument(
        "--vault",
        type=Path,
        default=None,
        help="vault file (default: vault.sqlite3 in $MEMPRIVACY_DATA_DIR or the user data directory)",
    )
    g.add_argument(
        "--key-file",
        type=Path,
        default=None,
        help="vault key file (default: next to the vault file; with --vault-postgres: $MEMPRIVACY_VAULT_KEY)",
    )
    g.add_argument(
        "--vault-postgres",
        default=None,
        metavar="DSN",
        help="use the vault shared by app replicas in this PostgreSQL database",
    )
    g.add_argument("--schema", default="memprivacy", help="the PostgreSQL schema of that vault")
    g.add_argument(
        "--policy",
        default=None,
        help="policy file (.yaml/.toml/.json) or preset name "
        "(default, pl4-only, pl3-and-up, pl2-and-up, placeholder-all)",
    )
    extractor_options(g)
    g.add_argument(
        "--user-name",
        action="append",
        default=[],
        metavar="USER=NAME",
        help="a user's own name, which the rules find only when told it, as the app tells them "
        "(repeat for each user; USER as the report's per-user table shows it)",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    return p


def _user_names(args: argparse.Namespace) -> dict[str, str]:
    names: dict[str, str] = {}
    for entry in args.user_name:
        user, sep, name = entry.partition("=")
        if not sep or not user.strip() or not name.strip():
            raise ConfigError("--user-name takes USER=NAME, e.g. --user-name 'dana=Dana Whitfield'")
        names[user.strip()] = name.strip()
    return names


def _store_parent() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", type=Path, metavar="PATH", help="a LangGraph SqliteStore file")
    where.add_argument("--postgres", metavar="DSN", help="the database of a LangGraph PostgresStore")
    p.add_argument(
        "--namespace-prefix",
        default=None,
        metavar="LABELS",
        help="only the items under this namespace prefix, labels joined by dots (users.alice)",
    )
    p.add_argument(
        "--user-index",
        type=int,
        default=None,
        metavar="N",
        help="the namespace position of the user id, as the app's PrivateStore namespace_user_index "
        "(0 for (user_id, ...) namespaces, -1 for langmem's); required to migrate",
    )
    p.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="KEY",
        help="protect only the values under this key (repeat; as PrivateStore fields=)",
    )
    p.add_argument(
        "--embed", default=None, metavar="SPEC", help="the store's embedder (provider:model or module:attr)"
    )
    p.add_argument("--dims", type=int, default=None, help="the embedder's vector size")
    p.add_argument(
        "--index-field", action="append", default=[], metavar="PATH", help="an indexed field (repeat)"
    )
    return p


def _mem0_parent() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--path", type=Path, required=True, metavar="DIR", help="the folder of an embedded mem0")
    p.add_argument("--collection", default="memprivacy", help="its Qdrant collection (default: memprivacy)")
    for option, what in (("--user-id", "user"), ("--agent-id", "agent"), ("--run-id", "run")):
        p.add_argument(option, action="append", default=[], help=f"only this {what}'s memories (repeat)")
    return p


def _work_options(p: argparse.ArgumentParser, batch: int) -> None:
    from .cli import _positive_int

    p.add_argument(
        "--dry-run", action="store_true", help="write nothing; report what a real run would change"
    )
    p.add_argument(
        "--batch-size", type=_positive_int, default=batch, metavar="N", help=f"items per batch ({batch})"
    )
    p.add_argument("--workers", type=_positive_int, default=1, metavar="N", help="parallel workers (1)")
    p.add_argument(
        "--checkpoint",
        type=Path,
        default=None,
        metavar="PATH",
        help="progress file: run again with it to resume after an interruption (default: none kept)",
    )


def add_migration_parsers(sub: Any, extractor_options: Callable[[Any], None]) -> None:
    """Register `audit` and `migrate`."""
    guard, store, mem0 = _guard_parent(extractor_options), _store_parent(), _mem0_parent()
    audit = sub.add_parser("audit", help="show what an existing memory holds in clear (counts, never values)")
    asub = audit.add_subparsers(dest="audit_command", metavar="MEMORY", required=True)
    a = asub.add_parser(
        "store",
        parents=[store, guard],
        help="a LangGraph store",
        description="Read every item of a LangGraph SqliteStore or PostgresStore and count what its "
        "strings hold in clear, by level, type and user. Values appear only as type and keyed-hash ref.",
    )
    a.add_argument("--chart", type=Path, default=None, metavar="PNG", help="also draw a bar chart")
    a.add_argument("--batch-size", type=int, default=500, help=argparse.SUPPRESS)
    a.set_defaults(func=_cmd_audit_store)
    m = asub.add_parser(
        "mem0",
        parents=[mem0, guard],
        help="an embedded mem0 memory",
        description="Read every memory (with its history rows) of an embedded mem0 and count what it "
        "holds in clear, by level, type and user.",
    )
    m.add_argument("--chart", type=Path, default=None, metavar="PNG", help="also draw a bar chart")
    m.set_defaults(func=_cmd_audit_mem0)

    migrate = sub.add_parser("migrate", help="rewrite an existing memory in place into placeholder form")
    msub = migrate.add_subparsers(dest="migrate_command", metavar="MEMORY", required=True)
    s = msub.add_parser(
        "store",
        parents=[store, guard],
        help="a LangGraph store",
        description="Rewrite every item of a LangGraph store into the placeholder form PrivateStore "
        "writes, through the same vault; embeddings are computed again by the store. Resumable with "
        "--checkpoint. Afterwards SQLite files are vacuumed and PostgreSQL tables vacuumed; the report "
        "says what cannot be guaranteed. Exit status 1 when some items could not be protected.",
    )
    _work_options(s, 200)
    s.add_argument("--no-scrub", action="store_true", help="skip VACUUM and the WAL checkpoint afterwards")
    s.add_argument("--vacuum-full", action="store_true", help="PostgreSQL: VACUUM FULL (locks the tables)")
    s.set_defaults(func=_cmd_migrate_store)
    n = msub.add_parser(
        "mem0",
        parents=[mem0, guard],
        help="an embedded mem0 memory",
        description="Rewrite every memory of an embedded mem0 into the placeholder form PrivateMemory "
        "writes, through the same vault, and its history rows (--history migrate) or delete them "
        "(--history purge). Exit status 1 when some memories could not be protected.",
    )
    _work_options(n, 256)
    n.add_argument(
        "--history",
        choices=("migrate", "purge"),
        default="migrate",
        help="mem0's history rows: rewrite them in placeholder form, or delete them (migrate)",
    )
    n.set_defaults(func=_cmd_migrate_mem0)
