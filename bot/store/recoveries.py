"""Rebuilds of the recordings from Recall and Slack (the table `recoveries`), one row each: when,
how far back, how many bots were looked at and how many recordings came back."""

from __future__ import annotations

from datetime import datetime

from bot.store.database import Database
from bot.store.timestamps import ts


class Recoveries:
    def __init__(self, database: Database):
        self._database = database

    def note(self, ran_at: datetime, days: float, bots_seen: int, rebuilt: int) -> None:
        self._database.write(
            "INSERT INTO recoveries (ran_at, days, bots_seen, rebuilt) VALUES (?, ?, ?, ?)",
            [ts(ran_at), days, bots_seen, rebuilt],
        )

    def rebuild_owed(self) -> bool:
        """No rebuild has been read to the end on this database: it is new, was lost, had its
        rebuild cut short (recordings requested since then do not change that), or predates
        rebuilds. Rebuilding leaves known recordings be, so owing one costs a few List Bots
        pages at most."""
        row = self._database.db.execute("SELECT EXISTS (SELECT 1 FROM recoveries)").fetchone()
        return not row[0]

    def nothing_yet(self) -> bool:
        """No recording and no rebuild: the database is new, or it was lost."""
        row = self._database.db.execute(
            "SELECT EXISTS (SELECT 1 FROM recordings) OR EXISTS (SELECT 1 FROM recoveries)"
        ).fetchone()
        return not row[0]
