"""The store boundary: a row of `recordings` becomes a `Recording` and changes become column
values here, and nowhere else. Times are kept as fixed-width UTC text, so they compare
correctly as strings inside SQLite."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any

from bot.model.lifecycle import State
from bot.model.recording import (
    Claim,
    Failure,
    InMeeting,
    MeetingRequest,
    RecallProgress,
    Recording,
    Retention,
    Schedule,
    Sharing,
    SlackPosts,
    StopRequest,
    WebhookNews,
)
from bot.store.timestamps import from_ts, ts

# Every column of `recordings` (bot/store/migrations.py says what each one means).
COLUMNS = frozenset(
    [
        "id",
        "team_id",
        "channel_id",
        "user_id",
        "meeting_url",
        "platform",
        "state",
        "created_at",
        "updated_at",
        "deadline_at",
        "enterprise_id",
        "response_url",
        "meeting_key",
        "recall_region",
        "recall_bot_id",
        "recall_status",
        "recall_sub_code",
        "recall_status_at",
        "failure_reason",
        "failure_sub_code",
        "failure_detail",
        "recording_started_at",
        "recording_ended_at",
        "next_poll_at",
        "claim_token",
        "attempts",
        "capacity_waits",
        "status_channel",
        "status_ts",
        "finished_at",
        "notified_at",
        "leased_until",
        "team_domain",
        "bot_name",
        "layout",
        "separate_videos",
        "join_at_text",
        "join_at",
        "stop_requested_by",
        "stop_requested_at",
        "stop_sent_at",
        "alerts",
        "status_key",
        "share_token",
        "deleted_at",
        "deleted_by",
        "media_deleted_at",
        "media_lost_at",
        "pending_post",
        "hook_code",
        "hook_sub_code",
        "hook_at",
        "hook_fetch",
        "hook_seq",
        "looked_at",
        "consent_notice",
        "consent_status",
        "chat_stop",
        "zoom_on_behalf",
        "callback_secret",
        "stop_source",
        "retention",
        "retention_hours",
        "expires_at",
        "expiry_noted_at",
    ]
)


def recording(row: Mapping[str, Any]) -> Recording:
    def at(column: str) -> datetime | None:
        return from_ts(row.get(column))

    return Recording(
        id=row["id"],
        state=State(row["state"]),
        request=MeetingRequest(
            team_id=row["team_id"],
            channel_id=row["channel_id"],
            user_id=row["user_id"],
            meeting_url=row["meeting_url"],
            platform=row["platform"],
            meeting_key=row.get("meeting_key"),
            enterprise_id=row.get("enterprise_id"),
            team_domain=row.get("team_domain"),
            response_url=row.get("response_url"),
            recall_region=row.get("recall_region"),
            bot_name=row.get("bot_name"),
            layout=row.get("layout"),
            separate_videos=bool(row.get("separate_videos")),
            join_at_text=row.get("join_at_text"),
            join_at=at("join_at"),
        ),
        created_at=at("created_at") or datetime.min,
        updated_at=at("updated_at") or datetime.min,
        deadline_at=at("deadline_at") or datetime.min,
        finished_at=at("finished_at"),
        recall=RecallProgress(
            bot_id=row.get("recall_bot_id"),
            status=row.get("recall_status"),
            sub_code=row.get("recall_sub_code"),
            status_at=at("recall_status_at"),
            started_at=at("recording_started_at"),
            ended_at=at("recording_ended_at"),
            looked_at=at("looked_at"),
        ),
        failure=Failure(
            reason=row.get("failure_reason"),
            sub_code=row.get("failure_sub_code"),
            detail=row.get("failure_detail"),
        ),
        stop=StopRequest(
            requested_by=row.get("stop_requested_by"),
            requested_at=at("stop_requested_at"),
            sent_at=at("stop_sent_at"),
            source=row.get("stop_source"),
        ),
        slack=SlackPosts(
            status_channel=row.get("status_channel"),
            status_ts=row.get("status_ts"),
            status_key=row.get("status_key"),
            alerts=frozenset(filter(None, (row.get("alerts") or "").split(","))),
            pending_post=row.get("pending_post"),
            notified_at=at("notified_at"),
        ),
        schedule=Schedule(
            next_poll_at=at("next_poll_at"),
            attempts=row.get("attempts") or 0,
            capacity_waits=row.get("capacity_waits") or 0,
        ),
        claim=Claim(token=row.get("claim_token"), leased_until=at("leased_until")),
        news=WebhookNews(
            code=row.get("hook_code"),
            sub_code=row.get("hook_sub_code"),
            at=at("hook_at"),
            fetch=bool(row.get("hook_fetch")),
            seq=row.get("hook_seq") or 0,
        ),
        sharing=Sharing(
            token=row.get("share_token"),
            deleted_at=at("deleted_at"),
            deleted_by=row.get("deleted_by"),
            media_deleted_at=at("media_deleted_at"),
            media_lost_at=at("media_lost_at"),
        ),
        in_meeting=InMeeting(
            notice=row.get("consent_notice"),
            notice_status=row.get("consent_status"),
            chat_stop=bool(row.get("chat_stop")),
            zoom_on_behalf=bool(row.get("zoom_on_behalf")),
            callback_secret=row.get("callback_secret"),
        ),
        retention=Retention(
            kind=row.get("retention"),
            hours=row.get("retention_hours"),
            expires_at=at("expires_at"),
            expiry_noted_at=at("expiry_noted_at"),
        ),
    )


def column_values(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Changes named by column, as SQLite keeps them: times as text, sets as lists, flags as
    numbers. Raises ValueError for a name that is not a column."""
    unknown = set(changes) - COLUMNS
    if unknown:
        raise ValueError(f"not recording columns: {sorted(unknown)}")
    return {name: column_value(value) for name, value in changes.items()}


def column_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return ts(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, frozenset | set):
        return ",".join(sorted(value)) or None
    return value
