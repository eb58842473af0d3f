"""Reading Recall's download formats, tolerating any shape.

The transcript (Recall's "Download Schemas", JSON transcript): a list of segments, each

    {"participant": {"id", "name", "is_host", "platform", "extra_data", "email"} | null,
     "words": [{"text", "start_timestamp": {"relative", "absolute"},
                        "end_timestamp": {"relative", "absolute"}}, ...]}

`relative` is seconds since the recording started. The first segment's participant may be null
(someone spoke before the bot could tell who). The speaker timeline: a list of
`{"participant": {...}, "start_timestamp": {...}, "end_timestamp": {...} | null}`.

Nothing here raises on shape: what cannot be read is left out, and sizes are capped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

from bot.model.talk_time import Span
from bot.model.transcript import Segment, Word, speaker_name

# About 30 hours of continuous speech: more is not a meeting we recorded.
MAX_WORDS = 1_000_000
MAX_SPANS = 200_000


def read_transcript(document: Any) -> list[Segment]:
    return list(segments_of(_list(document)))


def segments_of(items: Iterable[Any]) -> Iterator[Segment]:
    """The segments of a transcript's items (the document's list), one by one as read."""
    budget = MAX_WORDS
    for item in items:
        if budget <= 0:
            break
        if not isinstance(item, dict):
            continue
        words = []
        for raw in _list(item.get("words"))[:budget]:
            word = _word(raw)
            if word is not None:
                words.append(word)
        budget -= len(words)
        if words:
            yield Segment(_speaker(item.get("participant")), tuple(words))


def read_speaker_timeline(document: Any) -> list[Span]:
    spans = []
    for item in _list(document)[:MAX_SPANS]:
        if not isinstance(item, dict):
            continue
        start = _seconds(item.get("start_timestamp"))
        if start is None:
            continue
        spans.append(
            Span(_speaker(item.get("participant")), start, _seconds(item.get("end_timestamp")))
        )
    return spans


def _word(raw: Any) -> Word | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        return None
    if not raw["text"].strip():
        return None
    return Word(
        raw["text"], _seconds(raw.get("start_timestamp")), _seconds(raw.get("end_timestamp"))
    )


def _speaker(participant: Any) -> str | None:
    return speaker_name(participant.get("name")) if isinstance(participant, dict) else None


def _seconds(timestamp: Any) -> float | None:
    """`relative` seconds of a Recall timestamp; None when missing or not a real number."""
    value = timestamp.get("relative") if isinstance(timestamp, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
