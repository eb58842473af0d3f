"""Every periodic job, on one APScheduler 3 BackgroundScheduler: the poll pass every
POLL_INTERVAL_SECONDS, the lease heartbeat, hourly housekeeping, the minutely sweep for
recordings whose media has expired, and the transcripts' look at Recall every
POLL_INTERVAL_SECONDS (bot/workflow/transcripts.py).

The jobs are plain callables (bot/workflow/polling.py and friends); this module only says when
they run. Each has `max_instances=1` (a slow run delays the next instead of overlapping it),
`coalesce` (runs missed while the host stalled collapse into one) and a misfire grace long
enough that a busy moment delays a run instead of silently dropping it (APScheduler's default
grace is 1 s). Job errors are logged through the scheduler's listener, not by each job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)

POLL_JOB = "poll-recordings"
HEARTBEAT_JOB = "renew-leases"
HOUSEKEEPING_JOB = "housekeeping"
HOUSEKEEPING_EVERY = timedelta(hours=1)
EXPIRY_JOB = "expire-recordings"
# Recordings whose media's retention ran out are told within this long of the moment.
EXPIRY_EVERY = timedelta(minutes=1)
TRANSCRIPTS_JOB = "follow-transcripts"


class Scheduler:
    def __init__(
        self,
        *,
        poll: Callable[[], Any],
        poll_interval: timedelta,
        heartbeat: Callable[[], Any],
        lease: timedelta,
        housekeeping: Callable[[], Any],
        after_each_run: Callable[[], None],
        clock: Callable[[], datetime],
        expiry: Callable[[], Any] = lambda: None,
        transcripts: Callable[[], Any] | None = None,
    ) -> None:
        self.poll_interval = poll_interval
        # One thread per job: the heartbeat must run while a long poll pass is under way.
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=5)}, timezone="UTC"
        )
        now = clock()
        jobs = [
            # First pass right away: resume whatever a restart left.
            (POLL_JOB, poll, poll_interval, now),
            # While we hold recordings (a step, or a batch waiting its turn), keep their leases.
            (HEARTBEAT_JOB, heartbeat, lease / 3, now + lease / 3),
            (HOUSEKEEPING_JOB, housekeeping, HOUSEKEEPING_EVERY, now),
            # Each recording past its expiry, not yet told, is made due (bot/workflow/expiry.py).
            (EXPIRY_JOB, expiry, EXPIRY_EVERY, now),
        ]
        if transcripts is not None:
            jobs.append((TRANSCRIPTS_JOB, transcripts, poll_interval, now + poll_interval / 2))
        for job_id, job, every, first in jobs:
            self.scheduler.add_job(
                _then(job, after_each_run),
                trigger="interval",
                seconds=every.total_seconds(),
                id=job_id,
                replace_existing=True,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=60,
                next_run_time=first,
            )
        self.scheduler.add_listener(_on_job_event, EVENT_JOB_ERROR | EVENT_JOB_MAX_INSTANCES)

    @property
    def running(self) -> bool:
        return self.scheduler.running

    def start(self) -> None:
        if not self.scheduler.running:
            self.scheduler.start()
            log.info("poller started (every %g s)", self.poll_interval.total_seconds())

    def shutdown(self) -> None:
        """No new runs; a run in progress finishes on its own (the poll job can be told to
        stop between recordings: bot/workflow/polling.py)."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)


def _then(job: Callable[[], Any], after: Callable[[], None]) -> Callable[[], Any]:
    def run() -> Any:
        try:
            return job()
        finally:
            # Runs land on different pool threads; don't leave database connections behind.
            after()

    run.__name__ = getattr(job, "__name__", type(job).__name__)
    return run


def _on_job_event(event: JobExecutionEvent) -> None:
    if event.code == EVENT_JOB_ERROR:
        log.error("%s failed: %r", event.job_id, event.exception)
    elif event.code == EVENT_JOB_MAX_INSTANCES:
        log.warning("previous %s run still running; this one skipped", event.job_id)
