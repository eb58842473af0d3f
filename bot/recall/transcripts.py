"""Transcripts at Recall: what to ask for, where to find the finished one, and what its
webhooks say.

    TRANSCRIPT_PROVIDER   asked for                      when
    meeting_captions      the platform's own captions   with the bot (Create Bot)
    recallai_streaming    Recall's transcription        with the bot (Create Bot)
    recallai_async        Recall's transcription        after the call, for the recording
                                                        (Create Async Transcript)
    none                  nothing

A finished transcript is a shortcut on the bot's recording (`media_shortcuts.transcript`, status
`done`, with a pre-signed `download_url`); so is the speaker timeline
(`media_shortcuts.participant_events`). Both links are short-lived credentials: read them when
needed, never store or log them. Everything here tolerates missing or odd parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.model.report import RecordingReport
from bot.recall.reports import read_bot

PROVIDERS = ("meeting_captions", "recallai_streaming", "recallai_async", "none")
# Asked for with the bot, in Create Bot's `recording_config.transcript`.
_WITH_THE_BOT: dict[str, dict[str, Any]] = {
    "meeting_captions": {"meeting_captions": {}},
    # Accuracy over speed: the transcript is wanted once the meeting is over, not live.
    "recallai_streaming": {"recallai_streaming": {"mode": "prioritize_accuracy"}},
}
TRANSCRIPT_EVENTS = frozenset(
    {"transcript.done", "transcript.failed", "transcript.deleted", "transcript.processing"}
)


def bot_transcript_config(provider: str) -> dict[str, Any] | None:
    """`recording_config.transcript` for Create Bot; None when the provider is not asked for
    with the bot."""
    chosen = _WITH_THE_BOT.get(provider)
    return {"provider": chosen} if chosen is not None else None


def async_transcript_request() -> dict[str, Any]:
    """The body of Create Async Transcript for a finished recording."""
    return {"provider": {"recallai_async": {"language_code": "auto"}}}


@dataclass(frozen=True)
class TranscriptMedia:
    """The posted recording's transcript and speaker timeline, as Recall shows them now."""

    recording_id: str | None  # Recall's recording (for Create Async Transcript)
    status: str | None  # the transcript's status code; None: there is no transcript (yet)
    sub_code: str | None
    download_url: str | None  # pre-signed: use at once, never keep
    speaker_timeline_url: str | None  # pre-signed too
    recording_seconds: float | None  # how long the posted recording ran

    @property
    def done(self) -> bool:
        return self.status == "done" and bool(self.download_url)


def read_transcript_media(bot: dict[str, Any]) -> TranscriptMedia:
    """The transcript of the recording whose video is posted (part 1)."""
    posted = read_bot(bot).posted
    raw = _raw_recording(bot, posted)
    shortcuts = _dict(raw.get("media_shortcuts"))
    transcript = _dict(shortcuts.get("transcript"))
    status = _dict(transcript.get("status"))
    events = _dict(_dict(shortcuts.get("participant_events")).get("data"))
    return TranscriptMedia(
        recording_id=posted.recording_id if posted else None,
        status=_str(status.get("code")) if transcript else None,
        sub_code=_str(status.get("sub_code")),
        download_url=_str(_dict(transcript.get("data")).get("download_url")),
        speaker_timeline_url=_str(events.get("speaker_timeline_download_url")),
        recording_seconds=posted.duration_seconds if posted else None,
    )


@dataclass(frozen=True)
class TranscriptEvent:
    name: str  # transcript.done, transcript.failed, ...
    bot_id: str
    code: str | None
    sub_code: str | None


def read_transcript_event(payload: Any) -> TranscriptEvent | None:
    """A `transcript.*` webhook's news, or None for any other event or shape."""
    if not isinstance(payload, dict) or payload.get("event") not in TRANSCRIPT_EVENTS:
        return None
    data = _dict(payload.get("data"))
    bot_id = _str(_dict(data.get("bot")).get("id"))
    if bot_id is None:
        return None  # a transcript of a recording no bot of ours made
    status = _dict(data.get("data"))
    return TranscriptEvent(
        payload["event"], bot_id, _str(status.get("code")), _str(status.get("sub_code"))
    )


def _raw_recording(bot: dict[str, Any], posted: RecordingReport | None) -> dict[str, Any]:
    recordings = [r for r in bot.get("recordings") or [] if isinstance(r, dict)]
    if posted is not None and posted.recording_id:
        for raw in recordings:
            if raw.get("id") == posted.recording_id:
                return raw
    return recordings[0] if len(recordings) == 1 else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
