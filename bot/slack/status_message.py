"""The recording's one living message in the channel, and the thread replies that notify.

`render(recording, now, video)` says what the status message shows for the recording's state;
`fingerprint` says when it needs editing (state, stop requests, and recording time in 5-minute
steps, so a long meeting costs a dozen edits an hour, not one per poll). Edits notify nobody,
so the moments that matter (waiting room, no permission to record, ready, failed) also get a
thread reply that mentions the requester.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
    VideoBlock,
)

from bot.model.explanations import explain
from bot.model.lifecycle import State
from bot.model.recording import Recording
from bot.slack import meeting_notes
from bot.slack.meeting_notes import stopper
from bot.slack.messages import (
    MAX_BUTTON_URL,
    Message,
    blocks,
    channel_unreachable,
    escape,
    format_duration,
    meeting_name,
    platform_label,
    slack_time,
)

STOPPABLE = frozenset({State.JOINING, State.WAITING_ROOM, State.IN_CALL, State.RECORDING})
DEFAULT_BOT_NAME = "slack-record (recording)"


@dataclass(frozen=True)
class VideoLink:
    """Recall's own signed link: only used when the app has no public address of its own."""

    url: str
    expires_at: datetime | None = None


@dataclass(frozen=True)
class LinkStyle:
    """How finished recordings are linked (from PUBLIC_BASE_URL and SLACK_UNFURL_DOMAINS)."""

    public_base_url: str | None = None
    embed: bool = False  # Slack's video block, playing our embed page inside Slack

    def durable(self, rec: Recording, page: str = "") -> str | None:
        if not (self.public_base_url and rec.sharing.token):
            return None
        return f"{self.public_base_url}/r/{rec.sharing.token}{page}"


def fingerprint(rec: Recording, now: datetime) -> str:
    """Changes exactly when the status message should be edited."""
    parts = [
        rec.state.value,
        rec.stop.requested_by or "",
        str(rec.request.join_at or ""),
        str(rec.sharing.deleted_at or ""),
        str(rec.sharing.media_lost_at or ""),
    ]
    if rec.state == State.IN_CALL:
        parts.append(str(rec.recall.status == "recording_permission_denied"))
    if rec.state == State.RECORDING:
        parts.append(str(_elapsed_minutes(rec, now) // 5))
    if rec.retention.expired(now):
        parts.append("expired")
    return "|".join(parts)


def render(
    rec: Recording, now: datetime, video: VideoLink | None = None, links: LinkStyle | None = None
) -> Message:
    message = _render(rec, now, video, links)
    if rec.slack.status_channel and rec.slack.status_channel != rec.request.channel_id:
        # Delivered to the requester's DM instead of the channel: keep saying why.
        note = blocks(
            ContextBlock(
                elements=[MarkdownTextObject(text=channel_unreachable(rec.request.channel_id))]
            )
        )
        return Message(
            text=message.text,
            blocks=message.blocks + note,
            fallback_blocks=message.fallback_blocks + note if message.fallback_blocks else None,
        )
    return message


def _render(
    rec: Recording, now: datetime, video: VideoLink | None, links: LinkStyle | None
) -> Message:
    name = escape(meeting_name(rec))
    bot = _bot_name(rec)
    who = f"<@{rec.request.user_id}>"
    state = rec.state
    links = links or LinkStyle()
    if rec.sharing.deleted_at:
        line = f":wastebasket: The recording of {name} was deleted by <@{rec.sharing.deleted_by}>."
        return Message(text=_plain(line), blocks=blocks(_section(line), _context(name, who)))
    if state == State.READY and rec.sharing.media_lost_at:
        return meeting_notes.lost(rec, name, who)
    if state == State.READY and rec.retention.expired(now):
        return meeting_notes.expired(rec, name, who)
    if state == State.READY and links.durable(rec):
        return _ready_durable(rec, name, who, links)
    if state == State.READY and video is not None:
        return _ready(rec, name, who, video)
    if state == State.FAILED:
        return _failed(rec, name, who)
    if state == State.CANCELLED:
        canceller = stopper(rec) or who
        line = f":no_entry_sign: The recording of {name} was cancelled by {canceller}."
        return Message(text=line, blocks=blocks(_section(line), _context(name, who)))
    line = _progress_line(rec, now, name, who, bot)
    parts = [_section(line), _context(name, who, stopper(rec)), *meeting_notes.context_blocks(rec)]
    if rec.stop.requested_by is None:
        if state in STOPPABLE:
            parts.append(_button("stop_recording", "Stop recording", rec.id, _STOP_CONFIRM))
        elif state == State.SCHEDULED:
            parts.append(_button("cancel_recording", "Cancel", rec.id, _CANCEL_CONFIRM))
    return Message(text=_plain(line), blocks=blocks(*parts))


def thread_alert(rec: Recording, alert: str) -> str:
    """The thread reply for a moment that matters; it mentions the requester."""
    name = escape(meeting_name(rec))
    who = f"<@{rec.request.user_id}>"
    if alert == "waiting_room":
        return (
            f"{who} the recorder is waiting to be let into {name}. "
            f"Ask the host to admit “{_bot_name(rec)}”."
        )
    if alert == "permission_denied":
        why = explain("recording_permission_denied", rec.recall.sub_code)
        words = _words(why.summary, why.advice)
        return f"{who} the recorder is in {name} but can't record yet: {words}"
    if alert == "chat_stop":
        return meeting_notes.chat_stop_alert(rec, name, who)
    if alert == "ready":
        ran = format_duration(rec.duration_seconds)
        return f"{who} your recording of {name} is ready" + (f" ({ran})." if ran else ".")
    why = explain(rec.failure.reason, rec.failure.sub_code)
    return f"{who} no recording of {name}: {_words(why.summary, why.advice)}"


def _progress_line(rec: Recording, now: datetime, name: str, who: str, bot: str) -> str:
    platform = platform_label(rec.request.platform)
    stopping = f" Stopping (asked by {stopper(rec)})…" if rec.stop.requested_by else ""
    match rec.state:
        case State.SCHEDULED:
            when = slack_time(rec.request.join_at) if rec.request.join_at else "the scheduled time"
            return (
                f":calendar: {who} scheduled a recorder for a {platform} meeting. "
                f"“{bot}” joins {when}.{stopping}"
            )
        case State.WAITING_ROOM:
            return (
                f":door: The recorder is waiting to be let in. "
                f"Ask the host to admit “{bot}”.{stopping}"
            )
        case State.IN_CALL if rec.recall.status == "recording_permission_denied":
            why = explain("recording_permission_denied", rec.recall.sub_code)
            return (
                ":no_entry: The recorder is in the meeting but isn't allowed to record. "
                f"{_words(why.summary, why.advice)}{stopping}"
            )
        case State.IN_CALL:
            return f":eyes: “{bot}” is in the meeting; recording starts shortly.{stopping}"
        case State.RECORDING:
            started = rec.recall.started_at
            since = f" since {slack_time(started)}" if started else ""
            minutes = _elapsed_minutes(rec, now)
            so_far = f" · {minutes // 5 * 5}+ min so far" if minutes >= 5 else ""
            return f":red_circle: *Recording*{since}{so_far}.{stopping}"
        case State.PROCESSING:
            return ":gear: The meeting has ended. The video is being prepared…"
        case _:
            return (
                f":hourglass_flowing_sand: {who} asked to record a {platform} meeting. "
                f"A recorder (“{bot}”) is joining.{stopping}"
            )


def _ready(rec: Recording, name: str, who: str, video: VideoLink) -> Message:
    """Without a public address of our own: Recall's link, labelled with when it dies."""
    details = _ready_details(rec, who)
    if video.expires_at:
        details += f" · link works until {slack_time(video.expires_at)}"
    text = f":movie_camera: *Recording ready:* {name}\n<{video.url}|Watch the video>"
    accessory = None
    if len(video.url) <= MAX_BUTTON_URL:
        accessory = ButtonElement(text="Watch recording", url=video.url, action_id="open_recording")
    return Message(
        text=f"{_ready_summary(rec, name, who)}. Watch: {video.url}",
        blocks=blocks(
            SectionBlock(text=MarkdownTextObject(text=text), accessory=accessory),
            ContextBlock(elements=[MarkdownTextObject(text=details)]),
        ),
    )


def _ready_durable(rec: Recording, name: str, who: str, links: LinkStyle) -> Message:
    watch = links.durable(rec, "/watch") or ""
    video = links.durable(rec) or ""
    links_line = f"<{watch}|Watch the recording> · <{video}|Download MP4>"
    text = f":movie_camera: *Recording ready:* {name}\n{links_line}"
    section = SectionBlock(
        text=MarkdownTextObject(text=text),
        accessory=ButtonElement(text="Watch", url=watch, action_id="open_recording"),
    )
    context = ContextBlock(elements=[MarkdownTextObject(text=_ready_details(rec, who))])
    summary = _ready_summary(rec, name, who)
    fallback = blocks(section, context)
    if not links.embed:
        return Message(text=f"{summary}. Watch: {watch}", blocks=fallback)
    player = VideoBlock(
        alt_text=f"Recording of {meeting_name(rec)}"[:200],
        title=PlainTextObject(text=meeting_name(rec)[:199]),
        title_url=watch,
        video_url=links.durable(rec, "/embed"),
        thumbnail_url=f"{links.public_base_url}/static/thumbnail.png",
        provider_name="slack-record",
    )
    # If Slack refuses the video block (app or workspace not set up for it), post without it.
    return Message(
        text=f"{summary}. Watch: {watch}",
        blocks=blocks(section, player, context),
        fallback_blocks=fallback,
    )


def _ready_details(rec: Recording, who: str) -> str:
    details = [f"Requested by {who}"]
    ran = format_duration(rec.duration_seconds)
    if ran:
        details.append(f"ran {ran}")
    if rec.stop.requested_by:
        details.append(f"stopped by {stopper(rec)}")
    if rec.request.separate_videos:
        details.append("per-participant videos are in Recall")
    if available := meeting_notes.availability(rec):
        details.append(available)
    return " · ".join(details)


def _ready_summary(rec: Recording, name: str, who: str) -> str:
    ran = format_duration(rec.duration_seconds)
    return f"Recording ready: {name}, requested by {who}" + (f", ran {ran}" if ran else "")


def _failed(rec: Recording, name: str, who: str) -> Message:
    why = explain(rec.failure.reason, rec.failure.sub_code)
    words = escape(why.summary)
    if rec.failure.detail:
        words += f" Recall said: “{escape(rec.failure.detail[:300])}”"
    if why.advice:
        words += f"\n{escape(why.advice)}"
    line = f":warning: *No recording of {name}* (requested by {who})\n{words}"
    return Message(
        text=f"No recording of {name} (requested by {who}). {words}",
        blocks=blocks(_section(line), _context(name, who, stopper(rec), stopped=True)),
    )


_STOP_CONFIRM = ConfirmObject(
    title="Stop recording?",
    text="The recorder leaves the meeting. What it has recorded so far is still posted here.",
    confirm="Stop recording",
    deny="Keep recording",
)
_CANCEL_CONFIRM = ConfirmObject(
    title="Cancel the recorder?",
    text="The scheduled recorder will not join the meeting.",
    confirm="Cancel it",
    deny="Keep it",
)


def _button(action_id: str, label: str, value: str, confirm: ConfirmObject) -> ActionsBlock:
    return ActionsBlock(
        block_id="controls",
        elements=[
            ButtonElement(
                text=label, action_id=action_id, value=value, style="danger", confirm=confirm
            )
        ],
    )


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def _context(
    name: str, who: str, stopped_by: str | None = None, stopped: bool = False
) -> ContextBlock:
    line = f"{name} · requested by {who}"
    if stopped_by:
        line += f" · {'stopped' if stopped else 'stop asked'} by {stopped_by}"
    return ContextBlock(elements=[MarkdownTextObject(text=line)])


def _bot_name(rec: Recording) -> str:
    return escape(rec.request.bot_name or DEFAULT_BOT_NAME)


def _words(summary: str, advice: str | None) -> str:
    return escape(summary + (f" {advice}" if advice else ""))


def _elapsed_minutes(rec: Recording, now: datetime) -> int:
    started = rec.recall.started_at
    return max(0, int((now - started).total_seconds() // 60)) if started else 0


def _plain(line: str) -> str:
    """The notification text: the status line without emoji codes."""
    return line.split(" ", 1)[1] if line.startswith(":") else line
