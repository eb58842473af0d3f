"""Taking a recording from "someone typed /record" to "the video is in the channel".

`Recorder.request` saves the request (fast: it runs before Slack's 3-second ack). Everything
after that is a `step` on a claimed row (see bot/store.py), run either right away on our own
worker pool or later by the poller, which makes a crash or restart harmless: an unfinished step
is simply due again when its lease runs out.

One step does whatever the recording needs next:
- no Recall bot yet: create it (507 → wait and retry, 4xx → explain, outage → back off);
- a bot in progress: ask Recall how it is doing and move the state machine;
- a final state not yet announced: post the video link or the reason there is none.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot import messages
from bot.bot_report import BotReport, download_url_expiry, read_bot
from bot.lifecycle import Outcome, State, advance, decide
from bot.meetings import MeetingLink
from bot.notifier import SlackNotifier, SlackUnavailable
from bot.recall import (
    RecallAuthError,
    RecallClient,
    RecallError,
    RecallNoCapacity,
    RecallNotFound,
    RecallRateLimited,
    RecallRejected,
    RecallUnavailable,
    create_bot_with_retries,
)
from bot.store import Recording, Store, from_ts, ts

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RecorderPolicy:
    poll_interval: timedelta
    deadline: timedelta  # stop following a bot this long after the request
    bot_name: str
    recall_region: str
    lease: timedelta = timedelta(minutes=2)  # longer than one step can take
    max_capacity_waits: int = 10  # 507s before we give up (≈5 min at 30 s; reference §4.7)
    create_give_up_after: timedelta = timedelta(minutes=10)
    max_backoff: timedelta = timedelta(minutes=5)
    notify_give_up_after: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class RecordingRequest:
    team_id: str
    channel_id: str
    user_id: str
    link: MeetingLink
    response_url: str | None = None
    enterprise_id: str | None = None


class Recorder:
    def __init__(
        self,
        store: Store,
        recall: RecallClient,
        notifier: SlackNotifier,
        policy: RecorderPolicy,
        *,
        executor: Executor | None = None,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.store = store
        self.recall = recall
        self.notifier = notifier
        self.policy = policy
        self._executor = executor
        self._clock = clock
        self._sleep = sleep
        self._recall_key_refused = False
        self._pending: set[Future[None]] = set()
        self._pending_lock = threading.Lock()

    # --- entry points ----------------------------------------------------------------

    def request(self, req: RecordingRequest) -> Recording:
        """Persist a /record request; nothing is lost even if we die before acting on it."""
        return self.store.add(
            self._clock(),
            self.policy.deadline,
            team_id=req.team_id,
            enterprise_id=req.enterprise_id,
            channel_id=req.channel_id,
            user_id=req.user_id,
            response_url=req.response_url,
            meeting_url=req.link.url,
            platform=req.link.platform.value,
            meeting_key=req.link.dedup_key,
            recall_region=self.policy.recall_region,
        )

    def start_soon(self, recording_id: str) -> None:
        """Work on a new request now, off the request thread (the poller is the safety net)."""
        if self._executor is None:
            self.work_on(recording_id)
            return
        future = self._executor.submit(self._work_on_logged, recording_id)
        with self._pending_lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def wait_for_background(self, timeout: float) -> bool:
        """Wait for work started by `start_soon`; True if it all finished in time."""
        with self._pending_lock:
            pending = list(self._pending)
        _, not_done = wait(pending, timeout=timeout)
        return not not_done

    def _forget(self, future: Future[None]) -> None:
        with self._pending_lock:
            self._pending.discard(future)

    def _work_on_logged(self, recording_id: str) -> None:
        try:
            self.work_on(recording_id)
        except Exception:
            # The row stays claimed until its lease ends; the poller then tries again.
            log.exception("recording %s: first step failed; the poller will retry", recording_id)

    def work_on(self, recording_id: str) -> None:
        now = self._clock()
        recording = self.store.claim(recording_id, now, self.policy.lease)
        if recording is not None:
            self.step(recording, now)

    def step(self, recording: Recording, now: datetime) -> None:
        """Do the next thing a claimed recording needs."""
        if recording.state.is_final:
            self._finish(recording, now)
        elif recording.recall_bot_id is None:
            self._create_bot(recording, now)
        else:
            self._check_bot(recording, now)

    # --- creating the bot --------------------------------------------------------------

    def _create_bot(self, rec: Recording, now: datetime) -> None:
        # A new key after each 507, or Recall would replay the cached 507 (reference §4.7).
        key = f"slack-record-{rec.id}-{rec.capacity_waits}"
        try:
            bot = create_bot_with_retries(
                self.recall, self._bot_payload(rec), key, sleep=self._sleep
            )
        except RecallNoCapacity as exc:
            self._wait_for_capacity(rec, now, exc)
            return
        except RecallRejected as exc:
            self._fail(rec, now, "recall_rejected", detail=exc.detail)
            return
        except RecallAuthError as exc:
            self._note_key_refused(exc)
            self._fail(rec, now, "recall_auth" if exc.status == 401 else "recall_payment")
            return
        except RecallNotFound as exc:
            # The bot endpoint itself is missing: a wrong RECALL_API_BASE_URL or region.
            log.error("Recall answered 404 to create bot; check RECALL_REGION/RECALL_API_BASE_URL")
            self._fail(rec, now, "recall_rejected", detail=str(exc))
            return
        except RecallUnavailable as exc:
            if now - from_ts(rec.created_at) > self.policy.create_give_up_after:
                self._fail(rec, now, "recall_unavailable")
            else:
                # Someone is waiting for this meeting to be recorded: keep retries frequent.
                self._retry_later(rec, now, exc, max_backoff=timedelta(minutes=1))
            return
        self._recall_key_refused = False
        report = read_bot(bot)
        outcome = decide(report) or Outcome(State.JOINING)
        state = advance(rec.state, outcome.state) or State.JOINING
        saved = self.store.save(
            rec,
            now,
            recall_bot_id=report.bot_id,
            state=state,
            attempts=0,
            next_poll_at=ts(now + self.policy.poll_interval),
            **_status_columns(report),
        )
        if saved is None:
            return
        log.info("recording %s: Recall bot %s created", rec.id, report.bot_id)
        self._announce(saved, now)

    def _bot_payload(self, rec: Recording) -> dict[str, Any]:
        return {
            "meeting_url": rec.meeting_url,
            "bot_name": self.policy.bot_name,
            "recording_config": {"video_mixed_mp4": {}, "video_mixed_layout": "speaker_view"},
            # Ties the bot back to us; values must be strings (reference §4.2).
            "metadata": {
                "app": "slack-record",
                "recording_id": rec.id,
                "slack_team": rec.team_id,
                "slack_channel": rec.channel_id,
                "slack_user": rec.user_id,
            },
        }

    def _wait_for_capacity(self, rec: Recording, now: datetime, exc: RecallNoCapacity) -> None:
        waits = rec.capacity_waits + 1
        if waits >= self.policy.max_capacity_waits:
            self._fail(rec, now, "no_recorder_available")
            return
        saved = self.store.save(
            rec,
            now,
            capacity_waits=waits,
            next_poll_at=ts(now + timedelta(seconds=exc.retry_after)),
        )
        if saved is not None and waits == 1:
            self._tell_requester(saved, messages.waiting_for_recorder())

    def _announce(self, rec: Recording, now: datetime) -> None:
        try:
            delivery = self.notifier.post(rec, messages.announcement(rec))
        except SlackUnavailable as exc:
            # The recording goes on; the final notice will try again.
            log.warning("recording %s: could not announce in Slack (%s)", rec.id, exc)
            return
        self.store.save(rec, now, status_channel=delivery.channel, status_ts=delivery.ts)

    # --- following the bot ------------------------------------------------------------

    def _check_bot(self, rec: Recording, now: datetime) -> None:
        assert rec.recall_bot_id is not None
        if now >= from_ts(rec.deadline_at):
            self._give_up(rec, now)
            return
        try:
            bot = self.recall.get_bot(rec.recall_bot_id)
        except RecallNotFound:
            self._fail(rec, now, "bot_gone")
            return
        except RecallAuthError as exc:
            # Keep the recording: it resumes as soon as an operator fixes the key.
            self._note_key_refused(exc)
            self._retry_later(rec, now, exc)
            return
        except RecallError as exc:
            self._retry_later(rec, now, exc)
            return
        self._recall_key_refused = False
        report = read_bot(bot)
        outcome = decide(report)
        changes: dict[str, Any] = {"attempts": 0, **_status_columns(report)}
        new_state = advance(rec.state, outcome.state) if outcome else None
        if new_state is not None:
            log.info("recording %s: %s -> %s", rec.id, rec.state, new_state)
            changes["state"] = new_state
            if new_state == State.FAILED:
                changes |= {"failure_reason": outcome.reason, "failure_sub_code": outcome.sub_code}
            if new_state.is_final:
                changes["finished_at"] = ts(now)
        final = (new_state or rec.state).is_final
        changes["next_poll_at"] = ts(now if final else now + self.policy.poll_interval)
        saved = self.store.save(rec, now, **changes)
        if saved is not None and final:
            self._finish(saved, now, report)

    def _give_up(self, rec: Recording, now: datetime) -> None:
        log.warning("recording %s: deadline passed; asking the bot to leave", rec.id)
        try:
            self.recall.leave_call(rec.recall_bot_id or "")
        except RecallError as exc:
            log.info("recording %s: leave_call failed (%s)", rec.id, type(exc).__name__)
        self._fail(rec, now, "deadline_exceeded")

    # --- the final notice -------------------------------------------------------------

    def _finish(self, rec: Recording, now: datetime, report: BotReport | None = None) -> None:
        if rec.notified_at:
            self.store.save(rec, now, next_poll_at=None)
            return
        try:
            if rec.state == State.READY:
                report = self._fresh_report(rec, now, report)
                if report is None:
                    return
                self.notifier.post(rec, messages.ready(rec, *_video_link(report, now)))
            elif rec.state == State.FAILED and rec.recall_bot_id is None:
                # Recall never took the request, so the channel never heard of it.
                self.notifier.tell_requester(rec, messages.not_started(rec))
            elif rec.state == State.FAILED:
                self.notifier.post(rec, messages.failed(rec))
        except SlackUnavailable as exc:
            if now - (from_ts(rec.finished_at) or now) > self.policy.notify_give_up_after:
                log.error("recording %s: giving up on the Slack notice (%s)", rec.id, exc)
                self.store.save(rec, now, next_poll_at=None)
            else:
                log.warning("recording %s: Slack notice failed (%s); will retry", rec.id, exc)
                self._retry_later(rec, now, exc)
            return
        self.store.save(rec, now, notified_at=ts(now), next_poll_at=None)
        log.info("recording %s: %s notice delivered", rec.id, rec.state)

    def _fresh_report(
        self, rec: Recording, now: datetime, report: BotReport | None
    ) -> BotReport | None:
        """The download link is never stored (it is a bearer credential): fetch it when needed."""
        if report is not None and report.has_video:
            return report
        try:
            fresh = read_bot(self.recall.get_bot(rec.recall_bot_id or ""))
        except RecallError as exc:
            self._retry_later(rec, now, exc)
            return None
        if not fresh.has_video:
            self._retry_later(rec, now, RecallUnavailable("the video link is missing"))
            return None
        return fresh

    # --- helpers ------------------------------------------------------------------------

    def _fail(self, rec: Recording, now: datetime, reason: str, detail: str | None = None) -> None:
        log.info("recording %s: failed (%s)", rec.id, reason)
        saved = self.store.save(
            rec,
            now,
            state=State.FAILED,
            failure_reason=reason,
            failure_detail=detail[:500] if detail else None,
            finished_at=ts(now),
            next_poll_at=ts(now),
        )
        if saved is not None:
            self._finish(saved, now)

    def _retry_later(
        self, rec: Recording, now: datetime, exc: Exception, max_backoff: timedelta | None = None
    ) -> None:
        attempts = rec.attempts + 1
        retry_after = getattr(exc, "retry_after", None)
        if isinstance(exc, RecallRateLimited) and retry_after is not None:
            # Wait what Recall asked, plus a little jitter so waiting bots don't all return at once.
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

    def _tell_requester(self, rec: Recording, text: str) -> None:
        try:
            self.notifier.tell_requester(rec, text)
        except SlackUnavailable as exc:
            log.warning("recording %s: could not reach the requester (%s)", rec.id, exc)

    def _note_key_refused(self, exc: RecallAuthError) -> None:
        if not self._recall_key_refused:
            self._recall_key_refused = True
            log.error(
                "Recall refused our API key or account (HTTP %s): check RECALL_API_KEY, "
                "RECALL_REGION and the Recall account's credit",
                exc.status,
            )


def _status_columns(report: BotReport) -> dict[str, Any]:
    """What we keep of Recall's report; fields Recall left out keep their stored value."""
    columns: dict[str, Any] = {}
    if report.latest:
        columns["recall_status"] = report.latest.code
        columns["recall_sub_code"] = report.latest.sub_code
        columns["recall_status_at"] = ts(report.latest.at) if report.latest.at else None
    if report.recording_started_at:
        columns["recording_started_at"] = ts(report.recording_started_at)
    if report.recording_completed_at:
        columns["recording_ended_at"] = ts(report.recording_completed_at)
    return columns


def _video_link(report: BotReport, now: datetime) -> tuple[str, datetime]:
    url = report.download_url or ""
    return url, download_url_expiry(url, now)
