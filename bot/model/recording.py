"""A recording: what was asked for, and everything that happened to it since, in parts that
each say one thing. Times are UTC datetimes; the store turns rows into these and back
(bot/store/rows.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.model.lifecycle import State


@dataclass(frozen=True)
class MeetingRequest:
    """What `/record` asked for, and where."""

    team_id: str
    channel_id: str
    user_id: str
    meeting_url: str
    platform: str
    meeting_key: str | None = None  # the meeting's identity, for "one recorder per meeting"
    enterprise_id: str | None = None
    team_domain: str | None = None  # for links to our messages (https://<domain>.slack.com/…)
    response_url: str | None = None  # the command's reply hook (valid 30 minutes)
    recall_region: str | None = None
    bot_name: str | None = None
    layout: str | None = None
    separate_videos: bool = False
    join_at_text: str | None = None  # `--at` as typed, when it needs the requester's time zone
    join_at: datetime | None = None  # when the bot joins (scheduled bots)


@dataclass(frozen=True)
class RecallProgress:
    """The Recall bot, and what Recall last told us about it."""

    bot_id: str | None = None
    status: str | None = None  # the latest status code
    sub_code: str | None = None
    status_at: datetime | None = None
    started_at: datetime | None = None  # when the posted recording started
    ended_at: datetime | None = None
    looked_at: datetime | None = None  # our last news of it (a Retrieve, or a List Bots page)


@dataclass(frozen=True)
class Failure:
    """Why there is no video (all None unless the recording failed)."""

    reason: str | None = None  # one of bot/model/explanations.py's codes
    sub_code: str | None = None
    detail: str | None = None  # Recall's own words, e.g. a 400's detail


@dataclass(frozen=True)
class StopRequest:
    requested_by: str | None = None  # who pressed Stop / Cancel, or typed /record stop
    requested_at: datetime | None = None
    sent_at: datetime | None = None  # when Recall accepted leave_call / delete
    # Where the wish came from: None for Slack (`requested_by` is a Slack user id), or
    # "meeting_chat" (`requested_by` is the name the participant has in the meeting).
    source: str | None = None

    @property
    def from_meeting_chat(self) -> bool:
        return self.source == "meeting_chat"


@dataclass(frozen=True)
class SlackPosts:
    """Our messages about it in Slack, and which posts were made (each exactly once)."""

    status_channel: str | None = None
    status_ts: str | None = None
    status_key: str | None = None  # what the status message shows now (bot/slack)
    alerts: frozenset[str] = frozenset()  # thread replies already sent, e.g. waiting_room
    pending_post: str | None = None  # a post in flight: set before the call, cleared after
    notified_at: datetime | None = None  # when the final notice reached Slack


@dataclass(frozen=True)
class Schedule:
    next_poll_at: datetime | None = None  # when it next needs a step; None: nothing left
    attempts: int = 0  # consecutive failed calls, for back-off
    capacity_waits: int = 0  # 507 answers so far while creating the bot


@dataclass(frozen=True)
class Claim:
    """Who is working on it: only the claim's token may write (see bot/store/recordings.py)."""

    token: str | None = None
    leased_until: datetime | None = None


@dataclass(frozen=True)
class WebhookNews:
    """The newest bot event a Recall webhook told us about, not yet acted on."""

    code: str | None = None
    sub_code: str | None = None
    at: datetime | None = None
    fetch: bool = False  # a finishing event: look at the whole bot once
    seq: int = 0  # counts noted events, to spot one that arrives during a step


@dataclass(frozen=True)
class Sharing:
    """The durable link, and whether someone deleted the recording or Recall lost its video."""

    token: str | None = None  # the unguessable part of PUBLIC_BASE_URL/r/<token>
    deleted_at: datetime | None = None
    deleted_by: str | None = None
    media_deleted_at: datetime | None = None  # Recall confirmed delete_media
    # When a link asking Recall for the video learned it no longer has it (404, or deleted or
    # expired there, before the end of the retention we asked for).
    media_lost_at: datetime | None = None

    @staticmethod
    def could_be_token(text: str) -> bool:
        """Whether `text` has a link token's shape (URL-safe base64, as
        secrets.token_urlsafe makes them): anything else is no link, without a lookup."""
        return _LINK_TOKEN.fullmatch(text) is not None


_LINK_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class InMeeting:
    """What the people in the meeting are told and may do, and how the recorder gets in."""

    notice: str | None = None  # the words sent to the meeting chat when the recorder joins
    notice_status: str | None = None  # bot/model/consent.py's NoticeStatus
    chat_stop: bool = False  # typing the stop phrase in the meeting chat makes it leave
    zoom_on_behalf: bool = False  # joins Zoom on behalf of the requester (an OBF token)
    # The secret in the URLs Recall calls back for this recording alone (chat, Zoom token).
    callback_secret: str | None = None


@dataclass(frozen=True)
class Retention:
    """How long Recall keeps the media, and when it goes."""

    kind: str | None = None  # "timed" or "forever"; None: recorded before this was set
    hours: int | None = None  # for "timed": counted from the end of the recording
    expires_at: datetime | None = None  # known once the recording has ended
    expiry_noted_at: datetime | None = None  # the status message said it expired

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def expiry_after(self, ended: datetime) -> datetime | None:
        """When Recall deletes media whose recording ended at `ended` (None: kept forever)."""
        if self.kind != "timed" or not self.hours:
            return None
        return ended + timedelta(hours=self.hours)


@dataclass(frozen=True)
class Recording:
    id: str
    state: State
    request: MeetingRequest
    created_at: datetime
    updated_at: datetime
    deadline_at: datetime  # stop following the bot after this
    finished_at: datetime | None = None  # when it reached a final state
    recall: RecallProgress = field(default_factory=RecallProgress)
    failure: Failure = field(default_factory=Failure)
    stop: StopRequest = field(default_factory=StopRequest)
    slack: SlackPosts = field(default_factory=SlackPosts)
    schedule: Schedule = field(default_factory=Schedule)
    claim: Claim = field(default_factory=Claim)
    news: WebhookNews = field(default_factory=WebhookNews)
    sharing: Sharing = field(default_factory=Sharing)
    in_meeting: InMeeting = field(default_factory=InMeeting)
    retention: Retention = field(default_factory=Retention)

    def media_gone(self, now: datetime) -> bool:
        """Someone deleted it, Recall lost its video, or its retention ran out: its video is no
        more, and its transcript goes with it."""
        return bool(
            self.sharing.deleted_at or self.sharing.media_lost_at or self.retention.expired(now)
        )

    @property
    def duration_seconds(self) -> float | None:
        start, end = self.recall.started_at, self.recall.ended_at
        return max(0.0, (end - start).total_seconds()) if start and end else None
