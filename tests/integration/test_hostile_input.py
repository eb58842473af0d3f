"""Odd and hostile input: nothing typed by a user can ping a channel, spoof a link, or bloat
what we store and post; the database file is private."""

from __future__ import annotations

import json
import os
import stat

import pytest

from tests.conftest import App

ZOOM = "https://zoom.us/j/81234567890?pwd=abc"
INJECTIONS = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U0VICTIM>",
    "<!subteam^S0TEAM>",
    "<https://evil.example|zoom.us/j/1>",
    "&lt;!channel&gt;",
]


def everything_posted(app: App) -> str:
    """Every text and block the app sent to Slack, as one string."""
    sent = [call.args for call in app.slack.calls if call.method.startswith("chat.")]
    sent += list(app.slack.responses.values())
    return json.dumps(sent, ensure_ascii=False)


@pytest.mark.parametrize("injection", INJECTIONS)
def test_bot_name_cannot_inject_mentions_or_links(app: App, injection: str) -> None:
    app.command(f'{ZOOM} --name "Rec {injection}"')
    app.wait_idle()
    app.recall.push_status(app.recording().recall.bot_id, "in_waiting_room")
    app.poll()
    sent = everything_posted(app)
    for raw in (
        "<!channel>",
        "<!here>",
        "<!everyone>",
        "<@U0VICTIM>",
        "<!subteam",
        "<https://evil",
    ):
        assert raw not in sent
    assert "Rec &lt;" in app.status()["text"] or "Rec &amp;lt;" in app.status()["text"]


@pytest.mark.parametrize("injection", INJECTIONS)
def test_command_text_is_never_echoed_raw(app: App, injection: str) -> None:
    for text in (
        injection,
        f"{ZOOM} --{injection}",
        f"{ZOOM} --at {injection}",
        f"stop {injection}",
    ):
        app.command(text, hook="h")
    sent = everything_posted(app) + json.dumps([c.args for c in app.slack.calls])
    assert "<!channel>" not in sent and "<@U0VICTIM>" not in sent and "<https://evil" not in sent


def test_recall_error_text_is_escaped_before_it_reaches_slack(app: App) -> None:
    app.recall.inject("POST", r"^/api/v1/bot/$", 400, json={"detail": "bad <!channel> <@U0VICTIM>"})
    app.command(ZOOM)
    app.wait_idle()
    [reply] = app.replies()
    assert "bad &lt;!channel&gt; &lt;@U0VICTIM&gt;" in reply


def test_stored_and_posted_fields_are_bounded(app: App) -> None:
    app.recall.inject("POST", r"^/api/v1/bot/$", 400, json={"detail": "x" * 100_000})
    app.command(f'{ZOOM} --name "{"n" * 100}"')
    app.wait_idle()
    rec = app.recording()
    assert len(rec.failure.detail) <= 500
    assert len(rec.request.bot_name) <= 100
    assert all(len(r) < 4000 for r in app.replies())


def test_database_file_is_private(app: App) -> None:
    mode = stat.S_IMODE(os.stat(app.runtime.settings.database_path).st_mode)
    assert mode == 0o600


def test_database_file_stays_private_when_created_by_a_loose_umask(make_app) -> None:
    old = os.umask(0o000)
    try:
        app = make_app()
    finally:
        os.umask(old)
    mode = stat.S_IMODE(os.stat(app.runtime.settings.database_path).st_mode)
    assert mode == 0o600
