"""Taking a recording from "someone typed /record" to "the video is in the channel".

`Recorder.request` saves the request (fast: it runs before Slack's 3-second ack). Everything
after that is a `step` on a claimed row (see bot/store.py), run either right away on our own
worker pool or later by the poller, which makes a crash or restart harmless: an unfinished step
is simply due again when its lease runs out.

One step does whatever the recording needs next:
- someone pressed Stop or Cancel, or deleted it: tell Recall (bot/stopping.py);
- no Recall bot yet: create it (bot/creating.py);
- a bot in progress: learn how it is doing and move the state machine (bot/following.py);
- then bring Slack up to date (bot/slack_sync.py): the status message, and the thread replies.

The helpers those modules share (`fail`, `retry_later`, `finish_as`, `sync`) live here.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.bot_report import BotReport, read_bot
from bot.bot_request import BotDefaults
from bot.commands import RecordOptions
from bot.creating import create_bot
from bot.following import check_bot
from bot.lifecycle import State
from bot.meetings import MeetingLink
from bot.notifier import SlackUnavailable
from bot.recall import (
    RecallAuthError,
    RecallClient,
    RecallError,
    RecallRateLimited,
    RecallUnavailable,
)
from bot.recording import Recording, from_ts, ts
from bot.slack_directory import SlackDirectory
from bot.slack_sync import SlackSync, WorkspaceBlocked
from bot.stopping import carry_out_stop, delete_media
from bot.store import Store
from bot.survey import Survey, SurveyView

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RecorderPolicy:
    poll_interval: timedelta
    deadline: timedelta  # stop following a bot this long after it should have joined
    recall_region: str
    bot: BotDefaults = field(default_factory=BotDefaults)
    # How long a claim lasts without a heartbeat. While this process works on a recording the
    # lease is renewed every third of it (Runtime), so a crashed process frees its recordings
    # within this time, while a slow step keeps its own.
    lease: timedelta = timedelta(seconds=30)
    max_capacity_waits: int = 10  # 507s before we give up (≈5 min at 30 s; reference §4.7)
    create_give_up_after: timedelta = timedelta(minutes=10)
    max_backoff: timedelta = timedelta(minutes=5)
    notify_give_up_after: timedelta = timedelta(hours=24)
    # With Recall webhooks, news arrives by itself; polling is then a slow safety sweep.
    sweep_interval: timedelta | None = None
    # One List Bots call per pass for all active bots (bot/survey.py); off = one call per bot.
    survey: bool = True

    @property
    def follow_interval(self) -> timedelta:
        """How long a recording in progress may go without us asking Recall about it."""
        return self.sweep_interval or self.poll_interval


@dataclass(frozen=True)
class RecordingRequest:
    team_id: str
    channel_id: str
    user_id: str
    link: MeetingLink
    options: RecordOptions = field(default_factory=RecordOptions)
    response_url: str | None = None
    enterprise_id: str | None = None
    team_domain: str | None = None


class Recorder:
    def __init__(
        self,
        store: Store,
        recall: RecallClient,
        slack: SlackSync,
        users: SlackDirectory,
        policy: RecorderPolicy,
        *,
        executor: Executor | None = None,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.store = store
        self.recall = recall
        self.slack = slack
        self.users = users
        self.policy = policy
        self._executor = executor
        self._clock = clock
        self.sleep = sleep
        self._recall_key_refused = False
        self._pending: set[Future[None]] = set()
        self._pending_lock = threading.Lock()
        self.survey = Survey(recall, store)

    # --- entry points ----------------------------------------------------------------

    def request(self, req: RecordingRequest) -> tuple[Recording, bool]:
        """Persist a /record request, unless the meeting already has a live recording.

        Returns the recording and whether it is new. Nothing is lost even if we die before
        acting on it: the row is due at once and the poller will pick it up.
        """
        now = self._clock()
        join_time = req.options.join_time
        join_at = join_time.absolute if join_time and not join_time.needs_timezone else None
        return self.store.add_unless_live(
            now,
            self.policy.deadline + ((join_at - now) if join_at else timedelta()),
            team_id=req.team_id,
            enterprise_id=req.enterprise_id,
            team_domain=req.team_domain,
            channel_id=req.channel_id,
            user_id=req.user_id,
            response_url=req.response_url,
            meeting_url=req.link.url,
            platform=req.link.platform.value,
            meeting_key=req.link.dedup_key,
            recall_region=self.policy.recall_region,
            bot_name=req.options.bot_name or self.policy.bot.bot_name,
            layout=req.options.layout or self.policy.bot.layout,
            separate_videos=int(req.options.separate),
            join_at=ts(join_at) if join_at else None,
            join_at_text=join_time.text if join_time and join_time.needs_timezone else None,
        )

    def start_soon(self, recording_id: str, first: bool = False) -> None:
        """Work on a recording now, on our worker threads after the answer to Slack (the
        poller is the safety net).

        `first`: it was just requested; warn the requester at once if its conversation won't
        take our messages (then the result comes by DM).
        """
        self.run_soon(lambda: self._work_on_logged(recording_id, first))

    def run_soon(self, task: Callable[[], None]) -> None:
        """Run a short task on the recorder's worker threads (`wait_for_background` sees it)."""
        if self._executor is None:
            task()
            return
        future = self._executor.submit(task)
        with self._pending_lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def wait_for_background(self, timeout: float) -> bool:
        """Wait for work started by `start_soon`/`run_soon`; True if it all finished in time."""
        with self._pending_lock:
            pending = list(self._pending)
        _, not_done = wait(pending, timeout=timeout)
        return not not_done

    def _warn_if_unreachable(self, recording_id: str) -> None:
        rec = self.store.get(recording_id)
        if rec is not None and self.users.can_post_in(rec.team_id, rec.channel_id) is False:
            self.slack.tell_requester_quietly(rec, "cannot_post_here")

    def work_on(self, recording_id: str) -> None:
        now = self._clock()
        recording = self.store.claim(recording_id, now, self.policy.lease)
        if recording is not None:
            self.step(recording, now)

    def step(self, recording: Recording, now: datetime, survey: SurveyView | None = None) -> None:
        """Do the next thing a claimed recording needs, then give the lease back."""
        try:
            self._step(recording, now, survey)
        finally:
            if self.store.release(recording, now):
                self.start_soon(recording.id)  # a webhook's news arrived meanwhile

    def _step(self, rec: Recording, now: datetime, survey: SurveyView | None) -> None:
        if rec.stop_requested_at and not rec.stop_sent_at and not rec.state.is_final:
            stopped = carry_out_stop(self, rec, now)
            if stopped is None:
                return
            rec = stopped
        if rec.deleted_at and not rec.media_deleted_at:
            delete_media(self, rec, now)
        elif rec.state.is_final:
            self.sync(rec, now)
        elif rec.recall_bot_id is None:
            create_bot(self, rec, now)
        else:
            check_bot(self, rec, now, survey)

    # --- Slack ------------------------------------------------------------------------

    def sync(self, rec: Recording, now: datetime, report: BotReport | None = None) -> None:
        """Bring Slack up to date; a final notice that could not be delivered is retried."""
        try:
            self.slack.sync(rec, now, report, fetch_video=self._fetch_video)
        except RecallError as exc:
            # The ready notice needs a fresh link and Recall would not give one right now.
            self.retry_later(rec, now, exc)
        except WorkspaceBlocked as exc:
            current = self.store.get(rec.id) or rec
            if current.state.is_final and not current.notified_at:
                self.store.save(rec, now, next_poll_at=ts(exc.until))
        except SlackUnavailable as exc:
            current = self.store.get(rec.id) or rec
            if not current.state.is_final or current.notified_at:
                log.warning("recording %s: Slack update failed (%s)", rec.id, exc)
            elif now - (from_ts(current.finished_at) or now) > self.policy.notify_give_up_after:
                log.error("recording %s: giving up on the Slack notice (%s)", rec.id, exc)
                self.store.save(rec, now, next_poll_at=None)
            else:
                log.warning("recording %s: Slack notice failed (%s); will retry", rec.id, exc)
                self.retry_later(rec, now, exc)

    def _fetch_video(self, rec: Recording) -> BotReport:
        """The download link is never stored (it is a bearer credential): fetch it when needed."""
        report = read_bot(self.recall.get_bot(rec.recall_bot_id or ""))
        if not report.has_video:
            raise RecallUnavailable("the video link is missing")
        return report

    # --- helpers ------------------------------------------------------------------------

    def finish_as(
        self, rec: Recording, now: datetime, state: State, **more: Any
    ) -> Recording | None:
        return self.store.save(
            rec, now, state=state, finished_at=ts(now), next_poll_at=ts(now), **more
        )

    def fail(
        self,
        rec: Recording,
        now: datetime,
        reason: str,
        detail: str | None = None,
        sub_code: str | None = None,
    ) -> None:
        log.info("recording %s: failed (%s)", rec.id, reason)
        saved = self.finish_as(
            rec,
            now,
            State.FAILED,
            failure_reason=reason,
            failure_sub_code=sub_code,
            failure_detail=detail[:500] if detail else None,
        )
        if saved is not None:
            self.sync(saved, now)

    def retry_later(
        self, rec: Recording, now: datetime, exc: Exception, max_backoff: timedelta | None = None
    ) -> None:
        attempts = rec.attempts + 1
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
        self.store.save(
            rec, now, attempts=attempts, next_poll_at=ts(now + timedelta(seconds=delay))
        )

    def _forget(self, future: Future[None]) -> None:
        with self._pending_lock:
            self._pending.discard(future)

    def _work_on_logged(self, recording_id: str, first: bool = False) -> None:
        try:
            if first:
                self._warn_if_unreachable(recording_id)
            self.work_on(recording_id)
        except Exception:
            # The row stays due; the poller tries again on its next pass.
            log.exception("recording %s: step failed; the poller will retry", recording_id)

    def recall_key_works(self) -> None:
        self._recall_key_refused = False

    def note_key_refused(self, exc: RecallAuthError) -> None:
        """Log loudly, once until it works again: only an operator can fix this."""
        if not self._recall_key_refused:
            self._recall_key_refused = True
            log.error(
                "Recall refused our API key or account (HTTP %s): check RECALL_API_KEY, "
                "RECALL_REGION and the Recall account's credit",
                exc.status,
            )
