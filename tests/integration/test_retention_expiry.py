"""Retention: every bot asks Recall to keep the media RECORDING_RETENTION_HOURS; the ready
message and the watch page say until when; from that moment the link answers 410 without asking
Recall, the transcript goes with the video, and the status message says so, once, through the
scheduler's expiry sweep."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from bot.app.meeting_settings import MeetingSettings
from bot.app.scheduler import EXPIRY_JOB
from bot.model.lifecycle import State
from bot.model.search_query import parse_search
from tests.conftest import App
from tests.transcripts import record_meeting

PUBLIC = "https://rec.example.com"
ZOOM = "https://zoom.us/j/81234567890?pwd=abc"


@pytest.fixture
def app(make_app: Callable[..., App]) -> App:
    return make_app(public_base_url=PUBLIC, meeting=MeetingSettings(retention_hours=72))


def ready(app: App) -> str:
    app.command(ZOOM)
    app.wait_idle()
    bot_id = app.recording().recall.bot_id
    app.recall.run_meeting(bot_id, minutes=30)
    app.poll()
    assert app.recording().state == State.READY
    return bot_id


def sweep(app: App) -> None:
    """The scheduler's expiry job, run now as the scheduler runs it, and the work it starts."""
    app.runtime.scheduler.scheduler.get_job(EXPIRY_JOB).func()
    assert app.runtime.workers.wait(timeout=10)


def recall_gets(app: App, bot_id: str) -> int:
    return len(app.recall.requests_to("GET", rf"^/api/v1/bot/{bot_id}/$"))


def test_the_ready_message_and_the_watch_page_say_until_when(app: App) -> None:
    ready(app)
    rec = app.recording()
    assert rec.retention.expires_at == rec.recall.ended_at + timedelta(hours=72)
    stamp = int(rec.retention.expires_at.timestamp())
    assert f"available until <!date^{stamp}^" in app.status_text()

    page = httpx.get(f"{app.url}/r/{rec.sharing.token}/watch")
    assert page.status_code == 200
    assert f"Available until {rec.retention.expires_at:%d %b %Y, %H:%M UTC}" in page.text


def test_the_ready_reply_says_until_when_as_the_status_message_does(app: App) -> None:
    ready(app)
    rec = app.recording()
    until = rec.retention.expires_at
    assert until == rec.recall.ended_at + timedelta(hours=72)
    stamp, fallback = int(until.timestamp()), f"{until:%Y-%m-%d %H:%M} UTC"
    shown = f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{fallback}>"  # in each reader's zone
    watch = f"{PUBLIC}/r/{rec.sharing.token}/watch"

    # The reply people are pinged with, posted to the thread and the channel.
    assert app.thread() == [
        "<@U0USER1> your recording of Zoom meeting 812 3456 7890 is ready (30 min). "
        f"It is available until {shown}. <{watch}|Watch the recording>"
    ]
    assert f"available until {shown}" in app.status_text()


def test_after_expiry_the_link_answers_410_without_asking_recall(app: App) -> None:
    bot_id = ready(app)
    rec = app.recording()
    assert httpx.get(f"{app.url}/r/{rec.sharing.token}").status_code == 302  # cached from now
    app.clock.now = rec.retention.expires_at - timedelta(seconds=1)
    assert httpx.get(f"{app.url}/r/{rec.sharing.token}").status_code == 302
    gets = recall_gets(app, bot_id)

    app.clock.now = rec.retention.expires_at
    for path in ("", "/watch", "/embed"):
        page = httpx.get(f"{app.url}/r/{rec.sharing.token}{path}")
        assert page.status_code == 410
        assert "Recording expired" in page.text
        assert "expired" in page.text
    assert recall_gets(app, bot_id) == gets


def test_the_status_message_says_it_expired_once_at_the_right_time(app: App) -> None:
    rec = record_meeting(app, link=ZOOM, minutes=30)
    token = rec.sharing.token
    store = app.runtime.store
    assert store.transcripts.summary(rec.id).ready
    updates = len(app.slack.calls_to("chat.update"))

    app.clock.now = rec.retention.expires_at - timedelta(minutes=1)
    sweep(app)
    app.poll(seconds=1)
    assert len(app.slack.calls_to("chat.update")) == updates  # not yet
    assert httpx.get(f"{app.url}/r/{token}/transcript.txt").status_code == 200

    app.clock.now = rec.retention.expires_at
    # From the moment itself, before the sweep: the words go with the video.
    for path in ("/captions.vtt", "/transcript.txt"):
        assert httpx.get(f"{app.url}/r/{token}{path}").status_code == 410
    assert search_finds(app, rec, "budget") == []

    app.clock.now = rec.retention.expires_at + timedelta(seconds=30)
    sweep(app)
    status = app.status()
    assert status["text"].startswith("The recording of Zoom meeting 812 3456 7890 has expired")
    assert "as this app keeps recordings for 3 days" in status["text"]
    assert "Watch" not in app.status_text()
    assert "Transcript" not in app.status_text()
    assert len(app.slack.calls_to("chat.update")) == updates + 1
    assert store.transcripts.summary(rec.id) is None  # the transcript's rows and index are gone
    db = store.database.db
    assert db.execute("SELECT COUNT(*) FROM transcript_lines").fetchone()[0] == 0
    assert app.recording().retention.expiry_noted_at == app.clock.now
    assert app.recording().schedule.next_poll_at is None
    [event] = [e for e in app.runtime.store.events.of(rec.id) if e.cause.kind == "expired"]
    assert event.to_state == State.READY

    for _ in range(3):  # once: later sweeps and polls leave it be
        app.clock.advance(minutes=5)
        sweep(app)
        app.poll()
    assert len(app.slack.calls_to("chat.update")) == updates + 1


def search_finds(app: App, rec, words: str) -> list:
    query = parse_search(words)
    return app.runtime.search.in_channel(rec.request.team_id, rec.request.channel_id, query)


def test_slack_trouble_while_telling_is_retried(app: App) -> None:
    ready(app)
    rec = app.recording()
    app.slack.inject("chat.update", error="internal_error", status=500)
    app.clock.now = rec.retention.expires_at
    sweep(app)
    assert app.recording().retention.expiry_noted_at is None
    app.poll(minutes=2)
    assert app.recording().retention.expiry_noted_at is not None
    assert "has expired" in app.status()["text"]


def test_kept_forever_never_expires(make_app: Callable[..., App]) -> None:
    app = make_app(public_base_url=PUBLIC, meeting=MeetingSettings(retention_hours=None))
    ready(app)
    rec = app.recording()
    assert rec.retention.expires_at is None
    assert "kept until someone deletes it" in app.status_text()
    [reply] = app.thread()
    assert "is ready (30 min). It is kept until someone deletes it." in reply
    assert "available until" not in reply
    app.clock.advance(days=400)
    sweep(app)
    assert httpx.get(f"{app.url}/r/{rec.sharing.token}").status_code == 302


def test_a_deleted_recording_is_not_told_again_when_it_would_have_expired(app: App) -> None:
    ready(app)
    rec = app.recording()
    app.command(f"delete {PUBLIC}/r/{rec.sharing.token}", hook="delete")
    app.wait_for_reply("delete")
    assert app.runtime.workers.wait(timeout=10)
    updates = len(app.slack.calls_to("chat.update"))
    app.clock.now = rec.retention.expires_at + timedelta(minutes=1)
    sweep(app)
    assert len(app.slack.calls_to("chat.update")) == updates
    assert "was deleted by" in app.status()["text"]
