"""One List Bots call that looks at many open bots at once, instead of one call per bot.

Each poll pass reads pages of "bots Recall has in an *active* status" (List Bots: the
documented `status` filter, repeatable; further pages by their opaque `next` URL). A bot of
ours seen there is up to date without a call of its own. A bot of ours missing from a whole
round of pages has left the active statuses (its call ended, it finished or failed), which is
exactly when it deserves a Retrieve.

The list holds only active bots, so it is as long as the meetings going on now, however much
history the Recall workspace has. When the list budget does not stretch to every page in one
pass, the next pass carries on where this one stopped, so every page is read in turn. When a
round costs more pages than there are bots of ours to ask about (other apps' bots share the
workspace; or only a few of ours are due), asking bot by bot is cheaper, and that is done.

Recall's `metadata__` filters are not in its published API description, so they are not used.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.model.lifecycle import State
from bot.recall.client import RecallClient
from bot.recall.errors import BudgetSpent, RecallError
from bot.store.recordings import Recordings

log = logging.getLogger(__name__)

# Recall status codes of a bot that is on its way or in a meeting.
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
MAX_PAGES_PER_PASS = 100


@dataclass
class SurveyView:
    """What one pass knows from the list: use it instead of a Retrieve where it can."""

    seen: dict[str, tuple[dict[str, Any], datetime]] = field(default_factory=dict)
    last_round_started: datetime | None = None  # the newest complete round began then
    calls: int = 0
    # This pass could not (or should not) carry the round on: ask about unseen bots directly.
    ask_the_rest: bool = False

    def current(self, bot_id: str | None, since: datetime) -> dict[str, Any] | None:
        """The bot as listed at `since` or later, if it was."""
        found = self.seen.get(bot_id or "")
        return found[0] if found and found[1] >= since else None

    def seen_this_round(self, bot_id: str | None) -> bool:
        """Listed as active in the round under way or the last complete one: its next page
        comes round again, so it needs no call of its own meanwhile."""
        found = self.seen.get(bot_id or "")
        if found is None:
            return False
        return self.last_round_started is None or found[1] >= self.last_round_started

    def covered_since(self, moment: datetime) -> bool:
        """Did a whole round of pages start after `moment`? Then a bot missing from it has
        really left the active statuses."""
        return self.last_round_started is not None and self.last_round_started >= moment


class Survey:
    """The survey's memory across passes: where the last pass stopped, and what it saw."""

    def __init__(self, recall: RecallClient, recordings: Recordings):
        self.recall = recall
        self.recordings = recordings
        self._view = SurveyView()
        self._next_page: str | None = None
        self._round_started: datetime | None = None
        self._round_pages = 0
        self._pages_per_round = 1  # learned from the last complete round
        self._lock = threading.Lock()

    def take(self, now: datetime) -> SurveyView | None:
        """Read as many pages as the budget allows this pass; None when asking bot by bot is
        at least as cheap."""
        with self._lock:
            due = self.recordings.count_due_in_states(now, [s.value for s in ACTIVE_STATES])
            if due <= self._pages_per_round:
                return None
            self._view.calls = 0
            self._view.ask_the_rest = False
            self._read_pages(now, due)
            return self._view

    def _read_pages(self, now: datetime, due: int) -> None:
        pages = 0
        try:
            while pages < MAX_PAGES_PER_PASS:
                if self._next_page is None:
                    self._round_started, self._round_pages = now, 0
                    answer = self.recall.list_bots(status=list(ACTIVE_CODES))
                else:
                    answer = self.recall.list_bots_page(self._next_page)
                pages += 1
                self._round_pages += 1
                self._view.calls += 1
                results = [b for b in answer.get("results") or [] if isinstance(b, dict)]
                for bot in results:
                    if isinstance(bot.get("id"), str):
                        self._view.seen[bot["id"]] = (bot, now)
                next_page = answer.get("next")
                self._next_page = next_page if isinstance(next_page, str) else None
                if self._next_page is None:
                    self._finish_round(now)
                    break
                if self._not_worth_it(answer, results, due):
                    break
        except BudgetSpent:
            # Our list budget is used up for now: the next pass carries the round on, and the
            # bots on pages not read yet wait for it.
            log.debug("survey continues next pass after %d page(s)", pages)
        except RecallError as exc:
            # Recall balked: ask about the bots not seen yet one by one.
            log.info("survey stopped after %d page(s): %s", pages, type(exc).__name__)
            self._view.ask_the_rest = True

    def _not_worth_it(self, answer: dict[str, Any], results: list[Any], due: int) -> bool:
        """Recall's `count` says how many pages the round needs; if that is more than our
        due bots, stop: other apps' bots fill the list, and asking directly is cheaper."""
        count = answer.get("count")
        if not isinstance(count, int) or not results:
            return False
        pages_needed = -(-count // len(results))
        self._pages_per_round = max(1, pages_needed)
        if pages_needed > due:
            self._next_page = None  # start afresh next time; this round is abandoned
            self._view.ask_the_rest = True
            return True
        return False

    def _finish_round(self, now: datetime) -> None:
        started = self._round_started or now
        self._pages_per_round = max(1, self._round_pages)
        self._view.last_round_started = started
        # Forget bots not seen since the round began: they are no longer active.
        self._view.seen = {
            bot_id: entry for bot_id, entry in self._view.seen.items() if entry[1] >= started
        }
