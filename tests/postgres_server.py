"""A throwaway PostgreSQL server for the tests: `initdb` + `pg_ctl`, on 127.0.0.1 and a free port.

    with PostgresServer() as server:         # initdb in a temporary directory, then start
        dsn = server.create_database()       # a fresh database: postgresql://postgres@127.0.0.1:PORT/test_...
        server.restart()                     # stop (fast) and start again: same data, same port
        server.stop(); server.start()        # or hold it down for a while in between
        server.crash()                       # kill -9 the postmaster and every backend (start recovers)
    # stopped and removed

The binaries come from PATH (`pg_ctl`, `initdb`), else from Debian's layout
(`/usr/lib/postgresql/<version>/bin`, or wherever `dpkg -L postgresql-<version>` puts them). PostgreSQL
refuses to run as root, so when we are root every command runs as the `postgres` system user
(`runuser`), in a directory it owns. Trust authentication, on 127.0.0.1 only. Durability settings
stay at their defaults (fsync and synchronous_commit on): crash tests rely on them. Only `initdb`
skips its own final fsync of the template files, which a crash of the test machine could lose but
a crash of the server cannot. A small watchdog process stops and removes the server if the process
that started it dies without closing it.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import NoReturn

__all__ = [
    "DSN_ENV",
    "PostgresServer",
    "PostgresServerError",
    "create_database",
    "drop_database",
    "find_bindir",
    "postgres_unavailable",
]

#: A server the tests should use instead of starting their own (its role needs CREATEDB for the
#: fresh-database fixture; the vault tests only create and drop schemas).
DSN_ENV = "MEMPRIVACY_TEST_POSTGRES_DSN"

# Stops the server and removes its directory when the process that started it dies without closing
# it (kill -9, a timeout, a crashed test worker), so no server outlives its tests; exits by itself
# once the directory is gone (a normal close).
_WATCHDOG = r"""
import os, shutil, subprocess, sys, time
owner, base, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True
while os.path.isdir(base):
    if not alive(owner):
        subprocess.run(stop, capture_output=True, timeout=120, check=False)
        shutil.rmtree(base, ignore_errors=True)
        break
    time.sleep(0.5)
"""

_SETTINGS = (
    "listen_addresses = '127.0.0.1'",
    "max_connections = 200",
    "shared_buffers = 32MB",
    "dynamic_shared_memory_type = posix",
    "log_min_messages = warning",
    "log_line_prefix = '%m [%p] '",
)


class PostgresServerError(RuntimeError):
    """The throwaway server could not be set up, started or stopped (the message says why)."""


def find_bindir() -> Path | None:
    """The directory holding `pg_ctl` and `initdb`: PATH first, then Debian's layouts."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for package in ("postgresql-15", "postgresql-16", "postgresql-17", "postgresql-14"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            listed = subprocess.run(
                ["dpkg", "-L", package], capture_output=True, text=True, timeout=30, check=False
            ).stdout
            candidates += [str(Path(line).parent) for line in listed.splitlines() if line.endswith("/pg_ctl")]
    for directory in candidates:
        if (Path(directory) / "pg_ctl").is_file() and (Path(directory) / "initdb").is_file():
            return Path(directory)
    return None


def _version_key(path: str) -> float:
    try:
        return float(Path(path).parent.name)
    except ValueError:
        return 0.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """One PostgreSQL cluster in a temporary directory, started on 127.0.0.1 (see the module doc).

    `port` stays the same across `stop`/`start`/`restart`/`crash`, so clients reconnect to the same
    address. `close()` (or leaving the `with` block, or the end of the process) stops it and
    removes its directory.
    """

    host = "127.0.0.1"
    user = "postgres"

    def __init__(self, *, bindir: str | os.PathLike[str] | None = None, port: int | None = None) -> None:
        found = Path(bindir) if bindir is not None else find_bindir()
        if found is None:
            raise PostgresServerError(
                "PostgreSQL binaries not found (pg_ctl/initdb on PATH, /usr/lib/postgresql/*/bin or "
                f"dpkg -L postgresql-15); install postgresql-15 or set {DSN_ENV}"
            )
        self.bindir = found
        self._as_postgres = os.geteuid() == 0 if hasattr(os, "geteuid") else False
        self.port = port or free_port()
        self.base = Path(tempfile.mkdtemp(prefix="memprivacy-pg-"))
        self.datadir = self.base / "data"
        self.logfile = self.base / "server.log"
        self._initialised = False
        self._closed = False
        if self._as_postgres:
            try:
                shutil.chown(self.base, user="postgres", group=None)
            except (LookupError, OSError) as exc:
                shutil.rmtree(self.base, ignore_errors=True)
                raise PostgresServerError(
                    f"running as root needs the `postgres` system user to own the data directory: {exc}"
                ) from exc
        self.base.chmod(0o700)
        atexit.register(self.close)

    # -- addresses --------------------------------------------------------------------------------

    @property
    def dsn(self) -> str:
        """The maintenance database `postgres`, as the superuser."""
        return self.dsn_for("postgres")

    def dsn_for(self, dbname: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{dbname}"

    # -- life cycle -------------------------------------------------------------------------------

    def _run(self, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        command = self._command(*args)
        try:
            return subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False, cwd=self.base
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresServerError(f"{args[0]} failed: {exc}") from exc

    def _initdb(self) -> None:
        done = self._run(
            "initdb",
            "-D",
            str(self.datadir),
            "-U",
            self.user,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        if done.returncode != 0:
            raise PostgresServerError(f"initdb failed: {_tail(done.stderr or done.stdout)}")
        with open(self.datadir / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# memprivacy tests\n" + "\n".join(_SETTINGS) + "\n")
            conf.write(f"unix_socket_directories = '{self.base}'\n")
        self._initialised = True

    def start(self, *, timeout: float = 60.0) -> None:
        """Start the server (running `initdb` the first time) and wait until it accepts connections.

        On the first start a port taken in the meantime is replaced by another free one; later
        starts keep the port (clients hold its address)."""
        if self._closed:
            raise PostgresServerError("this server was closed")
        first = not self._initialised
        if first:
            self._initdb()
        for attempt in range(3):
            done = self._run(
                "pg_ctl",
                "start",
                "-w",
                "-t",
                str(int(timeout)),
                "-D",
                str(self.datadir),
                "-l",
                str(self.logfile),
                "-o",
                f"-p {self.port}",
                timeout=timeout + 30,
            )
            if done.returncode == 0:
                if first:
                    self._watch()
                return
            log = self.log_tail()
            if first and attempt < 2 and "could not bind" in log:
                self.port = free_port()
                continue
            raise PostgresServerError(f"pg_ctl start failed: {_tail(done.stderr or done.stdout)} {log}")

    def _command(self, *args: str) -> list[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        return [_runuser(), "-u", "postgres", "--", *command] if self._as_postgres else command

    def _watch(self) -> None:
        stop = self._command("pg_ctl", "stop", "-w", "-t", "60", "-D", str(self.datadir), "-m", "immediate")
        subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(self.base), *stop],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # outlives a kill of this process group
        )

    def stop(self, mode: str = "fast", *, timeout: float = 60.0) -> None:
        """Stop the server: `fast` (clients disconnected, a clean checkpoint), `smart` or
        `immediate` (no checkpoint: the next start runs crash recovery). Idempotent."""
        if not self.is_running():
            return
        done = self._run("pg_ctl", "stop", "-w", "-t", str(int(timeout)), "-D", str(self.datadir), "-m", mode)
        if done.returncode != 0 and self.is_running():
            raise PostgresServerError(f"pg_ctl stop failed: {_tail(done.stderr or done.stdout)}")

    def restart(self, mode: str = "fast") -> None:
        """Stop and start again on the same data directory and port."""
        self.stop(mode)
        self.start()

    def crash(self) -> None:
        """kill -9 the postmaster and every backend, as a power cut would (no shutdown at all). The
        data directory stays; `start()` then runs crash recovery."""
        pid = self.pid()
        if pid is None:
            return
        victims = [pid, *_children(pid)]
        for victim in victims:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while any(_alive(v) for v in victims) and time.monotonic() < deadline:
            time.sleep(0.05)
        # The lock files name the dead postmaster, which may not be reaped yet (a zombie still
        # answers kill(pid, 0)): remove them so that the next start does not wait for it.
        for lock in (self.datadir / "postmaster.pid", self.base / f".s.PGSQL.{self.port}.lock"):
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()

    def pid(self) -> int | None:
        """The postmaster's process id while it runs, else None."""
        try:
            first = (self.datadir / "postmaster.pid").read_text(encoding="utf-8").split("\n", 1)[0]
            pid = int(first)
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) else None

    def is_running(self) -> bool:
        return self.pid() is not None

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.logfile.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return " | ".join(text.strip().splitlines()[-lines:])

    def close(self) -> None:
        """Stop the server (immediately: nothing in it is worth a checkpoint) and remove its files."""
        if self._closed:
            return
        self._closed = True
        try:
            if self.is_running():
                try:
                    self.stop("immediate", timeout=30)
                except PostgresServerError:
                    self.crash()
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
            atexit.unregister(self.close)

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PostgresServer({self.dsn!r}, running={self.is_running()})"

    # -- databases --------------------------------------------------------------------------------

    def create_database(self, name: str | None = None) -> str:
        """Create a database (default: a fresh `test_<hex>`) and return its DSN."""
        return create_database(self.dsn, name)


def create_database(admin_dsn: str, name: str | None = None) -> str:
    """Create a database on the server of `admin_dsn` and return a DSN naming it."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = name or f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    params = conninfo_to_dict(admin_dsn)
    params["dbname"] = name
    return make_conninfo("", **params)


def drop_database(admin_dsn: str, name: str) -> None:
    """Drop a database, disconnecting whoever still uses it."""
    import psycopg

    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_unavailable(reason: str) -> NoReturn:
    """Skip a test for want of a PostgreSQL server, except under CI=true, where it is a failure: CI
    must not pass without running the PostgreSQL tests."""
    import pytest

    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        pytest.fail(f"PostgreSQL is required under CI=true: {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL server: {reason}")


def _runuser() -> str:
    """`runuser` lives in sbin, which a restricted PATH (the docs harness's) may leave out."""
    for candidate in (shutil.which("runuser"), "/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"):
        if candidate and Path(candidate).is_file():
            return candidate
    raise PostgresServerError("running as root needs `runuser` (util-linux) to start PostgreSQL as postgres")


def _tail(text: str, lines: int = 5) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _children(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (Linux /proc; empty elsewhere)."""
    out = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text(encoding="utf-8")
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return out
