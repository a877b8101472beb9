"""Items per second of `migrate_store` on a LangGraph SqliteStore, for 1 and 2 worker processes.

The store is filled in clear with `--items` items (default 100,000) for `--users` users under
LangGraph's `(user_id, "memories")` namespaces: two items in three hold private values (a phone
number; an email address and a password), the third none. Each configuration migrates its own
copy of that file with a fresh SQLite vault (`synchronous=FULL`, the default) and the default rule
extractor, in a process of its own, and reports the items per second of the whole call (listing,
rewriting, `VACUUM`), the CPU seconds it used (with its workers': on a machine whose cores are
busy, wall time alone hides whether workers scale) and the peak resident memory of that process
and of its largest worker.

    python benchmarks/bench_migrate.py [--items 100000] [--workers 1,2] [--batch-size 200] [--repeat 1]
                                       [--postgres]

`--postgres`: the same on LangGraph's PostgresStore with the vault shared by app replicas on
PostgreSQL (`PostgresVault`), in a throwaway local server (tests/postgres_server.py; the filled
database is copied as a template for each configuration).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def value(n: int, users: int) -> tuple[str, str, str]:
    user = f"user-{n % users:05d}"
    if n % 3 == 0:
        text = f"Call me at 415-555-{n % 10000:04d} after work"
    elif n % 3 == 1:
        text = f"My email is person.{n}@gmail.com and my password is Zq{n}x!Blue"
    else:
        text = f"I like hiking in the Alps, note {n}"
    return user, f"m{n:07d}", text


def put_all(store: object, items: int, users: int) -> None:
    from langgraph.store.base import PutOp

    for start in range(0, items, 2000):
        ops = []
        for n in range(start, min(items, start + 2000)):
            user, key, text = value(n, users)
            ops.append(PutOp((user, "memories"), key, {"text": text, "n": n}))
        store.batch(ops)  # type: ignore[attr-defined]


def fill(path: Path, items: int, users: int) -> None:
    from langgraph.store.sqlite import SqliteStore

    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    store = SqliteStore(conn)
    store.setup()
    put_all(store, items, users)
    conn.close()


def one(store: str, vault: str, workers: int, batch: int) -> None:
    """A single configuration, in this process (started by `main` as a child). `store` is a file,
    or a PostgreSQL DSN with `vault` "-" (the vault is then in that database too, its key in the
    environment)."""
    from memprivacy_plugin._cli_migration import GuardOptions
    from memprivacy_plugin.migration import PostgresSource, SqliteSource, migrate_store

    postgres = vault == "-"
    options = GuardOptions(vault_postgres=store) if postgres else GuardOptions(vault=vault)
    source = PostgresSource(store) if postgres else SqliteSource(store)
    guard = options() if workers == 1 else options
    cpu_before = sum(
        u.ru_utime + u.ru_stime
        for u in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )
    started = time.perf_counter()
    report = migrate_store(source, guard, user_of=0, workers=workers, batch_size=batch)
    seconds = time.perf_counter() - started
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(u.ru_utime + u.ru_stime for u in (own, children)) - cpu_before
    print(
        json.dumps(
            {
                "workers": workers,
                "items": report.items_seen,
                "rewritten": report.items_rewritten,
                "seconds": round(seconds, 2),
                "items_per_s": round(report.items_seen / seconds),
                "cpu_s": round(cpu, 1),
                "peak_rss_mib": round(max(own.ru_maxrss, children.ru_maxrss) / 1024),
            }
        )
    )


def measure(
    store: str, vault: str, workers: int, batch: int, env: dict[str, str] | None = None
) -> dict[str, float]:
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--one",
            store,
            vault,
            "--workers",
            str(workers),
            "--batch-size",
            str(batch),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        raise SystemExit(done.returncode)
    r = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"workers={r['workers']}: {r['items']} items ({r['rewritten']} rewritten) in {r['seconds']} s"
        f" = {r['items_per_s']} items/s; CPU {r['cpu_s']} s; peak RSS {r['peak_rss_mib']} MiB"
    )
    return r  # type: ignore[no-any-return]


def medians(results: dict[int, list[dict[str, float]]]) -> None:
    """With --repeat: the median items/s of each worker count over its runs."""
    if any(len(runs) > 1 for runs in results.values()):
        for workers, runs in results.items():
            rates = sorted(r["items_per_s"] for r in runs)
            middle = statistics.median(rates)
            print(f"workers={workers}: median {middle:.0f} items/s over {len(runs)} runs {rates}")


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """An admin DSN of a throwaway local server."""
    sys.path.insert(0, str(ROOT / "tests"))
    from postgres_server import PostgresServer

    with PostgresServer() as server:
        yield server.dsn


def main_postgres(args: argparse.Namespace) -> None:
    import psycopg
    from langgraph.store.postgres import PostgresStore
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    from memprivacy_plugin.vault import generate_key

    with postgres() as admin:
        params = conninfo_to_dict(admin)

        def dsn(name: str) -> str:
            return make_conninfo("", **{**params, "dbname": name})

        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute('CREATE DATABASE "bench_source"')
        started = time.perf_counter()
        with PostgresStore.from_conn_string(dsn("bench_source")) as store:
            store.setup()
            put_all(store, args.items, args.users)
        print(f"filled {args.items} items for {args.users} users in {time.perf_counter() - started:.1f} s")
        env = {**os.environ, "MEMPRIVACY_VAULT_KEY": generate_key()}
        results: dict[int, list[dict[str, float]]] = {}
        for run in range(args.repeat):
            for workers in (int(w) for w in args.workers.split(",")):
                name = f"bench_{workers}_{run}"
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "bench_source"')
                results.setdefault(workers, []).append(measure(dsn(name), "-", workers, args.batch_size, env))
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE "{name}"')
        medians(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--workers", default="1,2", help="worker counts to measure, comma-separated")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each configuration, alternated")
    parser.add_argument("--postgres", action="store_true", help="PostgresStore and PostgresVault instead")
    parser.add_argument("--one", nargs=2, metavar=("STORE", "VAULT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.one[0], args.one[1], int(args.workers), args.batch_size)
        return
    if args.postgres:
        main_postgres(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "source.sqlite"
        started = time.perf_counter()
        fill(source, args.items, args.users)
        print(f"filled {args.items} items for {args.users} users in {time.perf_counter() - started:.1f} s")
        results: dict[int, list[dict[str, float]]] = {}
        for run in range(args.repeat):  # alternated, so a change of load on the machine hits both
            for workers in (int(w) for w in args.workers.split(",")):
                copy, vault = (
                    Path(tmp) / f"store-{workers}.sqlite",
                    Path(tmp) / f"vault-{workers}-{run}.sqlite3",
                )
                shutil.copy(source, copy)
                results.setdefault(workers, []).append(
                    measure(str(copy), str(vault), workers, args.batch_size)
                )
                copy.unlink()
        medians(results)


if __name__ == "__main__":
    main()
