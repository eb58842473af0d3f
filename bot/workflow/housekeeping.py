"""Forgetting what can no longer matter: old webhook delivery ids, Slack request keys past
their signature window, OAuth states and Zoom connect links nobody came back with. Run hourly
by the scheduler."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.store import Store
from bot.store.slack_requests import REPLAY_MEMORY

# Svix retries a webhook for about a day; remembering delivery ids for three is plenty.
DELIVERY_MEMORY = timedelta(days=3)


def forget_what_no_longer_matters(store: Store, now: datetime) -> None:
    store.webhook_deliveries.forget_before(now - DELIVERY_MEMORY)
    # Slack requests older than this fail the signature check: a replay of one cannot get
    # in any more, so its key is not needed.
    store.slack_requests.forget_before(now - REPLAY_MEMORY)
    store.oauth_states.forget_expired(now)
    store.zoom_handshakes.forget_expired(now)
