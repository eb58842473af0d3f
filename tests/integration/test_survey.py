"""One List Bots call per poll pass looks at every open bot; only bots that left it get a GET.

Everything is observed from outside: the requests FakeRecall received, the recordings' states,
and what was posted in Slack.
"""

from __future__ import annotations

import json
from typing import Any

from bot.model.lifecycle import State
from bot.slack.messages import slack_time
from tests.conftest import App
from tests.fakes.recall import RecordedRequest
from tests.paths import DATA

LIST = r"^/api/v1/bot/$"
ONE_BOT = r"^/api/v1/bot/[^/]+/$"
SPEC = json.loads((DATA / "openapi.json").read_text())
LIST_PARAMETERS = SPEC["paths"]["/api/v1/bot/"]["get"]["parameters"]


def zoom(n: int) -> str:
    return f"https://us02web.zoom.us/j/{81234567000 + n}"


def open_recordings(app: App, count: int) -> list[str]:
    """`count` recordings made with /record, their bots recording; returns the bot ids."""
    for n in range(count):
        assert app.command(zoom(n), hook=f"cmd{n}").status_code == 200
        app.wait_idle()
    bot_ids = [rec.recall.bot_id for rec in app.runtime.store.recordings.all()]
    assert len(bot_ids) == count and all(bot_ids)
    for bot_id in bot_ids:
        app.recall.push_status(bot_id, "joining_call")
        app.recall.push_status(bot_id, "in_call_recording")
        app.recall.start_recording(bot_id)
    return bot_ids


class Traffic:
    """The requests FakeRecall got between `__init__` and `stop`."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.start = len(app.recall.requests)
        self.end: int | None = None

    def stop(self) -> None:
        self.end = len(self.app.recall.requests)

    def to(self, method: str, regex: str) -> list[RecordedRequest]:
        seen = {id(r) for r in self.app.recall.requests[self.start : self.end]}
        return [r for r in self.app.recall.requests_to(method, regex) if id(r) in seen]

    @property
    def lists(self) -> list[RecordedRequest]:
        return self.to("GET", LIST)

    @property
    def bot_gets(self) -> list[RecordedRequest]:
        return self.to("GET", ONE_BOT)


def poll_pass(app: App) -> Traffic:
    traffic = Traffic(app)
    summary = app.poll()
    traffic.stop()
    assert summary.errors == 0
    return traffic


def states(app: App) -> dict[str, State]:
    return {rec.recall.bot_id or "": rec.state for rec in app.runtime.store.recordings.all()}


def test_one_list_call_looks_at_every_recording_bot(app: App) -> None:
    bot_ids = open_recordings(app, 5)

    first = poll_pass(app)  # joining -> recording, from the list alone
    assert (len(first.lists), len(first.bot_gets)) == (1, 0)
    assert states(app) == dict.fromkeys(bot_ids, State.RECORDING)

    second = poll_pass(app)
    assert (len(second.lists), len(second.bot_gets)) == (1, 0)
    assert states(app) == dict.fromkeys(bot_ids, State.RECORDING)
    assert app.thread() == []


def test_a_bot_whose_call_ended_gets_its_own_get_and_its_notice_in_the_same_pass(
    app: App,
) -> None:
    bot_ids = open_recordings(app, 5)
    poll_pass(app)
    ended = bot_ids[2]
    app.recall.run_meeting(ended, minutes=42)

    traffic = poll_pass(app)

    assert len(traffic.lists) == 1
    assert [r.path for r in traffic.bot_gets] == [f"/api/v1/bot/{ended}/"]
    assert states(app) == {b: State.READY if b == ended else State.RECORDING for b in bot_ids}
    rec = app.runtime.store.recordings.get_by_bot_id(ended)
    assert rec is not None and rec.slack.notified_at is not None
    replies = [m for m in app.slack.messages("C0CHAN1") if m.get("thread_ts", m["ts"]) != m["ts"]]
    ready = (
        "<@U0USER1> your recording of Zoom meeting 812 3456 7002 is ready (42 min). "
        f"It is available until {slack_time(rec.retention.expires_at)}."
    )
    assert [(m["thread_ts"], m["text"]) for m in replies] == [(rec.slack.status_ts, ready)]

    after = poll_pass(app)  # the finished one is not asked about again
    assert (len(after.lists), len(after.bot_gets)) == (1, 0)


def test_a_single_open_recording_is_asked_about_directly(app: App) -> None:
    [bot_id] = open_recordings(app, 1)

    for _ in range(3):
        traffic = poll_pass(app)
        assert traffic.lists == []
        assert [r.path for r in traffic.bot_gets] == [f"/api/v1/bot/{bot_id}/"]
    assert states(app) == {bot_id: State.RECORDING}


def test_list_pages_are_followed(app: App) -> None:
    bot_ids = open_recordings(app, 5)
    app.recall.page_size = 2

    traffic = poll_pass(app)

    assert [r.query.get("page") for r in traffic.lists] == [None, ["2"], ["3"]]
    assert traffic.bot_gets == []
    assert states(app) == dict.fromkeys(bot_ids, State.RECORDING)


def test_bots_of_other_apps_in_the_workspace_change_nothing(app: App) -> None:
    bot_ids = open_recordings(app, 3)
    for _ in range(4):
        app.recall.push_status(app.recall.add_bot(), "in_call_recording")

    traffic = poll_pass(app)

    assert (len(traffic.lists), len(traffic.bot_gets)) == (1, 0)
    assert states(app) == dict.fromkeys(bot_ids, State.RECORDING)
    assert len(app.runtime.store.recordings.newest(10)) == 3


def test_a_survey_never_costs_more_calls_than_asking_for_each_due_bot(app: App) -> None:
    open_recordings(app, 2)
    poll_pass(app)
    for _ in range(6):
        app.recall.push_status(app.recall.add_bot(), "in_call_recording")
    app.recall.page_size = 2

    # The first page reveals that other apps' bots make the round 4 pages long: one list call
    # is spent finding that out, then our 2 bots are asked about directly...
    first = poll_pass(app)
    assert len(first.lists) + len(first.bot_gets) <= 2 + 1
    # ...and from then on asking directly is chosen up front.
    later = poll_pass(app)
    assert (len(later.lists), len(later.bot_gets)) == (0, 2)


def test_a_failing_list_call_falls_back_to_one_get_per_bot(app: App) -> None:
    bot_ids = open_recordings(app, 5)
    poll_pass(app)
    app.recall.run_meeting(bot_ids[0], minutes=5)
    app.recall.inject("GET", LIST, 503)

    traffic = poll_pass(app)

    assert len(traffic.lists) == 1  # the 503
    assert sorted(r.path for r in traffic.bot_gets) == sorted(f"/api/v1/bot/{b}/" for b in bot_ids)
    assert states(app) == {b: State.READY if b == bot_ids[0] else State.RECORDING for b in bot_ids}
    assert len(app.thread()) == 1 and "is ready (5 min)." in app.thread()[0]

    recovered = poll_pass(app)
    assert (len(recovered.lists), len(recovered.bot_gets)) == (1, 0)


def test_a_throttled_list_call_pauses_listing_for_its_retry_after(app: App) -> None:
    bot_ids = open_recordings(app, 4)
    poll_pass(app)
    app.recall.inject("GET", LIST, 429, headers={"Retry-After": "30"})

    throttled = poll_pass(app)  # the 429; every bot is asked about directly
    paused = poll_pass(app)  # 15 s later: no list call at all while paused
    resumed = poll_pass(app)  # 30 s later: listing again

    assert [(len(p.lists), len(p.bot_gets)) for p in (throttled, paused, resumed)] == [
        (1, 4),
        (0, 4),
        (1, 0),
    ]
    assert states(app) == dict.fromkeys(bot_ids, State.RECORDING)
    assert app.recall.throttled["list"] == 0  # the 429 was injected, not the fake's limit


def test_list_request_uses_only_documented_filters(app: App) -> None:
    open_recordings(app, 3)
    app.recall.page_size = 2
    documented = {p["name"] for p in LIST_PARAMETERS}
    [status] = [p for p in LIST_PARAMETERS if p["name"] == "status"]
    status_enum = set(status["schema"]["items"]["enum"])

    traffic = poll_pass(app)

    assert len(traffic.lists) == 2
    for request in traffic.lists:
        assert set(request.query) <= documented, request.query
        assert not [name for name in request.query if name.startswith("metadata__")]
        assert request.query["status"], request.query
        assert set(request.query["status"]) <= status_enum, request.query["status"]
        assert request.json is None  # no body on a GET (Recall's firewall answers 403)
    assert_active_codes_asked(traffic.lists[0].query)


def assert_active_codes_asked(query: dict[str, Any]) -> None:
    """The bots worth listing are those on their way to or in a meeting: before call_ended."""
    assert set(query["status"]) == {
        "ready",
        "joining_call",
        "in_waiting_room",
        "in_call_not_recording",
        "recording_permission_allowed",
        "recording_permission_denied",
        "in_call_recording",
    }
