"""Reading recordings (the table `recordings`): by id, bot, link token, meeting or channel.

Plain SQL through `_select`: sqlite-utils' table helpers look the schema up on every call, which
the slash-command path (a few milliseconds in all) can do without.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from bot.model.recording import Recording
from bot.store.database import Database
from bot.store.rows import recording
from bot.store.timestamps import ts


class RecordingQueries:
    _database: Database

    def get(self, recording_id: str) -> Recording | None:
        return self._one("id = ?", [recording_id])

    def starting_with(self, id_prefix: str, limit: int = 2) -> list[Recording]:
        """Recordings whose id starts with `id_prefix` (what `slack-record list` shows)."""
        if not id_prefix.isalnum():
            return []
        return self._select("id LIKE ? ORDER BY created_at LIMIT ?", [f"{id_prefix}%", limit])

    def playable_by_token(self, token: str, now: datetime) -> str | None:
        """The id of the recording behind a link token if its video may be watched (ready,
        not deleted, not expired, not lost at Recall); a narrow read for the redirect, which
        many viewers ask for at once."""
        row = self._database.db.execute(
            "SELECT id FROM recordings WHERE share_token = ? AND state = 'ready' "
            "AND deleted_at IS NULL AND media_lost_at IS NULL "
            "AND (expires_at IS NULL OR expires_at > ?)",
            [token, ts(now)],
        ).fetchone()
        return row[0] if row else None

    def get_by_bot_id(self, bot_id: str) -> Recording | None:
        return self._one("recall_bot_id = ?", [bot_id])

    def get_by_token(self, token: str) -> Recording | None:
        return self._one("share_token = ?", [token])

    def latest_finished_for_meeting(self, team_id: str, meeting_key: str) -> Recording | None:
        found = self._select(
            "team_id = ? AND meeting_key = ? AND finished_at IS NOT NULL "
            "ORDER BY finished_at DESC LIMIT 1",
            [team_id, meeting_key],
        )
        return found[0] if found else None

    def live_for_meeting(self, team_id: str, meeting_key: str) -> Recording | None:
        found = self._live("team_id = ? AND meeting_key = ?", [team_id, meeting_key])
        return found[0] if found else None

    def live_in_channel(self, team_id: str, channel_id: str) -> list[Recording]:
        return self._live("team_id = ? AND channel_id = ?", [team_id, channel_id])

    def recent_in_channel(
        self, team_id: str, channel_id: str, since: datetime, limit: int = 10
    ) -> list[Recording]:
        return self._select(
            "team_id = ? AND channel_id = ? AND created_at >= ? ORDER BY created_at DESC LIMIT ?",
            [team_id, channel_id, ts(since), limit],
        )

    def newest(self, limit: int, only_open: bool = False) -> list[Recording]:
        where = "next_poll_at IS NOT NULL" if only_open else "1"
        return self._select(f"{where} ORDER BY created_at DESC LIMIT ?", [limit])

    def all(self) -> Iterator[Recording]:
        yield from self._select("1 ORDER BY created_at", [])

    def count_due_in_states(self, now: datetime, states: list[str]) -> int:
        marks = ", ".join("?" for _ in states)
        row = self._database.db.execute(
            "SELECT COUNT(*) FROM recordings WHERE next_poll_at IS NOT NULL "
            f"AND next_poll_at <= ? AND state IN ({marks})",
            [ts(now), *states],
        ).fetchone()
        return int(row[0])

    def count_open_by_state(self) -> dict[str, int]:
        """Recordings not finished yet, counted by state."""
        rows = self._database.db.execute(
            "SELECT state, COUNT(*) FROM recordings WHERE finished_at IS NULL GROUP BY state"
        ).fetchall()
        return {state: int(count) for state, count in rows}

    def count_open(self) -> int:
        row = self._database.db.execute(
            "SELECT COUNT(*) FROM recordings WHERE next_poll_at IS NOT NULL"
        ).fetchone()
        return int(row[0])

    def _live(self, where: str, params: list[Any]) -> list[Recording]:
        return self._select(f"finished_at IS NULL AND {where} ORDER BY created_at DESC", params)

    def _one(self, where: str, params: list[Any]) -> Recording | None:
        found = self._select(f"{where} LIMIT 1", params)
        return found[0] if found else None

    def _select(self, where_and_order: str, params: list[Any]) -> list[Recording]:
        cursor = self._database.db.execute(
            f"SELECT * FROM recordings WHERE {where_and_order}", params
        )
        names = [column[0] for column in cursor.description]
        return [recording(dict(zip(names, row, strict=True))) for row in cursor]
