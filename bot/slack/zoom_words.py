"""What slack-record says in Slack about connecting Zoom accounts (`/record connect zoom`,
`/record disconnect zoom`) and Zoom's on-behalf-of rule. Pure builders."""

from __future__ import annotations

from bot.model.meeting_links import Platform
from bot.model.recording import Recording

RULE = (
    "Since March 2026 Zoom lets a recorder into a meeting hosted outside this app's Zoom "
    "account only on behalf of someone who is in the meeting."
)


def connect_link(url: str) -> str:
    return (
        f"{RULE} Connect your Zoom account so the recorder can join on your behalf: "
        f"<{url}|connect Zoom> (this link is yours alone, works once and for 10 minutes). "
        "Afterwards the recorder joins once you are in the meeting, and leaves when you leave."
    )


def disconnected(was_connected: bool) -> str:
    if not was_connected:
        return "Your Zoom account isn't connected, so there was nothing to disconnect."
    return (
        "Your Zoom account is disconnected: its tokens are deleted here and revoked at Zoom. "
        "`/record connect zoom` connects it again."
    )


def not_set_up() -> str:
    return (
        "This app isn't set up to connect Zoom accounts. Whoever runs it can turn this on "
        "with ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET."
    )


def hint(recording: Recording) -> str | None:
    """A one-line hint after /record of a Zoom meeting by someone who has not connected Zoom."""
    if recording.request.platform != Platform.ZOOM.value:
        return None
    return (
        "Tip: if this meeting is hosted outside your company's Zoom account, Zoom only admits "
        "the recorder on your behalf: `/record connect zoom` once, then join the meeting."
    )
