"""Recall's webhooks (reference recall-api.md §9): verify, read, and hand over to the recorder.

    POST /recall/webhook  →  WebhookIntake.receive(body, headers)  →  HTTP status

Verification comes first, on the raw bytes, with the `standardwebhooks` library (Svix's
scheme). Recall sends `webhook-id/-timestamp/-signature`; older workspaces send the same thing
as `svix-*`. Then, quickly (Recall waits at most 15 s):
- a delivery id seen before is acknowledged and skipped (Svix delivers at least once);
- events we don't use, and bots that aren't ours, are acknowledged and ignored;
- otherwise the newest event is noted on the recording, which is made due and worked on at
  once by the same step the poller runs: one code path, whatever told us.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from bot.bot_report import parse_time
from bot.lifecycle import STATUS_TARGETS
from bot.recorder import Recorder
from bot.store import Store
from bot.webhook_ledger import WebhookLedger

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


class WebhookIntake:
    def __init__(
        self, store: Store, recorder: Recorder, secret: str, clock: Callable[[], datetime]
    ):
        self.store = store
        self.ledger = WebhookLedger(store)
        self.recorder = recorder
        self.clock = clock
        self._webhook = Webhook(secret)

    def receive(self, body: bytes, headers: Mapping[str, str]) -> tuple[int, str]:
        """Handle one delivery; the HTTP status and a short word for the log and the sender."""
        try:
            delivery_id = self._verify(body, headers)
        except WebhookRejected as exc:
            log.warning("Recall webhook refused: %s", exc)
            return 401, "invalid signature"
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than a parser goes
            return 400, "not JSON"
        name = payload.get("event") if isinstance(payload, dict) else None
        if not self.ledger.first_delivery(delivery_id, str(name), self.clock()):
            return 200, "duplicate"
        event = read_event(delivery_id, payload)
        if event is None:
            return 200, "ignored"
        recording = self.store.get_by_bot_id(event.bot_id)
        if recording is None:
            return 200, "not ours"  # every bot of the Recall workspace reports here
        if self.ledger.note_bot_event(recording.id, event, self.clock()):
            self.recorder.start_soon(recording.id)
        return 200, "ok"

    def _verify(self, body: bytes, headers: Mapping[str, str]) -> str:
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
