"""Rebuilding the recordings after the database was lost, from Recall and Slack.

SQLite is the fast copy; Recall and Slack hold what it takes to rebuild it. Every bot of ours
carries, in its metadata, the recording it was made for: the Slack workspace, channel and user,
when it was asked for, the durable link's token and the meeting (bot/recall/payload.py). Every
message we post carries Slack message metadata naming the recording and the kind of post.

`Recovery.run(days)` pages through the Recall workspace's bots that joined in the last `days`
(List Bots with `join_at_after`: the one filter Recall documents for this), keeps those whose
metadata names slack-record, and puts back each recording the database does not have, in the
state its bot is in, with a history that says it was rebuilt. Other apps' bots are counted and
left alone: nothing is ever asked of them. The pages are read within the rate budget, leaving
`LIST_RESERVE` list calls in it for the poller, and waiting whenever it is spent.

A rebuilt recording is due only after `REBUILT_GRACE`: a host that restarts a process starts
the new one as it tells the old one to stop, and gives the old one up to 30 seconds (Heroku's
"Dyno Shutdown Behavior"); whatever the old one still posts is then there to be found. It is
marked so that its first step finds its Slack messages again
before anything is posted (bot/workflow/rediscovery.py). From there it is an ordinary recording:
open ones are followed to their one notice, and their links work again.

What cannot be rebuilt: requests that never got a Recall bot; recordings older than `days`;
history from before the rebuild; and, in OAuth mode, the workspaces' installations.
"""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.model.consent import NoticeStatus
from bot.model.lifecycle import Cause, State
from bot.model.rebuild import BotOrigin, rebuilt_state
from bot.model.recording import Recording, Retention, Sharing
from bot.recall.client import RecallClient
from bot.recall.errors import (
    RecallAuthError,
    RecallError,
    RecallNotFound,
    RecallRateLimited,
    RecallUnavailable,
)
from bot.recall.origins import read_origin
from bot.recall.reports import read_bot
from bot.store import Store
from bot.store.migrations import SHARE_TOKEN_BYTES
from bot.workflow.context import NoTranscripts, RecorderPolicy, TranscriptHooks, recall_columns
from bot.workflow.rediscovery import REBUILT_POST

log = logging.getLogger(__name__)


def default_days(retention_hours: int | None) -> float:
    """How far back a rebuild looks by default: the retention period (RECORDING_RETENTION_HOURS),
    since a bot older than that has no video left to link to; None means media kept forever."""
    return retention_hours / 24 if retention_hours else FOREVER_DAYS


# Recall's default retention (168 hours): older bots have no video left to link to.
DEFAULT_DAYS = 7.0
# Media kept forever: how far back a rebuild looks unless told (`recover --days N` goes further).
FOREVER_DAYS = 365.0
# List calls left in the budget for the poller while the pages are read.
LIST_RESERVE = 4
REBUILT_GRACE = timedelta(seconds=30)
# A page Recall would not give, tried this many times before the rebuild gives up.
PAGE_ATTEMPTS = 5
_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"


@dataclass
class RecoveryReport:
    days: float
    since: datetime
    pages: int = 0
    bots_seen: int = 0
    others: int = 0  # bots of other apps: left alone
    known: int = 0  # ours, already in the database
    rebuilt: list[Recording] = field(default_factory=list)
    new_links: int = 0  # rebuilt without a link token at Recall: their old links stay dead
    trouble: str | None = None  # why the rebuild stopped early, in plain words
    stopped: bool = False  # the process is shutting down

    @property
    def complete(self) -> bool:
        return self.trouble is None and not self.stopped

    def summary(self) -> str:
        states = Counter(r.state.value for r in self.rebuilt)
        kinds = ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
        return (
            f"looked at {self.bots_seen} bot(s) in {self.pages} page(s) since "
            f"{self.since:%Y-%m-%d %H:%M} UTC: rebuilt {len(self.rebuilt)} recording(s)"
            + (f" ({kinds})" if kinds else "")
            + f", {self.known} already known, {self.others} of other apps left alone"
        )


class Recovery:
    def __init__(
        self,
        recall: RecallClient,
        store: Store,
        policy: RecorderPolicy,
        clock: Callable[[], datetime],
        sleep: Callable[[float], None],
        should_stop: Callable[[], bool] = lambda: False,
        transcripts: TranscriptHooks | None = None,
    ):
        self._transcripts = transcripts or NoTranscripts()
        self._recall = recall
        self._store = store
        self._policy = policy
        self._clock = clock
        self._sleep = sleep
        self._should_stop = should_stop

    def run(self, days: float = DEFAULT_DAYS) -> RecoveryReport:
        """Rebuild what the database lacks of the last `days` days; never raises for Recall."""
        now = self._clock()
        report = RecoveryReport(days, now - timedelta(days=days))
        next_page: str | None = None
        while True:
            answer = self._page(report, next_page)
            if answer is None:
                break
            report.pages += 1
            for bot in answer.get("results") or []:
                if isinstance(bot, dict):
                    self._take(report, bot)
            found = answer.get("next")
            if not isinstance(found, str) or not found:
                break
            next_page = found
        # Only a rebuild read to the end counts: one that Recall cut short before anything came
        # back leaves the database new, and the next start tries again.
        if report.complete:
            self._store.recoveries.note(now, days, report.bots_seen, len(report.rebuilt))
        log.info("rebuild from Recall: %s", report.summary())
        if report.trouble:
            log.error("rebuild from Recall stopped early: %s", report.trouble)
        return report

    def _page(self, report: RecoveryReport, next_page: str | None) -> dict[str, Any] | None:
        """One page of the list, waiting for the budget and riding out brief trouble; None at
        the end, or when the rebuild must stop (`report` says why)."""
        failures = 0
        while not self._should_stop():
            try:
                if next_page is None:
                    since = report.since.strftime(_TIME)
                    return self._recall.list_bots(keep=LIST_RESERVE, join_at_after=since)
                return self._recall.list_bots_page(next_page, keep=LIST_RESERVE)
            except RecallRateLimited as exc:  # our budget, or Recall's 429: wait, not a failure
                self._pause(exc.retry_after or 1.0)
            except RecallNotFound:
                return None  # the page is no longer there: the list got shorter meanwhile
            except RecallUnavailable as exc:
                failures += 1
                if failures >= PAGE_ATTEMPTS:
                    report.trouble = f"Recall did not answer ({exc}); try again later"
                    return None
                self._pause(min(60.0, 2.0**failures))
            except RecallAuthError as exc:  # trying again changes nothing until it is fixed
                report.trouble = (
                    f"Recall refused the API key ({exc}); fix RECALL_API_KEY or RECALL_REGION "
                    "first (slack-record check says when Recall takes it)"
                )
                return None
            except RecallError as exc:
                report.trouble = f"Recall refused to list its bots ({exc})"
                return None
        report.stopped = True
        return None

    def _pause(self, seconds: float) -> None:
        """Wait, a second at a time, so a shutdown is not held up."""
        while seconds > 0 and not self._should_stop():
            self._sleep(min(seconds, 1.0))
            seconds -= 1.0

    def _take(self, report: RecoveryReport, bot: dict[str, Any]) -> None:
        report.bots_seen += 1
        origin = read_origin(bot)
        if origin is None:
            report.others += 1
            return
        recordings = self._store.recordings
        if recordings.get(origin.recording_id) or recordings.get_by_bot_id(origin.bot_id):
            report.known += 1
            return
        rebuilt = self._rebuild(origin, bot)
        if rebuilt is None:
            report.known += 1
            return
        report.rebuilt.append(rebuilt)
        if rebuilt.sharing.token != origin.link_token:
            report.new_links += 1
        log.info(
            "recording %s rebuilt from Recall bot %s: %s", rebuilt.id, origin.bot_id, rebuilt.state
        )
        now = self._clock()
        if rebuilt.state == State.READY and not rebuilt.retention.expired(now):
            # Its transcript was in the lost database too: fetched again, as when it was ready.
            self._transcripts.recording_ready(rebuilt, now, bot)

    def _rebuild(self, origin: BotOrigin, bot: dict[str, Any]) -> Recording | None:
        now = self._clock()
        report = read_bot(bot)
        outcome = rebuilt_state(origin, report)
        starts = origin.join_at if origin.scheduled and origin.join_at else origin.requested_at
        fields: dict[str, Any] = {
            "id": origin.recording_id,
            "team_id": origin.team_id,
            "enterprise_id": origin.enterprise_id,
            "team_domain": origin.team_domain,
            "channel_id": origin.channel_id,
            "user_id": origin.user_id,
            "meeting_url": origin.meeting_url,
            "platform": origin.platform,
            "meeting_key": origin.meeting_key,
            "recall_region": self._policy.recall_region,
            "recall_bot_id": origin.bot_id,
            "bot_name": origin.bot_name,
            "layout": origin.layout,
            "separate_videos": origin.separate_videos,
            "join_at": origin.join_at if origin.scheduled else None,
            "created_at": origin.requested_at,
            "deadline_at": starts + self._policy.deadline,
            "share_token": _link_token(origin.link_token),
            "attempts": 0,
            "capacity_waits": 0,
            "looked_at": now,
            # Slack first: its messages are found again before anything is posted.
            "pending_post": REBUILT_POST,
            "next_poll_at": now + REBUILT_GRACE,
            **recall_columns(report),
            **_meeting_columns(origin),
        }
        if outcome.state == State.READY:
            # The link answers 410 after this, as it would have had the row never been lost.
            retention = Retention(origin.retention, origin.retention_hours)
            fields["expires_at"] = retention.expiry_after(fields.get("recording_ended_at") or now)
        if outcome.state.is_final:
            fields["finished_at"] = (report.latest.at if report.latest else None) or now
        if outcome.state == State.FAILED:
            fields |= {"failure_reason": outcome.reason, "failure_sub_code": outcome.sub_code}
        detail = outcome.reason if outcome.state == State.FAILED else report.latest_code
        cause = Cause("rebuilt", detail, outcome.sub_code or report.latest_sub_code)
        return self._store.recordings.add_rebuilt(now, outcome.state, cause, **fields)


def _meeting_columns(origin: BotOrigin) -> dict[str, Any]:
    """What the people in the meeting were told and may do, and the media's retention."""
    return {
        "consent_notice": origin.notice,
        "consent_status": NoticeStatus.SENT.value if origin.notice else None,
        "chat_stop": origin.chat_stop,
        "zoom_on_behalf": origin.zoom_on_behalf,
        "callback_secret": origin.callback_secret,
        "retention": origin.retention,
        "retention_hours": origin.retention_hours,
    }


def _link_token(kept: str | None) -> str:
    """The durable link's token as the bot kept it; a new one for bots made before tokens were
    kept there (their old links cannot come back; the status message shows the new one)."""
    if kept and Sharing.could_be_token(kept):
        return kept
    return secrets.token_urlsafe(SHARE_TOKEN_BYTES)
