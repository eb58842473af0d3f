"""The store boundary: rows become recordings and changes become column values in one place."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.model.lifecycle import State
from bot.store import Store
from bot.store.rows import COLUMNS, column_values, recording


def test_the_column_list_is_the_migrated_table(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite")
    store.migrate()
    migrated = {c[1] for c in store.database.db.execute("PRAGMA table_info(recordings)")}
    assert migrated == COLUMNS


def test_changes_become_what_sqlite_keeps() -> None:
    moment = datetime(2026, 12, 2, 14, 30, 5, 123456, tzinfo=UTC)
    assert column_values(
        {
            "next_poll_at": moment,
            "recall_status": "done",
            "hook_fetch": True,
            "alerts": frozenset({"waiting_room", "permission_denied"}),
            "attempts": 3,
            "finished_at": None,
        }
    ) == {
        "next_poll_at": "2026-12-02T14:30:05.123456Z",
        "recall_status": "done",
        "hook_fetch": 1,
        "alerts": "permission_denied,waiting_room",
        "attempts": 3,
        "finished_at": None,
    }
    with pytest.raises(ValueError, match="not recording columns"):
        column_values({"state_of_mind": "calm"})


def test_a_row_becomes_a_recording_with_utc_times_and_its_parts() -> None:
    rec = recording(
        {
            "id": "r1",
            "state": "recording",
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "meeting_url": "https://zoom.us/j/1",
            "platform": "zoom",
            "created_at": "2026-12-02T14:00:00.000000Z",
            "updated_at": "2026-12-02T14:01:00.000000Z",
            "deadline_at": "2026-12-02T20:00:00.000000Z",
            "recall_bot_id": "b1",
            "alerts": "waiting_room",
            "hook_fetch": 1,
            "share_token": "tok",
        }
    )
    assert rec.state == State.RECORDING
    assert rec.request.team_id == "T1" and rec.recall.bot_id == "b1"
    assert rec.created_at == datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
    assert rec.slack.alerts == frozenset({"waiting_room"})
    assert rec.news.fetch is True and rec.sharing.token == "tok"
    assert rec.schedule.next_poll_at is None and rec.finished_at is None
