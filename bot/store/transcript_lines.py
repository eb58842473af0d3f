"""Transcript lines (the table `transcript_lines`, one row per phrase) and their full-text index
(`transcript_lines_fts`, FTS5, kept in step by triggers).

A line's id says which channel it belongs to: `transcript_scopes` numbers each channel, and
the channel numbered n takes ids from n << 32 up. A search within a channel asks the index for
that range of ids only, so it reads that channel's lines and no one else's. It ranks the
channel's newest `NEWEST_MATCHES` matching lines itself rather than with FTS5's bm25, which
would weigh every match and count each word's lines in the whole database: a phrase of common
words took a quarter of a second that way over 2,000 hours (bench/transcript_search.py).

Writes go in short transactions of `CHUNK` lines: a three-hour meeting is stored in a few
dozen of them, each a few milliseconds, so a slash command never waits long for the lock. The
write lock is not fair (the thread that lets go of it can take it straight back), so after each
chunk the writer pauses for `TURN` to let a waiting writer go first.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from bot.model.search_query import HIGHLIGHT_END, HIGHLIGHT_START, best_first
from bot.model.transcript import Phrase
from bot.store.database import Database

CHUNK = 200
TURN = 0.001  # seconds
SCOPE_BITS = 32
# A search within a channel ranks at most this many of its newest matching lines.
NEWEST_MATCHES = 1000


@dataclass(frozen=True)
class LineHit:
    recording_id: str
    start: float
    speaker: str | None
    context: str  # the line, its matched words between HIGHLIGHT_* marks


class TranscriptLines:
    def __init__(self, database: Database):
        self._database = database

    def scope(self, team_id: str, channel_id: str, create: bool = False) -> int | None:
        """The channel's number (the high bits of its lines' ids); None if it has none yet."""
        sql = "SELECT id FROM transcript_scopes WHERE team_id = ? AND channel_id = ?"
        row = self._database.db.execute(sql, [team_id, channel_id]).fetchone()
        if row is not None or not create:
            return row[0] if row else None
        with self._database.transaction() as db:
            db.conn.execute(
                "INSERT OR IGNORE INTO transcript_scopes (team_id, channel_id) VALUES (?, ?)",
                [team_id, channel_id],
            )
            return db.conn.execute(sql, [team_id, channel_id]).fetchone()[0]

    def replace(self, recording_id: str, scope: int, lines: Sequence[Phrase]) -> None:
        """Store a recording's lines in place of any it had, a chunk per transaction."""
        self.delete_of(recording_id)
        low, high = _range(scope)
        for at in range(0, len(lines), CHUNK):
            with self._database.transaction() as db:
                latest = db.conn.execute(
                    "SELECT MAX(id) FROM transcript_lines WHERE id >= ? AND id < ?", [low, high]
                ).fetchone()[0]
                first = (latest or low - 1) + 1
                db.conn.executemany(
                    "INSERT INTO transcript_lines "
                    "(id, recording_id, start_seconds, end_seconds, speaker, text) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (first + n, recording_id, p.start, p.end, p.speaker, p.text)
                        for n, p in enumerate(lines[at : at + CHUNK])
                    ],
                )
            time.sleep(TURN)

    def delete_of(self, recording_id: str) -> int:
        """Delete a recording's lines (and their index entries), a chunk per transaction."""
        deleted = 0
        while True:
            count = self._database.write(
                "DELETE FROM transcript_lines WHERE id IN (SELECT id FROM transcript_lines "
                "WHERE recording_id = ? LIMIT ?)",
                [recording_id, CHUNK * 2],
            )
            deleted += count
            if count == 0:
                return deleted
            time.sleep(TURN)

    def of(self, recording_id: str, limit: int = -1) -> list[Phrase]:
        """A recording's lines in order of time (the first `limit` of them)."""
        rows = self._database.db.execute(
            "SELECT start_seconds, end_seconds, speaker, text FROM transcript_lines "
            "WHERE recording_id = ? ORDER BY start_seconds, id LIMIT ?",
            [recording_id, limit],
        ).fetchall()
        return [Phrase(start, end, speaker, text) for start, end, speaker, text in rows]

    def search(self, fts: str, scope: int | None, limit: int) -> list[LineHit]:
        """The best-matching lines, best first: within one channel's range of ids, or (for
        operators) everywhere when `scope` is None."""
        if scope is None:
            # FTS5's own ranking (bm25): it weighs every match in the database and counts each
            # word's lines in all of it, which costs too much for a slash command (below) but
            # is fine on the command line.
            return self._hits(_EVERYWHERE, [fts, limit])
        # The channel's newest NEWEST_MATCHES matching lines, read from the top of its range of
        # ids down, then ranked (bot/model/search_query.py): the work stays bounded however
        # common the words are, and in a channel with fewer matches all of them are ranked.
        low, high = _range(scope)
        newest = self._hits(_IN_CHANNEL, [fts, low, high - 1, NEWEST_MATCHES])
        return [newest[at] for at in best_first([hit.context for hit in newest])[:limit]]

    def _hits(self, sql: str, params: list[object]) -> list[LineHit]:
        rows = self._database.db.execute(sql, [HIGHLIGHT_START, HIGHLIGHT_END, *params])
        return [LineHit(*row) for row in rows.fetchall()]


_HIT = (
    "SELECT l.recording_id, l.start_seconds, l.speaker, hit.context FROM ("
    "  SELECT rowid, {rank} highlight(transcript_lines_fts, 0, ?, ?) AS context"
    "  FROM transcript_lines_fts WHERE transcript_lines_fts MATCH ? {where}"
    ") AS hit JOIN transcript_lines AS l ON l.id = hit.rowid ORDER BY {order}"
)
_EVERYWHERE = _HIT.format(rank="rank,", where="ORDER BY rank LIMIT ?", order="hit.rank")
_IN_CHANNEL = _HIT.format(
    rank="",
    where="AND rowid BETWEEN ? AND ? ORDER BY rowid DESC LIMIT ?",
    order="hit.rowid DESC",
)


def _range(scope: int) -> tuple[int, int]:
    """The ids a channel's lines take: [low, high)."""
    return scope << SCOPE_BITS, (scope + 1) << SCOPE_BITS
