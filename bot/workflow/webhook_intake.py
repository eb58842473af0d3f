"""Recall's webhooks, once verified: each delivery handled once, the newest news noted on its
recording, which is then worked on at once by the same step the poller runs.

    POST /recall/webhook  →  WebhookIntake.receive(body, headers)  →  HTTP status

Quickly, because Recall waits at most 15 s:
- a delivery id seen before is acknowledged and skipped (Svix delivers at least once);
- events we don't use, and bots that aren't ours, are acknowledged and ignored;
- otherwise the newest event is noted on the recording (an older delivery never overwrites a
  newer one), which is made due and worked on at once: one code path, whatever told us;
- a transcript's news (`transcript.done`, `.failed`) makes its transcript due at once
  (bot/workflow/transcripts.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from bot.recall.transcripts import read_transcript_event
from bot.recall.webhooks import WebhookRejected, WebhookVerifier, read_event
from bot.store.recordings import Recordings
from bot.store.webhook_deliveries import WebhookDeliveries
from bot.workflow.transcripts import TranscriptWork

log = logging.getLogger(__name__)


class WebhookIntake:
    def __init__(
        self,
        verifier: WebhookVerifier,
        recordings: Recordings,
        deliveries: WebhookDeliveries,
        work_on_soon: Callable[[str], None],
        clock: Callable[[], datetime],
        on_delivery: Callable[[str], None] | None = None,
        transcripts: TranscriptWork | None = None,
    ):
        self._transcripts = transcripts
        self._verifier = verifier
        self._recordings = recordings
        self._deliveries = deliveries
        self._work_on_soon = work_on_soon
        self._clock = clock
        # Told of each delivery: accepted, duplicate or refused, for the app's metrics.
        self._on_delivery = on_delivery or (lambda _result: None)

    def receive(self, body: bytes, headers: Mapping[str, str]) -> tuple[int, str]:
        """Handle one delivery; the HTTP status and a short word for the log and the sender."""
        status, word = self._receive(body, headers)
        result = "refused" if status >= 400 else "duplicate" if word == "duplicate" else "accepted"
        self._on_delivery(result)
        return status, word

    def _receive(self, body: bytes, headers: Mapping[str, str]) -> tuple[int, str]:
        try:
            delivery_id = self._verifier.verify(body, headers)
        except WebhookRejected as exc:
            log.warning("Recall webhook refused: %s", exc)
            return 401, "invalid signature"
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than a parser goes
            return 400, "not JSON"
        name = payload.get("event") if isinstance(payload, dict) else None
        if not self._deliveries.first_delivery(delivery_id, str(name), self._clock()):
            return 200, "duplicate"
        event = read_event(delivery_id, payload)
        if event is None:
            return self._transcript_news(payload)
        recording = self._recordings.get_by_bot_id(event.bot_id)
        if recording is None:
            return 200, "not ours"  # every bot of the Recall workspace reports here
        if self._recordings.note_bot_event(recording.id, event, self._clock()):
            self._work_on_soon(recording.id)
        return 200, "ok"

    def _transcript_news(self, payload: object) -> tuple[int, str]:
        event = read_transcript_event(payload)
        if event is None or self._transcripts is None:
            return 200, "ignored"
        recording = self._recordings.get_by_bot_id(event.bot_id)
        if recording is None:
            return 200, "not ours"
        self._transcripts.heard_from_recall(recording, self._clock())
        return 200, "ok"
