"""Keeping a transcript Recall has finished: fetch it (and the speaker timeline), cut it into
phrases, work out who talked how much, and store it, lines and full-text index, in short
transactions (bot/store/transcript_lines.py), so slash commands never wait behind it.

Runs on a worker thread with the transcript's row claimed (bot/workflow/transcripts.py). That
thread shares the GIL with the event loop that answers slash commands: Python hands the GIL to a
waiting thread only every 5 ms, and an answer needs it many times over, so a busy worker would
add tens of milliseconds to each. The transcript is therefore read segment by segment, and the
worker lets go of the GIL after each one (bench/transcript_serving.py measures acks meanwhile).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TypeVar

from bot.model.recording import Recording
from bot.model.talk_time import Span, shares
from bot.model.transcript import Phrase, phrases, word_count
from bot.recall.downloads import MediaDownloads
from bot.recall.errors import RecallError
from bot.recall.transcript_reader import read_speaker_timeline, segments_of
from bot.recall.transcripts import TranscriptMedia
from bot.store import Store
from bot.store.transcripts import TranscriptProgress

log = logging.getLogger(__name__)
T = TypeVar("T")


def ingest(
    store: Store,
    progress: TranscriptProgress,
    rec: Recording,
    media: TranscriptMedia,
    downloads: MediaDownloads,
    now: datetime,
) -> bool:
    """Fetch and keep the transcript; False if our claim was lost or the recording was deleted
    meanwhile (then nothing of it is kept). Raises the RecallError of a failed download."""
    lines = phrases(_taking_turns(segments_of(downloads.items(media.download_url or ""))))
    spans = _speaker_timeline(rec, media, downloads)
    if not spans:  # no timeline: the transcript's own phrases say who spoke when
        spans = [Span(p.speaker, p.start, p.end) for p in lines]
    talk = shares(spans, recording_end=media.recording_seconds or _end(lines))
    transcripts = store.transcripts
    scope = transcripts.lines.scope(rec.request.team_id, rec.request.channel_id, create=True)
    assert scope is not None
    stored = transcripts.store_ready(progress, now, scope, lines, word_count(lines), talk)
    current = store.recordings.get(rec.id)
    if current is None or current.sharing.deleted_at:
        # Deleted while we stored it: the delete may have run before our lines landed.
        transcripts.delete_of(rec.id)
        return False
    if not stored:
        log.info("recording %s: transcript claim lost while storing it", rec.id)
    return stored


def _speaker_timeline(
    rec: Recording, media: TranscriptMedia, downloads: MediaDownloads
) -> list[Span]:
    if not media.speaker_timeline_url:
        return []
    try:
        return read_speaker_timeline(downloads.json(media.speaker_timeline_url))
    except RecallError as exc:
        # Talk time can come from the transcript instead; not worth failing over.
        log.info("recording %s: no speaker timeline (%s)", rec.id, type(exc).__name__)
        return []


def _end(lines: list[Phrase]) -> float | None:
    return max((p.end for p in lines), default=None)


def _taking_turns(items: Iterable[T]) -> Iterator[T]:
    """Each item, then the GIL to whichever thread waits for it (the event loop, mostly)."""
    for item in items:
        yield item
        time.sleep(0)
