"""Every message slack-record shows in Slack: Block Kit (slack-sdk block models) + plain text.

Builders are pure functions of a recording, so tests can pin the exact words a user sees.
Anything that did not come from our own code (meeting links, Recall's words) goes through
`escape` before it reaches mrkdwn, so nobody can smuggle `<!channel>` or a disguised link in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.explanations import explain
from bot.meetings import MeetingLinkError, Platform, parse_meeting_link
from bot.store import Recording

# Slack's limits: a button URL may be 3,000 characters, a section's text 3,000.
MAX_BUTTON_URL = 3000

USAGE = (
    "Usage: `/record <meeting link>`, for example `/record https://zoom.us/j/81234567890?pwd=…`\n"
    "I send a recorder into the meeting and post the video in this channel when it ends. "
    "Works with Zoom, Google Meet, Microsoft Teams, Webex and GoTo Meeting. "
    "`/record help` shows more."
)

HELP = (
    "*slack-record* records a meeting and posts the video here.\n"
    "• `/record <meeting link>`: send a recorder into a Zoom, Google Meet, Microsoft Teams, "
    "Webex or GoTo Meeting call. Paste the full invite link; for Zoom keep the `?pwd=` part, or "
    "the recorder cannot get in.\n"
    "• `/record help`: this message.\n"
    "The recorder appears in the meeting as a participant. If the meeting has a waiting room, "
    "the host must admit it. When the meeting ends and the video is ready (usually within a "
    "minute), I post it in this channel."
)


@dataclass(frozen=True)
class Message:
    text: str  # the plain-text fallback: notifications, screen readers, old clients
    blocks: list[dict[str, Any]] = field(default_factory=list)


def escape(value: str) -> str:
    """Make external text inert in mrkdwn (slack-platform reference §10)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def meeting_name(recording: Recording) -> str:
    """e.g. "Zoom meeting 812 3456 7890"; never includes the passcode."""
    try:
        return parse_meeting_link(recording.meeting_url).display_name
    except MeetingLinkError:
        return f"{_platform_label(recording.platform)} meeting"


def accepted(recording: Recording) -> str:
    """The ephemeral reply to /record, sent within Slack's 3 seconds."""
    platform = _platform_label(recording.platform)
    return (
        f"Sending a recorder to your {platform} meeting. "
        "I'll post the video in this channel when the meeting ends."
    )


def huddle_not_supported() -> str:
    return (
        "Slack huddles can't be joined from a link. Recall records huddles through its own "
        "Slack huddle bot: a Slack admin connects it once in the Recall dashboard "
        "(Slack huddles integration), then it can join huddles in this workspace. "
        "For Zoom, Google Meet, Teams, Webex or GoTo links, use `/record <link>`."
    )


def announcement(recording: Recording) -> Message:
    """Posted to the channel once Recall has accepted the bot."""
    name = escape(meeting_name(recording))
    platform = _platform_label(recording.platform)
    line = f"<@{recording.user_id}> asked to record a {platform} meeting. A recorder is joining."
    return Message(
        text=f"{line} ({name})",
        blocks=_blocks(
            SectionBlock(text=MarkdownTextObject(text=f":red_circle: {line}")),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"{name} · The video will be posted here when the meeting ends."
                    )
                ]
            ),
        ),
    )


def ready(recording: Recording, download_url: str, link_expires_at: datetime | None) -> Message:
    """The finished recording, as a video link, with who asked and how long it ran."""
    name = escape(meeting_name(recording))
    ran = format_duration(recording.duration_seconds)
    who = f"<@{recording.user_id}>"
    details = [f"Requested by {who}"]
    if ran:
        details.append(f"ran {ran}")
    if link_expires_at:
        details.append(f"link works until {_slack_time(link_expires_at)}")
    section = SectionBlock(
        text=MarkdownTextObject(
            text=f":movie_camera: *Recording ready:* {name}\n<{download_url}|Watch the video>"
        )
    )
    if len(download_url) <= MAX_BUTTON_URL:
        section = SectionBlock(
            text=section.text,
            accessory=ButtonElement(
                text="Watch recording", url=download_url, action_id="open_recording"
            ),
        )
    summary = f"Recording ready: {name}, requested by {who}" + (f", ran {ran}" if ran else "")
    return Message(
        text=f"{summary}. Watch: {download_url}",
        blocks=_blocks(
            section, ContextBlock(elements=[MarkdownTextObject(text=" · ".join(details))])
        ),
    )


def failed(recording: Recording) -> Message:
    """Why there is no video, in plain words, with what to do next when there is something."""
    name = escape(meeting_name(recording))
    explanation = explain(recording.failure_reason, recording.failure_sub_code)
    words = escape(explanation.summary)
    if recording.failure_detail:
        words += f" Recall said: “{escape(recording.failure_detail[:300])}”"
    if explanation.advice:
        words += f"\n{escape(explanation.advice)}"
    who = f"<@{recording.user_id}>"
    return Message(
        text=f"No recording of {name} (requested by {who}). {words}",
        blocks=_blocks(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f":warning: *No recording of {name}* (requested by {who})\n{words}"
                )
            )
        ),
    )


def not_started(recording: Recording) -> str:
    """To the requester alone: Recall never took the request, so the channel saw nothing."""
    explanation = explain(recording.failure_reason, recording.failure_sub_code)
    words = f"I couldn't send a recorder to {meeting_name(recording)}. {explanation.summary}"
    if recording.failure_detail:
        words += f" Recall said: “{recording.failure_detail[:300]}”"
    if explanation.advice:
        words += f"\n{explanation.advice}"
    return escape(words)


def waiting_for_recorder() -> str:
    return (
        "All of Recall's recorders are busy right now. I'll keep trying for a few minutes "
        "and tell you as soon as one is on its way."
    )


def channel_unreachable(channel_id: str) -> str:
    return (
        f"I couldn't post in <#{channel_id}>, so I'm sending this to you directly. "
        "Invite me to that channel (`/invite @slack-record`) to have recordings posted there."
    )


def format_duration(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    minutes = round(seconds / 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _slack_time(moment: datetime) -> str:
    """Shown in each reader's own time zone by Slack; the fallback is UTC."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def _platform_label(platform: str) -> str:
    try:
        return Platform(platform).label
    except ValueError:
        return "online"


def _blocks(*blocks: Any) -> list[dict[str, Any]]:
    return [block.to_dict() for block in blocks]
