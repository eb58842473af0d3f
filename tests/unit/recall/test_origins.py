"""What a bot carries so that its recording can be rebuilt (the Create Bot body's metadata, within
Recall's limits), and reading it back: ours come back whole, other apps' bots never do, and no
bot Recall may send makes reading it raise."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given

from bot.model.history import RecordingEvent, describe
from bot.model.lifecycle import Cause, State
from bot.model.rebuild import rebuilt_state
from bot.model.recording import InMeeting, MeetingRequest, Recording, Retention, Sharing
from bot.recall.origins import read_origin
from bot.recall.payload import METADATA_VALUE_LIMIT, BotDefaults, bot_payload
from bot.recall.reports import read_bot
from tests.recall_schemas import bots
from tests.unit.recall.test_properties import PROPERTY_SETTINGS

ASKED = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
TEAMS = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_" + "N" * 600 + "%40thread.v2/0"


def recording(url: str = "https://us02web.zoom.us/j/81234567890?pwd=s3cret", **more: Any):
    request = MeetingRequest(
        team_id="T0001",
        channel_id="C0CHAN1",
        user_id="U0USER1",
        meeting_url=url,
        platform="zoom",
        meeting_key="zoom:81234567890",
        enterprise_id="E0GRID",
        team_domain="acme",
        **more,
    )
    return Recording(
        id="9bb3c1d2e4f5a6b7c8d9e0f1",
        state=State.REQUESTED,
        request=request,
        created_at=ASKED,
        updated_at=ASKED,
        deadline_at=ASKED + timedelta(hours=6),
        sharing=Sharing(token="Zq8xLinkTok3n_from-a-test"),
    )


def as_recall_keeps_it(payload: dict[str, Any], bot_id: str = "b0t") -> dict[str, Any]:
    """The bot Recall hands back for a Create Bot body (the fields that matter here)."""
    return {
        "id": bot_id,
        "meeting_url": {"platform": "zoom", "meeting_id": "81234567890"},
        "bot_name": payload["bot_name"],
        "join_at": payload["join_at"],
        "recording_config": payload["recording_config"],
        "metadata": payload["metadata"],
        "status_changes": [],
        "recordings": [],
    }


def test_every_bot_carries_what_a_rebuild_needs_within_recalls_limits() -> None:
    payload = bot_payload(recording(TEAMS), BotDefaults())
    metadata = payload["metadata"]
    assert all(isinstance(v, str) and len(v) <= METADATA_VALUE_LIMIT for v in metadata.values())
    assert metadata["requested_at"] == "2026-12-01T09:30:00.000000Z"
    assert metadata["link_token"] == "Zq8xLinkTok3n_from-a-test"
    assert (metadata["slack_enterprise"], metadata["slack_domain"]) == ("E0GRID", "acme")
    assert payload["join_at"] == metadata["requested_at"]  # a join time for List Bots to filter


def test_the_meeting_link_goes_without_its_passcode() -> None:
    payload = bot_payload(recording(), BotDefaults())
    assert payload["meeting_url"].endswith("?pwd=s3cret")  # Recall still needs it to join
    assert payload["metadata"]["meeting_url"] == "https://us02web.zoom.us/j/81234567890"
    assert "s3cret" not in str(payload["metadata"])


def test_an_immediate_bot_comes_back_as_it_was_asked_for() -> None:
    origin = read_origin(as_recall_keeps_it(bot_payload(recording(), BotDefaults())))
    assert origin is not None
    assert (origin.recording_id, origin.bot_id) == ("9bb3c1d2e4f5a6b7c8d9e0f1", "b0t")
    assert (origin.team_id, origin.channel_id, origin.user_id) == ("T0001", "C0CHAN1", "U0USER1")
    assert (origin.enterprise_id, origin.team_domain) == ("E0GRID", "acme")
    assert origin.requested_at == ASKED and not origin.scheduled
    assert origin.link_token == "Zq8xLinkTok3n_from-a-test"
    assert (origin.platform, origin.meeting_key) == ("zoom", "zoom:81234567890")
    assert (origin.bot_name, origin.layout) == ("slack-record (recording)", "speaker_view")


def test_a_scheduled_bot_comes_back_scheduled() -> None:
    later = ASKED + timedelta(days=2)
    payload = bot_payload(recording(join_at=later, layout="gallery_view_v2"), BotDefaults())
    origin = read_origin(as_recall_keeps_it(payload))
    assert origin is not None and origin.scheduled and origin.join_at == later
    outcome = rebuilt_state(origin, read_bot({"status_changes": []}))
    assert outcome.state == State.SCHEDULED


@pytest.mark.parametrize(
    "metadata",
    [
        None,
        {},
        {"app": "notetaker", "recording_id": "r", "slack_team": "T", "slack_channel": "C"},
        {"app": "slack-record", "recording_id": "r"},  # ours in name, not in substance
        {"app": "slack-record", "recording_id": "", "slack_team": "T", "slack_channel": "C"},
    ],
)
def test_other_apps_bots_are_not_ours(metadata: dict[str, str] | None) -> None:
    bot = as_recall_keeps_it(bot_payload(recording(), BotDefaults()))
    bot["metadata"] = metadata
    assert read_origin(bot) is None


def test_a_bot_made_before_the_request_time_was_kept_dates_from_its_first_status() -> None:
    bot = as_recall_keeps_it(bot_payload(recording(), BotDefaults()))
    for key in ("requested_at", "link_token"):
        del bot["metadata"][key]
    bot["join_at"] = None
    bot["status_changes"] = [
        {"code": "in_call_recording", "created_at": "2026-12-01T09:40:00Z"},
        {"code": "joining_call", "created_at": "2026-12-01T09:31:00Z"},
    ]
    origin = read_origin(bot)
    assert origin is not None and origin.link_token is None
    assert origin.requested_at == datetime(2026, 12, 1, 9, 31, tzinfo=UTC)


@PROPERTY_SETTINGS
@given(bots())
def test_any_bot_recall_may_send_is_read_back_or_left_alone(bot: dict[str, Any]) -> None:
    bot["metadata"] = {
        **(bot.get("metadata") or {}),
        "app": "slack-record",
        "recording_id": "r1",
        "slack_team": "T1",
        "slack_channel": "C1",
        "slack_user": "U1",
    }
    origin = read_origin(bot)
    if origin is not None:
        assert rebuilt_state(origin, read_bot(bot)).state != State.REQUESTED


def test_the_history_says_the_recording_was_rebuilt() -> None:
    event = RecordingEvent(ASKED, State.REQUESTED, State.READY, Cause("rebuilt", "done"))
    assert describe(event) == (
        "the video is ready (rebuilt from Recall and Slack after the database was lost)"
    )
    failed = RecordingEvent(ASKED, State.REQUESTED, State.FAILED, Cause("rebuilt", "fatal"))
    assert describe(failed).startswith("no recording: ")
    assert describe(failed).endswith("(rebuilt from Recall and Slack after the database was lost)")


def test_the_meeting_side_is_read_back_and_a_token_for_another_recording_is_not() -> None:
    rec = recording()
    secret = "s" * 32
    side = InMeeting(
        notice="Recording for Ada", notice_status="sent", chat_stop=True, callback_secret=secret
    )
    rec = replace(rec, in_meeting=side, retention=Retention("timed", 72))
    payload = bot_payload(rec, BotDefaults(public_base_url="https://rec.example.com"))
    bot = as_recall_keeps_it(payload) | {"chat": payload["chat"]}

    origin = read_origin(bot)
    assert (origin.notice, origin.chat_stop, origin.callback_secret) == (
        "Recording for Ada",
        True,
        secret,
    )
    assert (origin.retention, origin.retention_hours, origin.zoom_on_behalf) == ("timed", 72, False)

    [endpoint] = bot["recording_config"]["realtime_endpoints"]
    endpoint["url"] = endpoint["url"].replace(rec.id, "someoneelse")
    origin = read_origin(bot)
    assert (origin.chat_stop, origin.callback_secret) == (False, None)
