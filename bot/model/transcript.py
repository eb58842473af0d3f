"""A meeting's transcript: what was said, by whom, when. Pure data and rules, no I/O.

    Segment (one speaker, timed words, as Recall delivers them)
      └─► phrases(segments) ─► Phrase (a caption's worth: a few seconds, one speaker)
                                 └─► turns(phrases) ─► Turn (a speaker's phrases in a row)

Times are seconds from the start of the recording (Recall's `relative` timestamps), which is
where the video starts too. Reading Recall's download format into segments is
bot/recall/transcript_reader.py; WebVTT and plain text are bot/model/transcript_formats.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.model.talk_time import SpeakerShare

# A caption stays readable: at most about two lines of 42 characters, and a few seconds.
MAX_PHRASE_CHARS = 84
MAX_PHRASE_SECONDS = 6.0
# A pause this long between two words starts a new phrase.
PAUSE_SECONDS = 1.0
# A caption shorter than this flashes by unread; captions never end before they start.
MIN_PHRASE_SECONDS = 0.5
# Where Recall gives no time for a word at all (some meeting captions): this long per word.
SECONDS_PER_WORD = 0.35
MAX_SPEAKER_CHARS = 80
MAX_WORD_CHARS = 200

# Full stop, question and exclamation marks (also the ideographic and full-width ones), then
# any closing quotes or brackets.
_SENTENCE_END = re.compile("[.!?\u2026\u3002\uff01\uff1f]['\"\u201d\u2019)]*$")
_SPACE = re.compile(r"\s+")


class TranscriptStatus(StrEnum):
    AWAITED = "awaited"  # the video is ready; Recall's transcript not yet
    REQUESTED = "requested"  # we asked Recall to transcribe the recording (recallai_async)
    READY = "ready"
    EMPTY = "empty"  # Recall's transcript holds no words
    FAILED = "failed"  # Recall could not make one, or we could not fetch it
    NONE = "none"  # Recall never made one

    @property
    def is_final(self) -> bool:
        return self not in (TranscriptStatus.AWAITED, TranscriptStatus.REQUESTED)


@dataclass(frozen=True)
class Word:
    text: str
    start: float | None  # seconds from the start of the recording; None when not given
    end: float | None


@dataclass(frozen=True)
class Segment:
    """One stretch of speech by one participant (None: Recall could not tell who)."""

    speaker: str | None
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Phrase:
    """A caption's worth of one speaker's words: one WebVTT cue, one line of the transcript."""

    start: float
    end: float
    speaker: str | None
    text: str


@dataclass(frozen=True)
class Turn:
    """One speaker's phrases in a row, as the transcript beside the player shows them."""

    speaker: str | None
    phrases: tuple[Phrase, ...]

    @property
    def start(self) -> float:
        return self.phrases[0].start


@dataclass(frozen=True)
class TranscriptSummary:
    """What the messages and pages say about a recording's transcript."""

    status: TranscriptStatus
    speakers: tuple[SpeakerShare, ...] = ()
    first_lines: tuple[Phrase, ...] = ()
    lines: int = 0
    detail: str | None = None  # why there is none, in Recall's words (a sub_code) or ours
    provider: str | None = None  # TRANSCRIPT_PROVIDER when it was expected
    ready_at: datetime | None = None  # when it was stored

    @property
    def ready(self) -> bool:
        return self.status == TranscriptStatus.READY and self.lines > 0


def clean_text(value: str, limit: int) -> str:
    """Printable characters only, whitespace collapsed, at most `limit` characters."""
    printable = "".join(c if c.isprintable() else " " for c in value)
    return _SPACE.sub(" ", printable).strip()[:limit]


def speaker_name(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return clean_text(value, MAX_SPEAKER_CHARS) or None


def phrases(segments: Iterable[Segment]) -> list[Phrase]:
    """The transcript cut into phrases, in order of time: a phrase ends at the end of a
    sentence, at a pause, or when it would be too long to read as one caption.

    Words without times (or with impossible ones) get times spread between their neighbours';
    a segment with none at all follows the one before it. Overlapping speech stays as it
    is: two people's phrases may cover the same seconds."""
    found: list[Phrase] = []
    previous_end = 0.0
    for segment in segments:
        words = _timed(_split_long_words(segment.words), previous_end)
        if not words:
            continue
        found += _cut(segment.speaker, words)
        previous_end = max(previous_end, words[-1][2])
    found.sort(key=lambda p: (p.start, p.end))
    return found


def turns(lines: Sequence[Phrase]) -> list[Turn]:
    """Consecutive phrases of the same speaker, grouped."""
    grouped: list[Turn] = []
    for phrase in lines:
        if grouped and grouped[-1].speaker == phrase.speaker:
            grouped[-1] = Turn(phrase.speaker, (*grouped[-1].phrases, phrase))
        else:
            grouped.append(Turn(phrase.speaker, (phrase,)))
    return grouped


def word_count(lines: Iterable[Phrase]) -> int:
    return sum(len(phrase.text.split()) for phrase in lines)


def _split_long_words(words: Sequence[Word]) -> list[Word]:
    """A "word" holding several (a caption chunk) becomes its words, sharing its time."""
    result: list[Word] = []
    for word in words:
        text = clean_text(word.text, MAX_WORD_CHARS * 20)
        parts = text.split(" ") if text else []
        if len(parts) <= 1:
            if text:
                result.append(Word(text[:MAX_WORD_CHARS], _time(word.start), _time(word.end)))
            continue
        start, end = _time(word.start), _time(word.end)
        if start is None or end is None or end < start:
            result += [Word(part[:MAX_WORD_CHARS], None, None) for part in parts]
            continue
        step = (end - start) / len(parts)
        result += [
            Word(part[:MAX_WORD_CHARS], start + i * step, start + (i + 1) * step)
            for i, part in enumerate(parts)
        ]
    return result


def _time(value: float | None) -> float | None:
    """A usable time: finite and not before the recording began."""
    if value is None or not math.isfinite(value):
        return None
    return max(0.0, value)


def _timed(words: Sequence[Word], after: float) -> list[tuple[str, float, float]]:
    """(text, start, end) for every word, filling in missing times from the neighbours."""
    starts = [w.start for w in words]
    ends = [w.end for w in words]
    timed: list[tuple[str, float, float]] = []
    cursor = after
    for index, word in enumerate(words):
        start = starts[index]
        if start is None:
            start = ends[index] if ends[index] is not None else cursor
        start = max(start, 0.0)
        end = ends[index]
        if end is None or end < start:
            following = next((s for s in starts[index + 1 :] if s is not None), None)
            end = following if following is not None and following >= start else None
            end = end if end is not None and end - start < 2.0 else start + SECONDS_PER_WORD
        timed.append((word.text, start, end))
        cursor = max(cursor, end)
    return timed


def _cut(speaker: str | None, words: list[tuple[str, float, float]]) -> list[Phrase]:
    cut: list[Phrase] = []
    current: list[tuple[str, float, float]] = []

    def close() -> None:
        if current:
            start = round(current[0][1], 3)
            end = round(max(current[-1][2], start + MIN_PHRASE_SECONDS), 3)
            cut.append(Phrase(start, end, speaker, " ".join(w[0] for w in current)))
            current.clear()

    for word in words:
        if current:
            length = sum(len(w[0]) + 1 for w in current) + len(word[0])
            if (
                word[1] - current[-1][2] > PAUSE_SECONDS
                or length > MAX_PHRASE_CHARS
                or word[2] - current[0][1] > MAX_PHRASE_SECONDS
            ):
                close()
        current.append(word)
        if _SENTENCE_END.search(word[0]) and len(current) > 2:
            close()
    close()
    return cut
