"""Each class of Recall error while creating the bot: what the requester hears, and that one
request never makes two bots."""

from __future__ import annotations

import logging

import pytest

from bot.model.lifecycle import State
from tests.conftest import App, wait_for

ZOOM = "https://zoom.us/j/81234567890?pwd=abc"
CREATE = r"^/api/v1/bot/$"


def creates(app: App) -> list:
    return app.recall.requests_to("POST", CREATE)


def test_recall_400_is_explained_privately_in_recalls_words(app: App) -> None:
    app.recall.inject(
        "POST",
        CREATE,
        400,
        json={"meeting_url": ["The meeting_url is malformed, or for an unsupported platform."]},
    )
    app.command(ZOOM)
    app.wait_idle()

    assert app.replies() == [
        "I couldn't send a recorder to Zoom meeting 812 3456 7890. The recording service turned "
        "down this meeting link. meeting_url: The meeting_url is malformed, or for an unsupported "
        "platform.\nCheck that you pasted the full invite link, including any passcode, "
        "then try again."
    ]
    assert app.posts() == []  # the channel never hears of a recorder that never existed
    assert len(creates(app)) == 1  # a 400 is not retried
    rec = app.recording()
    assert (rec.state, rec.failure.reason) == (State.FAILED, "recall_rejected")
    assert rec.slack.notified_at and rec.schedule.next_poll_at is None


@pytest.mark.parametrize(
    ("status", "reason", "words"),
    [(401, "recall_auth", "RECALL_API_KEY"), (402, "recall_payment", "credit")],
)
def test_recall_refusing_our_account_tells_user_and_operator(
    app: App, caplog: pytest.LogCaptureFixture, status: int, reason: str, words: str
) -> None:
    app.recall.inject("POST", CREATE, status, json={"detail": "Invalid token."})
    with caplog.at_level(logging.ERROR):
        app.command(ZOOM)
        app.wait_idle()

    [reply] = app.replies()
    assert words in reply
    assert len(creates(app)) == 1
    assert app.recording().failure.reason == reason
    operator_lines = [r.getMessage() for r in caplog.records if r.name == "bot.workflow.context"]
    assert any("RECALL_API_KEY" in line for line in operator_lines)
    assert app.recall.api_key not in caplog.text


def test_429_waits_retry_after_then_creates_one_bot(app: App) -> None:
    app.recall.inject("POST", CREATE, 429, headers={"Retry-After": "2"})
    app.command(ZOOM)
    app.wait_idle()

    assert app.sleeps == [2.0]
    assert len(app.recall.created_bot_ids()) == 1
    assert app.recording().state == State.JOINING
    assert len(app.posts()) == 1


def test_5xx_backs_off_and_retries_with_the_same_idempotency_key(app: App) -> None:
    app.recall.inject("POST", CREATE, 502, times=2)
    app.command(ZOOM)
    app.wait_idle()

    assert len(app.sleeps) == 2 and all(0 < s <= 8 for s in app.sleeps)
    keys = {r.headers["idempotency-key"] for r in creates(app)}
    assert len(creates(app)) == 3 and len(keys) == 1
    assert len(app.recall.created_bot_ids()) == 1


def test_long_outage_is_retried_by_the_poller_without_bothering_anyone(app: App) -> None:
    app.recall.inject("POST", CREATE, 503, times=3)
    app.command(ZOOM)
    app.wait_idle()
    rec = app.recording()
    assert rec.state == State.REQUESTED and rec.schedule.attempts == 1
    assert app.replies() == [] and app.posts() == []

    app.poll(seconds=30)

    assert len(app.recall.created_bot_ids()) == 1
    assert app.recording().state == State.JOINING
    assert len(app.posts()) == 1


def test_outage_longer_than_ten_minutes_tells_the_requester(app: App) -> None:
    app.recall.inject("POST", CREATE, 503, times=1000)
    app.command(ZOOM)
    app.wait_idle()
    for _ in range(11):
        app.poll(minutes=1)

    rec = app.recording()
    assert (rec.state, rec.failure.reason) == (State.FAILED, "recall_unavailable")
    assert len(app.replies()) == 1


def test_timeout_is_retried_without_making_a_second_bot(app: App) -> None:
    # Recall takes 2 s; our client gives up after 1 s and asks again with the same key.
    app.recall.delay_next("POST", CREATE, seconds=2)
    app.command(ZOOM)
    app.wait_idle()
    # Our retries met Recall still busy with the first request (409); it finishes meanwhile.
    wait_for(lambda: app.recall.created_bot_ids(), what="Recall to finish the first request")
    app.poll(seconds=30)

    assert len(app.recall.created_bot_ids()) == 1
    assert len({r.headers["idempotency-key"] for r in creates(app)}) == 1
    assert app.recording().state == State.JOINING


def test_507_tells_the_user_it_is_waiting_then_sends_the_recorder(app: App) -> None:
    app.recall.inject("POST", CREATE, 507, headers={"Retry-After": "30"}, times=2)
    app.command(ZOOM)
    app.wait_idle()
    assert app.replies() == [
        "All of Recall's recorders are busy right now. I'll keep trying for a few minutes "
        "and tell you as soon as one is on its way."
    ]
    assert app.recording().state == State.REQUESTED

    app.poll(seconds=10)  # not due yet: Recall asked for 30 s
    assert len(creates(app)) == 1
    app.poll(seconds=21)
    app.poll(seconds=31)

    assert len(app.recall.created_bot_ids()) == 1
    assert len(app.replies()) == 1  # told once, not on every retry
    assert len(app.posts()) == 1
    # A fresh key after each 507, or Recall would replay the cached 507.
    assert len({r.headers["idempotency-key"] for r in creates(app)}) == 3


def test_507_until_the_cap_says_no_recorder_is_free(app: App) -> None:
    app.recall.inject("POST", CREATE, 507, times=100)
    app.command(ZOOM)
    app.wait_idle()
    for _ in range(12):
        app.poll(seconds=31)

    assert len(creates(app)) == 10
    rec = app.recording()
    assert (rec.state, rec.failure.reason) == (State.FAILED, "no_recorder_available")
    assert len(app.replies()) == 2
    assert app.replies()[-1].startswith(
        "I couldn't send a recorder to Zoom meeting 812 3456 7890. No recording bot was free"
    )
