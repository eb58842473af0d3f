"""The `slack-record` command (also `python -m bot`): the only place that reads os.environ.

slack-record serve       run the web server and the poller (what the Procfile runs)
slack-record poll-once   one poller pass, then exit (for hosts that run jobs from cron)
slack-record list        recordings and their state, as a table
slack-record check       is the configuration complete, and do Slack and Recall answer?
slack-record migrate     create or upgrade the database, then exit
slack-record recover     rebuild lost recordings from Recall and Slack (--days N)
slack-record search      find words in the recordings' transcripts
"""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence

from dotenv import load_dotenv

from bot.app.config import ConfigError, Settings
from bot.app.json_logs import JsonLinesFormatter
from bot.app.logs import RedactingFormatter, configure_logging

COMMANDS = {
    "serve": (
        "run the web server and the poller (what the Procfile runs)",
        "Serve Slack's requests, recording links and Recall webhooks on $PORT, and follow "
        "open recordings. One process: run exactly one copy.",
    ),
    "poll-once": (
        "one poller pass, then exit",
        "Do whatever every due recording needs (create bots, ask Recall, post to Slack) once, "
        "then exit: for hosts that run scheduled jobs instead of a long-lived process. Exits "
        "with 1 if any recording's step failed.",
    ),
    "list": (
        "recordings and their state, as a table",
        "Show recordings, newest first: id, when, state, platform, channel, who asked, and "
        "whether the final notice was delivered. With --events ID, what happened to that "
        "recording instead: each change of state, when, and why.",
    ),
    "check": (
        "check the configuration, Slack and Recall",
        "Validate the configuration, open the database, and ask Slack (auth.test) and Recall "
        "whether they accept our credentials. Prints what is wrong in plain words; exits 1 if "
        "anything is.",
    ),
    "migrate": (
        "create or upgrade the database, then exit",
        "Apply pending schema migrations to DATABASE_PATH (serve does this by itself too).",
    ),
    "recover": (
        "rebuild lost recordings from Recall and Slack",
        "Put back the recordings the database lacks (a lost or replaced database file) from "
        "the Recall bots of the last days whose metadata names slack-record: their state, "
        "their links, and, once `serve` runs, their Slack messages. Other apps' bots are left "
        "alone. serve does this by itself when it starts on a database no rebuild has finished "
        "on (an empty one, say). Prints what "
        "it rebuilt; exits 1 if Recall could not be read to the end.",
    ),
    "search": (
        "find words in the recordings' transcripts",
        "Search the transcripts of every channel's recordings (or one channel's, with "
        "--channel), best matches first: when, where, which meeting, who said it, the words "
        'around the match, and a link to that moment. "Quoted words" are a phrase.',
    ),
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # A .env file where we run fills in what the real environment does not set.
    load_dotenv(os.path.join(os.getcwd(), ".env"), override=False)
    try:
        settings = Settings.from_env(os.environ)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    formatter = configure_logging(
        settings.log_level,
        settings.secrets(),
        JsonLinesFormatter if settings.log_format == "json" else None,
    )
    if args.handler is not _serve and not args.verbose:
        _keep_the_terminal_for_the_command()
    try:
        return int(args.handler(settings, formatter, args))
    except (sqlite3.Error, OSError) as exc:
        print(
            f"slack-record can't use the database at {settings.database_path}: {exc}\n"
            "Check DATABASE_PATH: its folder must be writable, on a persistent disk.",
            file=sys.stderr,
        )
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="slack-record",
        description="Record meetings from Slack with Recall.ai bots.",
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    handlers = {
        "serve": _serve,
        "poll-once": _poll_once,
        "list": _list,
        "check": _check,
        "migrate": _migrate,
        "recover": _recover,
        "search": _search,
    }
    for name, (summary, description) in COMMANDS.items():
        command = commands.add_parser(name, help=summary, description=description)
        command.set_defaults(handler=handlers[name])
        command.add_argument(
            "--verbose",
            action="store_true",
            help="also show the log: the app's progress and its libraries' messages",
        )
        if name == "recover":
            command.add_argument(
                "--days",
                type=_positive_number,
                default=None,
                help=(
                    "how far back to look, in days (default: RECORDING_RETENTION_HOURS, 7 days "
                    "unless set; 365 when media is kept forever)"
                ),
            )
        if name == "list":
            command.add_argument(
                "--limit",
                type=_positive,
                default=50,
                help="show at most this many (default 50)",
            )
            command.add_argument(
                "--events",
                metavar="ID",
                help="the history of one recording (its id, or the start of it, as listed)",
            )
            command.add_argument(
                "--open", action="store_true", help="only recordings still in progress"
            )
        if name == "search":
            _search_arguments(command)
    return parser


def _serve(settings: Settings, _formatter: RedactingFormatter, _args: argparse.Namespace) -> int:
    from bot.app.runtime import Runtime
    from bot.store import Store
    from bot.web.app import create_app
    from bot.web.server import serve

    # Migrate before serving: a clear failure here beats a server that cannot start.
    store = Store(settings.database_path)
    store.migrate()
    store.close()
    serve(create_app(Runtime(settings)), settings.port, settings.log_level)
    return 0


def _poll_once(
    settings: Settings, _formatter: RedactingFormatter, _args: argparse.Namespace
) -> int:
    from bot.app.operations import poll_once_and_report

    return poll_once_and_report(settings)


def _list(settings: Settings, _formatter: RedactingFormatter, args: argparse.Namespace) -> int:
    from bot.app.operations import recording_history, recordings_table

    if args.events is not None:
        text, status = recording_history(settings, args.events)
        print(text, file=sys.stdout if status == 0 else sys.stderr)
        return status

    print(recordings_table(settings, limit=args.limit, only_open=args.open))
    return 0


def _check(settings: Settings, _formatter: RedactingFormatter, _args: argparse.Namespace) -> int:
    from bot.app.operations import check

    findings = check(settings)
    for finding in findings:
        mark = "FAIL" if not finding.ok else "WARN" if finding.warning else "ok  "
        print(f"{mark}  {finding.subject}: {finding.words}")
    return 0 if all(f.ok for f in findings) else 1


def _migrate(settings: Settings, _formatter: RedactingFormatter, _args: argparse.Namespace) -> int:
    from bot.store import Store

    store = Store(settings.database_path)
    store.migrate()
    store.close()
    print(f"Database ready at {settings.database_path}")
    return 0


def _recover(settings: Settings, _formatter: RedactingFormatter, args: argparse.Namespace) -> int:
    from bot.app.operations import recover_and_report

    return recover_and_report(settings, args.days)


class _OnlyOurTrouble(logging.Filter):
    """The app's own warnings and errors; nothing from libraries, no progress lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        ours = record.name.startswith(("bot.", "handlers."))
        return ours and record.levelno >= logging.WARNING


def _keep_the_terminal_for_the_command() -> None:
    """An operator command's output is its own words. Library lines (slack_sdk logs an ERROR
    of its own when Slack is unreachable, which `check` already says in plain words) and the
    app's progress go to the terminal only with --verbose."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(_OnlyOurTrouble())


def _positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of days above 0 (got {text!r})")
    return value


def _search_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("words", nargs="*", help="what to look for")
    command.add_argument("--channel", metavar="ID", help="only this channel's recordings")
    command.add_argument("--team", metavar="ID", help="the channel's workspace (with --channel)")
    command.add_argument(
        "--limit", type=_positive, default=20, help="show at most this many (default 20)"
    )


def _search(settings: Settings, _formatter: RedactingFormatter, args: argparse.Namespace) -> int:
    from bot.app.searching import search_transcripts

    text, status = search_transcripts(
        settings, " ".join(args.words), args.team, args.channel, args.limit
    )
    print(text, file=sys.stdout if status == 0 else sys.stderr)
    return status


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1 (got {text!r})")
    return value
