"""Where messages go when Slack says no: joining public channels, the requester's DM for
conversations we cannot post in, waiting out rate limits, and revoked tokens."""

from __future__ import annotations

import logging

import pytest

from bot.model.lifecycle import State
from tests.conftest import App

ZOOM = "https://zoom.us/j/81234567890?pwd=abc"


def ready(app: App, **command: str) -> None:
    app.command(ZOOM, **command)
    app.wait_idle()
    app.recall.run_meeting(app.recording().recall.bot_id)
    app.poll()


def test_public_channel_we_are_not_in_is_joined_then_posted_to(app: App) -> None:
    app.slack.add_channel("C0PUBLIC", "random", is_member=False)
    ready(app, channel_id="C0PUBLIC")
    assert app.slack.calls_to("conversations.join")[0].args["channel"] == "C0PUBLIC"
    assert app.status("C0PUBLIC")["text"].startswith("Recording ready")
    assert not any("Heads-up" in reply for reply in app.replies())


@pytest.mark.parametrize(
    ("channel", "setup"),
    [
        ("C0SECRET", {"is_private": True, "is_member": False}),  # private, not invited
        ("C0OLD", {"is_archived": True}),  # archived
    ],
)
def test_unreachable_channel_sends_the_result_to_the_requester(
    app: App, channel: str, setup: dict
) -> None:
    app.slack.add_channel(channel, "somewhere", **setup)
    ready(app, channel_id=channel)

    # Told at once, privately, right after the ack.
    assert any(r.startswith("Heads-up: I can't post in this conversation") for r in app.replies())
    dm = app.slack.messages("U0USER1")
    assert len(dm) == 2  # the status message and its ready reply
    assert app.recording().slack.status_channel.startswith("D")
    assert dm[0]["text"].startswith("Recording ready")
    # However often it is edited, it still says why it came here.
    assert f"I couldn't post in <#{channel}>, so I'm sending this to you directly." in str(
        dm[0]["blocks"]
    )
    assert app.recording().state == State.READY


def test_dm_between_people_warns_and_delivers_by_dm(app: App) -> None:
    ready(app, channel_id="D0PEOPLE")
    assert any(r.startswith("Heads-up") for r in app.replies())
    assert app.slack.messages("U0USER1")


def test_rate_limited_edit_waits_retry_after_and_goes_through(app: App) -> None:
    app.command(ZOOM)
    app.wait_idle()
    app.recall.push_status(app.recording().recall.bot_id, "in_waiting_room")
    app.slack.inject("chat.update", error="ratelimited", status=429, headers={"Retry-After": "1"})
    app.poll()
    assert len(app.slack.calls_to("chat.update")) == 2  # slack-sdk waited 1 s, then retried
    assert app.status()["text"].startswith("The recorder is waiting to be let in.")


def test_revoked_token_stops_posting_for_the_workspace_and_keeps_everything(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    app.command(ZOOM)
    app.command("https://meet.google.com/abc-defg-hij", hook="second")
    app.wait_idle()
    bots = app.recall.created_bot_ids()
    app.slack.revoke_token(app.slack.bot_token)
    for bot_id in bots:
        app.recall.run_meeting(bot_id)

    with caplog.at_level(logging.ERROR, logger="bot.slack_sync"):
        app.poll()
        app.poll(minutes=10)
    assert sum("Slack refused the bot token" in r.getMessage() for r in caplog.records) == 1
    posts_while_revoked = len(app.slack.calls_to("chat.postMessage"))
    app.poll(minutes=10)
    assert len(app.slack.calls_to("chat.postMessage")) == posts_while_revoked  # paused
    assert {r.state for r in app.runtime.store.recordings.all()} == {State.READY}  # nothing lost
    assert all(r.slack.notified_at is None for r in app.runtime.store.recordings.all())

    app.slack.unrevoke_token(app.slack.bot_token)  # the admin fixed the token
    app.poll(hours=1)
    assert all(r.slack.notified_at for r in app.runtime.store.recordings.all())
    assert len(app.thread()) == 2
