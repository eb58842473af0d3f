"""The SQLite store of recordings (sqlite-utils), shared safely by the web side and the poller.

- One file at DATABASE_PATH, created with mode 0600 (it holds Slack reply hooks), WAL mode, a
  busy timeout, and one connection per thread (sqlite3 connections must not cross threads).
- Writes from this process take turns on one lock before reaching SQLite's. SQLite's busy
  handler makes a waiting writer sleep in growing steps (1, 2, 5, 10 ... 100 ms) however soon
  the lock frees. With 16 threads saving requests at once, the worst write took hundreds of
  milliseconds that way, and about 10 ms taking turns (bench/store_writes.py). The busy
  timeout still covers other processes (the CLI).
- Work is claimed with a single conditional `UPDATE ... RETURNING` that takes a lease
  (`leased_until`) and stamps a fresh `claim_token`. Only the claimer's writes (which name the
  token) land, so two pollers, or a poller and a web request, never both act on one recording.
  If the claimer dies, the lease simply expires and the row can be claimed again.
- `next_poll_at` is the schedule (when the recording next needs a step; NULL when nothing is
  left to do). Buttons and commands may pull it forward at any time without touching a lease.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.lifecycle import State
from bot.migrations import SHARE_TOKEN_BYTES, migrations
from bot.recording import COLUMNS, Recording, from_ts, ts

BUSY_TIMEOUT_SECONDS = 30


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


_DUE = (
    "next_poll_at IS NOT NULL AND next_poll_at <= :now "
    "AND (leased_until IS NULL OR leased_until <= :now)"
)


class Store:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._local = threading.local()
        # Claims this process holds right now, by recording id: their leases are kept alive
        # by `extend_held_leases` while we work, so the lease itself can be short.
        self._held: dict[str, str | None] = {}
        self._held_lock = threading.Lock()
        # Re-entrant: a write helper may run inside `transaction()`.
        self._write_lock = threading.RLock()

    @property
    def db(self) -> Database:
        """This thread's connection, opened on first use."""
        db = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS)
            db = Database(conn)
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
        with self._write_lock:
            migrations.apply(self.db)

    def close(self) -> None:
        """Close this thread's connection (other threads' connections are theirs to close)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # --- writing -------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One write transaction (BEGIN IMMEDIATE), committed on success, rolled back on error."""
        with self._write_lock:
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
        with self._write_lock:
            return self.db.execute(sql, params).rowcount

    def write_returning(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Run one write statement with a RETURNING clause (committed at once); its rows."""
        with self._write_lock:
            return list(self.db.query(sql, params))

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
            **fields,
        }
        with self.transaction() as db:
            live = self._live(
                "team_id = ? AND meeting_key = ?", [row["team_id"], row.get("meeting_key")]
            )
            if live:
                return live[0], False
            # Plain SQL: sqlite-utils' insert would first read the table's schema, again.
            columns = ", ".join(row)
            marks = ", ".join(f":{name}" for name in row)
            db.conn.execute(f"INSERT INTO recordings ({columns}) VALUES ({marks})", row)
        return Recording.from_row(row), True

    def claim(self, recording_id: str, now: datetime, lease: timedelta) -> Recording | None:
        """Claim one recording if it is due and nobody holds it."""
        rows = self._claim(f"id = :id AND {_DUE}", {"id": recording_id}, now, lease)
        return rows[0] if rows else None

    def claim_due(self, now: datetime, lease: timedelta, limit: int = 100) -> list[Recording]:
        """Claim up to `limit` due recordings, oldest-due first, in one statement."""
        where = f"id IN (SELECT id FROM recordings WHERE {_DUE} ORDER BY next_poll_at LIMIT :limit)"
        return self._claim(where, {"limit": limit}, now, lease)

    def _claim(
        self, where: str, params: dict[str, Any], now: datetime, lease: timedelta
    ) -> list[Recording]:
        sql = (
            "UPDATE recordings SET leased_until = :lease_until, claim_token = :token "
            f"WHERE {where} RETURNING *"
        )
        values = {"now": ts(now), "lease_until": ts(now + lease), "token": secrets.token_hex(8)}
        claimed = [Recording.from_row(r) for r in self.write_returning(sql, params | values)]
        with self._held_lock:
            self._held.update((r.id, r.claim_token) for r in claimed)
        return claimed

    def release(self, claimed: Recording, now: datetime) -> bool:
        """Give up our lease (the step is done); harmless if it was lost already.

        True if a webhook event arrived while we held it: the row is then due at once, so
        the step's own schedule cannot hide the news.
        """
        with self._held_lock:
            self._held.pop(claimed.id, None)
        rows = self.write_returning(
            "UPDATE recordings SET leased_until = NULL, next_poll_at = CASE "
            "WHEN COALESCE(hook_seq, 0) != :seq THEN :now ELSE next_poll_at END "
            "WHERE id = :id AND claim_token IS :token "
            "RETURNING COALESCE(hook_seq, 0) != :seq AS news",
            {
                "seq": claimed.hook_seq or 0,
                "now": ts(now),
                "id": claimed.id,
                "token": claimed.claim_token,
            },
        )
        return bool(rows and rows[0]["news"])

    def extend_held_leases(self, until: datetime) -> int:
        """Keep every claim this process holds alive until `until` (a heartbeat)."""
        with self._held_lock:
            held = list(self._held.items())
        for recording_id, token in held:
            self.write(
                "UPDATE recordings SET leased_until = ? WHERE id = ? AND claim_token IS ? "
                "AND leased_until IS NOT NULL",
                [ts(until), recording_id, token],
            )
        return len(held)

    def save(self, claimed: Recording, now: datetime, **changes: Any) -> Recording | None:
        """Write changes to a recording we hold; None if our claim was lost meanwhile."""
        unknown = set(changes) - COLUMNS
        if unknown:
            raise ValueError(f"not recording columns: {sorted(unknown)}")
        changes = {k: (v.value if isinstance(v, State) else v) for k, v in changes.items()}
        changes["updated_at"] = ts(now)
        assignments = ", ".join(f"{column} = :{column}" for column in changes)
        sql = (
            f"UPDATE recordings SET {assignments} "
            "WHERE id = :_id AND claim_token IS :_token RETURNING *"
        )
        rows = self.write_returning(
            sql, {**changes, "_id": claimed.id, "_token": claimed.claim_token}
        )
        return Recording.from_row(rows[0]) if rows else None

    def request_stop(self, recording_id: str, user_id: str, now: datetime) -> Recording | None:
        """Record that someone asked to stop (or cancel) a live recording, and make it due now.

        The next step does the talking to Recall. Only the first request counts; None if the
        recording is already finished or a stop was already asked for.
        """
        rows = self.write_returning(
            "UPDATE recordings SET stop_requested_by = :user, stop_requested_at = :now, "
            "next_poll_at = :now WHERE id = :id AND finished_at IS NULL "
            "AND stop_requested_at IS NULL RETURNING *",
            {"user": user_id, "now": ts(now), "id": recording_id},
        )
        found = [Recording.from_row(r) for r in rows]
        return found[0] if found else None

    def request_delete(self, recording_id: str, user_id: str, now: datetime) -> Recording | None:
        """Revoke a finished recording's links at once; the next step deletes Recall's media.

        None if it is not finished or was already deleted.
        """
        rows = self.write_returning(
            "UPDATE recordings SET deleted_by = :user, deleted_at = :now, next_poll_at = :now "
            "WHERE id = :id AND finished_at IS NOT NULL AND deleted_at IS NULL RETURNING *",
            {"user": user_id, "now": ts(now), "id": recording_id},
        )
        found = [Recording.from_row(r) for r in rows]
        return found[0] if found else None

    # --- workspaces ------------------------------------------------------------------------

    # A row of `workspaces` pauses one workspace (a T… id) or, after an Enterprise Grid org
    # removed the app org-wide, every workspace of that org (its E… id, in the same column:
    # Slack's ids of the two kinds never collide).

    def slack_block(
        self, team_id: str, enterprise_id: str | None = None
    ) -> tuple[str, datetime] | None:
        """Why and until when posting to this workspace is paused, if it is: by a pause of
        its own or of its Enterprise Grid org, whichever lasts longer."""
        keys = [team_id, enterprise_id] if enterprise_id else [team_id]
        marks = ", ".join("?" for _ in keys)
        row = self.db.execute(
            "SELECT slack_blocked_reason, slack_blocked_until FROM workspaces "
            f"WHERE team_id IN ({marks}) AND slack_blocked_reason IS NOT NULL "
            "ORDER BY COALESCE(slack_blocked_until, '') DESC LIMIT 1",
            keys,
        ).fetchone()
        if row is None:
            return None
        return row[0], from_ts(row[1]) or _EPOCH

    def block_slack(self, team_id: str, reason: str, until: datetime, now: datetime) -> bool:
        """Pause posting to a workspace, or to every workspace of an org when `team_id` is an
        enterprise id; True if it was not paused before (log it then)."""
        with self._write_lock:
            was = self.slack_block(team_id)
            self.db["workspaces"].upsert(
                {
                    "team_id": team_id,
                    "slack_blocked_reason": reason,
                    "slack_blocked_until": ts(until),
                    "updated_at": ts(now),
                },
                pk="team_id",
            )
        return was is None

    def unblock_slack(
        self, team_id: str, enterprise_id: str | None = None, now: datetime | None = None
    ) -> None:
        """Posting works again: lift the workspace's pause and its org's, if it has one.

        With `now` (the app was installed again), the final notices that were put off until
        the pause's end are due at once instead.
        """
        keys = [team_id, enterprise_id] if enterprise_id else [team_id]
        marks = ", ".join("?" for _ in keys)
        with self.transaction() as db:
            db.execute(f"DELETE FROM workspaces WHERE team_id IN ({marks})", keys)
            if now is not None:
                db.execute(
                    "UPDATE recordings SET next_poll_at = ? WHERE finished_at IS NOT NULL "
                    "AND notified_at IS NULL AND next_poll_at > ? "
                    f"AND (team_id IN ({marks}) OR enterprise_id IN ({marks}))",
                    [ts(now), ts(now), *keys, *keys],
                )

    # --- reading -------------------------------------------------------------------------
    # Plain SQL through `_select`: sqlite-utils' table helpers look the schema up on every
    # call, which the slash-command path (a few milliseconds in all) can do without.

    def get(self, recording_id: str) -> Recording | None:
        return self._one("id = ?", [recording_id])

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
        row = self.db.execute(
            "SELECT COUNT(*) FROM recordings WHERE next_poll_at IS NOT NULL "
            f"AND next_poll_at <= ? AND state IN ({marks})",
            [ts(now), *states],
        ).fetchone()
        return int(row[0])

    def count_open(self) -> int:
        row = self.db.execute(
            "SELECT COUNT(*) FROM recordings WHERE next_poll_at IS NOT NULL"
        ).fetchone()
        return int(row[0])

    def _live(self, where: str, params: list[Any]) -> list[Recording]:
        return self._select(f"finished_at IS NULL AND {where} ORDER BY created_at DESC", params)

    def _one(self, where: str, params: list[Any]) -> Recording | None:
        found = self._select(f"{where} LIMIT 1", params)
        return found[0] if found else None

    def _select(self, where_and_order: str, params: list[Any]) -> list[Recording]:
        cursor = self.db.execute(f"SELECT * FROM recordings WHERE {where_and_order}", params)
        names = [column[0] for column in cursor.description]
        return [Recording.from_row(dict(zip(names, row, strict=True))) for row in cursor]
