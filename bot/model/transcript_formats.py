"""A transcript written out: WebVTT captions for the player, plain text to download, times as
people read them, and why a recording has no transcript, in plain words.

Text that came from the meeting is never trusted: WebVTT gets `&`, `<` and `>` escaped (cue
text is markup there, and a `-->` would end a cue), so hostile words show as words."""

from __future__ import annotations

import math
from collections.abc import Sequence

from bot.model.transcript import Phrase, TranscriptStatus, turns

UNKNOWN_SPEAKER = "Unknown speaker"


def clock(seconds: float) -> str:
    """`00:01:02`: hours, minutes, seconds (rounded down), as the transcript shows times."""
    whole = int(max(0.0, seconds)) if math.isfinite(seconds) else 0
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def vtt_time(seconds: float) -> str:
    """`00:01:02.500`, WebVTT's timestamp (hours always written)."""
    millis = round(max(0.0, seconds) * 1000) if math.isfinite(seconds) else 0
    whole, ms = divmod(millis, 1000)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}.{ms:03d}"


def vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(lines: Sequence[Phrase]) -> str:
    """One cue per phrase, the speaker as a voice span (`<v Name>`), numbered from 1."""
    out = ["WEBVTT", ""]
    for number, phrase in enumerate(lines, 1):
        text = vtt_escape(phrase.text)
        if phrase.speaker:
            text = f"<v {vtt_escape(phrase.speaker)}>{text}</v>"
        out += [str(number), f"{vtt_time(phrase.start)} --> {vtt_time(phrase.end)}", text, ""]
    return "\n".join(out)


def plain_text(lines: Sequence[Phrase]) -> str:
    """`[00:01:02] Name: words`, one line per turn (a speaker's phrases in a row)."""
    return "".join(
        f"[{clock(turn.start)}] {turn.speaker or UNKNOWN_SPEAKER}: "
        + " ".join(p.text for p in turn.phrases)
        + "\n"
        for turn in turns(lines)
    )


def why_no_transcript(status: TranscriptStatus, provider: str | None, detail: str | None) -> str:
    """Plain words for a recording whose transcript is missing (or still coming)."""
    captions = provider == "meeting_captions"
    if status in (TranscriptStatus.AWAITED, TranscriptStatus.REQUESTED):
        return "The transcript is still being made; it appears here when it is ready."
    if status == TranscriptStatus.EMPTY:
        if captions:
            return (
                "The transcript is empty: the meeting's captions showed no words (nobody "
                "spoke, or captions were off in the meeting)."
            )
        return "The transcript is empty: no speech was heard in the recording."
    if status == TranscriptStatus.FAILED:
        words = "Recall could not make a transcript of this meeting"
        if detail:
            words += f" ({detail})"
        return words + "."
    if captions:
        return (
            "No transcript: the meeting's own captions were not available (they may be "
            "turned off for this meeting, or the platform has none)."
        )
    return "No transcript was made for this meeting."
