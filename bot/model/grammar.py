"""Reading the text after `/record` into a command, or a friendly reason it is not one.

    /record <link> [--name "Design review"] [--layout speaker|gallery] [--separate] [--at TIME]
    /record stop [<link>]
    /record delete <recording link>
    /record list
    /record search <words>
    /record help
    /record connect zoom | /record disconnect zoom

Options may come in any order, before or after the link. Slack sends the text as typed, or
with links wrapped as `<url>` / `<url|label>` (the label may contain spaces); phones and Macs
turn quotes into “curly” ones and `--` into `—`. All of that is accepted. Anything that is not a
command raises `CommandError`, whose message is shown to the user as is.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from datetime import datetime

from bot.model.join_time import JoinTime, JoinTimeError, parse_join_time
from bot.model.meeting_links import MeetingLink, MeetingLinkError, parse_meeting_link
from bot.model.search_query import SearchQuery, SearchQueryError, parse_search

# Slack's own limit on command text is a few thousand characters; no command is longer.
MAX_TEXT_LENGTH = 4000
MAX_BOT_NAME = 100  # Recall's limit for bot_name
# What shlex.split treats specially (its whitespace, quotes and escape); text with no quote
# or escape splits exactly the same on its whitespace alone.
_SHELL_QUOTING = re.compile(r"[\"'\\]")
_SHELL_WHITESPACE = re.compile(r"[ \t\r\n]+")
_WRAPPED_LINK = re.compile(r"<([^<>|\s]+)\|[^<>]*>")
# Curly double quotes, as phones and Macs type them, become straight ones. Curly single quotes
# only count as quotes when an opening one is present; otherwise U+2019 is an apostrophe.
_CURLY_DOUBLE = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"'})
_CURLY_SINGLE = str.maketrans({"\u2018": "'", "\u2019": "'"})
HELP_WORDS = frozenset({"help", "-h", "--help", "?", "usage"})
LAYOUTS = {"speaker": "speaker_view", "gallery": "gallery_view_v2"}
OPTIONS = ("--name", "--layout", "--separate", "--at")
VALID_OPTIONS = (
    '`--name "Bot name"`, `--layout speaker|gallery`, `--separate`, `--at 14:30` '
    '(or `--at "in 20m"`, `--at "tomorrow 9am"`, `--at 2026-11-27T14:30`)'
)


# The short answer to anything that is not a command (the whole list is `/record help`).
USAGE = (
    "Usage: `/record <meeting link>`, for example `/record https://zoom.us/j/81234567890?pwd=…`. "
    "`/record help` shows everything else."
)


class CommandError(ValueError):
    """The text is not a command; `str(error)` says so in plain words, with usage."""


@dataclass(frozen=True)
class HelpCommand:
    pass


@dataclass(frozen=True)
class ListCommand:
    pass


@dataclass(frozen=True)
class StopCommand:
    link: MeetingLink | None = None


@dataclass(frozen=True)
class DeleteCommand:
    target: str  # a recording's link (…/r/<token>), its token, or the meeting's link


@dataclass(frozen=True)
class RecordOptions:
    bot_name: str | None = None
    layout: str | None = None  # Recall's video_mixed_layout value
    separate: bool = False  # one MP4 per participant as well
    join_time: JoinTime | None = None


@dataclass(frozen=True)
class RecordCommand:
    link: MeetingLink
    options: RecordOptions = field(default_factory=RecordOptions)


@dataclass(frozen=True)
class SearchCommand:
    query: SearchQuery


@dataclass(frozen=True)
class ConnectCommand:
    service: str  # "zoom": connect the user's Zoom account (Zoom's on-behalf-of rule)


@dataclass(frozen=True)
class DisconnectCommand:
    service: str


CONNECTABLE = ("zoom",)

Command = (
    HelpCommand
    | ListCommand
    | StopCommand
    | DeleteCommand
    | RecordCommand
    | ConnectCommand
    | DisconnectCommand
    | SearchCommand
)


def parse_command(text: str | None, now: datetime) -> Command:
    head, *rest = (text or "").split(None, 1) or [""]
    if head.lower() == "search":  # read as typed: quotes make phrases, a lone one is fine
        return _search(rest[0] if rest else "")
    words = _words(text)
    first = words[0].lower()
    if first in HELP_WORDS:
        return HelpCommand()
    if first == "list":
        return _no_more(words, ListCommand())
    if first in ("stop", "cancel"):
        if len(words) > 2:
            raise CommandError("Usage: `/record stop` or `/record stop <meeting link>`.")
        return StopCommand(_link(words[1]) if len(words) == 2 else None)
    if first == "delete":
        if len(words) != 2:
            raise CommandError(
                "Usage: `/record delete <recording link>` (the Watch link from the message)."
            )
        return DeleteCommand(words[1].strip("<>"))
    if first in ("connect", "disconnect"):
        return _connection(first, words)
    return _record(words, now)


def _connection(verb: str, words: list[str]) -> ConnectCommand | DisconnectCommand:
    if len(words) != 2 or words[1].lower() not in CONNECTABLE:
        raise CommandError(f"Usage: `/record {verb} zoom`.")
    service = words[1].lower()
    return ConnectCommand(service) if verb == "connect" else DisconnectCommand(service)


def _words(text: str | None) -> list[str]:
    text = (text or "").strip()
    if not text:
        raise CommandError(f"Which meeting should I record? {USAGE}")
    if len(text) > MAX_TEXT_LENGTH:
        raise CommandError(f"That is far too long to be a meeting link. {USAGE}")
    # `<url|label with spaces>` is one word to the user; keep it one word here.
    text = _WRAPPED_LINK.sub(r"<\1>", text).translate(_CURLY_DOUBLE)
    if "\u2018" in text:
        text = text.translate(_CURLY_SINGLE)
    # Slack may send & < > as entities; undo that once, so names and links read as typed.
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    try:
        words = _split(text)
    except ValueError:
        # Most often a lone apostrophe ("Anna's"): read it as one, not as an open quote.
        try:
            words = shlex.split(re.sub(r"(?<=\w)'(?=\w)", "\u2019", text))
        except ValueError as exc:
            raise CommandError("A quote is missing its closing partner. " + USAGE) from exc
    # Autocorrect turns "--" into an em or en dash; give the user the option they meant.
    return [re.sub("^[\u2014\u2013]", "--", word) for word in words] or [""]


def _split(text: str) -> list[str]:
    """shlex.split, which is slow for what most commands are: a link and no quotes at all."""
    if _SHELL_QUOTING.search(text):
        return shlex.split(text)
    return [word for word in _SHELL_WHITESPACE.split(text) if word]


def _record(words: list[str], now: datetime) -> RecordCommand:
    links: list[str] = []
    values: dict[str, str | bool] = {}
    queue = list(words)
    while queue:
        word = queue.pop(0)
        if not word.startswith("-"):
            links.append(word)
            continue
        name, has_value, inline = word.partition("=")
        if name not in OPTIONS:
            raise CommandError(
                f"I don't know the option `{_safe(name)}`. Valid options: {VALID_OPTIONS}."
            )
        if name in values:
            raise CommandError(f"`{name}` is given twice.")
        if name == "--separate":
            if has_value:
                raise CommandError(
                    "`--separate` takes no value: add it to get one video per person."
                )
            values[name] = True
            continue
        if has_value:
            values[name] = inline
        elif queue and not queue[0].startswith("--"):
            values[name] = queue.pop(0)
            if name == "--at":
                values[name] = _rest_of_time(str(values[name]), queue)
        else:
            raise CommandError(f"`{name}` needs a value. Valid options: {VALID_OPTIONS}.")
    if not links:
        raise CommandError(f"Which meeting should I record? {USAGE}")
    if len(links) > 1:
        raise CommandError(f"I can record one meeting at a time: give just one link. {USAGE}")
    return RecordCommand(_link(links[0]), _options(values, now))


# Words that can continue an unquoted --at value: "in 1h 30m", "tomorrow 9 am", "2:30 pm",
# "2026-11-27 14:30".
_TIME_WORD = re.compile(r"^((\d[\d:]*[a-z]*)+|am|pm|h|hrs?|hours?|m|mins?|minutes?)$")


def _rest_of_time(first: str, queue: list[str]) -> str:
    """Let `--at in 20 min`, `--at tomorrow 9 am` and `--at 2:30 pm` work without quotes."""
    words = [first]
    while queue and len(words) < 5 and _TIME_WORD.match(queue[0].lower()):
        words.append(queue.pop(0))
    return " ".join(words)


def _options(values: dict[str, str | bool], now: datetime) -> RecordOptions:
    name = values.get("--name")
    if isinstance(name, str):
        name = " ".join("".join(c for c in name if c.isprintable()).split())
        if not name:
            raise CommandError('`--name` needs a name, like `--name "Design review recorder"`.')
        if len(name) > MAX_BOT_NAME:
            raise CommandError(f"`--name` can be at most {MAX_BOT_NAME} characters.")
    layout = values.get("--layout")
    if isinstance(layout, str):
        if layout.lower() not in LAYOUTS:
            raise CommandError(
                "`--layout` is `speaker` (who is talking, large) or `gallery` (a grid)."
            )
        layout = LAYOUTS[layout.lower()]
    separate = bool(values.get("--separate"))
    if separate:
        # Recall makes per-participant videos only with the gallery layout.
        if layout == LAYOUTS["speaker"]:
            raise CommandError(
                "`--separate` needs the gallery layout; leave out `--layout speaker`."
            )
        layout = LAYOUTS["gallery"]
    join_time = None
    at = values.get("--at")
    if isinstance(at, str):
        try:
            join_time = parse_join_time(at, now)
        except JoinTimeError as exc:
            raise CommandError(str(exc)) from exc
    return RecordOptions(
        bot_name=name if isinstance(name, str) else None,
        layout=layout if isinstance(layout, str) else None,
        separate=separate,
        join_time=join_time,
    )


def _link(word: str) -> MeetingLink:
    try:
        return parse_meeting_link(word)
    except MeetingLinkError as exc:
        raise CommandError(f"{exc}\n{USAGE}") from exc


def _search(text: str) -> SearchCommand:
    try:
        return SearchCommand(parse_search(text))
    except SearchQueryError as exc:
        raise CommandError(str(exc)) from exc


def _no_more(words: list[str], command: Command) -> Command:
    if len(words) > 1:
        raise CommandError(f"`/record {words[0]}` takes nothing after it. {USAGE}")
    return command


def _safe(word: str) -> str:
    return (
        word[:30].replace("`", "'").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    )
