"""A recording as stored: one row of `recordings` (see bot/migrations.py), and the helpers
that turn Recall's reports and our times into its columns."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from bot.model.lifecycle import State
from bot.model.report import BotReport
from bot.model.times import from_ts, ts


@dataclass(frozen=True)
class Recording:
    """One row of `recordings`; see bot/migrations.py for what each column means."""

    id: str
    team_id: str
    channel_id: str
    user_id: str
    meeting_url: str
    platform: str
    state: State
    created_at: str
    updated_at: str
    deadline_at: str
    enterprise_id: str | None = None
    response_url: str | None = None
    meeting_key: str | None = None
    recall_region: str | None = None
    recall_bot_id: str | None = None
    recall_status: str | None = None
    recall_sub_code: str | None = None
    recall_status_at: str | None = None
    failure_reason: str | None = None
    failure_sub_code: str | None = None
    failure_detail: str | None = None
    recording_started_at: str | None = None
    recording_ended_at: str | None = None
    next_poll_at: str | None = None
    claim_token: str | None = None
    attempts: int = 0
    capacity_waits: int = 0
    status_channel: str | None = None
    status_ts: str | None = None
    finished_at: str | None = None
    notified_at: str | None = None
    leased_until: str | None = None
    team_domain: str | None = None
    bot_name: str | None = None
    layout: str | None = None
    separate_videos: int | None = None
    join_at_text: str | None = None
    join_at: str | None = None
    stop_requested_by: str | None = None
    stop_requested_at: str | None = None
    stop_sent_at: str | None = None
    alerts: str | None = None
    status_key: str | None = None
    share_token: str | None = None
    deleted_at: str | None = None
    deleted_by: str | None = None
    media_deleted_at: str | None = None
    pending_post: str | None = None
    hook_code: str | None = None
    hook_sub_code: str | None = None
    hook_at: str | None = None
    hook_fetch: int | None = None
    hook_seq: int | None = None
    looked_at: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Recording:
        values = {k: v for k, v in row.items() if k in COLUMNS}
        values["state"] = State(values["state"])
        return cls(**values)

    @property
    def alerted(self) -> frozenset[str]:
        return frozenset(filter(None, (self.alerts or "").split(",")))

    @property
    def duration_seconds(self) -> float | None:
        start, end = from_ts(self.recording_started_at), from_ts(self.recording_ended_at)
        return max(0.0, (end - start).total_seconds()) if start and end else None


COLUMNS = frozenset(f.name for f in dataclasses.fields(Recording))
# Due: scheduled for now or earlier, and not leased by someone else.


def status_columns(report: BotReport) -> dict[str, Any]:
    """What we keep of Recall's report; fields Recall left out keep their stored value."""
    columns: dict[str, Any] = {}
    if report.latest:
        columns["recall_status"] = report.latest.code
        columns["recall_sub_code"] = report.latest.sub_code
        columns["recall_status_at"] = ts(report.latest.at) if report.latest.at else None
    started = report.recording_started_at
    if started is None and report.latest_code == "in_call_recording" and report.latest:
        started = report.latest.at  # the recording's own start time comes later
    if started:
        columns["recording_started_at"] = ts(started)
    if report.recording_completed_at:
        columns["recording_ended_at"] = ts(report.recording_completed_at)
    return columns
