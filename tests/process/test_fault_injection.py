"""Fault injection: Recall and Slack fail at random (429, 5xx, 507, lost answers) while many
recordings run; every recording must still be announced once and notified exactly once.

The rate and size are configurable: FAULT_RATE (default 0.3), FAULT_RECORDINGS (default 20),
FAULT_SEED (default 11).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable

import pytest

from bot.model.lifecycle import State
from tests.conftest import App

RATE = float(os.environ.get("FAULT_RATE", "0.3"))
RECORDINGS = int(os.environ.get("FAULT_RECORDINGS", "20"))
SEED = int(os.environ.get("FAULT_SEED", "11"))


@pytest.fixture
def faulty(make_app: Callable[..., App]) -> App:
    app = make_app()
    app.recall.fault_statuses = [429, 500, 502, 503, 507]
    app.recall.fault_rate = RATE
    app.recall.reseed_faults(SEED)
    app.slack.reseed_faults(SEED + 1)
    # Slack's 429s are waited out in real time by slack-sdk; test_slack_delivery covers them.
    app.slack.fault_errors = ("internal_error", "service_unavailable", "lost_response")
    app.slack.fault_rate = RATE
    return app


def test_every_recording_is_notified_exactly_once_through_random_faults(faulty: App) -> None:
    app = faulty
    for n in range(RECORDINGS):
        response = app.command(f"https://zoom.us/j/8{n:010d}?pwd=x", hook=f"h{n}")
        assert response.status_code == 200  # the ack never depends on Recall or Slack
    app.wait_idle()

    finished_meetings: set[str] = set()
    for _ in range(120):
        for rec in app.runtime.store.recordings.all():
            if rec.recall.bot_id and rec.recall.bot_id not in finished_meetings:
                app.recall.run_meeting(rec.recall.bot_id, minutes=5)
                finished_meetings.add(rec.recall.bot_id)
        app.poll(minutes=1)
        if all(r.slack.notified_at for r in app.runtime.store.recordings.all()):
            break

    recordings = list(app.runtime.store.recordings.all())
    assert len(recordings) == RECORDINGS
    assert {r.state for r in recordings} == {State.READY}, Counter(r.state for r in recordings)
    assert len(app.recall.created_bot_ids()) == RECORDINGS  # no request made two bots
    status = app.slack.posts_by_kind("C0CHAN1", "status")
    notices = app.slack.posts_by_kind("C0CHAN1", "notice:ready")
    assert sorted(status.values()) == [1] * RECORDINGS
    assert sorted(notices.values()) == [1] * RECORDINGS
    assert all(r.slack.notified_at and r.slack.pending_post is None for r in recordings)
