"""A rebuilt recording's first Slack step: find what was already posted about it, so that nothing
is posted twice (bot/workflow/recovery.py rebuilds the row; bot/workflow/slack_sync.py runs
this before anything else when the row is marked).

It is the exactly-once rule of slack_sync.py (a post in flight is looked for before it is made
again) applied to every post at once: the row is marked `pending_post = "rebuilt"`, and the
mark is cleared only when Slack has said what is there:
- the status message, when found, becomes the one that is edited from now on (it still shows
  the state it had when the database was lost, so it is edited at once);
- the thread's alerts and final notice count as sent: a ready notice already in the thread is
  never posted again, and one the thread lacks (the video was done while the database was
  gone) is posted once;
- a finished recording whose status message cannot be found gets no new message: it is old
  news, and its link works anyway. An open one gets its status message as a new one would.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from bot.model.rebuild import REBUILT_POST
from bot.model.recording import Recording
from bot.slack.posting import SlackNotifier
from bot.store.recordings import Recordings

log = logging.getLogger(__name__)

__all__ = ["REBUILT_POST", "rediscover"]

# Never what a status message's fingerprint is: the found message is edited at once.
STALE_STATUS = "rebuilt"


def rediscover(
    recordings: Recordings, notifier: SlackNotifier, rec: Recording, now: datetime
) -> Recording | None:
    """Raises SlackUnavailable (the mark stays: the next step asks again)."""
    found = notifier.find_posts(rec)
    changes: dict[str, Any] = {"pending_post": None}
    if found.found:
        changes |= {
            "status_channel": found.channel,
            "status_ts": found.ts,
            "status_key": STALE_STATUS,
        }
    alerts = {kind.split(":", 1)[1] for kind in found.kinds if kind.startswith("alert:")}
    if alerts - rec.slack.alerts:
        changes["alerts"] = rec.slack.alerts | alerts
    told = f"notice:{rec.state.value}" in found.kinds
    if rec.state.is_final and (told or not found.found):
        changes |= {"notified_at": now, "next_poll_at": None}
    log.info(
        "recording %s: Slack %s its status message%s",
        rec.id,
        "has" if found.found else "does not show",
        " and its final notice" if told else "",
    )
    return recordings.save(rec, now, **changes)
