"""What every step of a recording may use: the services, the policy, and the shared moves
(fail, retry later, bring Slack up to date). Steps receive this narrow object; they never see
the dispatcher that runs them (bot/workflow/steps.py)."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.model.consent import MeetingPolicy
from bot.model.lifecycle import Cause, State
from bot.model.recording import Recording
from bot.model.report import BotReport
from bot.recall.client import RecallClient
from bot.recall.errors import RecallAuthError, RecallError, RecallRateLimited, RecallUnavailable
from bot.recall.payload import BotDefaults
from bot.recall.reports import read_bot
from bot.slack.directory import SlackDirectory
from bot.slack.errors import SlackUnavailable
from bot.store.recordings import Recordings
from bot.store.zoom_accounts import ZoomAccounts
from bot.workflow.slack_sync import SlackSync, WorkspaceBlocked

log = logging.getLogger(__name__)


def recall_columns(report: BotReport) -> dict[str, Any]:
    """What we keep of Recall's report; fields Recall left out keep their stored value."""
    columns: dict[str, Any] = {}
    if report.latest:
        columns["recall_status"] = report.latest.code
        columns["recall_sub_code"] = report.latest.sub_code
        columns["recall_status_at"] = report.latest.at
    started = report.recording_started_at
    if started is None and report.latest_code == "in_call_recording" and report.latest:
        started = report.latest.at  # the recording's own start time comes later
    if started:
        columns["recording_started_at"] = started
    if report.recording_completed_at:
        columns["recording_ended_at"] = report.recording_completed_at
    return columns


@dataclass(frozen=True)
class RecorderPolicy:
    poll_interval: timedelta
    deadline: timedelta  # stop following a bot this long after it should have joined
    recall_region: str
    bot: BotDefaults = field(default_factory=BotDefaults)
    # How long a claim lasts without a heartbeat. While this process works on a recording the
    # lease is renewed every third of it (the scheduler's heartbeat), so a crashed process
    # frees its recordings within this time, while a slow step keeps its own.
    lease: timedelta = timedelta(seconds=30)
    # 507s before we give up: about 5 minutes at Recall's advice of one try every 30 s.
    max_capacity_waits: int = 10
    create_give_up_after: timedelta = timedelta(minutes=10)
    max_backoff: timedelta = timedelta(minutes=5)
    notify_give_up_after: timedelta = timedelta(hours=24)
    # With Recall webhooks, news arrives by itself; polling is then a slow safety sweep.
    sweep_interval: timedelta | None = None
    # One List Bots call per pass for all active bots (bot/workflow/survey.py); off = one
    # call per bot.
    survey: bool = True
    # The consent notice, the stop phrase, the media's retention, Zoom's on-behalf-of join.
    meeting: MeetingPolicy = field(default_factory=MeetingPolicy)

    @property
    def follow_interval(self) -> timedelta:
        """How long a recording in progress may go without us asking Recall about it."""
        return self.sweep_interval or self.poll_interval


class RecallKeyWatch:
    """Recall refusing our API key can only be fixed by an operator: say so loudly, once
    until it works again."""

    def __init__(self) -> None:
        self._refused = False

    def works(self) -> None:
        self._refused = False

    def refused(self, exc: RecallAuthError) -> None:
        if not self._refused:
            self._refused = True
            log.error(
                "Recall refused our API key or account (HTTP %s): check RECALL_API_KEY, "
                "RECALL_REGION and the Recall account's credit",
                exc.status,
            )


class TranscriptHooks(Protocol):
    """What the steps tell the transcript's follower (bot/workflow/transcripts.py): the video
    is ready (with the bot as Recall just showed it, when at hand, to spare a call), or the
    recording was deleted."""

    def recording_ready(
        self, rec: Recording, now: datetime, bot: dict[str, Any] | None = None
    ) -> None: ...

    def recording_deleted(self, recording_id: str) -> None: ...


class NoTranscripts:
    def recording_ready(
        self, rec: Recording, now: datetime, bot: dict[str, Any] | None = None
    ) -> None:
        pass

    def recording_deleted(self, recording_id: str) -> None:
        pass


@dataclass
class StepContext:
    recordings: Recordings
    recall: RecallClient
    slack: SlackSync
    users: SlackDirectory
    policy: RecorderPolicy
    sleep: Callable[[float], None]
    key: RecallKeyWatch = field(default_factory=RecallKeyWatch)
    zoom_accounts: ZoomAccounts | None = None  # who has connected a Zoom account
    transcripts: TranscriptHooks = field(default_factory=NoTranscripts)

    def finish(
        self, rec: Recording, now: datetime, state: State, cause: Cause, **more: object
    ) -> Recording | None:
        """Move to a final state (due at once, so Slack hears of it in this same step)."""
        return self.recordings.move(
            rec, now, state, cause, finished_at=now, next_poll_at=now, **more
        )

    def fail(
        self,
        rec: Recording,
        now: datetime,
        reason: str,
        detail: str | None = None,
        sub_code: str | None = None,
    ) -> Recording | None:
        log.info("recording %s: failed (%s)", rec.id, reason)
        saved = self.finish(
            rec,
            now,
            State.FAILED,
            Cause("failed", reason, sub_code),
            failure_reason=reason,
            failure_sub_code=sub_code,
            failure_detail=detail[:500] if detail else None,
        )
        if saved is not None:
            self.sync(saved, now)
        return saved

    def retry_later(
        self, rec: Recording, now: datetime, exc: Exception, max_backoff: timedelta | None = None
    ) -> None:
        """Try this recording's step again later: after what we were asked to wait, or after
        an exponential back-off with jitter; others carry on meanwhile."""
        attempts = rec.schedule.attempts + 1
        retry_after = getattr(exc, "retry_after", None)
        if isinstance(exc, RecallRateLimited | SlackUnavailable) and retry_after is not None:
            # Wait what we were asked, plus a little jitter so waiters don't all return at once.
            delay = retry_after + random.uniform(1, 5)
        else:
            base = self.policy.poll_interval.total_seconds() * 2 ** (attempts - 1)
            cap = (max_backoff or self.policy.max_backoff).total_seconds()
            delay = min(base, cap) * random.uniform(0.75, 1.0)
            delay = max(delay, retry_after or 0)
        log.info("recording %s: %s; retrying in %.0f s", rec.id, type(exc).__name__, delay)
        self.recordings.save(
            rec, now, attempts=attempts, next_poll_at=now + timedelta(seconds=delay)
        )

    def sync(self, rec: Recording, now: datetime, report: BotReport | None = None) -> None:
        """Bring Slack up to date; a final notice that could not be delivered is retried."""
        try:
            self.slack.sync(rec, now, report, fetch_video=self.fetch_video)
        except RecallError as exc:
            # The ready notice needs a fresh link and Recall would not give one right now.
            self.retry_later(rec, now, exc)
        except WorkspaceBlocked as exc:
            current = self.recordings.get(rec.id) or rec
            if current.state.is_final and not current.slack.notified_at:
                self.recordings.save(rec, now, next_poll_at=exc.until)
        except SlackUnavailable as exc:
            current = self.recordings.get(rec.id) or rec
            if not current.state.is_final or current.slack.notified_at:
                log.warning("recording %s: Slack update failed (%s)", rec.id, exc)
            elif now - (current.finished_at or now) > self.policy.notify_give_up_after:
                log.error("recording %s: giving up on the Slack notice (%s)", rec.id, exc)
                self.recordings.save(rec, now, next_poll_at=None)
            else:
                log.warning("recording %s: Slack notice failed (%s); will retry", rec.id, exc)
                self.retry_later(rec, now, exc)

    def fetch_video(self, rec: Recording) -> BotReport:
        """The download link is never stored (it is a bearer credential): fetch it when needed."""
        report = read_bot(self.recall.get_bot(rec.recall.bot_id or ""))
        if not report.has_video:
            raise RecallUnavailable("the video link is missing")
        return report
