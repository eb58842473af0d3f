"""What the status message says about the people in the meeting and the media's life: the
consent notice the recorder sent to the meeting chat (or why none was sent), the stop phrase,
Zoom's on-behalf-of rule, who asked to stop from the meeting chat, until when the recording is
available, and that it has expired or that Recall lost it. Pure builders, called from
bot/slack/status_message.py."""

from __future__ import annotations

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

from bot.model.consent import GUEST_CHAT_ONLY, NoticeStatus
from bot.model.lifecycle import State
from bot.model.meeting_links import Platform
from bot.model.recording import Recording
from bot.slack.messages import Message, blocks, escape, platform_label, slack_time

# Slack's limit for a context element's text is 2,000 characters; the notice may be 4,096.
MAX_SHOWN_NOTICE = 1200
# While the recorder may be in the meeting (or is about to be), the meeting's side is shown.
IN_PROGRESS = frozenset(
    {
        State.REQUESTED,
        State.SCHEDULED,
        State.JOINING,
        State.WAITING_ROOM,
        State.IN_CALL,
        State.RECORDING,
    }
)


def stopper(rec: Recording) -> str | None:
    """Who asked to stop, as the status message shows it: a Slack mention, or the name the
    participant has in the meeting, quoted and escaped (it is not a Slack user)."""
    if not rec.stop.requested_by:
        return None
    if rec.stop.from_meeting_chat:
        return f"“{escape(rec.stop.requested_by)}” in the meeting chat"
    return f"<@{rec.stop.requested_by}>"


def context_blocks(rec: Recording) -> list[ContextBlock]:
    """The meeting's side of a recording in progress, one context line each."""
    if rec.state not in IN_PROGRESS:
        return []
    lines = [line for line in (_notice_line(rec), _zoom_line(rec)) if line]
    return [ContextBlock(elements=[MarkdownTextObject(text=line)]) for line in lines]


def _notice_line(rec: Recording) -> str | None:
    meeting = rec.in_meeting
    platform = platform_label(rec.request.platform)
    stop = ""
    if meeting.chat_stop and not rec.stop.requested_by:
        stop = " Anyone in the meeting can type the stop phrase in its chat to make it leave."
    match meeting.notice_status:
        case NoticeStatus.SENT:
            shown = meeting.notice or ""
            if len(shown) > MAX_SHOWN_NOTICE:
                shown = shown[: MAX_SHOWN_NOTICE - 1] + "…"
            caveat = ""
            if _platform(rec) in GUEST_CHAT_ONLY:
                caveat = " (Teams shows it only if the meeting lets guests chat)"
            when = "tells" if rec.state in (State.REQUESTED, State.SCHEDULED) else "told"
            return (
                f":speech_balloon: On joining, the recorder {when} everyone in the meeting "
                f"chat{caveat}: “{escape(shown)}”{stop}"
            )
        case NoticeStatus.OFF:
            return (
                ":speech_balloon: The recorder sends no notice to the meeting chat (turned off "
                f"for this app): tell the people in the meeting that it records.{stop}"
            )
        case NoticeStatus.NO_CHAT:
            return (
                f":speech_balloon: {platform} doesn't let the recorder write in the meeting chat, "
                "so tell the people in the meeting yourself that it records."
            )
    return None


def _zoom_line(rec: Recording) -> str | None:
    if not rec.in_meeting.zoom_on_behalf:
        return None
    return (
        f":key: Zoom's rule: the recorder joins on behalf of <@{rec.request.user_id}>, only once "
        "they are in the meeting, and Zoom removes it when they leave."
    )


def availability(rec: Recording) -> str | None:
    """Until when the recording can be watched (for the ready message)."""
    if rec.retention.expires_at is not None:
        return f"available until {slack_time(rec.retention.expires_at)}"
    if rec.retention.kind == "forever":
        return "kept until someone deletes it"
    return None


def expired(rec: Recording, name: str, who: str) -> Message:
    """The status message once the media's retention has run out."""
    when = rec.retention.expires_at
    since = f" on {slack_time(when)}" if when else ""
    line = (
        f":hourglass: The recording of {name} has expired: the video was deleted{since}, "
        f"as this app keeps recordings {_kept(rec)}."
    )
    return _gone(line, name, who)


def _gone(line: str, name: str, who: str) -> Message:
    context = ContextBlock(elements=[MarkdownTextObject(text=f"{name} · requested by {who}")])
    return Message(
        text=line.split(" ", 1)[1],  # the notification's words, without the emoji
        blocks=blocks(SectionBlock(text=MarkdownTextObject(text=line)), context),
    )


def lost(rec: Recording, name: str, who: str) -> Message:
    """The status message once Recall no longer has the video, before the end of its retention
    (deleted there, or its media expired early)."""
    line = (
        f":wastebasket: The recording of {name} is no longer available: Recall deleted the "
        "video, so its transcript was deleted too."
    )
    return _gone(line, name, who)


def chat_stop_alert(rec: Recording, name: str, who: str) -> str:
    """The thread reply when someone in the meeting typed the stop phrase."""
    asker = escape(rec.stop.requested_by or "A participant")
    return (
        f"{who} “{asker}” asked the recorder to leave {name} from the meeting chat. "
        "What it recorded so far will be posted here."
    )


def _kept(rec: Recording) -> str:
    hours = rec.retention.hours
    if not hours:
        return "for a limited time"
    if hours % 24 == 0:
        days = hours // 24
        return f"for {days} day{'s' if days != 1 else ''}"
    return f"for {hours} hour{'s' if hours != 1 else ''}"


def _platform(rec: Recording) -> Platform | None:
    try:
        return Platform(rec.request.platform)
    except ValueError:
        return None
