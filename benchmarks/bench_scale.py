"""Scale-out on a shared PostgreSQL vault: N users x M messages through `PrivateStore` (and
`PrivateMemory`) in one and then two app processes, beside the same run on a SQLite vault file.

Each message is `put` through `PrivateStore` around LangGraph's `InMemoryStore` (`--store postgres`:
`PostgresStore`, no vector index) and read back with `get`; mem0 runs `PrivateMemory.local` (local
Qdrant and embedder) with `add(..., infer=False)` and `get`. The guard is the default one (rule
extractor, default policy, values remembered); its `protect_data` and `restore_data` are timed inside
the adapter (extraction included), and so is the vault's part of each. The first pass assigns the
placeholders; the steady passes send the same messages again (every value known).

App processes are spawned once and kept; each serves its share of the users (`--split turns`: every
user's turns alternate between them). Throughput: messages (put + get) per second of wall time, from
the first process starting a pass to the last finishing it. Round trips: libpq's protocol trace of a
one-connection pool, in a separate traced run. After each run the driver reads the vault itself:
collisions (a value under two placeholders, a number given twice), lost placeholders (one stored that
its user's vault does not resolve), restore mismatches (a text that does not come back, redacted PL4
values aside) and cross-user restores (one user's placeholders resolved under another's id to a value
that is not that user's). All must be 0. `--million` fills a vault of 1,000,000 values by batched
`assign` and times `lookup` and known-value `assign` on it.

Messages: the MemPrivacy-Bench / PersonaMem-v2 user turns (read in place) in which the rules protect a
value, user i taking turns i*M..(i+1)*M, or `--source synthetic`. Nothing printed holds a value.

    .venv/bin/python benchmarks/bench_scale.py [-n 20] [-m 25] [--repeat 3] [--million] [--dsn DSN]
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import multiprocessing
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# -- messages ---------------------------------------------------------------------------------------


def _synthetic(users: int, per_user: int) -> list[str]:
    """Turns with values of their own per user and turn (phone, email, IP address, street address)."""
    first = ["Dana", "Lee", "Ana", "Omar", "Mia", "Ivan", "Sara", "Tom", "Yuki", "Ravi", "Lena", "Paul"]
    shapes = [
        "Hi, it's {f}. Text me at +1 415 {a} {b} or mail {e}, I'm out until Friday.",
        "Please update my contact: phone +1 212 {a} {b}, email {e}. Thanks!",
        "My home router is at {ip}; can you check why it drops at night?",
        "Send the parcel to {n} Elm Street, Springfield, and call +1 646 {a} {b} when you arrive.",
    ]
    out = []
    for u, m in itertools.product(range(users), range(per_user)):
        f = first[u % len(first)]
        values = {
            "f": f,
            "a": f"{200 + u % 700:03d}",
            "b": f"{(u * 37 + m) % 10000:04d}",
            "n": 100 + u * 10 + m,
        }
        values |= {
            "e": f"{f.lower()}.{u}x{m}@fastmail.com",
            "ip": f"10.{u % 250}.{m % 250}.{7 + (u + m) % 200}",
        }
        out.append(shapes[m % len(shapes)].format(**values))
    return out


def load_messages(source: str, users: int, per_user: int, mix: str) -> tuple[str, list[str]]:
    """(what they are, N*M messages): dataset turns where the rules protect something, else synthetic."""
    if source == "synthetic":
        return "synthetic turns", _synthetic(users, per_user)
    from benchmarks._rules_eval import dataset_paths, user_texts
    from memprivacy_plugin import PrivacyGuard, RuleExtractor
    from memprivacy_plugin.vault import InMemoryVault

    if not dataset_paths():
        if source == "bench":
            raise SystemExit("dataset not found (set MEMPRIVACY_SHARED_DATA or use --source synthetic)")
        return "synthetic turns (dataset not found)", _synthetic(users, per_user)
    texts = user_texts()
    if mix == "spans":
        probe = PrivacyGuard(RuleExtractor(), InMemoryVault(), remember_values=False)
        texts = [t for t in texts if probe.protect(t, user_id="probe").placeholders]
    need = users * per_user
    if need > len(texts):
        raise SystemExit(f"{need} messages wanted, the dataset has {len(texts)} of this mix: lower -n/-m")
    what = "MemPrivacy user turns with a protected value" if mix == "spans" else "MemPrivacy user turns"
    return what, texts[:need]


# A redaction: a type name in angle brackets without a number (PL4 values are redacted by the default
# policy, never stored, so they cannot come back); a placeholder ends with its number.
_REDACTED = re.compile(r"<[A-Za-z][A-Za-z0-9_]*(?<![0-9])>")


def restores(original: str, back: str) -> bool:
    """`back` is `original`, except where a value was redacted."""
    if back == original:
        return True
    parts = _REDACTED.split(back)
    return len(parts) > 1 and re.fullmatch(".+?".join(map(re.escape, parts)), original, re.S) is not None


Work = list[tuple[str, int, str]]  # (user, turn, text)

# -- what a run is -------------------------------------------------------------------------------------


@dataclass
class RunSpec:
    """One run for one app process: the vault, the adapter and this process's (user, turn, text)."""

    vault: str  # "postgres" | "sqlite"
    adapter: str  # "store" | "mem0"
    work: Work
    key: str
    dsn: str = ""
    schema: str = ""
    sqlite_path: str = ""
    store: str = "memory"  # inner LangGraph store: "memory" | "postgres"
    tag: str = ""  # keeps PostgresStore namespaces of runs apart
    mem0_dir: str = ""
    steady_passes: int = 2
    trace: bool = False


@dataclass
class PassStats:
    """One pass of one process: its times (s), samples (s) and counts."""

    start: float = 0.0
    end: float = 0.0
    messages: int = 0
    protect: list[float] = field(default_factory=list)  # the guard's protect_data (extraction included)
    protect_vault: list[float] = field(default_factory=list)  # its vault calls
    restore: list[float] = field(default_factory=list)
    restore_vault: list[float] = field(default_factory=list)
    put: list[float] = field(default_factory=list)  # the adapter's write (put, add), inner store included
    get: list[float] = field(default_factory=list)
    trips_put: int = 0
    trips_get: int = 0
    mismatches: int = 0


# -- the app process -----------------------------------------------------------------------------------


class _TimedVault:
    """The vault under test, adding up the seconds spent in its calls (the vault's share)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.spent = 0.0

    def _timed(self, name: str) -> Callable[..., Any]:
        call = getattr(self.inner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                self.spent += time.perf_counter() - start

        return timed

    def __getattr__(self, name: str) -> Any:
        if name in ("assign", "lookup", "entries", "forget"):
            return self._timed(name)
        return getattr(self.inner, name)


def _guard_class() -> type:
    from memprivacy_plugin import PrivacyGuard

    class TimedGuard(PrivacyGuard):
        """Times what the adapters call: protect_data (a put, an add) and restore_data (a get)."""

        stats: PassStats | None = None

        def _time(self, into: str, call: Callable[[], Any]) -> Any:
            vault: Any = self.vault
            spent, start = vault.spent, time.perf_counter()
            try:
                return call()
            finally:
                if self.stats is not None:
                    getattr(self.stats, into).append(time.perf_counter() - start)
                    getattr(self.stats, into + "_vault").append(vault.spent - spent)

        def protect_data(self, data: Any, **kwargs: Any) -> Any:
            return self._time("protect", lambda: super(TimedGuard, self).protect_data(data, **kwargs))

        def restore_data(self, data: Any, **kwargs: Any) -> Any:
            return self._time("restore", lambda: super(TimedGuard, self).restore_data(data, **kwargs))

    return TimedGuard


class _Trips:
    """Round trips of a one-connection pool, from libpq's protocol trace: each turn from messages the
    client sends (F) to messages the server sends (B) is one."""

    def __init__(self, pool: Any) -> None:
        from psycopg import pq

        self.pool, self.pq = pool, pq
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - open while the run lasts
        self.seen = 0
        self._on()

    def _on(self) -> None:
        with self.pool.connection() as conn:
            conn.pgconn.trace(self.file.fileno())
            conn.pgconn.set_trace_flags(self.pq.Trace.SUPPRESS_TIMESTAMPS)

    def take(self) -> int:
        """Round trips since the last call (untrace flushes the trace; tracing goes on after)."""
        with self.pool.connection() as conn:
            conn.pgconn.untrace()
        fd = self.file.fileno()
        size = os.fstat(fd).st_size
        data = os.pread(fd, size - self.seen, self.seen)
        self.seen = size
        self._on()
        sides = [line.split(b"\t", 1)[0] for line in data.splitlines() if line]
        return sum(1 for a, b in itertools.pairwise(sides) if a == b"F" and b == b"B")


def _open_vault(spec: RunSpec) -> tuple[Any, Any]:
    """(vault, pool to trace or None)."""
    if spec.vault == "sqlite":
        from memprivacy_plugin.vault import SQLiteVault

        return SQLiteVault(spec.sqlite_path, key=spec.key), None
    from memprivacy_plugin.vault.postgres import PostgresVault

    if not spec.trace:
        return PostgresVault(spec.dsn, key=spec.key, schema=spec.schema), None
    from psycopg_pool import ConnectionPool

    pool: Any = ConnectionPool(spec.dsn, min_size=1, max_size=1, kwargs={"autocommit": True}, open=True)
    return PostgresVault(pool, key=spec.key, schema=spec.schema), pool


@contextlib.contextmanager
def _adapter(spec: RunSpec, guard: Any) -> Iterator[tuple[Callable[..., Any], Callable[..., Any], Any]]:
    """(write(user, turn, text) -> handle, read(user, handle) -> text, raw(user, handle) -> stored text)."""
    if spec.adapter == "mem0":
        import torch

        torch.set_num_threads(1)  # two app processes on two cores
        from memprivacy_plugin.integrations.mem0 import PrivateMemory

        memory = PrivateMemory.local(spec.mem0_dir, guard)

        def add(user: str, turn: int, text: str) -> str:
            return str(memory.add(text, user_id=user, infer=False)["results"][0]["id"])

        def read(user: str, handle: str) -> str:
            return str(memory.get(handle)["memory"])

        def raw(user: str, handle: str) -> str:
            return str(memory.memory.get(handle)["memory"])

        yield add, read, raw
        return
    from memprivacy_plugin.integrations.langgraph import PrivateStore

    with contextlib.ExitStack() as stack:
        if spec.store == "postgres":
            from langgraph.store.postgres import PostgresStore

            inner: Any = stack.enter_context(PostgresStore.from_conn_string(spec.dsn))
        else:
            from langgraph.store.memory import InMemoryStore

            inner = InMemoryStore()
        store = PrivateStore(inner, guard, namespace_user_index=0)

        def put(user: str, turn: int, text: str) -> str:
            store.put((user, "memories", spec.tag), f"t{turn}", {"text": text})
            return f"t{turn}"

        def get(user: str, handle: str) -> str:
            item = store.get((user, "memories", spec.tag), handle)
            return str(item.value["text"]) if item is not None else ""

        def stored(user: str, handle: str) -> str:
            item = inner.get((user, "memories", spec.tag), handle)
            return str(item.value["text"]) if item is not None else ""

        yield put, get, stored


def _serve(spec: RunSpec, commands: Any, results: Any, index: int) -> dict[str, Any]:
    vault, pool = _open_vault(spec)
    timed = _TimedVault(vault)
    from memprivacy_plugin import RuleExtractor

    extractor = RuleExtractor()
    extractor.extract("warm-up: +1 415 555 0100, a@example.org")
    guard = _guard_class()(extractor, timed)
    handles: dict[tuple[str, int], str] = {}
    try:
        with _adapter(spec, guard) as (write, read, raw):
            trips = _Trips(pool) if pool is not None else None
            results.put(("ready", index, None))
            for _ in range(1 + spec.steady_passes):
                if commands.get() != "go":
                    raise RuntimeError("the driver stopped the run")
                stats = guard.stats = PassStats()
                stats.start = time.perf_counter()
                for user, turn, text in spec.work:
                    started = time.perf_counter()
                    handle = handles[(user, turn)] = write(user, turn, text)
                    stats.put.append(time.perf_counter() - started)
                    stats.trips_put += trips.take() if trips else 0
                    started = time.perf_counter()
                    back = read(user, handle)
                    stats.get.append(time.perf_counter() - started)
                    stats.trips_get += trips.take() if trips else 0
                    stats.mismatches += not restores(text, back)
                stats.end = time.perf_counter()
                stats.messages = len(spec.work)
                guard.stats = None
                results.put(("pass", index, asdict(stats)))
            stored = [(user, turn, raw(user, h)) for (user, turn), h in handles.items()]
    finally:
        vault.close()
        if pool is not None:
            pool.close()
    return {"stored": stored}


def worker(index: int, commands: Any, results: Any) -> None:
    """An app process: serves runs until told to stop (None)."""
    os.environ.setdefault("MEM0_TELEMETRY", "False")
    while True:
        spec = commands.get()
        if spec is None:
            return
        if not isinstance(spec, RunSpec):  # a "stop" meant for a run that had already failed
            continue
        try:
            results.put(("done", index, _serve(spec, commands, results, index)))
        except BaseException as exc:  # the type and the library's message only: never a value
            results.put(
                ("error", index, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            )


class Apps:
    """The app processes (spawned once, kept across runs)."""

    def __init__(self, count: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.results: list[Any] = [ctx.Queue() for _ in range(count)]
        self.commands: list[Any] = [ctx.Queue() for _ in range(count)]
        self.procs = [
            ctx.Process(target=worker, args=(i, q, self.results[i]), daemon=True)
            for i, q in enumerate(self.commands)
        ]
        for proc in self.procs:
            proc.start()

    def _wait(self, kind: str, count: int) -> dict[int, Any]:
        """The next report of each of the first `count` processes (each has its own queue: reports
        of two processes through one queue may arrive out of order)."""
        got: dict[int, Any] = {}
        for index in range(count):
            what, _, payload = self.results[index].get(timeout=1800)
            if what != kind:
                for q in self.commands:
                    q.put("stop")
                problem = payload if what == "error" else f"sent {what}, expected {kind}"
                raise SystemExit(f"app process {index} failed: {problem}")
            got[index] = payload
        return got

    def run(self, specs: Sequence[RunSpec]) -> tuple[list[list[dict[str, Any]]], list[dict[str, Any]]]:
        """Run one spec per process, passes in lock step; (passes[pass][process], finals)."""
        for q, spec in zip(self.commands, specs, strict=False):
            q.put(spec)
        self._wait("ready", len(specs))
        passes = []
        for _ in range(1 + specs[0].steady_passes):
            for q in self.commands[: len(specs)]:
                q.put("go")
            got = self._wait("pass", len(specs))
            passes.append([got[i] for i in range(len(specs))])
        done = self._wait("done", len(specs))
        return passes, [done[i] for i in range(len(specs))]

    def close(self) -> None:
        for q in self.commands:
            q.put(None)
        for proc in self.procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()


# -- checks after a run ----------------------------------------------------------------------------------


def check(vault: Any, stored: Work, originals: dict[tuple[str, int], str]) -> dict[str, int]:
    """Collisions, lost placeholders, restore mismatches and cross-user restores, read from the vault by
    this process (not the one that wrote)."""
    from memprivacy_plugin import PrivacyGuard
    from memprivacy_plugin.placeholders import PLACEHOLDER_RE, placeholder_key

    def keys_in(text: str) -> list[str]:
        return [placeholder_key(m["name"], m["num"]) for m in PLACEHOLDER_RE.finditer(text)]

    guard = PrivacyGuard(vault=vault, remember_values=False)
    texts: dict[str, list[tuple[int, str]]] = {}
    for user, turn, text in stored:
        texts.setdefault(user, []).append((turn, text))
    values: dict[str, set[str]] = {}
    out = Counter(collisions=0, lost=0, mismatches=0, cross_user=0, values=0, placeholders_stored=0)
    for user in texts:
        entries = vault.entries(user)
        values[user] = {e.value for e in entries}
        out["collisions"] += len(entries) - len(values[user])  # a value under two placeholders
        out["collisions"] += len(entries) - len(
            {tuple(keys_in(e.placeholder)) for e in entries}
        )  # a number twice
        out["values"] += len(entries)
    for user, own in texts.items():
        just = [t for _, t in own]
        out["placeholders_stored"] += sum(len(keys_in(t)) for t in just)
        out["lost"] += len(guard.unresolved_placeholders(just, user_id=user))
        back = guard.restore_data(just, user_id=user)
        out["mismatches"] += sum(
            not restores(originals[(user, turn)], b) for b, (turn, _) in zip(back, own, strict=True)
        )
        for other in texts:
            if other != user:
                found = guard.placeholder_values(just, user_id=other).values()
                out["cross_user"] += sum(v not in values[other] for v in found)
    return dict(out)


# -- statistics ------------------------------------------------------------------------------------------

_SAMPLES = ("protect", "protect_vault", "restore", "restore_vault", "put", "get")


def pct(samples: Sequence[float], q: float) -> float:
    """The nearest-rank quantile."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def summarise(passes: list[list[dict[str, Any]]]) -> dict[str, float]:
    """Passes (each: every process's stats) as one: messages per second of the passes' wall times
    (each from the first process starting to the last finishing), percentiles in ms."""
    every = [stats for one in passes for stats in one]
    messages = sum(s["messages"] for s in every)
    wall = sum(max(s["end"] for s in one) - min(s["start"] for s in one) for one in passes)
    out: dict[str, float] = {"messages": messages, "wall_s": wall, "msg_per_s": messages / wall}
    for name in _SAMPLES:
        samples = [x for s in every for x in s[name]]
        out[f"{name}_p50"] = pct(samples, 0.5) * 1e3
        out[f"{name}_p95"] = pct(samples, 0.95) * 1e3
    out["trips_put"] = sum(s["trips_put"] for s in every) / messages
    out["trips_get"] = sum(s["trips_get"] for s in every) / messages
    out["mismatches"] = sum(s["mismatches"] for s in every)
    return out


# -- the driver ------------------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace, dsn: str, tmp: Path) -> None:
        from memprivacy_plugin.vault import generate_key

        self.args, self.dsn, self.tmp = args, dsn, tmp
        self.key = generate_key()
        self.apps = Apps(max(args.processes))
        self.results: list[dict[str, Any]] = []

    def work(self, texts: list[str], users: int, per_user: int) -> Work:
        """Turn by turn, each turn of every user: many users at once, as a service sees them."""
        return [(f"user-{u:03d}", m, texts[u * per_user + m]) for m in range(per_user) for u in range(users)]

    def share(self, work: Work, processes: int, index: int) -> Work:
        if self.args.split == "turns":  # each user's turns alternate between the processes
            return [w for w in work if (int(w[0][5:]) + w[1]) % processes == index]
        return [w for w in work if int(w[0][5:]) % processes == index]

    def run(
        self, label: str, vault: str, processes: int, work: Work, *,
        adapter: str = "store", trace: bool = False, steady_passes: int | None = None, repeat: int = 0,
    ) -> dict[str, Any]:  # fmt: skip
        tag = uuid.uuid4().hex[:10]
        schema = f"bench_{tag}"
        base = RunSpec(
            vault=vault, adapter=adapter, work=[], key=self.key, dsn=self.dsn, schema=schema,
            sqlite_path=str(self.tmp / f"vault-{tag}.sqlite3"), store=self.args.store, tag=tag,
            steady_passes=self.args.steady_passes if steady_passes is None else steady_passes, trace=trace,
        )  # fmt: skip
        specs = []
        for i in range(processes):
            spec = RunSpec(**{**asdict(base), "work": self.share(work, processes, i)})
            spec.mem0_dir = str(self.tmp / f"mem0-{tag}-{i}")
            specs.append(spec)
        passes, finals = self.apps.run(specs)
        stored = [s for final in finals for s in final["stored"]]
        checked = self._check(base, stored, {(u, m): t for u, m, t in work})
        result = {
            "label": label, "vault": vault, "adapter": adapter, "processes": processes, "repeat": repeat,
            "users": len({u for u, _, _ in work}), "messages": len(work), "trace": trace,
            "first": summarise(passes[:1]), "steady": summarise(passes[1:]), "checks": checked,
        }  # fmt: skip
        self.results.append(result)
        print(_row(result), flush=True)
        return result

    def _check(self, spec: RunSpec, stored: Work, originals: dict[Any, str]) -> dict[str, int]:
        if spec.vault == "sqlite":
            from memprivacy_plugin.vault import SQLiteVault

            vault: Any = SQLiteVault(spec.sqlite_path, key=self.key)
        else:
            from memprivacy_plugin.vault.postgres import PostgresVault

            vault = PostgresVault(self.dsn, key=self.key, schema=spec.schema)
        try:
            return check(vault, stored, originals)
        finally:
            vault.close()
            _drop(self.dsn, spec.schema)
            for suffix in ("", "-wal", "-shm"):
                Path(spec.sqlite_path + suffix).unlink(missing_ok=True)

    def close(self) -> None:
        self.apps.close()


def _drop(dsn: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _row(r: dict[str, Any]) -> str:
    s, f, c = r["steady"], r["first"], r["checks"]
    bad = sum(c[k] for k in _BAD) + s["mismatches"] + f["mismatches"]
    trips = (
        f" trips put {f['trips_put']:.2f}/{s['trips_put']:.2f} get {f['trips_get']:.2f}/{s['trips_get']:.2f}"
    )
    return (
        f"{r['label']:<24} first {f['msg_per_s']:6.0f} msg/s, steady {s['msg_per_s']:6.0f} msg/s, protect "
        f"{s['protect_p50']:.2f}/{s['protect_p95']:.2f} ms (vault {s['protect_vault_p95']:.2f}), restore "
        f"{s['restore_p50']:.2f}/{s['restore_p95']:.2f} ms, checks {'ok' if bad == 0 else 'FAILED'} "
        f"({c['values']} values)" + (trips if r["trace"] else "")
    )


# -- a vault of a million values ---------------------------------------------------------------------------


def _value(user: int, n: int) -> tuple[str, str, int]:
    """(placeholder name, value, number) of value n of user `user` (numbers follow insertion order)."""
    if n % 2 == 0:
        return "Phone_Number", f"+1 555 {user:06d} {n:04d}", n // 2 + 1
    return "Email", f"user{user}.{n}@example.org", n // 2 + 1


def million(dsn: str, key: str, total: int, per_user: int, samples: int, seed: int) -> dict[str, Any]:
    """Fill a fresh schema with `total` values (batched assign, `per_user` values a call and a user),
    then time one-key lookups of random known keys and one-value assigns of known values."""
    import psycopg

    from memprivacy_plugin.placeholders import format_placeholder, placeholder_key
    from memprivacy_plugin.testing import item
    from memprivacy_plugin.vault.postgres import PostgresVault

    schema = f"bench_million_{uuid.uuid4().hex[:8]}"
    users = -(-total // per_user)
    vault = PostgresVault(dsn, key=key, schema=schema)
    try:
        started = time.perf_counter()
        for u in range(users):
            count = min(per_user, total - u * per_user)
            vault.assign(f"m{u}", [item(*_value(u, n)[:2]) for n in range(count)])
            if users >= 20 and (u + 1) % (users // 10) == 0:
                print(
                    f"  filled {(u + 1) * per_user:,} values in {time.perf_counter() - started:.0f} s",
                    flush=True,
                )
        fill = time.perf_counter() - started
        with psycopg.connect(dsn) as conn:
            row = conn.execute(
                "SELECT count(*), pg_total_relation_size(%s) FROM " + f'"{schema}".entries',
                (f'"{schema}".entries',),
            ).fetchone()
        rows, size = row if row is not None else (0, 0)
        rng = random.Random(seed)
        lookups, assigns, misses = [], [], 0
        for _ in range(samples):
            u = rng.randrange(users)
            name, value, number = _value(u, rng.randrange(min(per_user, total - u * per_user)))
            pkey = placeholder_key(name, number)
            start = time.perf_counter()
            got = vault.lookup(f"m{u}", [pkey])
            lookups.append(time.perf_counter() - start)
            misses += got.get(pkey) != value
            start = time.perf_counter()
            placed = vault.assign(f"m{u}", [item(name, value)])
            assigns.append(time.perf_counter() - start)
            misses += placed != [format_placeholder(name, number)]
    finally:
        vault.close()
        _drop(dsn, schema)
    return {
        "values": int(rows), "users": users, "per_user": per_user, "fill_s": fill, "fill_per_s": rows / fill,
        "entries_mb": size / 2**20, "samples": samples, "misses": misses,
        "lookup_p50": pct(lookups, 0.5) * 1e3, "lookup_p95": pct(lookups, 0.95) * 1e3,
        "lookup_p99": pct(lookups, 0.99) * 1e3,
        "assign_known_p50": pct(assigns, 0.5) * 1e3, "assign_known_p95": pct(assigns, 0.95) * 1e3,
    }  # fmt: skip


# -- main --------------------------------------------------------------------------------------------------


def _median(results: list[dict[str, Any]], label: str, part: str, name: str) -> float:
    found = [r[part][name] for r in results if r["label"] == label]
    return statistics.median(found) if found else float("nan")


def targets(results: list[dict[str, Any]], repeat: int) -> dict[str, list[float]]:
    """The issue's targets, each per repeat (the report gives their median)."""

    def per_repeat(a: str, b: str, part: str, name: str, ratio: bool = False) -> list[float]:
        out = []
        for r in range(repeat):
            runs = {x["label"]: x[part][name] for x in results if x["repeat"] == r}
            if a in runs and b in runs:
                out.append(runs[a] / runs[b] if ratio else runs[a] - runs[b])
        return out

    pg1, pg2, lite = "store/postgres/1", "store/postgres/2", "store/sqlite/1"
    return {
        "protect_p95_pg_minus_sqlite_ms": per_repeat(pg1, lite, "steady", "protect_p95"),
        "vault_part_p95_pg_minus_sqlite_ms": per_repeat(pg1, lite, "steady", "protect_vault_p95"),
        "two_over_one_steady": per_repeat(pg2, pg1, "steady", "msg_per_s", ratio=True),
        "two_over_one_first": per_repeat(pg2, pg1, "first", "msg_per_s", ratio=True),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--users", type=int, default=20)
    parser.add_argument("-m", "--messages", type=int, default=25, help="messages per user")
    parser.add_argument("--steady-passes", type=int, default=4, help="passes after the first")
    parser.add_argument("--processes", default="1,2", help="app process counts to run (comma-separated)")
    parser.add_argument("--split", choices=("users", "turns"), default="users")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--source", choices=("auto", "bench", "synthetic"), default="auto")
    parser.add_argument(
        "--mix", choices=("spans", "all"), default="spans", help="dataset turns with a value, or all"
    )
    parser.add_argument(
        "--store", choices=("memory", "postgres"), default="memory", help="PrivateStore's inner store"
    )
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite baseline")
    parser.add_argument("--no-trace", action="store_true", help="skip the traced run (round trips)")
    parser.add_argument("--mem0-users", type=int, default=4, help="PrivateMemory users (0: skip mem0)")
    parser.add_argument("--mem0-messages", type=int, default=10)
    parser.add_argument(
        "--million", action="store_true", help="also fill and time a vault of --million-values"
    )
    parser.add_argument("--million-values", type=int, default=1_000_000)
    parser.add_argument("--million-per-user", type=int, default=200)
    parser.add_argument("--lookups", type=int, default=2000, help="timed lookups on the large vault")
    parser.add_argument("--dsn", help="a PostgreSQL server to use (default: start a throwaway one)")
    parser.add_argument("--json", help="write every figure here")
    args = parser.parse_args(argv)
    args.processes = sorted({int(p) for p in args.processes.split(",")})

    what, texts = load_messages(args.source, args.users, args.messages, args.mix)
    with contextlib.ExitStack() as stack:
        dsn = args.dsn
        if not dsn:
            sys.path.insert(0, str(ROOT / "tests"))
            from postgres_server import PostgresServer

            server = stack.enter_context(PostgresServer())
            dsn = server.dsn
        if args.store == "postgres":
            from langgraph.store.postgres import PostgresStore

            with PostgresStore.from_conn_string(dsn) as store:
                store.setup()
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-scale-")))
        bench = Bench(args, dsn, tmp)
        stack.callback(bench.close)
        work = bench.work(texts, args.users, args.messages)
        print(
            f"{args.users} users x {args.messages} messages ({what}); PrivateStore around "
            f"{'PostgresStore' if args.store == 'postgres' else 'InMemoryStore'}; split by {args.split}; "
            f"1 + {args.steady_passes} passes; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        for r in range(args.repeat):
            if not args.no_sqlite:
                bench.run("store/sqlite/1", "sqlite", 1, work, repeat=r)
            for k in args.processes:
                bench.run(f"store/postgres/{k}", "postgres", k, work, repeat=r)
        if not args.no_trace:
            bench.run("store/postgres/1 traced", "postgres", 1, work, trace=True, steady_passes=1, repeat=-1)
        if args.mem0_users > 0:
            mem0_texts = texts[: args.mem0_users * args.mem0_messages]
            mem0_work = bench.work(mem0_texts, args.mem0_users, args.mem0_messages)
            for k, trace in [(k, False) for k in args.processes] + ([] if args.no_trace else [(1, True)]):
                label = f"mem0/postgres/{k}" + (" traced" if trace else "")
                bench.run(
                    label, "postgres", k, mem0_work, adapter="mem0", trace=trace, steady_passes=1, repeat=-1
                )
        large = None
        if args.million:
            print(f"filling a vault of {args.million_values:,} values ...", flush=True)
            large = million(dsn, bench.key, args.million_values, args.million_per_user, args.lookups, seed=12)
    goals = targets(bench.results, args.repeat)
    _report(bench.results, goals, large)
    if args.json:
        everything = {"args": vars(args), "runs": bench.results, "targets": goals, "million": large}
        Path(args.json).write_text(json.dumps(everything, indent=1))
    failed = any(r["checks"][c] for r in bench.results for c in _BAD) or any(
        r[p]["mismatches"] for r in bench.results for p in ("first", "steady")
    )
    return 1 if failed or (large is not None and large["misses"]) else 0


_COLUMNS = ("msg_per_s", "protect_p50", "protect_p95", "protect_vault_p95", "restore_p50", "restore_p95")
_BAD = ("collisions", "lost", "mismatches", "cross_user")


def _report(
    results: list[dict[str, Any]], goals: dict[str, list[float]], large: dict[str, Any] | None
) -> None:
    print("\nmedians over repeats (ms; steady = every value known; vault = the vault's part of protect)")
    print(f"{'run':<24} {'pass':<7} {'msg/s':>7} {'protect p50':>11} {'p95':>6} {'vault p95':>9} "
          f"{'restore p50':>11} {'p95':>6}")  # fmt: skip
    for label in dict.fromkeys(r["label"] for r in results):
        for part in ("first", "steady"):
            cells = [_median(results, label, part, name) for name in _COLUMNS]
            print(f"{label:<24} {part:<7} {cells[0]:7.0f} {cells[1]:11.2f} {cells[2]:6.2f} {cells[3]:9.2f} "
                  f"{cells[4]:11.2f} {cells[5]:6.2f}")  # fmt: skip
    for r in results:
        if r["trace"]:
            f, s = r["first"], r["steady"]
            print(f"vault round trips per message, {r['label'].split('/')[0]}: write {f['trips_put']:.2f} "
                  f"first, {s['trips_put']:.2f} steady; read {f['trips_get']:.2f} first, "
                  f"{s['trips_get']:.2f} steady")  # fmt: skip
    bad = {c: sum(r["checks"][c] for r in results) for c in _BAD}
    print(f"checks over all runs: {bad}, values checked {sum(r['checks']['values'] for r in results)}")

    def show(name: str, fmt: str) -> str:
        v = goals[name]
        listed = ", ".join(f"{x:{fmt}}" for x in v)
        return f"median {statistics.median(v):{fmt}} of [{listed}]" if v else "not run"

    print(f"target: steady protect p95, PG - SQLite < 1 ms: {show('protect_p95_pg_minus_sqlite_ms', '.3f')}")
    print(f"        the vault's part alone: {show('vault_part_p95_pg_minus_sqlite_ms', '.3f')}")
    print(f"target: two processes >= 1.6x one, steady: {show('two_over_one_steady', '.2f')}")
    print(f"        first pass: {show('two_over_one_first', '.2f')}")
    if large is not None:
        x = large
        print(f"vault of {x['values']:,} values ({x['entries_mb']:.0f} MB): filled in {x['fill_s']:.0f} s "
              f"({x['fill_per_s']:.0f}/s); lookup p50/p95/p99 {x['lookup_p50']:.3f}/{x['lookup_p95']:.3f}/"
              f"{x['lookup_p99']:.3f} ms; known-value assign p50/p95 {x['assign_known_p50']:.3f}/"
              f"{x['assign_known_p95']:.3f} ms; wrong answers {x['misses']}")  # fmt: skip
        print(f"target: lookup < 1 ms on {x['values']:,} values: p95 {x['lookup_p95']:.3f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
