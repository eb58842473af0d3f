"""What Recall's webhooks leave in the database: delivery ids (each delivery is handled once)
and the newest bot event per recording (an older delivery never overwrites a newer one)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.recording import ts
from bot.store import Store


class BotEventLike(Protocol):
    """What the ledger needs of a webhook event (bot/recall_webhooks.py)."""

    code: str | None
    sub_code: str | None
    at: datetime | None

    @property
    def needs_fetch(self) -> bool: ...


class WebhookLedger:
    def __init__(self, store: Store):
        self._store = store

    def first_delivery(self, delivery_id: str, event: str, now: datetime) -> bool:
        """Remember a webhook delivery; False if it was seen before."""
        changed = self._store.write(
            "INSERT OR IGNORE INTO webhook_deliveries (id, event, received_at) VALUES (?, ?, ?)",
            [delivery_id, event, ts(now)],
        )
        return changed == 1

    def forget_before(self, moment: datetime) -> None:
        """Svix stops retrying after about a day; older ids can go."""
        self._store.write("DELETE FROM webhook_deliveries WHERE received_at < ?", [ts(moment)])

    def note_bot_event(self, recording_id: str, event: BotEventLike, now: datetime) -> bool:
        """Note a webhook's news on an open recording and make it due; False if it was stale
        (older than what we already know) or the recording is finished."""
        if event.needs_fetch:
            changed = self._store.write(
                "UPDATE recordings SET hook_fetch = 1, hook_seq = COALESCE(hook_seq, 0) + 1, "
                "next_poll_at = :now WHERE id = :id AND finished_at IS NULL",
                {"now": ts(now), "id": recording_id},
            )
            return changed == 1
        at = ts(event.at) if event.at else ts(now)
        changed = self._store.write(
            "UPDATE recordings SET hook_code = :code, hook_sub_code = :sub, hook_at = :at, "
            "hook_seq = COALESCE(hook_seq, 0) + 1, next_poll_at = :now "
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
