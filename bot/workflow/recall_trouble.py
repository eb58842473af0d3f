"""What a Recall error means for a step, decided in one place.

    error                     creating the bot          following it          stopping it
    RecallAuthError (401/402) fail: key/credit refused   keep, retry later     keep, retry later
    RecallNotFound (404)      fail: wrong region/URL     fail: bot gone        fail: bot gone
    RecallRejected (4xx)      fail: Recall's reason      retry later           carry on (nothing
                                                                               left to stop)
    RecallUnavailable         retry within a minute,     retry later           retry later
    (5xx, 429, timeouts)      fail after 10 minutes
    RecallNoCapacity (507)    handled by the create step itself: wait about 30 s, then again

A refused key is also logged loudly, once, whatever the step: only an operator can fix it.
Deleting media treats "not found" as done (Recall has nothing left to delete).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from enum import StrEnum

from bot.model.recording import Recording
from bot.recall.errors import (
    RecallAuthError,
    RecallError,
    RecallNotFound,
    RecallRejected,
    RecallUnavailable,
)
from bot.workflow.context import StepContext

log = logging.getLogger(__name__)

# Someone is waiting for this meeting to be recorded: keep retries of a create frequent.
CREATE_MAX_BACKOFF = timedelta(minutes=1)


class Doing(StrEnum):
    CREATING = "creating"
    FOLLOWING = "following"
    STOPPING = "stopping"
    DELETING = "deleting"


def carry_on_after(
    ctx: StepContext, rec: Recording, now: datetime, exc: RecallError, doing: Doing
) -> bool:
    """Deal with `exc` as the table above says; True if the step may carry on as if the call
    had succeeded, False if the step ends here (the recording failed or waits)."""
    if isinstance(exc, RecallAuthError):
        ctx.key.refused(exc)
        if doing is Doing.CREATING:
            ctx.fail(rec, now, "recall_auth" if exc.status == 401 else "recall_payment")
        else:
            ctx.retry_later(rec, now, exc)  # kept until an operator fixes the key
        return False
    if isinstance(exc, RecallNotFound):
        if doing is Doing.DELETING:
            return True  # Recall has nothing left for this bot: nothing to delete
        if doing is Doing.CREATING:
            # The bot endpoint itself is missing: a wrong RECALL_API_BASE_URL or region.
            log.error("Recall answered 404 to create bot; check RECALL_REGION/RECALL_API_BASE_URL")
            ctx.fail(rec, now, "recall_rejected", detail=str(exc))
        else:
            ctx.fail(rec, now, "bot_gone")
        return False
    if isinstance(exc, RecallRejected):
        if doing is Doing.CREATING:
            ctx.fail(rec, now, "recall_rejected", detail=exc.detail, sub_code=exc.code)
            return False
        if doing is Doing.STOPPING:
            # cannot_command_completed_bot / _unstarted_bot: nothing left to stop.
            log.info("recording %s: nothing to stop (%s)", rec.id, exc.code or exc.status)
            return True
    if doing is Doing.CREATING and isinstance(exc, RecallUnavailable):
        if now - rec.created_at > ctx.policy.create_give_up_after:
            ctx.fail(rec, now, "recall_unavailable")
        else:
            ctx.retry_later(rec, now, exc, max_backoff=CREATE_MAX_BACKOFF)
        return False
    ctx.retry_later(rec, now, exc)
    return False
