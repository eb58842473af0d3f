"""Recordings made due from outside a step (the table `recordings`): a webhook's news, a
workspace that may be posted to again, media whose retention ran out. None of these takes a
claim; they only pull `next_poll_at` forward, and the step that claims the recording acts."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.model.rebuild import REBUILT_POST
from bot.store.recording_queries import RecordingQueries
from bot.store.timestamps import ts

# Due now; but a rebuilt recording keeps its grace: a process just stopped may still be posting
# about it (bot/workflow/recovery.py).
_DUE_NOW = (
    f"next_poll_at = CASE WHEN pending_post = '{REBUILT_POST}' AND next_poll_at > :now "
    "THEN next_poll_at ELSE :now END"
)


class BotEventLike(Protocol):
    """What a webhook tells us about a bot (bot/recall/webhooks.py's BotEvent)."""

    code: str | None
    sub_code: str | None
    at: datetime | None

    @property
    def needs_fetch(self) -> bool: ...


class RecordingNudges(RecordingQueries):
    """Pulling recordings' next step forward (bot/store/recordings.py adds the claimed writes)."""

    def note_bot_event(self, recording_id: str, event: BotEventLike, now: datetime) -> bool:
        """Note a webhook's news on an open recording and make it due; False if it was stale
        (older than what we already know) or the recording is finished."""
        if event.needs_fetch:
            changed = self._database.write(
                "UPDATE recordings SET hook_fetch = 1, hook_seq = COALESCE(hook_seq, 0) + 1, "
                f"{_DUE_NOW} WHERE id = :id AND finished_at IS NULL",
                {"now": ts(now), "id": recording_id},
            )
            return changed == 1
        at = ts(event.at) if event.at else ts(now)
        changed = self._database.write(
            "UPDATE recordings SET hook_code = :code, hook_sub_code = :sub, hook_at = :at, "
            f"hook_seq = COALESCE(hook_seq, 0) + 1, {_DUE_NOW} "
            "WHERE id = :id AND finished_at IS NULL "
            "AND (hook_at IS NULL OR hook_at < :at) "
            "AND (recall_status_at IS NULL OR recall_status_at < :at)",
            {
                "code": event.code,
                "sub": event.sub_code,
                "at": at,
                "now": ts(now),
                "id": recording_id,
            },
        )
        return changed == 1

    def show_news_soon(self, recording_id: str, now: datetime) -> bool:
        """A finished recording has news for Slack (its transcript came): make it due, so its
        next step brings the messages up to date under its claim. False if it was deleted."""
        changed = self._database.write(
            f"UPDATE recordings SET {_DUE_NOW} WHERE id = :id "
            "AND finished_at IS NOT NULL AND deleted_at IS NULL "
            "AND (next_poll_at IS NULL OR next_poll_at > :now)",
            {"now": ts(now), "id": recording_id},
        )
        return changed == 1

    def make_notices_due(self, team_ids: list[str], now: datetime) -> int:
        """The final notices of these workspaces (or Enterprise Grid orgs) that were put off
        while posting there was paused are due at once (the app was installed again)."""
        marks = ", ".join("?" for _ in team_ids)
        return self._database.write(
            "UPDATE recordings SET next_poll_at = ? WHERE finished_at IS NOT NULL "
            "AND notified_at IS NULL AND next_poll_at > ? "
            f"AND (team_id IN ({marks}) OR enterprise_id IN ({marks}))",
            [ts(now), ts(now), *team_ids, *team_ids],
        )

    def make_expired_due(self, now: datetime) -> list[str]:
        """Recordings whose media's retention ran out and whose status message does not say so
        yet are due at once; their ids. One already due or waiting for a retry is left be, and
        so is one whose video Recall had lost before: its status message says that already."""
        rows = self._database.write_returning(
            "UPDATE recordings SET next_poll_at = :now WHERE expires_at <= :now "
            "AND expiry_noted_at IS NULL AND deleted_at IS NULL AND media_lost_at IS NULL "
            "AND next_poll_at IS NULL "
            "RETURNING id",
            {"now": ts(now)},
        )
        return [row["id"] for row in rows]
