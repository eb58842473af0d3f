"""A recording's history: what happened to it, when, and why, in plain words.

Each change of state, each wish someone expressed from Slack (or from the meeting's chat), the
end of the video's retention, and Recall losing the video is one `RecordingEvent`
(kept by bot/store/recording_events.py); `describe` says it as a short phrase for the watch
page and `slack-record list --events`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.model.explanations import explain
from bot.model.lifecycle import Cause, State


@dataclass(frozen=True)
class RecordingEvent:
    at: datetime
    from_state: State | None
    to_state: State
    cause: Cause


# What reaching each state means, said of the recording.
REACHED = {
    State.REQUESTED: "asked for",
    State.SCHEDULED: "scheduled to join later",
    State.JOINING: "the recorder is joining",
    State.WAITING_ROOM: "waiting to be let in",
    State.IN_CALL: "in the meeting",
    State.RECORDING: "recording",
    State.PROCESSING: "the meeting ended; the video is being prepared",
    State.READY: "the video is ready",
    State.FAILED: "no recording",
    State.CANCELLED: "cancelled",
}


def describe(event: RecordingEvent, name: Callable[[str], str] = lambda user: user) -> str:
    """One event as a phrase: "recording", "Stop pressed by Ada", "no recording: The host
    removed the recorder." `name` turns a Slack user id into what to show for it."""
    cause = event.cause
    if cause.kind == "stop" and cause.detail == "meeting_chat":
        # Typed in the meeting's chat: `by` is the name the meeting shows, not a Slack user.
        return f"asked to stop from the meeting chat by {cause.by or 'a participant'}"
    if cause.kind == "expired":
        return "expired: the video was deleted at the end of its retention"
    if cause.kind == "media_lost":
        return "gone: Recall no longer has the video, so its transcript was deleted"
    by = f" by {name(cause.by)}" if cause.by else ""
    if cause.kind == "stop":
        return f"asked to stop{by}"
    if cause.kind == "deleted":
        return f"deleted{by}"
    words = REACHED[event.to_state]
    if cause.kind == "requested":
        return f"{words}{by}"
    if event.to_state == State.FAILED:
        words = f"{words}: {explain(cause.detail, cause.sub_code).summary}"
    elif event.to_state == State.CANCELLED:
        words = f"{words}{by}"
    if cause.kind == "rebuilt":
        return f"{words} (rebuilt from Recall and Slack after the database was lost)"
    return words
