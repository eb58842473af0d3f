"""Who talked how much: each speaker's seconds of speech and share of all the talking, from
Recall's speaker timeline (who was the active speaker, from when to when) or, without one,
from the transcript's own phrases."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

# The compact bar on the watch page and the Slack line show this many; the rest are "others".
SHOWN_SPEAKERS = 6


@dataclass(frozen=True)
class SpeakerShare:
    name: str
    seconds: float
    share: float  # of everyone's talking time, 0 to 1

    @property
    def percent(self) -> int:
        return round(self.share * 100)


@dataclass(frozen=True)
class Span:
    """Someone speaking from `start` to `end` seconds (None: until the next span begins)."""

    speaker: str | None
    start: float
    end: float | None


def shares(spans: Iterable[Span], recording_end: float | None = None) -> tuple[SpeakerShare, ...]:
    """Each named speaker's talking time, most talkative first. A span with no end lasts until
    the next one starts (Recall's timeline leaves the last one open), or to `recording_end`.
    Spans of an unknown speaker, and impossible times, count for nobody."""
    ordered = sorted(
        (s for s in spans if math.isfinite(s.start)), key=lambda s: (s.start, s.end or s.start)
    )
    seconds: dict[str, float] = {}
    for index, span in enumerate(ordered):
        end = span.end
        if end is None or not math.isfinite(end):
            later = [s.start for s in ordered[index + 1 :] if s.start > span.start]
            end = later[0] if later else recording_end
        if end is None or span.speaker is None or end <= span.start:
            continue
        seconds[span.speaker] = seconds.get(span.speaker, 0.0) + (end - max(span.start, 0.0))
    total = sum(seconds.values())
    if total <= 0:
        return ()
    ranked = sorted(seconds.items(), key=lambda item: (-item[1], item[0]))
    return tuple(SpeakerShare(name, round(secs, 1), secs / total) for name, secs in ranked)


def from_seconds(pairs: Iterable[tuple[str, float]]) -> tuple[SpeakerShare, ...]:
    """Shares from each speaker's seconds, as kept (bot/store/transcripts.py)."""
    return shares(Span(name, 0.0, seconds) for name, seconds in pairs)


def shown(speakers: tuple[SpeakerShare, ...]) -> tuple[SpeakerShare, ...]:
    """The speakers a compact display has room for; the rest together as "others"."""
    if len(speakers) <= SHOWN_SPEAKERS:
        return speakers
    head, rest = speakers[: SHOWN_SPEAKERS - 1], speakers[SHOWN_SPEAKERS - 1 :]
    others = SpeakerShare(
        f"{len(rest)} others", sum(s.seconds for s in rest), sum(s.share for s in rest)
    )
    return (*head, others)
