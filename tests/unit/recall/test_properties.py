"""Property tests over everything Recall may send: Bot objects generated from the `Bot` schema
of Recall's OpenAPI document and webhook payloads generated from its webhook catalog (see
tests/recall_schemas.py). No valid object may make reading it, deciding on it or storing it
raise; and a finished video in any of a bot's recordings is always found."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from bot.model.lifecycle import Outcome, State, decide
from bot.recall.reports import read_bot, report_from_status
from bot.recall.webhooks import read_event
from bot.store.rows import column_values
from bot.store.timestamps import from_ts, ts
from bot.workflow.context import recall_columns
from tests.recall_schemas import bot_schema, bots, webhook_payloads, webhook_schemas

# Enough to meet every kind of recording, status and timestamp, and the file stays quick.
PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
STORED = "2026-01-15T10:00:00.000000Z"
# Built once: each strategy holds its schema's sub-strategies (see tests/recall_schemas.py).
BOTS = bots()
BOTS_WITH_RECORDINGS = bots(min_recordings=1)
WEBHOOK_PAYLOADS = webhook_payloads()
# What is generated is checked against the schemas too: the properties are about valid input.
BOT_VALIDATOR = Draft7Validator(bot_schema())
WEBHOOK_VALIDATORS = {name: Draft7Validator(s) for name, s in webhook_schemas().items()}


def assert_stored_times_round_trip(columns: dict[str, Any]) -> None:
    for key, value in columns.items():
        if key.endswith("_at") and value is not None:
            assert len(value) == len(STORED), value  # fixed width: compares as text
            assert ts(from_ts(value)) == value


@PROPERTY_SETTINGS
@given(BOTS)
def test_any_bot_recall_may_send_is_read_decided_and_stored(bot: dict[str, Any]) -> None:
    assert BOT_VALIDATOR.is_valid(bot)
    report = read_bot(bot)
    decide(report)
    assert_stored_times_round_trip(stored_columns(report))
    for recording in report.recordings:
        for moment in (recording.started_at, recording.completed_at, recording.starts_at):
            assert moment is None or moment.utcoffset() is not None


@PROPERTY_SETTINGS
@given(WEBHOOK_PAYLOADS)
def test_any_webhook_recall_may_send_is_read_and_noted(payload: dict[str, Any]) -> None:
    assert WEBHOOK_VALIDATORS[payload["event"]].is_valid(payload)
    event = read_event("msg_property", payload)
    if event is None:
        return
    # What the webhook ledger stores, and what the next step makes of it.
    at = ts(event.at) if event.at else None
    report = report_from_status(event.code or "", event.sub_code, from_ts(at))
    decide(report)
    assert_stored_times_round_trip(stored_columns(report))


@st.composite
def bots_with_a_video_somewhere(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A generated bot with a finished mixed video placed in one of its recordings, any one."""
    bot = draw(BOTS_WITH_RECORDINGS)
    recording = bot["recordings"][draw(st.integers(0, len(bot["recordings"]) - 1))]
    url = "https://s3.example/video.mp4?X-Amz-Signature=" + draw(st.text("0123456789abcdef"))
    shortcuts = recording["media_shortcuts"] or dict.fromkeys(
        ("video_mixed", "transcript", "participant_events", "meeting_metadata", "audio_mixed")
    )
    shortcuts["video_mixed"] = {
        "id": "0b7f9a3c-7a4e-4c53-9d1e-1b5d2f0c8e11",
        "created_at": "2026-01-15T10:00:00.000000Z",
        "status": {"code": "done", "sub_code": None, "updated_at": "2026-01-15T10:42:07Z"},
        "metadata": {},
        "format": "mp4",
        "data": {"download_url": url},
    }
    recording["media_shortcuts"] = shortcuts
    return bot, url


@PROPERTY_SETTINGS
@given(bots_with_a_video_somewhere())
def test_a_finished_video_in_any_recording_is_found(placed: tuple[dict[str, Any], str]) -> None:
    bot, url = placed
    assert BOT_VALIDATOR.is_valid(bot)  # still a bot Recall may send
    report = read_bot(bot)
    assert decide(report) == Outcome(State.READY)
    assert url in [video.download_url for video in report.videos]
    assert report.download_url == report.videos[0].download_url


def stored_columns(report: Any) -> dict[str, Any]:
    """What a step keeps of a report, as the database holds it."""
    return column_values(recall_columns(report))
