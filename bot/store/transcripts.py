"""Transcripts (the table `transcripts`): one row per recording whose transcript is expected,
saying whether it came and what it holds in summary; its lines are bot/store/transcript_lines.py.

A row is followed the way a recording is (bot/store/recordings.py): `next_check_at` says when
to look at Recall again (NULL: nothing left to do), and work on it is claimed with a lease and
a fresh `claim_token` in one `UPDATE … RETURNING`; only the claimer's writes land.

`delete_of` removes a recording's transcript, rows and index entries: a deleted recording's
transcript goes with it (and so does an expired one's, for whoever expires them).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.model.talk_time import SpeakerShare, from_seconds
from bot.model.transcript import Phrase, TranscriptStatus, TranscriptSummary
from bot.store.database import Database
from bot.store.timestamps import from_ts, ts
from bot.store.transcript_lines import TranscriptLines

FIRST_LINES = 3
_DUE = (
    "next_check_at IS NOT NULL AND next_check_at <= :now "
    "AND (leased_until IS NULL OR leased_until <= :now)"
)


@dataclass(frozen=True)
class TranscriptProgress:
    """A transcript row: how following Recall's transcript is going."""

    recording_id: str
    status: TranscriptStatus
    provider: str | None
    created_at: datetime
    attempts: int = 0
    detail: str | None = None
    next_check_at: datetime | None = None
    claim_token: str | None = None


class Transcripts:
    def __init__(self, database: Database, lines: TranscriptLines):
        self._database = database
        self.lines = lines

    def expect(self, recording_id: str, provider: str, now: datetime) -> bool:
        """Start following a recording's transcript, due at once; False if it already was."""
        return (
            self._database.write(
                "INSERT OR IGNORE INTO transcripts (recording_id, status, provider, attempts, "
                "next_check_at, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?, ?)",
                [recording_id, TranscriptStatus.AWAITED.value, provider, ts(now), ts(now), ts(now)],
            )
            == 1
        )

    def make_due(self, recording_id: str, now: datetime) -> bool:
        """Recall has news of the transcript: look at once, even after giving up on it."""
        return (
            self._database.write(
                "UPDATE transcripts SET next_check_at = :now, attempts = 0, status = CASE "
                "WHEN status IN ('none', 'failed') THEN 'awaited' ELSE status END "
                "WHERE recording_id = :id AND status NOT IN ('ready', 'empty')",
                {"now": ts(now), "id": recording_id},
            )
            == 1
        )

    def get(self, recording_id: str) -> TranscriptProgress | None:
        cursor = self._database.db.execute(
            "SELECT * FROM transcripts WHERE recording_id = ?", [recording_id]
        )
        names = [column[0] for column in cursor.description]
        row = cursor.fetchone()
        return _progress(dict(zip(names, row, strict=True))) if row else None

    def claim(
        self, recording_id: str, now: datetime, lease: timedelta
    ) -> TranscriptProgress | None:
        found = self._claim(f"recording_id = :id AND {_DUE}", {"id": recording_id}, now, lease)
        return found[0] if found else None

    def claim_due(self, now: datetime, lease: timedelta, limit: int) -> list[TranscriptProgress]:
        where = (
            f"recording_id IN (SELECT recording_id FROM transcripts WHERE {_DUE} "
            "ORDER BY next_check_at LIMIT :limit)"
        )
        return self._claim(where, {"limit": limit}, now, lease)

    def save(self, claimed: TranscriptProgress, now: datetime, **changes: Any) -> bool:
        """Write changes to a row we hold, and give its lease back; False if the claim was lost."""
        values = {k: _value(v) for k, v in {**changes, "updated_at": now}.items()}
        assignments = ", ".join(f"{column} = :{column}" for column in values)
        return (
            self._database.write(
                f"UPDATE transcripts SET {assignments}, leased_until = NULL "
                "WHERE recording_id = :_id AND claim_token IS :_token",
                {**values, "_id": claimed.recording_id, "_token": claimed.claim_token},
            )
            == 1
        )

    def store_ready(
        self,
        claimed: TranscriptProgress,
        now: datetime,
        scope: int,
        lines: Sequence[Phrase],
        words: int,
        speakers: Sequence[SpeakerShare],
    ) -> bool:
        """Keep a fetched transcript: its lines (indexed), then its row says ready (or empty)."""
        self.lines.replace(claimed.recording_id, scope, lines)
        return self.save(
            claimed,
            now,
            status=TranscriptStatus.READY if lines else TranscriptStatus.EMPTY,
            ready_at=now,
            next_check_at=None,
            attempts=0,
            lines=len(lines),
            words=words,
            speakers=json.dumps([[s.name, s.seconds] for s in speakers], ensure_ascii=False),
        )

    def summary(self, recording_id: str) -> TranscriptSummary | None:
        row = self._database.db.execute(
            "SELECT status, detail, lines, speakers, provider, ready_at FROM transcripts "
            "WHERE recording_id = ?",
            [recording_id],
        ).fetchone()
        if row is None:
            return None
        status, detail, count, speakers, provider, ready_at = row
        ready = status == TranscriptStatus.READY.value
        return TranscriptSummary(
            status=TranscriptStatus(status),
            speakers=_speakers(speakers),
            first_lines=tuple(self.lines.of(recording_id, FIRST_LINES)) if ready else (),
            lines=count or 0,
            detail=detail,
            provider=provider,
            ready_at=from_ts(ready_at),
        )

    def delete_of(self, recording_id: str) -> None:
        """A recording's transcript is gone for good: its lines, their index entries, its row."""
        self.lines.delete_of(recording_id)
        self._database.write("DELETE FROM transcripts WHERE recording_id = ?", [recording_id])

    def _claim(
        self, where: str, params: dict[str, Any], now: datetime, lease: timedelta
    ) -> list[TranscriptProgress]:
        values = {"now": ts(now), "until": ts(now + lease), "token": secrets.token_hex(8)}
        rows = self._database.write_returning(
            f"UPDATE transcripts SET leased_until = :until, claim_token = :token WHERE {where} "
            "RETURNING *",
            params | values,
        )
        return [_progress(row) for row in rows]


def _progress(row: Mapping[str, Any]) -> TranscriptProgress:
    return TranscriptProgress(
        recording_id=row["recording_id"],
        status=TranscriptStatus(row["status"]),
        provider=row.get("provider"),
        created_at=from_ts(row["created_at"]) or datetime.min,
        attempts=row.get("attempts") or 0,
        detail=row.get("detail"),
        next_check_at=from_ts(row.get("next_check_at")),
        claim_token=row.get("claim_token"),
    )


def _speakers(raw: str | None) -> tuple[SpeakerShare, ...]:
    try:
        pairs = json.loads(raw) if raw else []
        return from_seconds([(str(name), float(secs)) for name, secs in pairs])
    except (ValueError, TypeError):
        return ()


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return ts(value)
    if isinstance(value, TranscriptStatus):
        return value.value
    return value
