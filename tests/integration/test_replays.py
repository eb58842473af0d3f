"""Replays: a captured signed request sent again within Slack's 5-minute signature window is
acknowledged with an empty 200 and does nothing; the keys are forgotten by the poller's hourly
housekeeping once no replay could pass the signature check any more."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from bot.app.scheduler import HOUSEKEEPING_JOB
from bot.model.lifecycle import State
from tests.conftest import SIGNING_SECRET, App, wait_for
from tests.integration.test_controls import ZOOM, leave_calls, recording_started
from tests.slack_requests import block_action_body, signed_headers, slash_command_body


class Captured:
    """One signed request, exactly as it went over the wire, to be sent again."""

    def __init__(self, app: App, body: str, content_type: str | None = None) -> None:
        self.url = f"{app.url}/slack/events"
        self.body = body
        self.headers = signed_headers(SIGNING_SECRET, body)
        if content_type:
            self.headers["Content-Type"] = content_type

    def send(self) -> httpx.Response:
        return httpx.post(self.url, content=self.body, headers=self.headers, timeout=5)


def creates(app: App) -> int:
    return len(app.recall.requests_to("POST", r"^/api/v1/bot/$"))


def ledger_size(app: App) -> int:
    return app.runtime.store.database.db["slack_requests"].count


def test_a_replayed_record_after_the_recording_ended_sends_no_second_bot(app: App) -> None:
    command = Captured(app, slash_command_body(ZOOM, response_url=app.slack.response_url("cmd")))
    first = command.send()
    assert first.json()["text"].startswith("Sending a recorder")
    app.wait_idle()
    bot_id = app.recording().recall.bot_id
    app.recall.run_meeting(bot_id)
    app.poll()
    assert app.recording().state == State.READY  # nothing live: a new /record would start one

    replay = command.send()
    assert (replay.status_code, replay.text) == (200, "")
    app.runtime.workers.wait(timeout=10)
    app.poll()
    assert creates(app) == 1
    assert len(list(app.runtime.store.recordings.all())) == 1


def test_a_replayed_stop_press_acts_once(app: App) -> None:
    bot_id = recording_started(app)
    rec = app.recording()
    press = Captured(
        app,
        block_action_body(
            "stop_recording",
            rec.id,
            response_url=app.slack.response_url("press"),
            channel_id=rec.slack.status_channel,
            message_ts=rec.slack.status_ts,
        ),
    )
    assert press.send().status_code == 200
    assert app.wait_for_reply("press").startswith("Stopping the recorder")
    app.wait_idle()

    replay = press.send()
    assert (replay.status_code, replay.text) == (200, "")
    app.wait_idle()
    assert app.replies("press") == [app.replies("press")[0]]  # no second answer at all
    assert leave_calls(app, bot_id) == 1


def test_a_fresh_request_of_the_same_text_is_not_a_replay(app: App) -> None:
    # Two people (or one, twice) typing the same thing are two requests: two trigger ids.
    app.command(ZOOM, hook="a")
    app.wait_idle()
    app.recall.run_meeting(app.recording().recall.bot_id)
    app.poll()
    assert app.command(ZOOM, hook="b").json()["text"].startswith("Sending a recorder")
    app.wait_idle()
    assert creates(app) == 2


def event_body(event_id: str, body: dict[str, Any]) -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T0001",
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": body,
            "authorizations": [{"team_id": "T0001", "is_bot": True, "user_id": "UBOT"}],
        }
    )


def test_a_repeated_event_is_handled_once(app: App) -> None:
    # Slack itself resends an event (same event_id) when our answer was slow; so can anyone
    # who captured it. Once is enough either way.
    uninstalled = Captured(
        app, event_body("Ev0REPLAY1", {"type": "app_uninstalled"}), "application/json"
    )
    assert uninstalled.send().status_code == 200
    store = app.runtime.store
    wait_for(lambda: store.workspaces.slack_block("T0001"), what="posting to pause")
    store.workspaces.unblock_slack("T0001")  # say the workspace is back

    replay = uninstalled.send()
    assert (replay.status_code, replay.text) == (200, "")
    time.sleep(0.2)  # the listener would have acted by now
    assert store.workspaces.slack_block("T0001") is None


def test_keys_are_forgotten_once_no_replay_could_pass_the_signature_check(app: App) -> None:
    app.command("help")
    assert ledger_size(app) == 1
    app.clock.advance(minutes=14)
    app.runtime.scheduler.scheduler.get_job(
        HOUSEKEEPING_JOB
    ).func()  # hourly housekeeping; the key is still within its window
    assert ledger_size(app) == 1

    app.command("list")
    app.clock.advance(hours=1, minutes=2)
    app.housekeeping()
    assert ledger_size(app) == 0
