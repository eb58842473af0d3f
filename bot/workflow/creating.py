"""Creating the Recall bot for a new request.

Runs inside a claimed step (bot/workflow/steps.py). A 507 (no free bot) is waited out through
the schedule, not by sleeping; brief trouble (429, 5xx, timeouts) is retried in-process with the
same Idempotency-Key, so a request can never make two bots.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from bot.model.join_time import JoinTimeError, parse_join_time
from bot.model.lifecycle import Cause, State, advance, decide
from bot.model.recording import Recording
from bot.recall.client import create_bot_with_retries
from bot.recall.errors import RecallError, RecallNoCapacity
from bot.recall.payload import bot_payload
from bot.recall.reports import read_bot
from bot.workflow.context import StepContext, recall_columns
from bot.workflow.meeting_setup import prepare
from bot.workflow.recall_trouble import Doing, carry_on_after

log = logging.getLogger(__name__)


def create_bot(ctx: StepContext, rec: Recording, now: datetime) -> None:
    """Ask Recall for a bot: 507 → wait and retry, 4xx → explain, outage → back off."""
    if rec.request.join_at_text and not rec.request.join_at:
        resolved = _resolve_join_time(ctx, rec, now)
        if resolved is None:
            return
        rec = resolved
    prepared = prepare(ctx, rec, now)  # the consent notice, retention, Zoom's token URL
    if prepared is None:
        return
    rec = prepared
    # A new key after each 507: Recall replays a key's first answer, the cached 507 included.
    key = f"slack-record-{rec.id}-{rec.schedule.capacity_waits}"
    payload = bot_payload(rec, ctx.policy.bot)
    try:
        bot = create_bot_with_retries(ctx.recall, payload, key, sleep=ctx.sleep)
    except RecallNoCapacity as exc:
        _wait_for_capacity(ctx, rec, now, exc)
        return
    except RecallError as exc:
        carry_on_after(ctx, rec, now, exc, Doing.CREATING)
        return
    ctx.key.works()
    report = read_bot(bot)
    join_at = rec.request.join_at
    later = join_at is not None and join_at > now + timedelta(minutes=1)
    start = State.SCHEDULED if later else State.JOINING
    outcome = decide(report)
    target = advance(rec.state, outcome.state) if outcome else None
    saved = ctx.recordings.move(
        rec,
        now,
        target or start,
        Cause("recall", report.latest_code or "created", report.latest_sub_code),
        recall_bot_id=report.bot_id,
        attempts=0,
        next_poll_at=now + ctx.policy.follow_interval,
        **recall_columns(report),
    )
    if saved is not None:
        log.info("recording %s: Recall bot %s created", rec.id, report.bot_id)
        ctx.sync(saved, now, report)
        if saved.state == State.READY:
            ctx.transcripts.recording_ready(saved, now, bot)


def _resolve_join_time(ctx: StepContext, rec: Recording, now: datetime) -> Recording | None:
    """`--at 14:30` means 14:30 where the requester is: ask Slack for their time zone."""
    zone = ctx.users.timezone(rec.request.team_id, rec.request.user_id) or UTC
    try:
        join_at = parse_join_time(rec.request.join_at_text or "", now).resolve(zone, now)
    except JoinTimeError as exc:
        ctx.fail(rec, now, "join_time_invalid", detail=str(exc))
        return None
    return ctx.recordings.save(rec, now, join_at=join_at, deadline_at=join_at + ctx.policy.deadline)


def _wait_for_capacity(
    ctx: StepContext, rec: Recording, now: datetime, exc: RecallNoCapacity
) -> None:
    waits = rec.schedule.capacity_waits + 1
    if waits >= ctx.policy.max_capacity_waits:
        ctx.fail(rec, now, "no_recorder_available")
        return
    saved = ctx.recordings.save(
        rec,
        now,
        capacity_waits=waits,
        next_poll_at=now + timedelta(seconds=exc.retry_after),
    )
    if saved is not None and waits == 1:
        ctx.slack.tell_requester_quietly(saved, "waiting_for_recorder")
