"""Recall webhook deliveries already handled (the table `webhook_deliveries`): Svix delivers at
least once, so each delivery id is acted on once."""

from __future__ import annotations

from datetime import datetime

from bot.store.database import Database
from bot.store.timestamps import ts


class WebhookDeliveries:
    def __init__(self, database: Database):
        self._database = database

    def first_delivery(self, delivery_id: str, event: str, now: datetime) -> bool:
        """Remember a webhook delivery; False if it was seen before."""
        changed = self._database.write(
            "INSERT OR IGNORE INTO webhook_deliveries (id, event, received_at) VALUES (?, ?, ?)",
            [delivery_id, event, ts(now)],
        )
        return changed == 1

    def forget_before(self, moment: datetime) -> None:
        """Svix stops retrying after about a day; older ids can go."""
        self._database.write("DELETE FROM webhook_deliveries WHERE received_at < ?", [ts(moment)])
