"""Following a bot that Recall has: how is it doing, and what does that mean for us?

News comes from, in order of preference: a webhook that already said the new status; this
poll pass's List Bots round (bot/workflow/survey.py), which shows every active bot; or a
Retrieve of the bot itself. The report goes through the state machine (bot/model/lifecycle.py)
and the result to Slack. Runs inside a claimed step (bot/workflow/steps.py).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from bot.model.lifecycle import STATUS_TARGETS, Cause, State, advance, decide
from bot.model.recording import Recording
from bot.recall.errors import RecallError
from bot.recall.reports import read_bot, report_from_status
from bot.workflow.context import StepContext, recall_columns
from bot.workflow.expiry import expiry_columns
from bot.workflow.recall_trouble import Doing, carry_on_after
from bot.workflow.survey import ACTIVE_STATES, SurveyView

log = logging.getLogger(__name__)


def check_bot(
    ctx: StepContext, rec: Recording, now: datetime, survey: SurveyView | None = None
) -> None:
    """Learn how the bot is doing (a webhook's news, this pass's list, or a Retrieve) and
    move the state machine; then bring Slack up to date."""
    assert rec.recall.bot_id is not None
    if now >= rec.deadline_at:
        _give_up(ctx, rec, now)
        return
    changes: dict[str, Any] = {"attempts": 0}
    listed = survey.current(rec.recall.bot_id, since=now) if survey else None
    seen: dict[str, Any] | None = None  # the bot as Recall showed it in this step
    if listed is None and survey is not None and _survey_will_cover(ctx, rec, survey, now):
        # The list is still making its round: this bot's page comes in a later pass.
        ctx.recordings.save(rec, now, next_poll_at=now + ctx.policy.poll_interval)
        return
    if _fresh_status_news(rec):
        # A webhook already told us the new status: no need to ask Recall.
        report = report_from_status(rec.news.code or "", rec.news.sub_code, rec.news.at)
        told_by = "webhook"
    elif listed is not None and not rec.news.fetch:
        # This pass's List Bots call showed it, still active: no call of its own.
        report, seen = read_bot(listed), listed
        changes["looked_at"] = now
        told_by = "recall"
    else:
        try:
            bot = ctx.recall.get_bot(rec.recall.bot_id)
        except RecallError as exc:
            carry_on_after(ctx, rec, now, exc, Doing.FOLLOWING)
            return
        ctx.key.works()
        report, seen = read_bot(bot), bot
        changes |= {"hook_fetch": 0, "looked_at": now}
        told_by = "webhook" if rec.news.fetch else "recall"
    outcome = decide(report)
    changes |= recall_columns(report)
    new_state = advance(rec.state, outcome.state) if outcome else None
    final = (new_state or rec.state).is_final
    changes["next_poll_at"] = now if final else now + ctx.policy.follow_interval
    if outcome is None or new_state is None:
        saved = ctx.recordings.save(rec, now, **changes)
    else:
        log.info("recording %s: %s -> %s", rec.id, rec.state, new_state)
        if new_state == State.FAILED:
            changes |= {"failure_reason": outcome.reason, "failure_sub_code": outcome.sub_code}
        if new_state.is_final:
            changes["finished_at"] = now
        if new_state == State.READY:
            changes |= expiry_columns(rec, changes, now)
        cause = Cause(told_by, report.latest_code or outcome.reason, report.latest_sub_code)
        saved = ctx.recordings.move(rec, now, new_state, cause, **changes)
    if saved is not None:
        ctx.sync(saved, now, report)
        if new_state == State.READY:  # after its notice: a transcript never holds that up
            ctx.transcripts.recording_ready(saved, now, seen)


def _survey_will_cover(ctx: StepContext, rec: Recording, survey: SurveyView, now: datetime) -> bool:
    """Not listed, but no whole round of pages has passed since we last looked at it:
    wait for the round rather than spend a call (for a few intervals at most)."""
    if survey.ask_the_rest or rec.state not in ACTIVE_STATES:
        return False
    if rec.news.fetch or _fresh_status_news(rec):
        return False
    looked = rec.recall.looked_at
    if looked is None or now - looked > 4 * ctx.policy.poll_interval:
        return False
    return survey.seen_this_round(rec.recall.bot_id) or not survey.covered_since(looked)


def _give_up(ctx: StepContext, rec: Recording, now: datetime) -> None:
    log.warning("recording %s: deadline passed; asking the bot to leave", rec.id)
    try:
        ctx.recall.leave_call(rec.recall.bot_id or "")
    except RecallError as exc:
        log.info("recording %s: leave_call failed (%s)", rec.id, type(exc).__name__)
    ctx.fail(rec, now, "deadline_exceeded")


def _fresh_status_news(rec: Recording) -> bool:
    """A webhook status newer than anything we fetched, and no need for the whole bot."""
    if rec.news.fetch or rec.news.code not in STATUS_TARGETS or not rec.news.at:
        return False
    return rec.recall.status_at is None or rec.news.at > rec.recall.status_at
