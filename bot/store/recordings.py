"""Recordings (the table `recordings`): requests, their claims, and what each step writes.

- Work is claimed with a single conditional `UPDATE ... RETURNING` that takes a lease
  (`leased_until`) and stamps a fresh `claim_token`. Only the claimer's writes (which name the
  token) land, so two pollers, or a poller and a web request, never both act on one recording.
  If the claimer dies, the lease simply expires and the row can be claimed again.
- `next_poll_at` is the schedule (when the recording next needs a step; NULL when nothing is
  left to do). Buttons, commands and webhooks may pull it forward at any time without touching
  a lease.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
import threading
from datetime import datetime, timedelta
from typing import Any

from bot.model.lifecycle import Cause, State, may_move
from bot.model.recording import Recording
from bot.store.database import Database
from bot.store.migrations import SHARE_TOKEN_BYTES
from bot.store.recording_events import RecordingEvents
from bot.store.recording_nudges import RecordingNudges
from bot.store.rows import column_values, recording
from bot.store.timestamps import ts

log = logging.getLogger(__name__)

_DUE = (
    "next_poll_at IS NOT NULL AND next_poll_at <= :now "
    "AND (leased_until IS NULL OR leased_until <= :now)"
)


class Recordings(RecordingNudges):
    """Changing recordings (reading them: bot/store/recording_queries.py)."""

    def __init__(self, database: Database):
        self._database = database
        # Claims this process holds right now, by recording id: their leases are kept alive
        # by `extend_held_leases` while we work, so the lease itself can be short.
        self._held: dict[str, str | None] = {}
        self._held_lock = threading.Lock()

    def add_unless_live(
        self, now: datetime, deadline: timedelta, **fields: Any
    ) -> tuple[Recording, bool]:
        """Save a new request, due at once; or, if the same meeting already has a live
        recording in this workspace, return that one instead (and False).

        Check and insert run under one write lock (BEGIN IMMEDIATE), so two simultaneous
        /record commands for one meeting cannot both get a bot.
        """
        stamp = ts(now)
        row = {
            "id": secrets.token_hex(12),
            "state": State.REQUESTED.value,
            "created_at": stamp,
            "updated_at": stamp,
            "deadline_at": ts(now + deadline),
            "next_poll_at": stamp,
            "attempts": 0,
            "capacity_waits": 0,
            "share_token": secrets.token_urlsafe(SHARE_TOKEN_BYTES),
            **column_values(fields),
        }
        with self._database.transaction() as db:
            live = self._live(
                "team_id = ? AND meeting_key = ?", [row["team_id"], row.get("meeting_key")]
            )
            if live:
                return live[0], False
            # Plain SQL: sqlite-utils' insert would first read the table's schema, again.
            columns = ", ".join(row)
            marks = ", ".join(f":{name}" for name in row)
            db.conn.execute(f"INSERT INTO recordings ({columns}) VALUES ({marks})", row)
            RecordingEvents.append(
                db.conn,
                row["id"],
                now,
                None,
                State.REQUESTED,
                Cause("requested", by=row["user_id"]),
            )
        return recording(row), True

    def add_rebuilt(
        self, now: datetime, state: State, cause: Cause, **fields: Any
    ) -> Recording | None:
        """Put back a recording rebuilt from Recall after the database was lost, with a history
        that says so: asked for (when and by whom its bot says), then rebuilt in `state`. None
        if it is here already (its id, its bot or its link token)."""
        if not may_move(State.REQUESTED, state):
            raise ValueError(f"a recording cannot be rebuilt as {state}")
        row = {"state": state.value, "updated_at": ts(now), **column_values(fields)}
        columns = ", ".join(row)
        marks = ", ".join(f":{name}" for name in row)
        with self._database.transaction() as db:
            added = db.conn.execute(
                f"INSERT OR IGNORE INTO recordings ({columns}) VALUES ({marks})", row
            ).rowcount
            if added:
                asked = Cause("requested", by=row["user_id"])
                asked_at = fields["created_at"]
                RecordingEvents.append(db.conn, row["id"], asked_at, None, State.REQUESTED, asked)
                RecordingEvents.append(db.conn, row["id"], now, State.REQUESTED, state, cause)
        return recording(row) if added else None

    def claim(self, recording_id: str, now: datetime, lease: timedelta) -> Recording | None:
        """Claim one recording if it is due and nobody holds it."""
        claimed, _ = self._claim(f"id = :id AND {_DUE}", {"id": recording_id}, now, lease)
        return claimed[0] if claimed else None

    def claim_due(
        self, now: datetime, lease: timedelta, limit: int = 100
    ) -> tuple[list[Recording], list[str]]:
        """Claim up to `limit` due recordings, oldest-due first, in one statement. Also the
        ids of claimed rows that cannot be read (hand-edited, say): they keep their lease, so
        they wait for it to run out, and the caller counts them as failed."""
        where = f"id IN (SELECT id FROM recordings WHERE {_DUE} ORDER BY next_poll_at LIMIT :limit)"
        return self._claim(where, {"limit": limit}, now, lease)

    def _claim(
        self, where: str, params: dict[str, Any], now: datetime, lease: timedelta
    ) -> tuple[list[Recording], list[str]]:
        sql = (
            "UPDATE recordings SET leased_until = :lease_until, claim_token = :token "
            f"WHERE {where} RETURNING *"
        )
        values = {"now": ts(now), "lease_until": ts(now + lease), "token": secrets.token_hex(8)}
        claimed, unreadable = [], []
        for row in self._database.write_returning(sql, params | values):
            try:
                claimed.append(recording(row))
            except (ValueError, KeyError, TypeError) as exc:
                log.error("recording %s: its row cannot be read (%s)", row.get("id"), exc)
                unreadable.append(str(row.get("id")))
        with self._held_lock:
            self._held.update((r.id, r.claim.token) for r in claimed)
        return claimed, unreadable

    def release(self, claimed: Recording, now: datetime) -> bool:
        """Give up our lease (the step is done); harmless if it was lost already.

        True if a webhook event arrived while we held it: the row is then due at once, so
        the step's own schedule cannot hide the news.
        """
        with self._held_lock:
            self._held.pop(claimed.id, None)
        rows = self._database.write_returning(
            "UPDATE recordings SET leased_until = NULL, next_poll_at = CASE "
            "WHEN COALESCE(hook_seq, 0) != :seq THEN :now ELSE next_poll_at END "
            "WHERE id = :id AND claim_token IS :token "
            "RETURNING COALESCE(hook_seq, 0) != :seq AS news",
            {
                "seq": claimed.news.seq,
                "now": ts(now),
                "id": claimed.id,
                "token": claimed.claim.token,
            },
        )
        return bool(rows and rows[0]["news"])

    def extend_held_leases(self, until: datetime) -> int:
        """Keep every claim this process holds alive until `until` (a heartbeat)."""
        with self._held_lock:
            held = list(self._held.items())
        for recording_id, token in held:
            self._database.write(
                "UPDATE recordings SET leased_until = ? WHERE id = ? AND claim_token IS ? "
                "AND leased_until IS NOT NULL",
                [ts(until), recording_id, token],
            )
        return len(held)

    def save(self, claimed: Recording, now: datetime, **changes: Any) -> Recording | None:
        """Write changes to a recording we hold; None if our claim was lost meanwhile. The
        state is not among them: only `move` changes it."""
        if "state" in changes:
            raise ValueError("a recording's state changes only through Recordings.move")
        return self._update(claimed, now, changes)

    def move(
        self, claimed: Recording, now: datetime, to: State, cause: Cause, **changes: Any
    ) -> Recording | None:
        """The one way a recording's state changes: check the transition table allows it,
        write it (with `changes`) under our claim, and append it to the recording's history,
        in one transaction. None if our claim was lost, or if the move is not allowed (which
        is logged: it is a mistake in the caller, and the recording stays as it was)."""
        if not may_move(claimed.state, to):
            log.error("recording %s: refused to move %s -> %s", claimed.id, claimed.state, to)
            return None
        with self._database.transaction() as db:
            moved = self._update(claimed, now, {**changes, "state": to.value}, db.conn)
            if moved is not None:
                RecordingEvents.append(db.conn, claimed.id, now, claimed.state, to, cause)
        return moved

    def _update(
        self,
        claimed: Recording,
        now: datetime,
        changes: dict[str, Any],
        conn: sqlite3.Connection | None = None,
    ) -> Recording | None:
        changes = column_values({**changes, "updated_at": now})
        assignments = ", ".join(f"{column} = :{column}" for column in changes)
        sql = (
            f"UPDATE recordings SET {assignments} "
            "WHERE id = :_id AND claim_token IS :_token RETURNING *"
        )
        params = {**changes, "_id": claimed.id, "_token": claimed.claim.token}
        if conn is None:
            rows = self._database.write_returning(sql, params)
        else:
            cursor = conn.execute(sql, params)
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        return recording(rows[0]) if rows else None

    def request_stop(
        self, recording_id: str, user_id: str, now: datetime, source: str | None = None
    ) -> Recording | None:
        """Record that someone asked to stop (or cancel) a live recording, and make it due now.

        The next step does the talking to Recall. Only the first request counts; None if the
        recording is already finished or a stop was already asked for. `source` says where the
        wish came from: None for Slack (`user_id` is a Slack user), "meeting_chat" (`user_id`
        is the name a participant has in the meeting).
        """
        return self._mark(
            "stop_requested_by = :user, stop_requested_at = :now, next_poll_at = :now, "
            "stop_source = :detail "
            "WHERE id = :id AND finished_at IS NULL AND stop_requested_at IS NULL",
            recording_id,
            user_id,
            now,
            "stop",
            source,
        )

    def request_delete(self, recording_id: str, user_id: str, now: datetime) -> Recording | None:
        """Revoke a finished recording's links at once; the next step deletes Recall's media.

        None if it is not finished or was already deleted.
        """
        return self._mark(
            "deleted_by = :user, deleted_at = :now, next_poll_at = :now "
            "WHERE id = :id AND finished_at IS NOT NULL AND deleted_at IS NULL",
            recording_id,
            user_id,
            now,
            "deleted",
        )

    def note_media_lost(self, recording_id: str, now: datetime, detail: str) -> Recording | None:
        """Recall no longer has a ready recording's video (`detail`: how it said so): note it
        in the history and make the recording due, so its next step deletes the transcript and
        tells Slack. Only the first notice counts: None afterwards, or if it was deleted.

        Like a webhook's news, it counts in `hook_seq`, so a step holding the recording right
        now cannot clear the due time it sets (see `release`)."""
        return self._mark(
            "media_lost_at = :now, next_poll_at = :now, hook_seq = COALESCE(hook_seq, 0) + 1 "
            "WHERE id = :id AND state = 'ready' AND media_lost_at IS NULL AND deleted_at IS NULL",
            recording_id,
            None,
            now,
            "media_lost",
            detail,
        )

    def _mark(
        self,
        assignments_and_where: str,
        recording_id: str,
        user_id: str | None,
        now: datetime,
        kind: str,
        detail: str | None = None,
    ) -> Recording | None:
        """Someone asked for something, or something happened to the recording outside a step:
        write it and append it to the history, together."""
        with self._database.transaction() as db:
            cursor = db.conn.execute(
                f"UPDATE recordings SET {assignments_and_where} RETURNING *",
                {"user": user_id, "now": ts(now), "id": recording_id, "detail": detail},
            )
            names = [column[0] for column in cursor.description]
            rows = [recording(dict(zip(names, row, strict=True))) for row in cursor]
            if rows:
                state = rows[0].state
                RecordingEvents.append(
                    db.conn, recording_id, now, state, state, Cause(kind, detail, by=user_id)
                )
        return rows[0] if rows else None

    def note(
        self, claimed: Recording, now: datetime, cause: Cause, **changes: Any
    ) -> Recording | None:
        """Write changes under our claim and append `cause` to the history, the state as it
        is (something happened to the recording that is not a move, e.g. its media expired)."""
        with self._database.transaction() as db:
            saved = self._update(claimed, now, changes, db.conn)
            if saved is not None:
                RecordingEvents.append(
                    db.conn, claimed.id, now, claimed.state, claimed.state, cause
                )
        return saved
