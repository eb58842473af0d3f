"""The grammar of `/record`: what each text means, and what a user is told when it is no command.

The texts below contain the curly quotes and dashes that phones and Macs type, on purpose.
"""

# ruff: noqa: RUF001

from __future__ import annotations

import shlex
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.model import grammar as commands
from bot.model.grammar import (
    MAX_BOT_NAME,
    MAX_TEXT_LENGTH,
    Command,
    CommandError,
    HelpCommand,
    ListCommand,
    RecordCommand,
    RecordOptions,
    StopCommand,
    parse_command,
)
from bot.model.meeting_links import MeetingLink, parse_meeting_link

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ZOOM = "https://zoom.us/j/123?pwd=x"
# What Slack sends when the command's "escape channels, users, and links" option is on.
WRAPPED = "<https://zoom.us/j/123?pwd=x|Join Zoom Meeting>"
LINK = parse_meeting_link(ZOOM)
SPEAKER, GALLERY = "speaker_view", "gallery_view_v2"
VALID_OPTIONS = ("`--name", "`--layout", "`--separate`", "`--at")


def record(text: str) -> RecordCommand:
    command = parse_command(text, NOW)
    assert isinstance(command, RecordCommand)
    return command


def error(text: str | None) -> str:
    with pytest.raises(CommandError) as caught:
        parse_command(text, NOW)
    return str(caught.value)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


# --- help, list, stop ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["help", "HELP", "Help", "  help  ", "-h", "--help", "?", "usage", "help me"]
)
def test_help_words_ask_for_help(text: str) -> None:
    assert parse_command(text, NOW) == HelpCommand()


@pytest.mark.parametrize("text", ["list", "LIST", "  list  "])
def test_list_lists_recordings(text: str) -> None:
    assert parse_command(text, NOW) == ListCommand()


@pytest.mark.parametrize("text", ["list all", f"list {ZOOM}", "list --name Foo", "List me"])
def test_list_takes_nothing_after_it(text: str) -> None:
    assert "takes nothing after it" in error(text)


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("stop", None),
        ("STOP", None),
        ("cancel", None),
        (f"stop {ZOOM}", LINK),
        (f"cancel {ZOOM}", LINK),
        (f"stop {WRAPPED}", LINK),
        ("stop <https://zoom.us/j/123?pwd=x>", LINK),
        ("  Stop   https://zoom.us/j/123?pwd=x  ", LINK),
    ],
)
def test_stop_and_cancel_stop_one_or_all_recordings(text: str, link: MeetingLink | None) -> None:
    assert parse_command(text, NOW) == StopCommand(link)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"stop {ZOOM} now", "Usage: `/record stop`"),
        (f"cancel {ZOOM} {ZOOM}", "Usage: `/record stop`"),
        ("stop banana", "doesn't look like a meeting link"),
        ("stop --name Foo", "Usage: `/record stop`"),
    ],
)
def test_stop_takes_at_most_one_meeting_link(text: str, expected: str) -> None:
    assert expected in error(text)


@pytest.mark.parametrize("text", [None, "", "   ", '""', "“”"])
def test_no_text_asks_which_meeting(text: str | None) -> None:
    message = error(text)
    assert "Which meeting should I record?" in message or "Add a meeting link" in message


def test_text_longer_than_any_command_is_refused() -> None:
    assert "far too long" in error(f"{ZOOM} --name " + "x" * MAX_TEXT_LENGTH)


# --- recording, with options ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "options"),
    [
        (ZOOM, RecordOptions()),
        (WRAPPED, RecordOptions()),
        (f"  {ZOOM}  ", RecordOptions()),
        # --name: quoted, inline, curly (as phones type them), em dash for --
        (f'{ZOOM} --name "Design review"', RecordOptions(bot_name="Design review")),
        (f'--name "Design review" {ZOOM}', RecordOptions(bot_name="Design review")),
        (f"{ZOOM} --name=Foo", RecordOptions(bot_name="Foo")),
        (f'{ZOOM} --name="Design review"', RecordOptions(bot_name="Design review")),
        (f"{ZOOM} --name 'Design review'", RecordOptions(bot_name="Design review")),
        (f"{ZOOM} --name “Design review”", RecordOptions(bot_name="Design review")),
        (f"{ZOOM} --name „Design review“", RecordOptions(bot_name="Design review")),
        (f"{ZOOM} --name ‘Design review’", RecordOptions(bot_name="Design review")),
        (f"{ZOOM} --name “Anna’s recorder”", RecordOptions(bot_name="Anna’s recorder")),
        (f"{ZOOM} --name Anna’s", RecordOptions(bot_name="Anna’s")),
        (f'{ZOOM} --name "Anna\'s notes"', RecordOptions(bot_name="Anna's notes")),
        (f"{ZOOM} --name Anna's", RecordOptions(bot_name="Anna’s")),
        (f"{ZOOM} —name “Design review”", RecordOptions(bot_name="Design review")),
        (f"{ZOOM} –name Foo", RecordOptions(bot_name="Foo")),
        (f'{ZOOM} --name "  Design \t review  "', RecordOptions(bot_name="Design review")),
        (f'{ZOOM} --name "{"n" * MAX_BOT_NAME}"', RecordOptions(bot_name="n" * MAX_BOT_NAME)),
        # --layout
        (f"{ZOOM} --layout speaker", RecordOptions(layout=SPEAKER)),
        (f"{ZOOM} --layout gallery", RecordOptions(layout=GALLERY)),
        (f"{ZOOM} --layout=Speaker", RecordOptions(layout=SPEAKER)),
        (f"--layout GALLERY {ZOOM}", RecordOptions(layout=GALLERY)),
        (f"{ZOOM} —layout speaker", RecordOptions(layout=SPEAKER)),
        # --separate implies the gallery layout
        (f"{ZOOM} --separate", RecordOptions(layout=GALLERY, separate=True)),
        (f"--separate {ZOOM}", RecordOptions(layout=GALLERY, separate=True)),
        (f"{ZOOM} –separate", RecordOptions(layout=GALLERY, separate=True)),
        (f"{ZOOM} --separate --layout gallery", RecordOptions(layout=GALLERY, separate=True)),
        # everything at once, in any order, around a Slack-wrapped link
        (
            f'--separate --name "Design review" {ZOOM} --layout gallery',
            RecordOptions(bot_name="Design review", layout=GALLERY, separate=True),
        ),
        (f'{WRAPPED} --name "Design review"', RecordOptions(bot_name="Design review")),
        (
            f'--name "Design review" {WRAPPED} --layout speaker',
            RecordOptions(bot_name="Design review", layout=SPEAKER),
        ),
        (
            f"—layout gallery {WRAPPED} —name “Design review” —separate",
            RecordOptions(bot_name="Design review", layout=GALLERY, separate=True),
        ),
        (
            '<https://zoom.us/j/123?pwd=x|"Weekly" — Anna’s room> --name=Foo',
            RecordOptions(bot_name="Foo"),
        ),
    ],
)
def test_record_reads_options_in_any_order(text: str, options: RecordOptions) -> None:
    assert record(text) == RecordCommand(LINK, options)


@pytest.mark.parametrize(
    ("text", "joins_at"),
    [
        (f"{ZOOM} --at 14:30", utc(26, 14, 30)),
        (f"{ZOOM} --at 2:30pm", utc(26, 14, 30)),
        (f"--at 2pm {WRAPPED}", utc(26, 14)),
        (f'{ZOOM} --at "in 20m"', NOW + timedelta(minutes=20)),
        (f"{ZOOM} --at “in 2h”", NOW + timedelta(hours=2)),
        (f"{ZOOM} --at in 20m", NOW + timedelta(minutes=20)),
        (f"--at in 20m {ZOOM}", NOW + timedelta(minutes=20)),
        (f"{ZOOM} --at in 1h 30m", NOW + timedelta(minutes=90)),
        (f'{ZOOM} --at="in 20m"', NOW + timedelta(minutes=20)),
        (f"{ZOOM} --at tomorrow 9am", utc(27, 9)),
        (f'{ZOOM} --at "tomorrow 9am"', utc(27, 9)),
        (f"{WRAPPED} --at tomorrow 14:30", utc(27, 14, 30)),
        (f"{ZOOM} --at today 18:00", utc(26, 18)),
        (f"{ZOOM} --at=2026-11-27T14:30", utc(27, 14, 30)),
        (f"{ZOOM} --at 2026-11-27T14:30Z", utc(27, 14, 30)),
        (f'{ZOOM} --at "2026-11-27 14:30"', utc(27, 14, 30)),
        (f"{ZOOM} –at 2026-11-27T15:30+01:00", utc(27, 14, 30)),
        (f"{ZOOM} —at in 20m", NOW + timedelta(minutes=20)),
    ],
)
def test_at_says_when_to_join(text: str, joins_at: datetime) -> None:
    command = record(text)
    assert command.link == LINK
    join_time = command.options.join_time
    assert join_time is not None
    assert join_time.resolve(UTC, NOW) == joins_at


@pytest.mark.parametrize(
    ("text", "needs_timezone"),
    [
        (f"{ZOOM} --at 14:30", True),
        (f"{ZOOM} --at tomorrow 9am", True),
        (f"{ZOOM} --at=2026-11-27T14:30", True),
        (f"{ZOOM} --at in 20m", False),
        (f"{ZOOM} --at 2026-11-27T14:30Z", False),
    ],
)
def test_at_keeps_wall_clock_times_for_the_requesters_zone(text: str, needs_timezone: bool) -> None:
    join_time = record(text).options.join_time
    assert join_time is not None
    assert join_time.needs_timezone is needs_timezone


@pytest.mark.parametrize(
    "text",
    [
        f"--at in 20m {ZOOM} --separate",
        f"--at tomorrow 9am {ZOOM} --separate",
        f"--at today 18:00 {WRAPPED} --separate",
        f"--at 14:30 {ZOOM} --separate",
    ],
)
def test_unquoted_at_stops_before_the_link_and_the_next_option(text: str) -> None:
    command = record(text)
    assert command.link == LINK
    assert command.options.separate
    assert command.options.join_time is not None


@pytest.mark.parametrize(
    ("at", "joins_at"),
    [
        ("in 1h30m", NOW + timedelta(minutes=90)),
        ("in 20 min", NOW + timedelta(minutes=20)),
        ("in 90 minutes", NOW + timedelta(minutes=90)),
        ("tomorrow 9 am", utc(27, 9)),
        ("2:30 pm", utc(26, 14, 30)),
    ],
)
def test_unquoted_at_reads_every_documented_form(at: str, joins_at: datetime) -> None:
    join_time = record(f"{ZOOM} --at {at}").options.join_time
    assert join_time is not None
    assert join_time.resolve(UTC, NOW) == joins_at


@pytest.mark.parametrize("text", [f"{ZOOM} --separate=no", f"{ZOOM} --separate=false"])
def test_separate_with_a_value_does_not_silently_turn_it_on(text: str) -> None:
    try:
        command = parse_command(text, NOW)
    except CommandError:
        return
    assert isinstance(command, RecordCommand)
    assert not command.options.separate


def test_name_with_slack_escaped_ampersand_is_unescaped() -> None:
    assert record(f'{ZOOM} --name "R&amp;D review"').options.bot_name == "R&D review"


# --- what the user is told when it is not a command -----------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"{ZOOM} --title Foo", "`--title`"),
        (f"{ZOOM} --nam Foo", "`--nam`"),
        (f"{ZOOM} -n Foo", "`-n`"),
        (f"--Name Foo {ZOOM}", "`--Name`"),
        (f"{ZOOM} --speaker", "`--speaker`"),
        (f"{ZOOM} --title=Foo", "`--title`"),
        (f"{ZOOM} —title Foo", "`--title`"),
        (f"{ZOOM} --<!channel>", "`--&lt;!channel&gt;`"),
        (f"{ZOOM} --a`b", "`--a'b`"),  # a backtick cannot close the code span early
    ],
)
def test_unknown_option_is_named_and_the_valid_ones_listed(text: str, shown: str) -> None:
    message = error(text)
    assert f"I don't know the option {shown}." in message
    for option in VALID_OPTIONS:
        assert option in message


@pytest.mark.parametrize(
    ("text", "option"),
    [
        (f"{ZOOM} --name a --name b", "--name"),
        (f"--name=a {ZOOM} —name b", "--name"),
        (f"{ZOOM} --separate --separate", "--separate"),
        (f"{ZOOM} --layout speaker --layout=gallery", "--layout"),
        (f"{ZOOM} --at 14:30 --at in 20m", "--at"),
    ],
)
def test_option_given_twice_is_refused(text: str, option: str) -> None:
    assert error(text) == f"`{option}` is given twice."


@pytest.mark.parametrize(
    ("text", "option"),
    [
        (f"{ZOOM} --name", "--name"),
        (f"--name --layout speaker {ZOOM}", "--name"),
        (f"{ZOOM} --layout", "--layout"),
        (f"{ZOOM} --at", "--at"),
        (f"--at —separate {ZOOM}", "--at"),
    ],
)
def test_option_missing_its_value_is_refused(text: str, option: str) -> None:
    message = error(text)
    assert message.startswith(f"`{option}` needs a value.")
    for valid in VALID_OPTIONS:
        assert valid in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # unbalanced quotes
        (f'{ZOOM} --name "Design review', "A quote is missing its closing partner."),
        (f"{ZOOM} --name “Design review", "A quote is missing its closing partner."),
        (f"{ZOOM} --name 'Design", "A quote is missing its closing partner."),
        (f'"{ZOOM}', "A quote is missing its closing partner."),
        # two links, or none
        (f"{ZOOM} https://meet.google.com/abc-defg-hij", "I can record one meeting at a time"),
        (f"{WRAPPED} --separate {ZOOM}", "I can record one meeting at a time"),
        ("--name Foo", "Which meeting should I record?"),
        ("--separate", "Which meeting should I record?"),
        ('—layout speaker --at "in 20m"', "Which meeting should I record?"),
        # something that is not a meeting link
        ("banana --separate", "doesn't look like a meeting link"),
        # --name
        (f'{ZOOM} --name ""', "`--name` needs a name"),
        (f"{ZOOM} --name=", "`--name` needs a name"),
        (f'{ZOOM} --name "   "', "`--name` needs a name"),
        (f"{ZOOM} --name “”", "`--name` needs a name"),
        (f'{ZOOM} --name "\u200b\x07"', "`--name` needs a name"),
        (f'{ZOOM} --name "{"n" * (MAX_BOT_NAME + 1)}"', "at most 100 characters"),
        # --layout
        (f"{ZOOM} --layout grid", "`--layout` is `speaker`"),
        (f"{ZOOM} --layout=", "`--layout` is `speaker`"),
        (f"{ZOOM} --layout speaker_view", "`--layout` is `speaker`"),
        (f"{ZOOM} --separate --layout speaker", "`--separate` needs the gallery layout"),
        (f"--layout=speaker {ZOOM} –separate", "`--separate` needs the gallery layout"),
        # --at: unreadable, past, too far
        (f"{ZOOM} --at banana", "I couldn't read `banana` as a time."),
        (f"{ZOOM} --at 25:00", "I couldn't read `25:00` as a time."),
        (f'{ZOOM} --at "in 0m"', "I couldn't read `in 0m` as a time."),
        (f"{ZOOM} --at tomorrow", "I couldn't read `tomorrow` as a time."),
        (f"{ZOOM} --at=", "`--at` needs a time"),
        (f"{ZOOM} --at 2026-11-26T11:00Z", "has already passed"),
        (f"{ZOOM} --at 2026-11-26T12:30+01:00", "has already passed"),
        (f'{ZOOM} --at "in 1500h"', "is more than 60 days away"),
    ],
)
def test_what_the_user_is_told(text: str, expected: str) -> None:
    assert expected in error(text)


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        (f"{ZOOM} --<!channel>", "&lt;!channel&gt;"),
        (f"{ZOOM} --<@U0123ABC|bob>", "&lt;@U0123ABC&gt;"),
        (f"{ZOOM} --at <!here>", "&lt;!here&gt;"),
        (f'{ZOOM} --at "<!everyone> 9am"', "&lt;!everyone&gt;"),
        ("<!channel>", None),
        ("<@U0123ABC> --separate", None),
        ("stop <!here>", None),
        (f"{ZOOM} <#C0123ABC|general>", None),
    ],
)
def test_error_messages_never_echo_slack_markup(text: str, escaped: str | None) -> None:
    message = error(text)
    for raw in ("<!", "<@", "<#", "channel>", "here>", "everyone>", "ABC>"):
        assert raw not in message
    if escaped is not None:
        assert escaped in message


# --- any text at all ------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "--name",
        "--at",
        "--layout",
        "--separate",
        "--name=",
        "—at",
        "–layout",
        '"',
        "“",
        "”",
        "'",
        "’",
        "<https://zoom.us/j/1|x>",
        "<https://zoom.us/j/1|Join “Zoom” Meeting>",
        "https://meet.google.com/abc-defg-hij",
        "<!channel>",
        "<@U0123|bob>",
        "stop",
        "cancel",
        "list",
        "help",
        "speaker",
        "gallery",
        "in",
        "20m",
        "in 20m",
        "tomorrow",
        "9am",
        "14:30",
        "2026-11-27T14:30",
        "Z",
        "&amp;",
    ]
)
TEXTS = st.tuples(
    st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)), max_size=10),
    st.sampled_from([" ", "", "  "]),
).map(lambda parts: parts[1].join(parts[0]))


@settings(max_examples=500, deadline=None)
@given(TEXTS)
def test_any_text_is_a_command_or_a_command_error(text: str) -> None:
    try:
        command = parse_command(text, NOW)
    except CommandError as exc:
        assert "<!" not in str(exc)
    else:
        # Every kind of command, `delete`, `search` and `connect` included.
        assert isinstance(command, Command)


@given(st.text(alphabet=st.sampled_from(list("ab:/?=#-\"'\\ \t\r\n\u00a0\u2003\x0b"))))
@settings(max_examples=400)
def test_words_split_exactly_as_shlex_would(text: str) -> None:
    try:
        expected: list[str] | str = shlex.split(text)
    except ValueError:
        expected = "unbalanced"
    try:
        got: list[str] | str = commands._split(text)
    except ValueError:
        got = "unbalanced"
    assert got == expected


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("connect zoom", commands.ConnectCommand("zoom")),
        ("Connect  ZOOM", commands.ConnectCommand("zoom")),
        ("disconnect zoom", commands.DisconnectCommand("zoom")),
    ],
)
def test_connect_and_disconnect_zoom(text: str, command: object) -> None:
    assert commands.parse_command(text, NOW) == command


@pytest.mark.parametrize(
    ("text", "usage"),
    [
        ("connect", "Usage: `/record connect zoom`."),
        ("connect teams", "Usage: `/record connect zoom`."),
        ("disconnect zoom now", "Usage: `/record disconnect zoom`."),
    ],
)
def test_connect_needs_a_service_it_knows(text: str, usage: str) -> None:
    with pytest.raises(commands.CommandError) as caught:
        commands.parse_command(text, NOW)
    assert str(caught.value) == usage
