"""Edges of what Recall sends: timestamps that are valid RFC 3339 but unusual (extreme years
with offsets, lower-case separators, leap seconds, long fractions), and signed links with
absurd lifetimes."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.bot_report import download_url_expiry, parse_time, read_bot
from bot.lifecycle import Outcome, State, decide
from bot.recall_webhooks import read_event
from bot.recording import from_ts, status_columns, ts
from tests.test_recall_webhooks import CATALOG

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
    assert status_columns(report) == {
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
