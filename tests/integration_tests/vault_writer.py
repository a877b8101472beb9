"""A vault writer process for the crash tests: assigns values until it is killed.

    python vault_writer.py BACKEND TARGET KEY SEED

BACKEND is `sqlite` (TARGET: the file) or `postgres` (TARGET: `DSN|SCHEMA`). Each batch of one to
three values for one of a few users mixes values seen before with new ones; once `assign` has
returned, one line per value goes to stdout, flushed: `user<TAB>index<TAB>placeholder`. A line the
parent has read is a placeholder that was handed out. A call that fails with VaultError (the
database is away) prints `!` and the writer goes on. The value of index i is `value_of(user, i)`.
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

USERS = ("ana", "bo", "chen", "dana")


def value_of(user: str, index: int) -> str:
    return f"{user}-secret-{index:06d}"


def open_vault(backend: str, target: str, key: str) -> Any:
    if backend == "sqlite":
        from memprivacy_plugin.vault import SQLiteVault

        return SQLiteVault(target, key=key, busy_timeout=60.0)
    from memprivacy_plugin.vault.postgres import PostgresVault

    dsn, schema = target.rsplit("|", 1)
    return PostgresVault(dsn, key=key, schema=schema, min_size=1, max_size=2)


def main() -> None:
    backend, target, key, seed = sys.argv[1:5]
    from memprivacy_plugin.errors import VaultError
    from memprivacy_plugin.testing import item

    rng = random.Random(int(seed))
    vault = open_vault(backend, target, key)
    while True:
        user = rng.choice(USERS)
        indexes = [rng.randrange(400) for _ in range(rng.randint(1, 3))]
        try:
            placeholders = vault.assign(user, [item("Secret_Code", value_of(user, i)) for i in indexes])
        except VaultError:  # the database is away: the call failed loudly, nothing was handed out
            sys.stdout.write("!\n")
            sys.stdout.flush()
            time.sleep(0.05)
            continue
        sys.stdout.write("".join(f"{user}\t{i}\t{p}\n" for i, p in zip(indexes, placeholders, strict=True)))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
