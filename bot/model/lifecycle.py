"""The recording state machine: our states, what moves them, and which moves are legal.

Every source of news about a bot (the poller today; webhooks and buttons later) goes through
`decide` (what does Recall's report mean?) and `advance` (may we move there from here?).

    requested ► scheduled ► joining ► waiting_room ► in_call ► recording ► processing ► ready
        │           │          └───────────┴────────────┴──────────┴───────────┴──────► failed
        └───────────┴──► cancelled

States only move forward along that line, whatever order reports arrive in: a late
`in_call_recording` cannot pull a `processing` recording back. `ready`, `failed` and
`cancelled` are final. Recall's status codes are an open set: a code we do not know leaves
the state alone and is logged once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from bot.model.report import BotReport, RecordingReport

log = logging.getLogger(__name__)


class State(StrEnum):
    REQUESTED = "requested"  # saved from /record; no Recall bot yet
    SCHEDULED = "scheduled"  # bot created to join later (Recall status `ready`)
    JOINING = "joining"
    WAITING_ROOM = "waiting_room"
    IN_CALL = "in_call"  # in the meeting, not recording (yet, or not allowed to)
    RECORDING = "recording"
    PROCESSING = "processing"  # left the call; Recall is producing the video
    READY = "ready"  # the video exists
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in FINAL


FINAL = frozenset({State.READY, State.FAILED, State.CANCELLED})
_FORWARD = (
    State.REQUESTED,
    State.SCHEDULED,
    State.JOINING,
    State.WAITING_ROOM,
    State.IN_CALL,
    State.RECORDING,
    State.PROCESSING,
)

# Which states each state may move to: any later step, READY or FAILED from anywhere open,
# CANCELLED only before the bot has started joining.
ALLOWED: dict[State, frozenset[State]] = {
    state: frozenset(
        _FORWARD[i + 1 :]
        + (State.READY, State.FAILED)
        + ((State.CANCELLED,) if state in (State.REQUESTED, State.SCHEDULED) else ())
    )
    for i, state in enumerate(_FORWARD)
} | {state: frozenset() for state in FINAL}

# Recall bot status code → the state it shows. done/fatal/media_expired are
# decided in `decide` because they depend on the recording too.
STATUS_TARGETS: dict[str, State] = {
    "ready": State.SCHEDULED,
    "joining_call": State.JOINING,
    "in_waiting_room": State.WAITING_ROOM,
    "in_call_not_recording": State.IN_CALL,
    "recording_permission_allowed": State.IN_CALL,
    "recording_permission_denied": State.IN_CALL,
    "in_call_recording": State.RECORDING,
    "recording_done": State.PROCESSING,
    "call_ended": State.PROCESSING,
    # Legacy post-`done` codes; if they ever come first they still mean "finished the call".
    "analysis_done": State.PROCESSING,
    "analysis_failed": State.PROCESSING,
}

_unknown_codes_logged: set[str] = set()


@dataclass(frozen=True)
class Cause:
    """Why a recording changed, for its history: what told us (`kind`: requested, recall,
    webhook, failed, cancelled, stop, deleted, expired, media_lost, rebuilt), Recall's status
    code or our reason (`detail`), Recall's sub-code, and the Slack user who asked, when
    someone did (`by`)."""

    kind: str
    detail: str | None = None
    sub_code: str | None = None
    by: str | None = None


@dataclass(frozen=True)
class Outcome:
    """Where a report says the recording is; `reason`/`sub_code` explain a failure."""

    state: State
    reason: str | None = None
    sub_code: str | None = None


def decide(report: BotReport) -> Outcome | None:
    """What a bot report means for the recording; None means "nothing we understand".

    `done` alone is not success: success is a finished mixed video with a download URL, in
    any of the bot's recordings.
    """
    if report.has_video:
        return Outcome(State.READY)
    code = report.latest_code
    if code == "fatal":
        return Outcome(State.FAILED, "fatal", report.latest_sub_code)
    if code == "media_expired":
        return Outcome(State.FAILED, "media_expired")
    if code == "done":
        return _decide_done(report)
    if code is None:
        return None
    target = STATUS_TARGETS.get(code)
    if target is None:
        if code not in _unknown_codes_logged:
            _unknown_codes_logged.add(code)
            log.warning("Recall reported unknown bot status %r; treating it as still running", code)
        return None
    return Outcome(target, None, report.latest_sub_code)


def _decide_done(report: BotReport) -> Outcome:
    """The bot has finished, no recording has a video yet: is one still coming, and if not, why?

    Each recording (one per start of recording) has its own video: wait while any of them may
    still produce one, and fail only when none can.
    """
    recordings = report.recordings
    if any(_video_may_come(r) for r in recordings):
        return Outcome(State.PROCESSING)
    if any("failed" in (r.video_status, r.status) for r in recordings):
        return Outcome(State.FAILED, "video_failed")
    if any("deleted" in (r.video_status, r.status) for r in recordings):
        return Outcome(State.FAILED, "media_deleted")
    # The bot finished without recording anything: the call_ended sub_code says why
    # (e.g. never admitted from the waiting room).
    if report.call_ended_sub_code:
        return Outcome(State.FAILED, "call_ended", report.call_ended_sub_code)
    return Outcome(State.FAILED, "no_video")


def _video_may_come(recording: RecordingReport) -> bool:
    """A video still processing (or `done` whose link has not appeared yet, or a status we
    don't know), in a recording that itself neither failed nor was deleted."""
    if recording.video_status is None or recording.status in ("failed", "deleted"):
        return False
    return recording.video_status not in ("failed", "deleted")


def may_move(current: State, target: State) -> bool:
    """Is `current` → `target` a move the transition table allows?"""
    return target in ALLOWED[current]


def advance(current: State, target: State) -> State | None:
    """The state to move to, or None if the move would go backwards or leave a final state."""
    if target == current or target not in ALLOWED[current]:
        return None
    return target
