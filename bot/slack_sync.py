"""Bringing Slack up to date with a recording, after each step.

- The status message: posted once Recall has the bot, then edited in place when what it shows
  changes (see `status_message.fingerprint`).
- Thread replies for the moments that matter, each sent once (`alerts` remembers them).
- The final notice (ready, or why not), once: `notified_at` is only set after Slack took it.

Requests Recall never accepted have no status message; their outcome goes to the requester
privately. Every Slack failure surfaces as `SlackUnavailable` for the caller to reschedule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot import messages
from bot.bot_report import BotReport, download_url_expiry
from bot.lifecycle import State
from bot.notifier import SlackNotifier, SlackUnavailable
from bot.status_message import LinkStyle, VideoLink, fingerprint, render, thread_alert
from bot.store import Recording, Store, ts

log = logging.getLogger(__name__)


class SlackSync:
    def __init__(self, store: Store, notifier: SlackNotifier, links: LinkStyle | None = None):
        self.store = store
        self.notifier = notifier
        self.links = links or LinkStyle()

    def sync(
        self,
        rec: Recording,
        now: datetime,
        report: BotReport | None,
        fetch_video: Callable[[Recording], BotReport],
    ) -> None:
        """Raises SlackUnavailable, or a RecallError if a fresh video link was needed."""
        if rec.recall_bot_id is None:
            self._settle_unsent(rec, now)
            return
        updated = self._show_status(rec, now, report, fetch_video)
        if updated is None:
            return
        updated = self._send_alerts(updated, now)
        if updated is not None and updated.state.is_final and not updated.notified_at:
            if updated.state == State.READY:
                self.notifier.reply(updated, thread_alert(updated, "ready"), broadcast=True)
            elif updated.state == State.FAILED:
                self.notifier.reply(updated, thread_alert(updated, "failed"))
            self.store.save(updated, now, notified_at=ts(now), next_poll_at=None)
            log.info("recording %s: %s notice delivered", updated.id, updated.state)

    def tell_requester_quietly(self, rec: Recording, what: str) -> None:
        """A private heads-up that must not hold anything up if Slack is unavailable."""
        text = {"waiting_for_recorder": messages.waiting_for_recorder()}[what]
        try:
            self.notifier.tell_requester(rec, text)
        except SlackUnavailable as exc:
            log.warning("recording %s: could not reach the requester (%s)", rec.id, exc)

    def _settle_unsent(self, rec: Recording, now: datetime) -> None:
        if rec.state.is_final and not rec.notified_at:
            if rec.state == State.FAILED:
                self.notifier.tell_requester(rec, messages.not_started(rec))
            self.store.save(rec, now, notified_at=ts(now), next_poll_at=None)
            log.info("recording %s: %s, told the requester", rec.id, rec.state)

    def _show_status(
        self,
        rec: Recording,
        now: datetime,
        report: BotReport | None,
        fetch_video: Callable[[Recording], BotReport],
    ) -> Recording | None:
        key = fingerprint(rec, now)
        if rec.status_ts and key == rec.status_key:
            return rec
        video = None
        if rec.state == State.READY and not self.links.durable(rec) and not rec.deleted_at:
            # No public address of our own: show Recall's link, fresh, with its expiry.
            fresh = report if report is not None and report.has_video else fetch_video(rec)
            url = fresh.download_url or ""
            video = VideoLink(url, download_url_expiry(url, now))
        delivery = self.notifier.update(rec, render(rec, now, video, self.links))
        return self.store.save(
            rec, now, status_channel=delivery.channel, status_ts=delivery.ts, status_key=key
        )

    def _send_alerts(self, rec: Recording, now: datetime) -> Recording | None:
        for alert in _due_alerts(rec):
            self.notifier.reply(rec, thread_alert(rec, alert))
            saved = self.store.save(rec, now, alerts=",".join(sorted(rec.alerted | {alert})))
            if saved is None:
                return None
            rec = saved
        return rec


def _due_alerts(rec: Recording) -> list[str]:
    due = []
    if rec.state == State.WAITING_ROOM:
        due.append("waiting_room")
    if rec.state == State.IN_CALL and rec.recall_status == "recording_permission_denied":
        due.append("permission_denied")
    return [alert for alert in due if alert not in rec.alerted]
