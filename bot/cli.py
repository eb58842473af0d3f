"""The `slack-record` command (also `python -m bot`). The only place that reads os.environ.

slack-record serve      run the web server and poller (what the Procfile runs)
slack-record migrate    create or upgrade the SQLite database, then exit
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from dotenv import load_dotenv

from bot.config import ConfigError, Settings
from bot.logs import configure_logging


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # A .env file next to where we run fills in what the real environment does not set.
    load_dotenv(os.path.join(os.getcwd(), ".env"), override=False)
    try:
        settings = Settings.from_env(os.environ)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    formatter = configure_logging(settings.log_level, settings.secrets())
    return args.handler(settings, formatter)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="slack-record",
        description="Record meetings from Slack with Recall.ai bots.",
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="run the web server and the poller (what the Procfile runs)",
        description="Serve Slack's requests on $PORT and follow open recordings.",
    )
    serve.set_defaults(handler=_serve)
    migrate = commands.add_parser(
        "migrate",
        help="create or upgrade the database, then exit",
        description="Apply pending schema migrations to DATABASE_PATH.",
    )
    migrate.set_defaults(handler=_migrate)
    return parser


def _serve(settings: Settings, formatter) -> int:
    from bot.server import WebServer
    from bot.store import Store

    # Migrate in the master before forking the worker: a clear failure here beats a crash loop.
    store = Store(settings.database_path)
    store.migrate()
    store.close()
    WebServer(settings, formatter).run()
    return 0


def _migrate(settings: Settings, formatter) -> int:
    from bot.store import Store

    store = Store(settings.database_path)
    store.migrate()
    store.close()
    print(f"Database ready at {settings.database_path}")
    return 0
