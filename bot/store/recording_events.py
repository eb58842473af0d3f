"""Each recording's history (the table `recording_events`): when it was asked for, when the bot
joined and started recording, who pressed Stop, when the video was ready, why it failed.

Rows are only ever appended, inside the transaction that makes the change they record
(bot/store/recordings.py), so the history and the recording cannot disagree.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.model.history import RecordingEvent
from bot.model.lifecycle import Cause, State
from bot.store.database import Database
from bot.store.timestamps import from_ts, ts


class RecordingEvents:
    def __init__(self, database: Database):
        self._database = database

    @staticmethod
    def append(
        conn: sqlite3.Connection,
        recording_id: str,
        at: datetime,
        from_state: State | None,
        to_state: State,
        cause: Cause,
    ) -> None:
        """Append one event, on the connection of the transaction that makes the change."""
        conn.execute(
            "INSERT INTO recording_events "
            "(recording_id, at, from_state, to_state, cause, detail, sub_code, by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                recording_id,
                ts(at),
                from_state.value if from_state else None,
                to_state.value,
                cause.kind,
                cause.detail,
                cause.sub_code,
                cause.by,
            ],
        )

    def of(self, recording_id: str) -> list[RecordingEvent]:
        """A recording's history, oldest first."""
        rows = self._database.db.execute(
            "SELECT at, from_state, to_state, cause, detail, sub_code, by FROM recording_events "
            "WHERE recording_id = ? ORDER BY id",
            [recording_id],
        ).fetchall()
        return [
            RecordingEvent(
                at=from_ts(at) or datetime.min,
                from_state=State(before) if before else None,
                to_state=State(after),
                cause=Cause(cause, detail, sub_code, by),
            )
            for at, before, after, cause, detail, sub_code, by in rows
        ]

    def delete_of(self, recording_id: str) -> None:
        self._database.write("DELETE FROM recording_events WHERE recording_id = ?", [recording_id])
