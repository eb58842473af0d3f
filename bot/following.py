"""Following a bot that Recall has: how is it doing, and what does that mean for us?

News comes from, in order of preference: a webhook that already said the new status; this
poll pass's List Bots round (bot/survey.py), which shows every active bot; or a Retrieve of
the bot itself. The report goes through the state machine (bot/lifecycle.py) and the result
to Slack. Runs inside a claimed step (bot/recorder.py).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.bot_report import read_bot, report_from_status
from bot.lifecycle import STATUS_TARGETS, State, advance, decide
from bot.recall import RecallAuthError, RecallError, RecallNotFound
from bot.recording import Recording, from_ts, status_columns, ts
from bot.survey import ACTIVE_STATES, SurveyView

if TYPE_CHECKING:
    from bot.recorder import Recorder

log = logging.getLogger(__name__)


def check_bot(
    recorder: Recorder, rec: Recording, now: datetime, survey: SurveyView | None = None
) -> None:
    """Learn how the bot is doing (a webhook's news, this pass's list, or a Retrieve) and
    move the state machine; then bring Slack up to date."""
    assert rec.recall_bot_id is not None
    if now >= from_ts(rec.deadline_at):
        _give_up(recorder, rec, now)
        return
    changes: dict[str, Any] = {"attempts": 0}
    listed = survey.current(rec.recall_bot_id, since=now) if survey else None
    if listed is None and survey is not None and _survey_will_cover(recorder, rec, survey, now):
        # The list is still making its round: this bot's page comes in a later pass.
        recorder.store.save(rec, now, next_poll_at=ts(now + recorder.policy.poll_interval))
        return
    if _fresh_status_news(rec):
        # A webhook already told us the new status: no need to ask Recall.
        report = report_from_status(rec.hook_code or "", rec.hook_sub_code, from_ts(rec.hook_at))
    elif listed is not None and not rec.hook_fetch:
        # This pass's List Bots call showed it, still active: no call of its own.
        report = read_bot(listed)
        changes["looked_at"] = ts(now)
    else:
        try:
            bot = recorder.recall.get_bot(rec.recall_bot_id)
        except RecallNotFound:
            recorder.fail(rec, now, "bot_gone")
            return
        except RecallAuthError as exc:
            # Keep the recording: it resumes as soon as an operator fixes the key.
            recorder.note_key_refused(exc)
            recorder.retry_later(rec, now, exc)
            return
        except RecallError as exc:
            recorder.retry_later(rec, now, exc)
            return
        recorder.recall_key_works()
        report = read_bot(bot)
        changes |= {"hook_fetch": 0, "looked_at": ts(now)}
    outcome = decide(report)
    changes |= status_columns(report)
    new_state = advance(rec.state, outcome.state) if outcome else None
    if outcome and new_state is not None:
        log.info("recording %s: %s -> %s", rec.id, rec.state, new_state)
        changes["state"] = new_state
        if new_state == State.FAILED:
            changes |= {"failure_reason": outcome.reason, "failure_sub_code": outcome.sub_code}
        if new_state.is_final:
            changes["finished_at"] = ts(now)
    final = (new_state or rec.state).is_final
    changes["next_poll_at"] = ts(now if final else now + recorder.policy.follow_interval)
    saved = recorder.store.save(rec, now, **changes)
    if saved is not None:
        recorder.sync(saved, now, report)


def _survey_will_cover(
    recorder: Recorder, rec: Recording, survey: SurveyView, now: datetime
) -> bool:
    """Not listed, but no whole round of pages has passed since we last looked at it:
    wait for the round rather than spend a call (for a few intervals at most)."""
    if survey.ask_the_rest or rec.state not in ACTIVE_STATES:
        return False
    if rec.hook_fetch or _fresh_status_news(rec):
        return False
    looked = from_ts(rec.looked_at)
    if looked is None or now - looked > 4 * recorder.policy.poll_interval:
        return False
    return survey.seen_this_round(rec.recall_bot_id) or not survey.covered_since(looked)


def _give_up(recorder: Recorder, rec: Recording, now: datetime) -> None:
    log.warning("recording %s: deadline passed; asking the bot to leave", rec.id)
    try:
        recorder.recall.leave_call(rec.recall_bot_id or "")
    except RecallError as exc:
        log.info("recording %s: leave_call failed (%s)", rec.id, type(exc).__name__)
    recorder.fail(rec, now, "deadline_exceeded")


def _fresh_status_news(rec: Recording) -> bool:
    """A webhook status newer than anything we fetched, and no need for the whole bot."""
    if rec.hook_fetch or rec.hook_code not in STATUS_TARGETS or not rec.hook_at:
        return False
    return rec.recall_status_at is None or rec.hook_at > rec.recall_status_at
