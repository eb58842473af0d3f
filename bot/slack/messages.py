"""The words slack-record says in Slack outside the status message: replies to commands,
help, listings, private notes. Builders are pure functions, so tests pin exact words.

Anything that did not come from our own code (meeting links, names people type, Recall's
words) goes through `escape` before it reaches mrkdwn, so nobody can smuggle `<!channel>` or a
disguised link in. Mentions are only ever built from Slack's own user ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.model.explanations import explain
from bot.model.meeting_links import MeetingLinkError, Platform, parse_meeting_link
from bot.model.recording import Recording

# Slack's limits: a button URL may be 3,000 characters, a section's text 3,000.
MAX_BUTTON_URL = 3000

HELP = """\
*slack-record* sends a recorder into a meeting and posts the video here when it ends.
• `/record <meeting link>`: record a Zoom, Google Meet, Microsoft Teams, Webex or GoTo Meeting \
call now. Paste the whole invite link; for Zoom keep the `?pwd=` part or the recorder can't get in.
• `/record <link> --name "Design review"`: the name the recorder shows in the meeting.
• `/record <link> --layout speaker` or `--layout gallery`: who is talking, large (default), \
or a grid.
• `/record <link> --separate`: also one video per participant (uses the gallery layout).
• `/record <link> --at 14:30`: join later. Also `--at 2:30pm`, `--at "tomorrow 9am"`, \
`--at "in 20m"`, `--at 2026-11-27T14:30`. Times are in your Slack time zone.
• `/record stop [<link>]`: make the recorder leave (or cancel a scheduled one). What was \
recorded so far is still posted. Only the person who asked, or a workspace admin, can stop it.
• `/record delete <recording link>`: delete a finished recording for good: its link stops \
working and Recall deletes the video. Paste the Watch link (or the meeting's link for its \
latest recording). Only the person who asked, or a workspace admin, can delete it.
• `/record list`: recordings in this channel, running and recent.
• `/record connect zoom`: let the recorder join Zoom meetings hosted outside your company's \
Zoom account on your behalf (Zoom's rule: it joins once you are in, and leaves when you \
leave). `/record disconnect zoom` undoes it.
• `/record search <words>`: find where this channel's recordings mention them (use \
"quotes" for a phrase); each result links to that moment of the video.
• `/record help`: this message.
Options can go in any order. The recorder joins as a participant: if the meeting has a waiting \
room, the host must let it in. One meeting gets one recorder: asking again points you to the \
one already there."""


@dataclass(frozen=True)
class Message:
    text: str  # the plain-text fallback: notifications, screen readers, old clients
    blocks: list[dict[str, Any]] = field(default_factory=list)
    # Blocks to use instead if Slack refuses `blocks` (e.g. a video block it won't embed).
    fallback_blocks: list[dict[str, Any]] | None = None


def escape(value: str) -> str:
    """Make external text inert in mrkdwn: `&`, `<` and `>` are the only control characters."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def meeting_name(recording: Recording) -> str:
    """e.g. "Zoom meeting 812 3456 7890"; never includes the passcode."""
    try:
        return parse_meeting_link(recording.request.meeting_url).display_name
    except MeetingLinkError:
        return f"{platform_label(recording.request.platform)} meeting"


def accepted(recording: Recording) -> str:
    """The private reply to /record, sent within Slack's 3 seconds."""
    platform = platform_label(recording.request.platform)
    if recording.request.join_at_text or recording.request.join_at:
        when = recording.request.join_at_text or "the time you gave"
        return (
            f"Scheduling a recorder for your {platform} meeting ({escape(when)}, your time). "
            "I'll post the video in this channel when the meeting ends."
        )
    return (
        f"Sending a recorder to your {platform} meeting. "
        "I'll post the video in this channel when the meeting ends."
    )


def already_recording(existing: Recording) -> str:
    where = message_link(existing)
    name = escape(meeting_name(existing))
    if where:
        return (
            f"{name} already has a recorder: see <{where}|its status message>. "
            "No second one was sent."
        )
    return (
        f"{name} already has a recorder on its way (asked by <@{existing.request.user_id}>). "
        "No second one was sent."
    )


def huddle_not_supported() -> str:
    return (
        "Slack huddles can't be joined from a link. Recall records huddles through its own "
        "Slack huddle bot: a Slack admin connects it once in the Recall dashboard "
        "(Slack huddles integration), then it can join huddles in this workspace. "
        "For Zoom, Google Meet, Teams, Webex or GoTo links, use `/record <link>`."
    )


def not_started(recording: Recording) -> str:
    """To the requester alone: Recall never took the request, so the channel saw nothing."""
    explanation = explain(recording.failure.reason, recording.failure.sub_code)
    words = f"I couldn't send a recorder to {meeting_name(recording)}. {explanation.summary}"
    if recording.failure.detail:
        words += f" {recording.failure.detail[:300]}"
    if explanation.advice:
        words += f"\n{explanation.advice}"
    return escape(words)


def waiting_for_recorder() -> str:
    return (
        "All of Recall's recorders are busy right now. I'll keep trying for a few minutes "
        "and tell you as soon as one is on its way."
    )


def cannot_post_here() -> str:
    return (
        "Heads-up: I can't post in this conversation (a private channel I'm not in, or a DM), "
        "so the recording will come to you as a direct message. To have it posted here, "
        "invite me first: `/invite @slack-record`."
    )


def channel_unreachable(channel_id: str) -> str:
    return (
        f"I couldn't post in <#{channel_id}>, so I'm sending this to you directly. "
        "Invite me to that channel (`/invite @slack-record`) to have recordings posted there."
    )


def listing(live: list[Recording], recent: list[Recording], now: datetime) -> str:
    """`/record list`: this channel's running recordings, then recent finished ones."""
    if not live and not recent:
        return (
            "No recordings in this channel in the last 7 days. "
            "Start one with `/record <meeting link>`."
        )
    lines = []
    if live:
        lines.append("*Running*")
        lines += [_list_line(r, now) for r in live]
    if recent:
        lines.append("*Recent*")
        lines += [_list_line(r, now) for r in recent]
    return "\n".join(lines)


def _list_line(rec: Recording, now: datetime) -> str:
    name = escape(meeting_name(rec))
    link = message_link(rec)
    shown = f"<{link}|{name}>" if link else name
    state = STATE_WORDS.get(rec.state.value, rec.state.value)
    if rec.state.value == "failed":
        state += f": {escape(explain(rec.failure.reason, rec.failure.sub_code).summary)}"
    ran = format_duration(rec.duration_seconds) if rec.state.value == "ready" else None
    extra = f", ran {ran}" if ran else ""
    when = slack_time(rec.created_at or now, "date_short_pretty")
    return f"• {shown}: {state}{extra} · asked by <@{rec.request.user_id}> {when}"


STATE_WORDS = {
    "requested": "starting",
    "scheduled": "scheduled",
    "joining": "joining",
    "waiting_room": "waiting to be let in",
    "in_call": "in the meeting",
    "recording": "recording",
    "processing": "preparing the video",
    "ready": "ready",
    "failed": "no recording",
    "cancelled": "cancelled",
}


def message_link(rec: Recording) -> str | None:
    """A link to the recording's status message, when we know enough to build one."""
    if not (rec.request.team_domain and rec.slack.status_channel and rec.slack.status_ts):
        return None
    message_id = "p" + rec.slack.status_ts.replace(".", "")
    return f"https://{rec.request.team_domain}.slack.com/archives/{rec.slack.status_channel}/{message_id}"


def format_duration(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    minutes = round(seconds / 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def slack_time(moment: datetime, style: str = "date_short_pretty} {time") -> str:
    """Shown in each reader's own time zone by Slack; the fallback is UTC."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{{style}}}|{fallback}>"


def platform_label(platform: str) -> str:
    try:
        return Platform(platform).label
    except ValueError:
        return "online"


def blocks(*items: Any) -> list[dict[str, Any]]:
    return [item.to_dict() for item in items]
