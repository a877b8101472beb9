"""LangGraph's own store test suites, unedited, run against `PrivateStore`.

The released sdists of langgraph-checkpoint (tests/test_store.py: InMemoryStore) and
langgraph-checkpoint-sqlite (tests/test_store.py, test_async_store.py: SqliteStore and
AsyncSqliteStore) are fetched at test time with pip, at the installed versions, and cached in
pytest's cache folder; only their tests/ and pyproject.toml (pytest settings) are extracted, and
nothing of them is committed. Each suite runs in its own pytest process (both ship a `tests`
package) with langgraph_store_upstream_plugin.py, which wraps every store the tests build in a
`PrivateStore`, and with the pytest plugins their settings need (pytest-asyncio, pytest-mock,
pytest-retry, at the versions of their lock files). Skipped, with the reason, only when the
downloads are impossible.

Upstream's tests/test_ttl.py is not run: it sleeps one-second TTLs against SQLite's
CURRENT_TIMESTAMP, which has whole seconds, so a run whose refresh lands in the first quarter of
a second fails (with its retries, when each attempt lasts a whole number of seconds, as it did
under CI load). test_langgraph_store.py checks the same refresh and sweep through the wrapper by
moving the stored expiries instead of the clock.

Cost, measured on the shared 2-core box: about 12 s of CPU for both runs; wall time about
7 s (InMemoryStore) and 35 s (SqliteStore and AsyncSqliteStore, mostly waiting on file syncs),
each run on one worker of the outer xdist, so the suite's wall time grows by less than a minute;
plus the downloads (about 10 s) once per cache.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

import pytest

pytest.importorskip("langgraph.store.sqlite")

HERE = Path(__file__).parent
PLUGINS = ("pytest-asyncio==1.4.1", "pytest-mock==3.17.0", "pytest-retry==1.7.0")
# A sqlite3 that can load sqlite-vec, for Pythons built without extension loading.
SQLITE = "pysqlite3-binary==0.5.4.post2"

# (package, test files, fewest tests expected)
SUITES = {
    "inmemory": ("langgraph-checkpoint", ["tests/test_store.py"], 100),
    "sqlite": ("langgraph-checkpoint-sqlite", ["tests/test_store.py", "tests/test_async_store.py"], 130),
}


def _pip(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        pytest.skip(f"cannot fetch LangGraph's released tests with pip: {last}")


def _extract(sdist: Path, dest: Path) -> None:
    """tests/ and pyproject.toml of the sdist, into dest (nothing else: its `langgraph` package
    must not shadow the installed one)."""
    tmp = dest.with_name(dest.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    with tarfile.open(sdist) as tar:
        top = tar.getnames()[0].split("/")[0]
        wanted = [
            m
            for m in tar.getmembers()
            if m.name == f"{top}/pyproject.toml" or m.name.startswith(f"{top}/tests/")
        ]
        if hasattr(tarfile, "data_filter"):
            tar.extractall(tmp, members=wanted, filter="data")
        else:  # pragma: no cover - Pythons before the extraction filters
            tar.extractall(tmp, members=wanted)
    (tmp / top).rename(dest)
    shutil.rmtree(tmp)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One process at a time (xdist workers share the cache)."""
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def upstream(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cache folder, with the pytest plugins the upstream settings need."""
    cache = getattr(request.config, "cache", None)
    root = (
        Path(cache.mkdir("langgraph-upstream")) if cache is not None else tmp_path_factory.mktemp("upstream")
    )
    with _locked(root / ".plugins.lock"):
        stamp = root / "plugins" / ".done"
        if not stamp.exists():
            shutil.rmtree(root / "plugins", ignore_errors=True)
            _pip("install", "--no-deps", "--target", str(root / "plugins"), *PLUGINS)
            if not hasattr(sqlite3.Connection, "enable_load_extension"):
                _pip("install", "--no-deps", "--target", str(root / "plugins"), SQLITE)
            stamp.touch()
    return root


def _suite(root: Path, package: str) -> Path:
    release = version(package)
    dest = root / f"{package}-{release}"
    with _locked(root / f".{package}.lock"):
        if not (dest / "tests").is_dir():
            sdists = root / "sdists"
            _pip("download", "--no-deps", "--no-binary", ":all:", f"{package}=={release}", "-d", str(sdists))
            name = f"{package.replace('-', '_')}-{release}.tar.gz"
            _extract(sdists / name, dest)
    return dest


@pytest.mark.parametrize("suite_id", list(SUITES))
def test_langgraph_store_suite_passes_through_private_store(
    upstream: Path, suite_id: str, tmp_path: Path
) -> None:
    package, files, floor = SUITES[suite_id]
    suite = _suite(upstream, package)
    report, xml = tmp_path / "wrapped.json", tmp_path / "junit.xml"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(upstream / "plugins"), str(HERE)])
    env["MEMPRIVACY_UPSTREAM_REPORT"] = str(report)
    args = ["-c", "pyproject.toml", "-p", "langgraph_store_upstream_plugin", "-p", "no:cacheprovider"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *args, "-q", "--junitxml", str(xml), "-p", "no:xdist", *files],
        cwd=suite,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-6000:]
    totals = ET.parse(xml).getroot()
    suites = [totals] if totals.tag == "testsuite" else list(totals)
    count = {k: sum(int(s.get(k, 0)) for s in suites) for k in ("tests", "failures", "errors", "skipped")}
    assert count["failures"] == count["errors"] == count["skipped"] == 0, count
    assert count["tests"] >= floor, count
    # The run tested PrivateStore, not the bare stores: most tests built one.
    wrapped: dict[str, int] = {}
    for part in tmp_path.glob("wrapped.json*"):
        for test, n in json.loads(part.read_text()).items():
            wrapped[test] = wrapped.get(test, 0) + n
    assert len(wrapped) >= floor * 0.8, (len(wrapped), count)
