"""A poll pass: do the next step of every recording that is due.

`poll_once` is the whole job and a plain function of its inputs (tests call it with their own
clock, no scheduler, no sleeping); `PollJob` is what the scheduler runs every
POLL_INTERVAL_SECONDS (bot/app/scheduler.py), with a way to stop between recordings.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.workflow.steps import Steps
from bot.workflow.survey import Survey

log = logging.getLogger(__name__)

# Small batches: on SIGTERM, few recordings sit claimed-but-untouched (they are released).
BATCH_SIZE = 50


@dataclass(frozen=True)
class PollSummary:
    claimed: int
    errors: int


def poll_once(
    steps: Steps,
    survey: Survey | None,
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
    view = survey.take(now) if survey is not None else None
    recordings, lease = steps.ctx.recordings, steps.ctx.policy.lease
    while True:
        batch, unreadable = recordings.claim_due(now, lease, limit=batch_size)
        fresh = [recording for recording in batch if recording.id not in seen]
        errors += len(set(unreadable) - seen)
        seen.update(unreadable)
        for index, recording in enumerate(fresh):
            if should_stop():
                for unstarted in fresh[index:]:
                    steps.release(unstarted, now)
                return PollSummary(claimed=len(seen), errors=errors)
            seen.add(recording.id)
            try:
                steps.step(recording, now, view)
            except Exception:
                errors += 1
                log.exception("recording %s: step failed; will retry later", recording.id)
        if len(batch) + len(unreadable) < batch_size or not fresh:
            return PollSummary(claimed=len(seen), errors=errors)


class PollJob:
    """The scheduled poll pass, which can be told to stop between two recordings."""

    def __init__(self, steps: Steps, survey: Survey | None, clock: Callable[[], datetime]):
        self._steps = steps
        self._survey = survey
        self._clock = clock
        self._stopping = threading.Event()
        self._idle = threading.Event()
        self._idle.set()

    def __call__(self) -> PollSummary | None:
        if self._stopping.is_set():
            return None
        self._idle.clear()
        try:
            return poll_once(
                self._steps, self._survey, self._clock(), should_stop=self._stopping.is_set
            )
        finally:
            self._idle.set()

    def stop(self, timeout: float) -> bool:
        """Stop between recordings: the step in progress finishes, the rest of its batch is
        released. False if a step was still running after `timeout` seconds (its lease will
        expire and another process picks it up)."""
        self._stopping.set()
        return self._idle.wait(timeout)
