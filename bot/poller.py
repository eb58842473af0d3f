"""The poller: every POLL_INTERVAL_SECONDS, do the next step of every recording that is due.

`poll_once` is the whole job and a plain function of its inputs (tests call it with their own
clock, no scheduler, no sleeping). `Poller` only schedules it with APScheduler 3's
BackgroundScheduler: one interval job, `max_instances=1`, `coalesce`, and a misfire grace long
enough that a busy moment delays a run instead of silently dropping it (libraries reference §2.2).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from bot.recorder import Recorder
from bot.recording import ts
from bot.slack_replays import REPLAY_MEMORY, SlackReplays
from bot.webhook_ledger import WebhookLedger

log = logging.getLogger(__name__)

JOB_ID = "poll-recordings"
# Svix retries a webhook for about a day; remembering delivery ids for three is plenty.
DELIVERY_MEMORY = timedelta(days=3)
HOUSEKEEPING_EVERY = timedelta(hours=1)
# Small batches: on SIGTERM, few recordings sit claimed-but-untouched (they are released).
BATCH_SIZE = 50


@dataclass(frozen=True)
class PollSummary:
    claimed: int
    errors: int


def poll_once(
    recorder: Recorder,
    now: datetime,
    batch_size: int = BATCH_SIZE,
    should_stop: Callable[[], bool] = lambda: False,
) -> PollSummary:
    """Claim due recordings (in batches) and step each.

    One bad recording never stops the others: its error is logged, its lease runs out, and a
    later pass retries it. A recording is stepped at most once per pass, so a step that leaves
    its row due again cannot keep a pass spinning. When `should_stop` turns true (SIGTERM), the
    step in progress finishes and the rest of the batch is released for the next process.
    """
    seen: set[str] = set()
    errors = 0
    survey = recorder.survey.take(now) if recorder.policy.survey else None
    while True:
        batch = recorder.store.claim_due(now, recorder.policy.lease, limit=batch_size)
        fresh = [recording for recording in batch if recording.id not in seen]
        for index, recording in enumerate(fresh):
            if should_stop():
                for unstarted in fresh[index:]:
                    recorder.store.release(unstarted, now)
                return PollSummary(claimed=len(seen), errors=errors)
            seen.add(recording.id)
            try:
                recorder.step(recording, now, survey)
            except Exception:
                errors += 1
                log.exception("recording %s: step failed; will retry later", recording.id)
        if len(batch) < batch_size or not fresh:
            return PollSummary(claimed=len(seen), errors=errors)


class Poller:
    def __init__(
        self, recorder: Recorder, interval: timedelta, clock: Callable[[], datetime]
    ) -> None:
        self._recorder = recorder
        self._clock = clock
        self._stopping = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._next_housekeeping: datetime | None = None
        self.interval = interval
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)}, timezone="UTC"
        )
        self.scheduler.add_job(
            self.run,
            trigger="interval",
            seconds=interval.total_seconds(),
            id=JOB_ID,
            replace_existing=True,
            max_instances=1,  # a slow pass delays the next instead of overlapping it
            coalesce=True,  # missed runs (a stalled host) collapse into one
            misfire_grace_time=60,  # run late rather than skip (the default is 1 s)
            next_run_time=clock(),  # first pass right away: resume whatever a restart left
        )
        self.scheduler.add_listener(_on_job_event, EVENT_JOB_ERROR | EVENT_JOB_MAX_INSTANCES)

    def run(self) -> PollSummary | None:
        if self._stopping.is_set():
            return None
        self._idle.clear()
        try:
            now = self._clock()
            if self._next_housekeeping is None or now >= self._next_housekeeping:
                WebhookLedger(self._recorder.store).forget_before(now - DELIVERY_MEMORY)
                # Slack requests older than this fail the signature check: a replay of one
                # cannot get in any more, so its key is not needed.
                SlackReplays(self._recorder.store).forget_before(now - REPLAY_MEMORY)
                # OAuth states nobody came back with (abandoned installs) are useless now.
                self._recorder.store.write(
                    "DELETE FROM oauth_states WHERE expires_at <= ?", [ts(now)]
                )
                self._next_housekeeping = now + HOUSEKEEPING_EVERY
            return poll_once(self._recorder, now, should_stop=self._stopping.is_set)
        finally:
            # Job runs may land on different pool threads; don't leave connections behind.
            self._recorder.store.close()
            self._idle.set()

    @property
    def running(self) -> bool:
        return self.scheduler.running

    def start(self) -> None:
        if not self.scheduler.running:
            self.scheduler.start()
            log.info("poller started (every %g s)", self.interval.total_seconds())

    def shutdown(self, timeout: float = 5.0) -> bool:
        """Stop polling: the step in progress finishes, the rest of its batch is released.

        Returns False if a step was still running after `timeout` seconds (its lease will
        expire and another process picks it up).
        """
        self._stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        finished = self._idle.wait(timeout)
        log.info("poller stopped" if finished else "poller stopped; a step was left running")
        return finished


def _on_job_event(event: JobExecutionEvent) -> None:
    if event.code == EVENT_JOB_ERROR:
        log.error("poll pass failed: %r", event.exception)
    elif event.code == EVENT_JOB_MAX_INSTANCES:
        log.warning("previous poll pass still running; this one skipped")
