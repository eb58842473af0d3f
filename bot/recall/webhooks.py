"""Recall's webhooks as Recall sends them: checking the signature, and reading the bot event.

Verification comes first, on the raw bytes, with the `standardwebhooks` library (Svix's
scheme). Recall sends `webhook-id/-timestamp/-signature`; older workspaces send the same thing
as `svix-*`. A bad or missing signature, or a timestamp more than 5 minutes off, is refused.
`read_event` then finds the bot event in any payload shape, tolerating anything.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from bot.model.lifecycle import STATUS_TARGETS
from bot.model.times import parse_time

log = logging.getLogger(__name__)

# Events after which the bot must be looked at whole: the end of the call and the video's fate.
FINISHING = frozenset(
    {
        "bot.done",
        "bot.fatal",
        "recording.done",
        "recording.failed",
        "recording.deleted",
        "video_mixed.done",
        "video_mixed.failed",
        "video_mixed.deleted",
    }
)


@dataclass(frozen=True)
class BotEvent:
    delivery_id: str
    name: str
    bot_id: str
    code: str | None
    sub_code: str | None
    at: datetime | None

    @property
    def needs_fetch(self) -> bool:
        """A plain status change is applied as is; anything else asks Recall for the bot."""
        return self.name in FINISHING or self.code not in STATUS_TARGETS


class WebhookRejected(Exception):
    """Not a genuine, fresh delivery from Recall (401)."""


class WebhookVerifier:
    def __init__(self, secret: str):
        self._webhook = Webhook(secret)

    def verify(self, body: bytes, headers: Mapping[str, str]) -> str:
        """The delivery id of a genuine, fresh delivery; WebhookRejected otherwise."""
        lower = {k.lower(): v for k, v in headers.items()}
        standard = {
            name: lower.get(f"webhook-{name}") or lower.get(f"svix-{name}") or ""
            for name in ("id", "timestamp", "signature")
        }
        try:
            self._webhook.verify(
                body, {f"webhook-{k}": v for k, v in standard.items()}, json_parse=False
            )
        except (WebhookVerificationError, ValueError) as exc:
            raise WebhookRejected(str(exc)) from exc
        return standard["id"]


def read_event(delivery_id: str, payload: Any) -> BotEvent | None:
    """The bot event in a payload, or None for events we don't use (any shape is tolerated)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("event"), str):
        return None
    name = payload["event"]
    data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    if name == "bot.status_change":  # the older single-event shape
        status = data.get("status") if isinstance(data.get("status"), dict) else {}
        bot_id, at = data.get("bot_id"), status.get("created_at")
    elif name.startswith("bot.") or name in FINISHING:
        status = data.get("data") if isinstance(data.get("data"), dict) else {}
        bot = data.get("bot") if isinstance(data.get("bot"), dict) else {}
        bot_id, at = bot.get("id"), status.get("updated_at")
    else:
        return None
    code = status.get("code") if isinstance(status.get("code"), str) else None
    if not isinstance(bot_id, str) or name in ("bot.log", "bot.output_log"):
        return None
    sub_code = status.get("sub_code") if isinstance(status.get("sub_code"), str) else None
    if name.startswith("bot.") and name != "bot.status_change":
        code = code or name.removeprefix("bot.")
    return BotEvent(delivery_id, name, bot_id, code, sub_code, parse_time(at))
