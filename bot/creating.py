"""Creating the Recall bot for a new request (reference recall-api.md §4).

Runs inside a claimed step (bot/recorder.py). A 507 (no free bot) is waited out through the
schedule, not by sleeping; brief trouble (429, 5xx, timeouts) is retried in-process with the
same Idempotency-Key, so a request can never make two bots.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.bot_report import read_bot
from bot.bot_request import bot_payload
from bot.join_time import JoinTimeError, parse_join_time
from bot.lifecycle import Outcome, State, advance, decide
from bot.recall import (
    RecallAuthError,
    RecallNoCapacity,
    RecallNotFound,
    RecallRejected,
    RecallUnavailable,
    create_bot_with_retries,
)
from bot.recording import Recording, from_ts, status_columns, ts

if TYPE_CHECKING:
    from bot.recorder import Recorder

log = logging.getLogger(__name__)


def create_bot(recorder: Recorder, rec: Recording, now: datetime) -> None:
    """Ask Recall for a bot: 507 → wait and retry, 4xx → explain, outage → back off."""
    if rec.join_at_text and not rec.join_at:
        resolved = _resolve_join_time(recorder, rec, now)
        if resolved is None:
            return
        rec = resolved
    # A new key after each 507, or Recall would replay the cached 507 (reference §4.7).
    key = f"slack-record-{rec.id}-{rec.capacity_waits}"
    payload = bot_payload(rec, recorder.policy.bot)
    try:
        bot = create_bot_with_retries(recorder.recall, payload, key, sleep=recorder.sleep)
    except RecallNoCapacity as exc:
        _wait_for_capacity(recorder, rec, now, exc)
        return
    except RecallRejected as exc:
        recorder.fail(rec, now, "recall_rejected", detail=exc.detail, sub_code=exc.code)
        return
    except RecallAuthError as exc:
        recorder.note_key_refused(exc)
        recorder.fail(rec, now, "recall_auth" if exc.status == 401 else "recall_payment")
        return
    except RecallNotFound as exc:
        # The bot endpoint itself is missing: a wrong RECALL_API_BASE_URL or region.
        log.error("Recall answered 404 to create bot; check RECALL_REGION/RECALL_API_BASE_URL")
        recorder.fail(rec, now, "recall_rejected", detail=str(exc))
        return
    except RecallUnavailable as exc:
        if now - from_ts(rec.created_at) > recorder.policy.create_give_up_after:
            recorder.fail(rec, now, "recall_unavailable")
        else:
            # Someone is waiting for this meeting to be recorded: keep retries frequent.
            recorder.retry_later(rec, now, exc, max_backoff=timedelta(minutes=1))
        return
    recorder.recall_key_works()
    report = read_bot(bot)
    later = rec.join_at is not None and from_ts(rec.join_at) > now + timedelta(minutes=1)
    start = State.SCHEDULED if later else State.JOINING
    outcome = decide(report) or Outcome(start)
    saved = recorder.store.save(
        rec,
        now,
        recall_bot_id=report.bot_id,
        state=advance(rec.state, outcome.state) or start,
        attempts=0,
        next_poll_at=ts(now + recorder.policy.follow_interval),
        **status_columns(report),
    )
    if saved is not None:
        log.info("recording %s: Recall bot %s created", rec.id, report.bot_id)
        recorder.sync(saved, now, report)


def _resolve_join_time(recorder: Recorder, rec: Recording, now: datetime) -> Recording | None:
    """`--at 14:30` means 14:30 where the requester is: ask Slack for their time zone."""
    zone = recorder.users.timezone(rec.team_id, rec.user_id) or UTC
    try:
        join_at = parse_join_time(rec.join_at_text or "", now).resolve(zone, now)
    except JoinTimeError as exc:
        recorder.fail(rec, now, "join_time_invalid", detail=str(exc))
        return None
    return recorder.store.save(
        rec, now, join_at=ts(join_at), deadline_at=ts(join_at + recorder.policy.deadline)
    )


def _wait_for_capacity(
    recorder: Recorder, rec: Recording, now: datetime, exc: RecallNoCapacity
) -> None:
    waits = rec.capacity_waits + 1
    if waits >= recorder.policy.max_capacity_waits:
        recorder.fail(rec, now, "no_recorder_available")
        return
    saved = recorder.store.save(
        rec,
        now,
        capacity_waits=waits,
        next_poll_at=ts(now + timedelta(seconds=exc.retry_after)),
    )
    if saved is not None and waits == 1:
        recorder.slack.tell_requester_quietly(saved, "waiting_for_recorder")
