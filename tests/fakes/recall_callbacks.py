"""What Recall itself calls on our side, as Recall calls it: the real-time webhook endpoint of a
bot that subscribed to `participant_events.chat_message` (Recall's "Receiving Chat Messages":
the payload below), and the Zoom `obf_token_url` it GETs just before the bot joins (Recall's
"Zoom OBF": no auth header, the token expected as plain text, 404 when there is none).

The URLs come from the bot as FakeRecall stored it. `reach` turns the app's public address into
the address a test can reach (the app under test listens on 127.0.0.1)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import httpx

from tests.fakes.recall import FakeRecall

CHAT_EVENT = "participant_events.chat_message"
_participant_ids = itertools.count(16778240)


def chat_endpoints(recall: FakeRecall, bot_id: str) -> list[str]:
    """The webhook URLs the bot delivers chat messages to."""
    endpoints = recall.bot(bot_id)["recording_config"].get("realtime_endpoints") or []
    return [e["url"] for e in endpoints if e.get("type") == "webhook" and CHAT_EVENT in e["events"]]


def chat_message_payload(
    bot_id: str, text: str, name: str | None = "Grace Hopper", to: str = "everyone"
) -> dict[str, object]:
    return {
        "event": CHAT_EVENT,
        "data": {
            "data": {
                "participant": {
                    "id": next(_participant_ids),
                    "name": name,
                    "is_host": False,
                    "platform": "desktop",
                    "extra_data": {},
                    "email": None,
                },
                "timestamp": {"absolute": datetime.now(UTC).isoformat(), "relative": 42.5},
                "data": {"text": text, "to": to},
            },
            "realtime_endpoint": {"id": str(uuid.uuid4()), "metadata": {}},
            "participant_events": {"id": str(uuid.uuid4()), "metadata": {}},
            "recording": {"id": str(uuid.uuid4()), "metadata": {}},
            "bot": {"id": bot_id, "metadata": {"app": "slack-record"}},
        },
    }


def send_chat_message(
    recall: FakeRecall,
    bot_id: str,
    text: str,
    reach: Callable[[str], str],
    name: str | None = "Grace Hopper",
) -> list[httpx.Response]:
    """Someone typed `text` in the meeting chat: Recall posts it to each chat endpoint."""
    payload = chat_message_payload(bot_id, text, name)
    return [
        httpx.post(reach(url), json=payload, timeout=5) for url in chat_endpoints(recall, bot_id)
    ]


def fetch_obf_token(recall: FakeRecall, bot_id: str, reach: Callable[[str], str]) -> httpx.Response:
    """Recall's GET of the bot's `zoom.obf_token_url`, just before joining."""
    url = (recall.bot(bot_id).get("zoom") or {})["obf_token_url"]
    return httpx.get(reach(url), timeout=5)
