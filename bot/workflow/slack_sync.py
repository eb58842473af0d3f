"""Bringing Slack up to date with a recording, after each step, with every post made once.

- The status message: posted once Recall has the bot, then edited in place when what it shows
  changes (see `status_message.fingerprint`). Edits are idempotent; posts are not.
- Thread replies for the moments that matter, each sent once (`alerts` remembers them).
- The final notice (ready, or why not), once: `notified_at` is only set after Slack took it.

Exactly once, even if the process dies mid-post or Slack's answer is lost: before a post the
recording is marked (`pending_post`); after it, the result is saved and the mark cleared. A step
that finds the mark still set asks Slack whether that post landed (messages carry metadata
naming the recording) before posting again.

Requests Recall never accepted have no status message; their outcome goes to the requester
privately. Slack failures surface as `SlackUnavailable` for the caller to reschedule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.model.lifecycle import State
from bot.model.recording import Recording
from bot.model.report import BotReport
from bot.model.transcript import TranscriptSummary
from bot.recall.reports import download_url_expiry
from bot.slack import messages
from bot.slack.errors import MessageGone, SlackAuthRevoked, SlackUnavailable
from bot.slack.posting import Delivery, SlackNotifier
from bot.slack.status_message import LinkStyle, VideoLink, fingerprint, render, thread_alert
from bot.slack.transcript_words import ready_reply, transcript_key, with_transcript
from bot.store import Store
from bot.workflow.rediscovery import REBUILT_POST, rediscover

log = logging.getLogger(__name__)

# After a workspace's token stops working, how long before we try posting there again.
BLOCKED_RETRY = timedelta(hours=1)


class WorkspaceBlocked(Exception):
    """Slack refused this workspace's token; nothing is posted there until `until`."""

    def __init__(self, until: datetime):
        super().__init__(f"Slack posting paused until {until:%H:%M} UTC")
        self.until = until


class SlackSync:
    def __init__(
        self,
        store: Store,
        notifier: SlackNotifier,
        links: LinkStyle | None = None,
        on_ready_notice: Callable[[Recording, datetime], None] | None = None,
    ):
        self.store = store
        self.notifier = notifier
        self.links = links or LinkStyle()
        # Told when a ready notice reached Slack, for the app's metrics.
        self._on_ready_notice = on_ready_notice or (lambda _rec, _now: None)

    def sync(
        self,
        rec: Recording,
        now: datetime,
        report: BotReport | None,
        fetch_video: Callable[[Recording], BotReport],
    ) -> None:
        """Raises SlackUnavailable, WorkspaceBlocked, or a RecallError (fresh link needed)."""
        # The workspace's own pause, or its Grid org's (an org-wide uninstall names no team).
        block = self.store.workspaces.slack_block(rec.request.team_id, rec.request.enterprise_id)
        if block is not None and block[1] > now:
            raise WorkspaceBlocked(block[1])
        try:
            self._sync(rec, now, report, fetch_video)
        except SlackAuthRevoked as exc:
            until = now + BLOCKED_RETRY
            if self.store.workspaces.block_slack(rec.request.team_id, str(exc), until, now):
                log.error(
                    "Slack refused the bot token for workspace %s (%s): not posting there "
                    "until %s; recordings are kept and catch up when it works again",
                    rec.request.team_id,
                    exc,
                    until,
                )
            raise WorkspaceBlocked(until) from exc
        if block is not None:  # it works again
            self.store.workspaces.unblock_slack(rec.request.team_id, rec.request.enterprise_id)
            log.info("Slack posting to workspace %s works again", rec.request.team_id)

    def _sync(
        self,
        rec: Recording,
        now: datetime,
        report: BotReport | None,
        fetch_video: Callable[[Recording], BotReport],
    ) -> None:
        if rec.recall.bot_id is None:
            self._settle_unsent(rec, now)
            return
        if rec.slack.pending_post == REBUILT_POST:
            found = rediscover(self.store.recordings, self.notifier, rec, now)
            told = found is not None and found.state.is_final and found.slack.notified_at
            if found is None or (told and not found.slack.status_ts):
                return  # old news without a message to show it in: nothing to post
            rec = found  # its status message is edited below; a notice told is not sent again
        updated = self._show_status(rec, now, report, fetch_video)
        if updated is not None:
            updated = self._send_alerts(updated, now)
        if updated is not None and updated.state.is_final and not updated.slack.notified_at:
            self._send_final_notice(updated, now)
        elif updated is not None and updated.state.is_final:
            self._after_notice(updated, now)

    def tell_requester_quietly(self, rec: Recording, what: str) -> None:
        """A private heads-up that must not hold anything up if Slack is unavailable."""
        text = {
            "waiting_for_recorder": messages.waiting_for_recorder(),
            "cannot_post_here": messages.cannot_post_here(),
        }[what]
        try:
            self.notifier.tell_requester(rec, text)
        except Exception as exc:  # a courtesy note: never worth failing a step over
            log.warning("recording %s: could not reach the requester (%s)", rec.id, exc)

    def _settle_unsent(self, rec: Recording, now: datetime) -> None:
        if rec.state.is_final and not rec.slack.notified_at:
            if rec.state == State.FAILED:
                self.notifier.tell_requester(rec, messages.not_started(rec))
            self.store.recordings.save(rec, now, notified_at=now, next_poll_at=None)
            log.info("recording %s: %s, told the requester", rec.id, rec.state)

    def _show_status(
        self,
        rec: Recording,
        now: datetime,
        report: BotReport | None,
        fetch_video: Callable[[Recording], BotReport],
    ) -> Recording | None:
        transcript = self._transcript(rec)
        key = fingerprint(rec, now) + transcript_key(transcript)
        if rec.slack.status_ts and key == rec.slack.status_key:
            return rec
        video = None
        gone = rec.sharing.deleted_at or rec.sharing.media_lost_at or rec.retention.expired(now)
        if rec.state == State.READY and not self.links.durable(rec) and not gone:
            # No public address of our own: show Recall's link, fresh, with its expiry.
            fresh = report if report is not None and report.has_video else fetch_video(rec)
            url = fresh.download_url or ""
            video = VideoLink(url, download_url_expiry(url, now))
        message = render(rec, now, video, self.links)
        if transcript is not None:
            message = with_transcript(message, self.links.durable(rec, "/watch") or "", transcript)
        if rec.slack.status_ts:
            try:
                self.notifier.update(rec, message)
                return self.store.recordings.save(rec, now, status_key=key)
            except MessageGone as exc:
                log.info("recording %s: %s; posting it again", rec.id, exc)
                rec = self.store.recordings.save(rec, now, status_channel=None, status_ts=None)
                if rec is None:
                    return None
        # A re-post after the first one vanished gets its own name, so the check for an
        # interrupted attempt never mistakes the lost message for it.
        kind = (
            rec.slack.pending_post if (rec.slack.pending_post or "").startswith("status") else None
        )
        kind = kind or (
            "status" if rec.slack.status_key is None else f"status:{now.timestamp():.0f}"
        )
        return self._post_once(
            rec,
            now,
            kind,
            lambda marked: self.notifier.post(marked, message, kind),
            lambda delivery: {
                "status_channel": delivery.channel,
                "status_ts": delivery.ts,
                "status_key": key,
            },
        )

    def _send_alerts(self, rec: Recording, now: datetime) -> Recording | None:
        for alert in _due_alerts(rec):
            text = thread_alert(rec, alert)
            alerts = rec.slack.alerts | {alert}
            saved = self._post_once(
                rec,
                now,
                f"alert:{alert}",
                lambda marked, text=text, alert=alert: _reply(
                    self.notifier, marked, text, f"alert:{alert}"
                ),
                lambda _delivery, alerts=alerts: {"alerts": alerts},
            )
            if saved is None:
                return None
            rec = saved
        return rec

    def _send_final_notice(self, rec: Recording, now: datetime) -> None:
        kind = f"notice:{rec.state.value}"
        if rec.state in (State.READY, State.FAILED):
            if rec.state == State.READY:  # with the links, so nobody has to scroll up
                text = ready_reply(rec, self.links.durable(rec, "/watch"), self._transcript(rec))
            else:
                text = thread_alert(rec, "failed")
            broadcast = rec.state == State.READY  # the video also shows in the channel
            saved = self._post_once(
                rec,
                now,
                kind,
                lambda marked: _reply(self.notifier, marked, text, kind, broadcast=broadcast),
                lambda _delivery: {"notified_at": now, "next_poll_at": None},
            )
        else:  # cancelled: whoever cancelled knows; nobody else needs a ping
            saved = self.store.recordings.save(rec, now, notified_at=now, next_poll_at=None)
        if saved is not None:
            log.info("recording %s: %s notice delivered", rec.id, rec.state)
            if rec.state == State.READY:
                self._on_ready_notice(saved, now)

    def _transcript(self, rec: Recording) -> TranscriptSummary | None:
        """What the messages say about the transcript: only a ready recording's, with links."""
        if rec.state != State.READY or rec.sharing.deleted_at or not self.links.durable(rec):
            return None
        return self.store.transcripts.summary(rec.id)

    def _after_notice(self, rec: Recording, now: datetime) -> None:
        """Due again after its notice: its transcript came (bot/workflow/transcripts.py). The
        status message was brought up to date above; the ready reply gets the links too."""
        transcript = self._transcript(rec)
        if transcript is not None and transcript.ready and "transcript" not in rec.slack.alerts:
            try:
                found = self.notifier.find_post(rec, "notice:ready")
                if found is not None:
                    text = ready_reply(rec, self.links.durable(rec, "/watch"), transcript)
                    self.notifier.update_reply(rec, found.ts, text)
            except SlackUnavailable as exc:
                # The status message already shows the transcript; the reply is a courtesy.
                log.info("recording %s: ready reply not edited (%s)", rec.id, exc)
            saved = self.store.recordings.save(rec, now, alerts=rec.slack.alerts | {"transcript"})
            rec = saved or rec
        self.store.recordings.save(rec, now, next_poll_at=None)

    def _post_once(
        self,
        rec: Recording,
        now: datetime,
        kind: str,
        post: Callable[[Recording], Delivery],
        columns: Callable[[Delivery], dict[str, Any]],
    ) -> Recording | None:
        """Make a non-idempotent post exactly once, across crashes and lost answers."""
        if rec.slack.pending_post == kind:
            found = self.notifier.find_post(rec, kind)
            if found is not None:
                log.info("recording %s: the interrupted %s post had landed", rec.id, kind)
                return self.store.recordings.save(rec, now, pending_post=None, **columns(found))
        marked = self.store.recordings.save(rec, now, pending_post=kind)
        if marked is None:
            return None  # our claim was lost: whoever holds it now will post
        delivery = post(marked)
        return self.store.recordings.save(marked, now, pending_post=None, **columns(delivery))


def _reply(
    notifier: SlackNotifier, rec: Recording, text: str, kind: str, broadcast: bool = False
) -> Delivery:
    ts_ = notifier.reply(rec, text, kind, broadcast=broadcast)
    return Delivery(rec.slack.status_channel or rec.request.channel_id, ts_, direct=False)


def _due_alerts(rec: Recording) -> list[str]:
    due = []
    if rec.state == State.WAITING_ROOM:
        due.append("waiting_room")
    if rec.state == State.IN_CALL and rec.recall.status == "recording_permission_denied":
        due.append("permission_denied")
    if rec.stop.from_meeting_chat:
        due.append("chat_stop")  # someone in the meeting asked it to leave: say who
    return [alert for alert in due if alert not in rec.slack.alerts]
