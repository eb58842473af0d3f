"""Telling the people in a meeting that it is recorded, and letting them object.

When the recorder joins, it writes a notice in the meeting chat: who asked to record, from
which Slack workspace, and how to object. Where the platform lets bots read the chat too, anyone
in the meeting can type the stop phrase there to make the recorder leave.

Recall's "Sending Chat Messages" and "Receiving Chat Messages" pages say which platforms allow
what: bots write and read the chat on Zoom, Google Meet (500 characters a message) and
Microsoft Teams (only if the meeting lets guests chat); Webex and GoTo Meeting have no bot chat
at all. The notice is then simply not sent, and the status message says so.

Pure data and functions: bot/workflow/meeting_setup.py decides for each recording.
"""

from __future__ import annotations

import html
import re
import string
from dataclasses import dataclass
from enum import StrEnum

from bot.model.meeting_links import Platform

# Recall's limit for a chat message, and the platforms that have a smaller one.
MAX_NOTICE = 4096
NOTICE_LIMITS = {Platform.GOOGLE_MEET: 500}
# Where bots may write in the meeting chat, and read it (the same platforms, as Recall says).
CHAT_PLATFORMS = frozenset(
    {
        Platform.ZOOM,
        Platform.GOOGLE_MEET,
        Platform.MICROSOFT_TEAMS,
        Platform.MICROSOFT_TEAMS_LIVE,
    }
)
# Teams shows the chat to the recorder only when the meeting lets guests chat.
GUEST_CHAT_ONLY = frozenset({Platform.MICROSOFT_TEAMS, Platform.MICROSOFT_TEAMS_LIVE})

PLACEHOLDERS = ("requester", "workspace", "stop_phrase")
DEFAULT_STOP_PHRASE = "stop recording"
MAX_STOP_PHRASE = 100

# Both well under Google Meet's 500 characters, whatever the names put in them.
DEFAULT_NOTICE = (
    "This meeting is being recorded by slack-record. {requester} asked for the recording in "
    "{workspace}, where the video will be shared. If you do not want to be recorded, say so, "
    'or type "{stop_phrase}" in this chat and the recorder will leave.'
)
DEFAULT_NOTICE_NO_STOP = (
    "This meeting is being recorded by slack-record. {requester} asked for the recording in "
    "{workspace}, where the video will be shared. If you do not want to be recorded, say so "
    "and ask {requester} to stop it, or remove the recorder from the meeting."
)
MAX_NAME = 80  # of a requester's or participant's name, as shown


class NoticeStatus(StrEnum):
    SENT = "sent"  # Recall writes the notice in the meeting chat when the recorder joins
    OFF = "off"  # CONSENT_MESSAGE=off: nobody is told by the recorder
    NO_CHAT = "no_chat"  # the platform does not let bots write in its chat


class TemplateError(ValueError):
    """A CONSENT_MESSAGE that cannot be used; the message says why, in plain words."""


@dataclass(frozen=True)
class ConsentPolicy:
    """The app's choices (from CONSENT_MESSAGE and CHAT_STOP_PHRASE)."""

    template: str | None = None  # None: the default words
    notice_on: bool = True  # False: CONSENT_MESSAGE=off
    stop_phrase: str | None = DEFAULT_STOP_PHRASE  # None: CHAT_STOP_PHRASE=off

    def template_for(self, chat_stop: bool) -> str:
        if self.template is not None:
            return self.template
        return DEFAULT_NOTICE if chat_stop else DEFAULT_NOTICE_NO_STOP


@dataclass(frozen=True)
class MeetingPolicy:
    """What every new recorder is set up with (from the environment)."""

    consent: ConsentPolicy = ConsentPolicy()
    retention_hours: int | None = 168  # Recall's default for timed retention; None: forever
    can_hear_chat: bool = False  # Recall can deliver the meeting chat to us (a public URL)
    zoom_on_behalf: bool = False  # Zoom accounts can be connected (ZOOM_CLIENT_ID/SECRET)


@dataclass(frozen=True)
class Notice:
    text: str | None
    status: NoticeStatus
    chat_stop: bool


def check_template(template: str) -> list[str]:
    """The placeholders a CONSENT_MESSAGE uses; TemplateError for one we don't fill in, or for
    braces that are not a placeholder (write `{{` and `}}` for literal braces)."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise TemplateError("has an unmatched { or } (write {{ or }} for a brace itself)") from exc
    unknown = sorted({name for name in fields if name not in PLACEHOLDERS})
    if unknown:
        known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        raise TemplateError(f"uses {', '.join(f'{{{u}}}' for u in unknown)}; it may use {known}")
    return fields


def decide_notice(
    policy: ConsentPolicy,
    platform: str,
    requester: str,
    workspace: str,
    can_hear_chat: bool,
) -> Notice:
    """What the recorder says in the meeting chat, and whether the stop phrase works there.

    `can_hear_chat`: Recall has somewhere to deliver the chat to (a public address)."""
    chat = _platform(platform) in CHAT_PLATFORMS
    chat_stop = chat and can_hear_chat and policy.stop_phrase is not None
    if not policy.notice_on:
        return Notice(None, NoticeStatus.OFF, chat_stop)
    if not chat:
        return Notice(None, NoticeStatus.NO_CHAT, False)
    text = policy.template_for(chat_stop).format(
        requester=_short(requester) or "Someone",
        workspace=_short(workspace) or "Slack",
        stop_phrase=policy.stop_phrase or "",
    )
    limit = NOTICE_LIMITS.get(_platform(platform), MAX_NOTICE)
    return Notice(_fit(text, limit), NoticeStatus.SENT, chat_stop)


def is_stop_request(text: str, phrase: str) -> bool:
    """Does a chat message ask the recorder to leave? True when the message, read as plain
    words (formatting, case, spacing and surrounding punctuation aside), is the phrase."""
    return _plain(text) == _plain(phrase) != ""


_TAGS = re.compile(r"<[^>]*>")  # Teams sends formatted messages as HTML
# Around the phrase: punctuation, quotes (curly ones too, as phones type them), markup.
_EDGE_PUNCTUATION = " \t\n\r.,;:!?\"'\u201c\u201d\u2018\u2019\u00ab\u00bb()[]*_~`"


def _plain(text: str) -> str:
    words = html.unescape(_TAGS.sub(" ", text)).casefold().split()
    return " ".join(words).strip(_EDGE_PUNCTUATION)


def _platform(platform: str) -> Platform | None:
    try:
        return Platform(platform)
    except ValueError:
        return None


def _short(name: str) -> str:
    name = " ".join("".join(c for c in name if c.isprintable()).split())
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"


def _fit(text: str, limit: int) -> str:
    """Within a platform's limit: cut at a word, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    return (head.rsplit(" ", 1)[0] if " " in head else head) + "…"


def participant_name(name: object) -> str | None:
    """A participant's name as the meeting shows it, made safe to keep and show."""
    return _short(name) or None if isinstance(name, str) else None
