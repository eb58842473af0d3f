"""The SQLite file (sqlite-utils), shared safely by the web side and the background work.

- One file at DATABASE_PATH, created with mode 0600 (it holds Slack reply hooks), WAL mode, a
  busy timeout, and one connection per thread (sqlite3 connections must not cross threads).
- Writes from this process take turns on one lock before reaching SQLite's. SQLite's busy
  handler makes a waiting writer sleep in growing steps (1, 2, 5, 10 ... 100 ms) however soon
  the lock frees. With 16 threads saving requests at once, the worst write took hundreds of
  milliseconds that way, and about 10 ms taking turns (bench/store_writes.py). The busy
  timeout still covers other processes (the CLI).

Each table has its own repository beside this module, holding that table's SQL.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database as SqliteUtilsDatabase

from bot.store.migrations import migrations

BUSY_TIMEOUT_SECONDS = 30


class Database:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._local = threading.local()
        # Writes from this process take turns on it (re-entrant: a write helper may run inside
        # `transaction()`).
        self.write_lock = threading.RLock()

    @property
    def db(self) -> SqliteUtilsDatabase:
        """This thread's connection, opened on first use."""
        db = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS)
            db = SqliteUtilsDatabase(conn)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
            # In WAL mode NORMAL is safe against a crashed process (what we guard against);
            # only a power cut can lose the last commits. It spares an fsync per write.
            db.execute("PRAGMA synchronous = NORMAL")
            self._local.db = db
        return db

    def migrate(self) -> None:
        """Create the file (0600) and directory, switch to WAL, apply pending migrations."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Create the file ourselves so it is never world-readable, whatever the umask.
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(self.path, 0o600)
        if self.db.journal_mode != "wal":
            self.db.enable_wal()
        with self.write_lock:
            migrations.apply(self.db)

    def close(self) -> None:
        """Close this thread's connection (other threads' connections are theirs to close)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    @contextmanager
    def transaction(self) -> Iterator[SqliteUtilsDatabase]:
        """One write transaction (BEGIN IMMEDIATE), committed on success, rolled back on error."""
        with self.write_lock:
            db = self.db
            db.conn.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.commit()
            except BaseException:
                db.rollback()
                raise

    def write(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one write statement (committed at once); the number of rows it changed."""
        with self.write_lock:
            return self.db.execute(sql, params).rowcount

    def write_returning(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Run one write statement with a RETURNING clause (committed at once); its rows."""
        with self.write_lock:
            return list(self.db.query(sql, params))

    def count(self, table: str) -> int:
        return int(self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
