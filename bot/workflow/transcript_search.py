"""Searching transcripts: `/record search` within the channel where it is typed, and
`slack-record search` for operators.

A channel's search reads that channel's lines only (their ids are its own range of the index:
bot/store/transcript_lines.py), so a private channel's meetings are never found from anywhere
else; each result is checked again against the channel, to be sure. Deleted and expired
recordings, and those whose video Recall lost, are never shown, even in the moment before their
lines are gone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from bot.model.lifecycle import State
from bot.model.recording import Recording
from bot.model.search_query import SearchQuery
from bot.model.times import utcnow
from bot.slack.status_message import LinkStyle
from bot.slack.transcript_words import Found
from bot.store import Store
from bot.store.transcript_lines import LineHit

RESULTS = 8
PER_RECORDING = 3  # so one long meeting cannot fill every place
CANDIDATES = 60


class TranscriptSearch:
    def __init__(
        self, store: Store, links: LinkStyle, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._store = store
        self._links = links
        self._clock = clock

    def in_channel(self, team_id: str, channel_id: str, query: SearchQuery) -> list[Found]:
        lines = self._store.transcripts.lines
        scope = lines.scope(team_id, channel_id)
        if scope is None:
            return []
        hits = lines.search(query.fts, scope, CANDIDATES)
        return self._found(
            hits,
            lambda rec: rec.request.team_id == team_id and rec.request.channel_id == channel_id,
            RESULTS,
        )

    def everywhere(
        self, query: SearchQuery, limit: int, channel_id: str | None = None
    ) -> list[Found]:
        """Every channel's recordings, or one channel's in any workspace (operators, on the
        command line)."""
        hits = self._store.transcripts.lines.search(query.fts, None, max(CANDIDATES, limit * 4))
        return self._found(hits, lambda rec: channel_id in (None, rec.request.channel_id), limit)

    def _found(
        self, hits: list[LineHit], belongs: Callable[[Recording], bool], limit: int
    ) -> list[Found]:
        recordings: dict[str, Recording | None] = {}
        per_recording: Counter[str] = Counter()
        found: list[Found] = []
        now = self._clock()
        for hit in hits:
            if hit.recording_id not in recordings:
                recordings[hit.recording_id] = self._store.recordings.get(hit.recording_id)
            rec = recordings[hit.recording_id]
            if rec is None or rec.state != State.READY or rec.media_gone(now):
                continue
            if not belongs(rec) or per_recording[rec.id] >= PER_RECORDING:
                continue
            per_recording[rec.id] += 1
            link = self._links.durable(rec, f"/watch?t={int(hit.start)}")
            found.append(Found(rec, hit.start, hit.speaker, hit.context, link))
            if len(found) >= limit:
                break
        return found
