"""One List Bots call that looks at every open bot at once, instead of one call per bot.

Each poll pass first lists the bots Recall has in an *active* status (reference §7.4: the
documented `status` filter, repeatable; pages followed by their opaque `next` URL). A bot of
ours in that list is up to date without a call of its own. A bot of ours missing from it has
left the active statuses (the call ended, it finished or failed), which is exactly when it
deserves a Retrieve. So per tick the cost is one list page per 50-odd active bots, plus one
call per bot whose call just ended, instead of one call per open bot.

The list only holds bots in active statuses, so it stays as short as the number of meetings
going on now, however much history the Recall workspace has. Recall's `metadata__` filters are
not in its published API description, so they are not relied on: other apps' active bots in
the same workspace are simply skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.lifecycle import State
from bot.recall import RecallClient, RecallError
from bot.store import Store

log = logging.getLogger(__name__)

# Recall status codes of a bot that is on its way or in a meeting (reference §6).
ACTIVE_CODES = (
    "ready",
    "joining_call",
    "in_waiting_room",
    "in_call_not_recording",
    "recording_permission_allowed",
    "recording_permission_denied",
    "in_call_recording",
)
ACTIVE_STATES = (State.SCHEDULED, State.JOINING, State.WAITING_ROOM, State.IN_CALL, State.RECORDING)
# Below this many due bots, a list call costs as much as asking for each bot.
MIN_BOTS = 2
MAX_PAGES = 100


@dataclass
class Survey:
    bots: dict[str, dict[str, Any]] = field(default_factory=dict)  # active bots, by id
    complete: bool = False  # every page was read
    calls: int = 0

    def current(self, bot_id: str | None) -> dict[str, Any] | None:
        """The bot as listed, if it is in the list (no call needed for it)."""
        return self.bots.get(bot_id or "")


def take_survey(recall: RecallClient, store: Store, now: datetime) -> Survey | None:
    """List every active bot, or None when asking bot by bot is as cheap (or Recall balks)."""
    if store.count_due_in_states(now, [s.value for s in ACTIVE_STATES]) < MIN_BOTS:
        return None
    survey = Survey()
    page: str | None = None
    try:
        while survey.calls < MAX_PAGES:
            answer = (
                recall.list_bots(status=list(ACTIVE_CODES))
                if page is None
                else recall.list_bots_page(page)
            )
            survey.calls += 1
            for bot in answer.get("results") or []:
                if isinstance(bot, dict) and isinstance(bot.get("id"), str):
                    survey.bots[bot["id"]] = bot
            page = answer.get("next") if isinstance(answer.get("next"), str) else None
            if page is None:
                survey.complete = True
                break
    except RecallError as exc:
        # The rest of the bots are asked about one by one (as far as the budget allows).
        log.info("survey stopped after %d page(s): %s", survey.calls, type(exc).__name__)
    return survey
