"""Edges of what Recall sends: a bot with several recordings (recording stopped and started
again), and timestamps that are valid RFC 3339 but unusual (extreme years with offsets,
lower-case separators, leap seconds, long fractions) or signed links with absurd lifetimes."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from bot.model.lifecycle import Outcome, State, decide
from bot.model.times import parse_time
from bot.recall.reports import download_url_expiry, read_bot
from bot.recall.webhooks import read_event
from bot.slack.messages import slack_time
from bot.store.rows import column_values
from bot.store.timestamps import from_ts, ts
from bot.workflow.context import recall_columns
from bot.workflow.media_links import UnknownLink
from tests.conftest import App
from tests.integration.test_recall_webhooks import CATALOG, SECRET, deliver, payload

ZOOM = "https://zoom.us/j/81234567890?pwd=abc"
PUBLIC = "https://rec.example.com"
LOW = "0001-01-01T00:30:00+01:00"  # 23:30 UTC on 31 December of year 0: no datetime holds it
HIGH = "9999-12-31T23:30:00-01:00"  # 00:30 UTC on 1 January 10000


def status(code: str, at: str, sub_code: str | None = None) -> dict[str, Any]:
    return {"code": code, "sub_code": sub_code, "message": None, "created_at": at}


def recording(
    started: str, completed: str | None, video: str | None = "done", recording_id: str = "r"
) -> dict[str, Any]:
    """A recording shaped as Recall's `BotRecordingEmbed`; `video` None: no mixed video (yet),
    `completed` None: still recording."""
    url = f"https://s3.example/{recording_id}.mp4?X-Amz-Signature=abc"
    shortcut = {
        "id": f"v-{recording_id}",
        "created_at": started,
        "status": {"code": video, "sub_code": None, "updated_at": started},
        "metadata": {},
        "format": "mp4",
        "data": {"download_url": url if video == "done" else None},
    }
    return {
        "id": recording_id,
        "created_at": started,
        "started_at": started,
        "completed_at": completed,
        "expires_at": None,
        "status": {
            "code": video or ("done" if completed else "processing"),
            "sub_code": None,
            "updated_at": started,
        },
        "metadata": {},
        "media_shortcuts": {
            "video_mixed": shortcut if video else None,
            "transcript": None,
            "participant_events": None,
            "meeting_metadata": None,
            "audio_mixed": None,
        },
    }


def bot(*recordings: dict[str, Any], code: str = "done") -> dict[str, Any]:
    return {
        "id": "b1",
        "status_changes": [status(code, "2026-01-15T11:10:07Z")],
        "recordings": list(recordings),
    }


FIRST = ("2026-01-15T10:00:00Z", "2026-01-15T10:05:00Z")
SECOND = ("2026-01-15T10:30:00Z", "2026-01-15T11:10:00Z")
THIRD = ("2026-01-15T11:00:00Z", "2026-01-15T11:09:00Z")


# --- several recordings: the state machine ---------------------------------------------------


def test_video_in_the_second_recording_is_ready_with_that_recordings_times() -> None:
    report = read_bot(bot(recording(*FIRST, video=None, recording_id="r1"), recording(*SECOND)))
    assert decide(report) == Outcome(State.READY)
    assert report.download_url == "https://s3.example/r.mp4?X-Amz-Signature=abc"
    assert report.recording_started_at == datetime(2026, 1, 15, 10, 30, tzinfo=UTC)
    assert report.duration_seconds == 40 * 60
    columns = stored_columns(report)
    assert (columns["recording_started_at"], columns["recording_ended_at"]) == (
        "2026-01-15T10:30:00.000000Z",
        "2026-01-15T11:10:00.000000Z",
    )


def test_parts_go_by_start_time_whatever_order_recall_lists_them_in() -> None:
    report = read_bot(
        bot(
            recording(*THIRD, recording_id="r3"),
            recording(*FIRST, video=None, recording_id="r1"),
            recording(*SECOND, recording_id="r2"),
        )
    )
    assert [r.recording_id for r in report.recordings] == ["r1", "r2", "r3"]
    assert [r.recording_id for r in report.videos] == ["r2", "r3"]
    assert report.posted is not None and report.posted.recording_id == "r2"


@pytest.mark.parametrize(
    ("videos", "expected"),
    [
        (("failed", "processing"), Outcome(State.PROCESSING)),
        ((None, "processing"), Outcome(State.PROCESSING)),
        (("processing", "failed"), Outcome(State.PROCESSING)),
        (("failed", None), Outcome(State.FAILED, "video_failed")),
        (("deleted", None), Outcome(State.FAILED, "media_deleted")),
        ((None, None), Outcome(State.FAILED, "no_video")),
        (("failed", "done"), Outcome(State.READY)),
    ],
)
def test_done_bot_waits_while_any_recording_may_give_a_video(
    videos: tuple[str | None, str | None], expected: Outcome
) -> None:
    first, second = videos
    report = read_bot(bot(recording(*FIRST, first, "r1"), recording(*SECOND, second, "r2")))
    assert decide(report) == expected


def test_while_recording_again_the_current_recordings_start_is_shown() -> None:
    report = read_bot(
        bot(
            recording(*FIRST, video=None, recording_id="r1"),
            recording(SECOND[0], None, video=None, recording_id="r2"),
            code="in_call_recording",
        )
    )
    assert decide(report) == Outcome(State.RECORDING)
    assert stored_columns(report)["recording_started_at"] == "2026-01-15T10:30:00.000000Z"


# --- timestamps -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-15T10:00:00Z", datetime(2026, 1, 15, 10, tzinfo=UTC)),
        ("2026-01-15t10:00:00z", datetime(2026, 1, 15, 10, tzinfo=UTC)),
        ("2026-01-15T10:00:00z", datetime(2026, 1, 15, 10, tzinfo=UTC)),
        ("2026-01-15 10:00:00Z", datetime(2026, 1, 15, 10, tzinfo=UTC)),
        ("2026-01-15T10:00:00.5+05:30", datetime(2026, 1, 15, 4, 30, 0, 500000, tzinfo=UTC)),
        ("2026-01-15T10:00:00.123456789-00:00", datetime(2026, 1, 15, 10, 0, 0, 123456, UTC)),
        ("2026-01-15T10:00:00.999999999Z", datetime(2026, 1, 15, 10, 0, 0, 999999, UTC)),
        ("2016-12-31T23:59:60Z", datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        ("2026-01-15T10:00+01:00", datetime(2026, 1, 15, 9, tzinfo=UTC)),  # ISO 8601, no seconds
        ("0001-01-01T00:30:00+00:30", datetime(1, 1, 1, tzinfo=UTC)),
        ("9999-12-31T23:59:59.999999Z", datetime(9999, 12, 31, 23, 59, 59, 999999, UTC)),
        ("9999-12-31T22:30:00-01:00", datetime(9999, 12, 31, 23, 30, tzinfo=UTC)),
    ],
)
def test_every_rfc3339_form_is_read_as_utc(text: str, expected: datetime) -> None:
    parsed = parse_time(text)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        LOW,
        HIGH,
        "0001-01-01T00:00:00.000001+00:01",
        "9999-12-31T23:59:59-00:01",
        "0000-01-01T00:00:00Z",
        "2026-01-15T10:00:00",  # no offset: not an instant
        "2026-02-30T10:00:00Z",
        "2026-01-15T24:00:00Z",
        "2026-01-15T10:00:00+24:00",
        "2026-01-15T10:60:00Z",
        "٢٠٢٦-01-15T10:00:00Z",  # digits, but not ASCII ones
        "",
        "yesterday",
    ],
)
def test_what_is_no_representable_instant_is_none(text: str) -> None:
    assert parse_time(text) is None


def test_lower_case_separators_do_not_lose_the_newest_status() -> None:
    report = read_bot(
        {
            "status_changes": [
                status("joining_call", "2026-01-15T10:00:00Z"),
                status("in_call_recording", "2026-01-15t10:05:00z"),
            ]
        }
    )
    assert report.latest_code == "in_call_recording"
    assert decide(report) == Outcome(State.RECORDING)


@pytest.mark.parametrize("extreme", [LOW, HIGH])
def test_a_status_at_an_extreme_time_is_stored_without_overflow(extreme: str) -> None:
    report = read_bot(
        {
            "status_changes": [status("in_call_recording", extreme)],
            "recordings": [recording(extreme, extreme, "processing")],
        }
    )
    assert decide(report) == Outcome(State.RECORDING)
    assert stored_columns(report) == {
        "recall_status": "in_call_recording",
        "recall_sub_code": None,
        "recall_status_at": None,
    }


@pytest.mark.parametrize("extreme", [LOW, HIGH])
def test_a_webhook_at_an_extreme_time_has_no_time(extreme: str) -> None:
    body = copy.deepcopy(CATALOG["bot.in_call_recording"]["examples"][0])
    body["data"]["data"]["updated_at"] = extreme
    event = read_event("msg_1", body)
    assert event is not None and event.code == "in_call_recording" and event.at is None


@pytest.mark.parametrize(
    "moment",
    [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ],
)
def test_stored_times_are_fixed_width_at_any_year(moment: datetime) -> None:
    stored = ts(moment)
    assert len(stored) == len("2026-01-15T10:00:00.000000Z")
    assert from_ts(stored) == moment
    # Compared as text inside SQLite, they must sort as the moments do.
    now = ts(datetime(2026, 1, 15, tzinfo=UTC))
    assert (stored < now) == (moment.year < 2026)


SIGNED_AT = datetime(2026, 1, 15, 10, tzinfo=UTC)
FETCHED_AT = SIGNED_AT + timedelta(minutes=1)


def signed(date: str = "20260115T100000Z", expires: str = "18000") -> str:
    query = urlencode({"X-Amz-Date": date, "X-Amz-Expires": expires, "X-Amz-Signature": "f00"})
    return f"https://s3.example/v.mp4?{query}"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (signed(), SIGNED_AT + timedelta(hours=5)),
        (signed(expires="99999999999"), SIGNED_AT + timedelta(days=7)),
        (signed(expires="1" + "0" * 40), SIGNED_AT + timedelta(days=7)),
        (signed(expires="-5"), SIGNED_AT),
        (signed(date="20990101T000000Z"), FETCHED_AT + timedelta(days=7)),
        (signed(date="99991231T235959Z"), FETCHED_AT + timedelta(hours=5)),
        (signed(expires="1" + "0" * 5000), FETCHED_AT + timedelta(hours=5)),
    ],
)
def test_link_expiry_is_clamped_to_what_a_signed_link_can_live(
    url: str, expected: datetime
) -> None:
    assert download_url_expiry(url, FETCHED_AT) == expected


# --- through the app, over HTTP ---------------------------------------------------------------


@pytest.fixture
def app(make_app: Callable[..., App]) -> App:
    return make_app(public_base_url=PUBLIC, recall_webhook_secret=SECRET, webhook_sweep_seconds=300)


def started(app: App) -> str:
    app.command(ZOOM)
    app.wait_idle()
    return app.recording().recall.bot_id


def meeting_in_parts(app: App, bot_id: str, parts: list[tuple[int, int, str | None]]) -> list[str]:
    """The bot records in `parts` (minutes from the start, minutes long, video), then leaves;
    returns the recordings' ids."""
    start = datetime.now(UTC) - timedelta(hours=1)
    app.recall.push_status(bot_id, "in_call_recording", at=start)
    ids = [
        app.recall.add_recording(
            bot_id, start + timedelta(minutes=at), start + timedelta(minutes=at + length), video
        )
        for at, length, video in parts
    ]
    end = start + timedelta(minutes=max(at + length for at, length, _ in parts))
    app.recall.push_status(bot_id, "call_ended", "call_ended_by_host", at=end)
    app.recall.push_status(bot_id, "done", at=end + timedelta(seconds=7))
    return ids


def test_second_recording_is_posted_and_extreme_webhook_times_are_accepted(app: App) -> None:
    bot_id = started(app)
    for extreme in (LOW, HIGH):
        body = payload("bot.in_call_recording", bot_id)
        body["data"]["data"]["updated_at"] = extreme  # still a valid RFC 3339 date-time
        response = deliver(app, body)
        assert response.status_code == 200 and response.json() == {"result": "ok"}
    assert app.recording().state == State.RECORDING

    # Recording was stopped after 3 minutes (no video came of it) and started again.
    _, second = meeting_in_parts(app, bot_id, [(0, 3, None), (5, 37, "done")])
    assert deliver(app, payload("bot.done", bot_id)).status_code == 200
    rec = app.recording()
    assert rec.state == State.READY
    watch = f"{PUBLIC}/r/{rec.sharing.token}/watch"
    assert app.thread() == [
        "<@U0USER1> your recording of Zoom meeting 812 3456 7890 is ready (37 min). "
        f"It is available until {slack_time(rec.retention.expires_at)}. "
        f"<{watch}|Watch the recording>"
    ]
    video = httpx.get(f"{app.url}/r/{rec.sharing.token}", follow_redirects=False)
    assert video.status_code == 302
    assert app.recall.recording_of(video.headers["location"]) == second
    assert httpx.get(video.headers["location"]).status_code == 200
    assert httpx.get(f"{app.url}/r/{rec.sharing.token}/watch").status_code == 200


def test_every_recordings_video_is_a_part_of_the_link(app: App) -> None:
    bot_id = started(app)
    _, second, third = meeting_in_parts(
        app, bot_id, [(0, 3, None), (5, 20, "done"), (30, 12, "done")]
    )
    deliver(app, payload("bot.done", bot_id))
    rec = app.recording()
    assert rec.state == State.READY
    media = app.runtime.media

    first_part, second_part = media.video(rec.sharing.token), media.video(rec.sharing.token, 2)
    assert (first_part.part, first_part.parts, second_part.part, second_part.parts) == (1, 2, 2, 2)
    assert app.recall.recording_of(first_part.url) == second
    assert app.recall.recording_of(second_part.url) == third
    # Each part keeps its own fresh link: asking again asks Recall nothing.
    asked = len(app.recall.requests_to("GET", rf"^/api/v1/bot/{bot_id}/$"))
    assert media.video(rec.sharing.token, 2).url == second_part.url
    assert media.video(rec.sharing.token).url == first_part.url
    assert len(app.recall.requests_to("GET", rf"^/api/v1/bot/{bot_id}/$")) == asked
    for missing in (0, 3):
        with pytest.raises(UnknownLink):
            media.video(rec.sharing.token, missing)


def test_the_watch_page_lists_every_part_and_each_part_plays(app: App) -> None:
    bot_id = started(app)
    _, second, third = meeting_in_parts(
        app, bot_id, [(0, 3, None), (5, 20, "done"), (30, 12, "done")]
    )
    deliver(app, payload("bot.done", bot_id))
    token = app.recording().sharing.token

    page = httpx.get(f"{app.url}/r/{token}/watch")
    assert page.status_code == 200
    assert "this meeting has 2 videos" in page.text
    assert f'<a href="/r/{token}/watch?part=2">part 2</a>' in page.text
    second_page = httpx.get(f"{app.url}/r/{token}/watch?part=2")
    assert f'src="/r/{token}?part=2"' in second_page.text
    assert f'<a href="/r/{token}/watch">part 1</a>' in second_page.text

    for part, recording_id in (("1", second), ("2", third)):
        video = httpx.get(f"{app.url}/r/{token}", params={"part": part})
        assert video.status_code == 302
        assert app.recall.recording_of(video.headers["location"]) == recording_id
    for missing in ("3", "0", "-1", "two", "9" * 40):
        assert httpx.get(f"{app.url}/r/{token}", params={"part": missing}).status_code == 404


def stored_columns(report: Any) -> dict[str, Any]:
    """What a step keeps of a report, as the database holds it."""
    return column_values(recall_columns(report))
