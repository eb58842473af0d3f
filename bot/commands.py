"""Reading the text after `/record` into a command, or a friendly reason it is not one.

Slack sends the text as typed, or with links wrapped as `<url>` / `<url|label>` (the label may
contain spaces); both arrive here. Anything that is not a command raises `CommandError`, whose
message is shown to the user as is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.meetings import MeetingLink, MeetingLinkError, parse_meeting_link
from bot.messages import USAGE

# Slack's own limit on command text is a few thousand characters; no meeting link is longer.
MAX_TEXT_LENGTH = 4000
_WRAPPED_LINK = re.compile(r"<([^<>|\s]+)\|[^<>]*>")
HELP_WORDS = frozenset({"help", "-h", "--help", "?", "usage"})


class CommandError(ValueError):
    """The text is not a command; `str(error)` says so in plain words, with usage."""


@dataclass(frozen=True)
class HelpCommand:
    pass


@dataclass(frozen=True)
class RecordCommand:
    link: MeetingLink


Command = HelpCommand | RecordCommand


def parse_command(text: str | None) -> Command:
    text = (text or "").strip()
    if not text:
        raise CommandError(f"Which meeting should I record? {USAGE}")
    if len(text) > MAX_TEXT_LENGTH:
        raise CommandError(f"That is far too long to be a meeting link. {USAGE}")
    # `<url|label with spaces>` is one word to the user; keep it one word here.
    words = _WRAPPED_LINK.sub(r"<\1>", text).split()
    if words[0].lower() in HELP_WORDS:
        return HelpCommand()
    if len(words) > 1:
        raise CommandError(f"I only need the meeting link after `/record`. {USAGE}")
    try:
        return RecordCommand(parse_meeting_link(words[0]))
    except MeetingLinkError as exc:
        raise CommandError(f"{exc}\n{USAGE}") from exc
