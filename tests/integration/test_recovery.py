"""A lost database comes back from Recall and Slack: every recording its bot remembers, in the
state the bot is in, with its old link, its status message found again, nothing posted twice;
other apps' bots left alone; the pages read within the rate budget."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from bot.app.meeting_settings import MeetingSettings
from bot.app.recover_report import report_lines
from bot.model.lifecycle import State
from bot.model.recording import Recording
from bot.model.search_query import parse_search
from bot.workflow.recovery import LIST_RESERVE
from tests.conftest import App
from tests.fakes.recall_callbacks import send_chat_message
from tests.fakes.recall_shapes import iso, now
from tests.integration.test_recall_webhooks import SECRET, payload
from tests.transcripts import record_meeting, settle

PUBLIC = "https://rec.example.com"
MEETINGS = [f"https://us02web.zoom.us/j/8123456789{n}?pwd=abc" for n in range(6)]


@pytest.fixture
def before(make_app: Callable[..., App]) -> App:
    return make_app(public_base_url=PUBLIC)


def record(app: App, n: int, *options: str, channel: str = "C0CHAN1") -> Recording:
    app.clock.advance(seconds=1)  # each request its own moment: `newest` finds it
    app.command(" ".join([MEETINGS[n], *options]), hook=f"h{n}", channel_id=channel)
    app.wait_idle()
    return newest(app)


def newest(app: App) -> Recording:
    return max(app.runtime.store.recordings.all(), key=lambda r: (r.created_at, r.id))


def lose_the_database(app: App, how: str = "deleted") -> None:
    """The host's disk is gone: the file, with its write-ahead log, deleted or emptied."""
    app.runtime.stop()
    app.runtime.store.close()
    path = Path(app.runtime.store.path)
    for extra in ("-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    if how == "deleted":
        path.unlink()
    else:  # replaced by an empty file (a restore gone wrong, a fresh volume)
        empty = path.with_name("empty.db")
        empty.write_bytes(b"")
        empty.replace(path)


def other_apps_bots(app: App) -> list[str]:
    """Bots another app made in the same Recall workspace, one of them much like ours."""
    made = []
    for metadata in ({"app": "notetaker", "recording_id": "x1"}, {}, {"recording_id": "x2"}):
        _, bot = app.recall.create(
            {"meeting_url": MEETINGS[5], "join_at": iso(now()), "metadata": metadata}
        )
        app.recall.run_meeting(bot["id"])
        made.append(bot["id"])
    return made


def visit(app: App, token: str) -> httpx.Response:
    return httpx.get(f"{app.url}/r/{token}", follow_redirects=False)


def kinds(app: App, kind: str, channel: str = "C0CHAN1") -> Counter[str]:
    return app.slack.posts_by_kind(channel, kind)


def test_a_lost_database_comes_back_and_nothing_is_posted_twice(
    before: App, make_app: Callable[..., App]
) -> None:
    recall = before.recall
    finished = record(before, 0)
    recall.run_meeting(finished.recall.bot_id, minutes=30)
    before.poll()
    recording = record(before, 1)
    recall.push_status(recording.recall.bot_id, "in_call_recording")
    waiting = record(before, 2)
    recall.push_status(waiting.recall.bot_id, "in_waiting_room")
    before.poll()
    scheduled = record(before, 3, "--at", '"in 2h"')
    others = other_apps_bots(before)
    finished = before.runtime.store.recordings.get(finished.id)
    assert [finished.state, scheduled.state] == [State.READY, State.SCHEDULED]
    assert len(before.thread()) == 2  # the ready notice, the waiting-room alert
    slack_calls = len(before.slack.calls)

    lose_the_database(before)
    recall.run_meeting(recording.recall.bot_id, minutes=25)  # it ends while the app is down
    after = make_app(public_base_url=PUBLIC)
    report = after.runtime.recover()

    assert sorted(r.id for r in report.rebuilt) == sorted(
        r.id for r in (finished, recording, waiting, scheduled)
    )
    assert (report.others, report.known, report.new_links, report.trouble) == (3, 0, 0, None)
    assert len(before.slack.calls) == slack_calls  # Slack is asked nothing before the step
    rebuilt = {r.id: r for r in after.runtime.store.recordings.all()}
    assert rebuilt[finished.id].state == State.READY
    assert rebuilt[recording.id].state == State.READY  # its bot had finished meanwhile
    assert rebuilt[waiting.id].state == State.WAITING_ROOM
    assert rebuilt[scheduled.id].state == State.SCHEDULED
    assert rebuilt[scheduled.id].request.join_at == scheduled.request.join_at
    for old in (finished, recording, waiting, scheduled):
        assert rebuilt[old.id].sharing.token == old.sharing.token
        assert rebuilt[old.id].request.meeting_key == old.request.meeting_key
    assert visit(after, finished.sharing.token).status_code == 302  # the old link plays

    after.poll(seconds=15)  # a stopped process may still be finishing a step: hands off
    assert len(before.slack.calls) == slack_calls
    after.poll(seconds=16)  # past the rebuilt rows' grace: their first step finds Slack's posts
    after.poll()

    assert kinds(after, "status") == Counter(
        {r.id: 1 for r in (finished, recording, waiting, scheduled)}
    )
    assert kinds(after, "notice:ready") == Counter({finished.id: 1, recording.id: 1})
    assert kinds(after, "alert:waiting_room") == Counter({waiting.id: 1})
    status = {r.id: r.slack.status_ts for r in after.runtime.store.recordings.all()}
    assert status[recording.id] == before_status_ts(after, recording)
    assert "Recording ready" in message(after, status[recording.id])["text"]
    assert visit(after, recording.sharing.token).status_code == 302
    for bot_id in others:  # looked at in the list, never asked about, never touched
        assert after.recall.requests_to("*", rf"^/api/v1/bot/{bot_id}/") == []
    history = after.runtime.store.events.of(recording.id)
    assert [e.cause.kind for e in history] == ["requested", "rebuilt"]
    assert history[0].at == recording.created_at


def before_status_ts(app: App, rec: Recording) -> str:
    """The ts of the status message posted before the database was lost."""
    [first] = [
        m
        for m in app.slack.messages("C0CHAN1")
        if (m.get("metadata") or {}).get("event_payload", {}).get("recording_id") == rec.id
        and m["metadata"]["event_payload"]["post"] == "status"
    ]
    return first["ts"]


def message(app: App, ts: str | None) -> dict:
    [found] = [m for m in app.slack.messages("C0CHAN1") if m["ts"] == ts]
    return found


def test_an_emptied_database_file_comes_back_too(before: App, make_app: Callable[..., App]) -> None:
    rec = record(before, 0)
    before.recall.run_meeting(rec.recall.bot_id)
    before.poll()
    token = before.runtime.store.recordings.get(rec.id).sharing.token

    lose_the_database(before, how="emptied")
    after = make_app(public_base_url=PUBLIC)
    assert after.runtime.store.recoveries.nothing_yet()
    report = after.runtime.recover()

    assert [r.id for r in report.rebuilt] == [rec.id]
    assert not after.runtime.store.recoveries.nothing_yet()
    assert visit(after, token).status_code == 302
    after.poll(seconds=31)
    assert kinds(after, "notice:ready") == Counter({rec.id: 1})
    assert kinds(after, "status") == Counter({rec.id: 1})  # the first one; nothing new


def test_recover_on_a_whole_database_changes_nothing(before: App) -> None:
    rec = record(before, 0)
    before.recall.run_meeting(rec.recall.bot_id)
    before.poll()
    calls = len(before.slack.calls)

    report = before.runtime.recover()

    assert (len(report.rebuilt), report.known) == (0, 1)
    assert [r.id for r in before.runtime.store.recordings.all()] == [rec.id]
    before.poll(minutes=1)
    assert len(before.slack.calls) == calls


def test_status_message_in_the_requesters_dm_is_found_there(
    before: App, make_app: Callable[..., App]
) -> None:
    before.slack.add_channel("C0PRIV", "secret", is_private=True, is_member=False)
    rec = record(before, 0, channel="C0PRIV")
    assert before.slack.messages("U0USER1")  # the channel would not take it: a DM instead
    dm_posts = len(before.slack.messages("U0USER1"))

    lose_the_database(before)
    before.recall.run_meeting(rec.recall.bot_id)
    after = make_app(public_base_url=PUBLIC)
    after.runtime.recover()
    after.poll(seconds=31)

    assert kinds(after, "status", "U0USER1") == Counter({rec.id: 1})
    assert kinds(after, "notice:ready", "U0USER1") == Counter({rec.id: 1})
    assert len(after.slack.messages("U0USER1")) == dm_posts + 1  # just the ready notice


def test_a_bot_made_before_tokens_were_kept_gets_a_new_link_in_its_status_message(
    before: App, make_app: Callable[..., App]
) -> None:
    rec = record(before, 0)
    before.recall.run_meeting(rec.recall.bot_id)
    before.poll()
    del before.recall._bots[rec.recall.bot_id]["metadata"]["link_token"]  # an older bot

    lose_the_database(before)
    after = make_app(public_base_url=PUBLIC)
    report = after.runtime.recover()
    after.poll(seconds=31)

    new = after.runtime.store.recordings.get(rec.id)
    assert report.new_links == 1 and new.sharing.token != rec.sharing.token
    assert visit(after, rec.sharing.token).status_code == 404
    status = after.status()
    assert f"{PUBLIC}/r/{new.sharing.token}/watch" in status["text"]
    assert kinds(after, "notice:ready") == Counter({rec.id: 1})  # told before: not again


def test_a_finished_recording_whose_message_is_gone_gets_no_new_one(
    before: App, make_app: Callable[..., App]
) -> None:
    rec = record(before, 0)
    before.recall.run_meeting(rec.recall.bot_id)
    before.poll()
    before.slack.workspace.posts["C0CHAN1"].clear()  # someone deleted our messages

    lose_the_database(before)
    after = make_app(public_base_url=PUBLIC)
    after.runtime.recover()
    after.poll(seconds=31)

    assert after.slack.messages("C0CHAN1") == []
    assert after.runtime.store.recordings.get(rec.id).slack.notified_at is not None
    assert visit(after, rec.sharing.token).status_code == 302  # the link works all the same


def test_many_pages_are_read_within_the_rate_budget(
    before: App, make_app: Callable[..., App]
) -> None:
    recall = before.recall
    ours = [record(before, n) for n in range(3)]
    for n in range(120):
        recall.create(
            {"meeting_url": MEETINGS[5], "join_at": iso(now()), "metadata": {"n": str(n)}}
        )
    lose_the_database(before)
    after = make_app(public_base_url=PUBLIC)
    recall.page_size = 5
    recall.rate_limits = {"create": 60, "list": 60, "retrieve": 300}
    recall.clock = lambda: after.clock().timestamp()
    started = after.clock()
    listed = len(recall.requests_to("GET", r"^/api/v1/bot/$"))

    report = after.runtime.recover()

    assert sorted(r.id for r in report.rebuilt) == sorted(r.id for r in ours)
    assert report.pages == -(-123 // 5) == 25
    assert len(recall.requests_to("GET", r"^/api/v1/bot/$")) - listed == 25
    assert recall.throttled == Counter()  # Recall never had to say 429
    # 25 pages within 80% of 60 a minute, the burst less what is kept for the poller: it waited.
    took = after.clock() - started
    assert took >= timedelta(seconds=(25 - (12 - LIST_RESERVE)) / 0.8 - 1)
    assert after.runtime.recall._budget.buckets["list"].wait_time() == 0  # poller's share left


def test_webhook_news_waits_for_the_rebuilt_recordings_grace(
    make_app: Callable[..., App],
) -> None:
    before = make_app(public_base_url=PUBLIC, recall_webhook_secret=SECRET)
    rec = record(before, 0)
    lose_the_database(before)
    after = make_app(public_base_url=PUBLIC, recall_webhook_secret=SECRET)
    after.runtime.recover()
    calls = len(after.slack.calls)

    after.recall.run_meeting(rec.recall.bot_id)
    body = json.dumps(payload("bot.done", rec.recall.bot_id))
    signed = Webhook(SECRET).sign(msg_id="msg_1", timestamp=datetime.now(UTC), data=body)
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(datetime.now(UTC).timestamp())),
        "webhook-signature": signed,
    }
    answer = httpx.post(f"{after.url}/recall/webhook", content=body, headers=headers)
    assert answer.json() == {"result": "ok"}
    assert after.runtime.workers.wait(10)

    assert len(after.slack.calls) == calls  # noted, but the old process may still be posting
    after.poll(seconds=31)
    assert kinds(after, "notice:ready") == Counter({rec.id: 1})
    assert kinds(after, "status") == Counter({rec.id: 1})


def test_a_rebuild_recall_cuts_short_says_so_and_is_tried_again(
    before: App, make_app: Callable[..., App]
) -> None:
    rec = record(before, 0)
    lose_the_database(before)
    after = make_app(public_base_url=PUBLIC)
    after.recall.inject("GET", r"^/api/v1/bot/$", 503, times=5)

    cut_short = after.runtime.recover()

    assert cut_short.rebuilt == [] and "Recall did not answer" in (cut_short.trouble or "")
    assert after.runtime.store.recoveries.nothing_yet()  # the next start tries again
    again = after.runtime.recover()
    assert [r.id for r in again.rebuilt] == [rec.id] and again.trouble is None
    assert not after.runtime.store.recoveries.nothing_yet()


def test_the_meeting_side_comes_back_with_the_rebuild(
    make_app: Callable[..., App],
) -> None:
    """The consent notice, stop from the meeting chat and the retention live in the bot too:
    after a rebuild the chat's stop phrase still works and a finished link still expires."""
    before = make_app(public_base_url=PUBLIC, meeting=MeetingSettings(retention_hours=72))
    finished = record(before, 0)
    before.recall.run_meeting(finished.recall.bot_id, minutes=30)
    before.poll()
    finished = before.runtime.store.recordings.get(finished.id)
    live = record(before, 1)
    before.recall.push_status(live.recall.bot_id, "in_call_recording")
    before.recall.start_recording(live.recall.bot_id)
    before.poll()

    lose_the_database(before)
    after = make_app(public_base_url=PUBLIC, meeting=MeetingSettings(retention_hours=72))
    after.runtime.recover()

    rebuilt = after.runtime.store.recordings.get(finished.id)
    assert rebuilt.retention == finished.retention  # kind, hours and the moment it expires
    assert rebuilt.in_meeting.notice == finished.in_meeting.notice
    after.clock.now = finished.retention.expires_at
    assert visit(after, finished.sharing.token).status_code == 410
    after.clock.now = finished.retention.expires_at - timedelta(hours=72)

    after.poll(seconds=31)  # past the grace: the rebuilt recording is followed again
    assert after.runtime.store.recordings.get(live.id).state == State.RECORDING
    [answer] = send_chat_message(
        after.recall, live.recall.bot_id, "stop recording", lambda u: u.replace(PUBLIC, after.url)
    )
    assert answer.status_code == 200
    assert after.runtime.workers.wait(timeout=10)
    assert after.runtime.store.recordings.get(live.id).stop.requested_by == "Grace Hopper"
    leaves = after.recall.requests_to("POST", rf"^/api/v1/bot/{live.recall.bot_id}/leave_call/$")
    assert len(leaves) == 1


def test_a_rebuilt_recordings_transcript_comes_back_too(
    before: App, make_app: Callable[..., App]
) -> None:
    rec = record_meeting(before)
    token = rec.sharing.token
    assert before.runtime.store.transcripts.summary(rec.id).ready
    words = httpx.get(f"{before.url}/r/{token}/transcript.txt").text

    lose_the_database(before)
    after = make_app(public_base_url=PUBLIC)
    after.runtime.recover()
    settle(after)

    assert after.runtime.store.transcripts.summary(rec.id).ready
    assert httpx.get(f"{after.url}/r/{token}/transcript.txt").text == words
    query = parse_search("budget")
    [found, *_] = after.runtime.search.in_channel("T0001", "C0CHAN1", query)
    assert found.recording.id == rec.id


def test_a_rebuild_recall_refuses_the_key_for_says_what_to_fix(
    before: App, make_app: Callable[..., App]
) -> None:
    record(before, 0)
    lose_the_database(before)
    after = make_app(public_base_url=PUBLIC)
    after.recall.inject("GET", r"^/api/v1/bot/$", 401)

    refused = "\n".join(report_lines(after.runtime.recover(), "http"))

    assert "Stopped early: Recall refused the API key" in refused
    assert "fix RECALL_API_KEY or RECALL_REGION first" in refused
    assert after.runtime.store.recoveries.nothing_yet()  # the next start tries again


def test_a_rebuild_cut_short_is_owed_even_after_new_requests_came_in(
    before: App, make_app: Callable[..., App]
) -> None:
    lost = record(before, 0)
    lose_the_database(before)
    after = make_app(public_base_url=PUBLIC)
    after.recall.inject("GET", r"^/api/v1/bot/$", 503, times=5)
    assert after.runtime.recover().trouble is not None
    new = record(after, 1)  # someone types /record before the rebuild is finished

    after.runtime.stop()
    restarted = make_app(public_base_url=PUBLIC)  # the same database file
    assert restarted.runtime.store.recoveries.rebuild_owed()
    restarted.runtime.start()
    assert restarted.runtime.workers.wait(timeout=10)

    ids = {r.id for r in restarted.runtime.store.recordings.all()}
    assert ids == {lost.id, new.id}
    assert not restarted.runtime.store.recoveries.rebuild_owed()
