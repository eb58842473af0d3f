"""Posting to Slack from the background: the channel when we can, the requester when we can't.

Only the poller and the recording worker use this (never a request thread), so the client may
sleep through a 429 with slack-sdk's own retry handlers. What is left after those retries is
raised as `SlackUnavailable` (try again later) for the caller to reschedule.

Where a notice goes (slack-platform reference §2.5, §5.2):
- the channel where /record was typed (public channels work without joining thanks to
  `chat:write.public`; on `not_in_channel` we join once and retry);
- if the channel cannot take it (private without us, a DM between people, archived), the
  requester's DM with the app, saying why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookClient

from bot import messages
from bot.messages import Message
from bot.store import Recording

log = logging.getLogger(__name__)

# Errors meaning "this conversation will not take our message": go to the requester instead.
UNREACHABLE = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_non_threadable_channel",
        "restricted_action_thread_only_channel",
        "method_not_supported_for_channel_type",
        "cannot_dm_bot",
    }
)
# chat.update errors meaning our status message no longer exists where we left it.
GONE = frozenset({"message_not_found", "cant_update_message", "channel_not_found", "is_archived"})
BAD_BLOCKS = frozenset({"invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long"})


class SlackUnavailable(Exception):
    """Slack could not take the message now (rate limit, outage, token trouble); retry later."""


@dataclass(frozen=True)
class Delivery:
    channel: str
    ts: str
    direct: bool  # True when it went to the requester's DM instead of the channel


def background_client(token: str, base_url: str) -> WebClient:
    """A WebClient for background posting: 10 s timeout, waits out 429s and brief 5xx."""
    client = WebClient(token=token, base_url=base_url, timeout=10)
    client.retry_handlers = [
        ConnectionErrorRetryHandler(max_retry_count=1),
        RateLimitErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2),
    ]
    return client


class SlackNotifier:
    def __init__(self, client: WebClient):
        self._client = client

    def post(self, recording: Recording, message: Message) -> Delivery:
        """Post a new message about `recording` where its requester will see it."""
        channel = recording.status_channel or recording.channel_id
        try:
            try:
                return self._post_or_join(channel, message)
            except SlackApiError as exc:
                if _error(exc) not in UNREACHABLE:
                    raise
                log.info(
                    "recording %s: channel %s unreachable (%s); sending to the requester",
                    recording.id,
                    channel,
                    _error(exc),
                )
            note = messages.channel_unreachable(recording.channel_id)
            direct = Message(text=f"{note}\n{message.text}", blocks=message.blocks)
            return Delivery(**self._post(recording.user_id, direct), direct=True)
        except (SlackClientError, OSError) as exc:
            raise _unavailable(exc) from exc

    def update(self, recording: Recording, message: Message) -> Delivery:
        """Show `message` in the recording's status message; post it anew if that is gone."""
        if not (recording.status_channel and recording.status_ts):
            return self.post(recording, message)
        try:
            try:
                self._with_fallback(
                    message,
                    lambda blocks: self._client.chat_update(
                        channel=recording.status_channel,
                        ts=recording.status_ts,
                        text=message.text,
                        blocks=blocks,
                    ),
                )
            except SlackApiError as exc:
                if _error(exc) not in GONE:
                    raise
                log.info("recording %s: status message gone (%s)", recording.id, _error(exc))
                return self.post(recording, message)
        except (SlackClientError, OSError) as exc:
            raise _unavailable(exc) from exc
        return Delivery(recording.status_channel, recording.status_ts, direct=False)

    def reply(self, recording: Recording, text: str, *, broadcast: bool = False) -> None:
        """A thread reply under the status message: this is what notifies people."""
        if not (recording.status_channel and recording.status_ts):
            self.post(recording, Message(text=text))
            return
        try:
            self._client.chat_postMessage(
                channel=recording.status_channel,
                thread_ts=recording.status_ts,
                reply_broadcast=broadcast,
                text=text,
                unfurl_links=False,
                unfurl_media=False,
            )
        except (SlackClientError, OSError) as exc:
            raise _unavailable(exc) from exc

    def tell_requester(self, recording: Recording, text: str) -> None:
        """A private note to whoever typed /record: their reply hook, else a DM."""
        if recording.response_url:
            try:
                reply = WebhookClient(recording.response_url, timeout=10).send(
                    text=text, response_type="ephemeral", replace_original=False
                )
                if reply.status_code == 200:
                    return
                log.info("recording %s: reply hook answered %s", recording.id, reply.status_code)
            except (SlackClientError, OSError) as exc:
                log.info("recording %s: reply hook failed (%s)", recording.id, type(exc).__name__)
        try:
            self._client.chat_postMessage(channel=recording.user_id, text=text)
        except (SlackClientError, OSError) as exc:
            raise _unavailable(exc) from exc

    def _post_or_join(self, channel: str, message: Message) -> Delivery:
        try:
            return Delivery(**self._post(channel, message), direct=False)
        except SlackApiError as exc:
            if _error(exc) != "not_in_channel":
                raise
        # A public channel we are not in (and no chat:write.public): join it once, try again.
        try:
            self._client.conversations_join(channel=channel)
        except SlackApiError as exc:
            log.info("could not join %s (%s)", channel, _error(exc))
        return Delivery(**self._post(channel, message), direct=False)

    def _post(self, channel: str, message: Message) -> dict[str, str]:
        response = self._with_fallback(
            message,
            lambda blocks: self._client.chat_postMessage(
                channel=channel,
                text=message.text,
                blocks=blocks,
                unfurl_links=False,
                unfurl_media=False,
            ),
        )
        return {"channel": response["channel"], "ts": response["ts"]}

    def _with_fallback(
        self, message: Message, send: Callable[[Any], SlackResponse]
    ) -> SlackResponse:
        """Send with our blocks; if Slack refuses them, with the fallback blocks, then text only."""
        attempts = [message.blocks or None, message.fallback_blocks, None]
        for blocks in attempts:
            try:
                return send(blocks)
            except SlackApiError as exc:
                if _error(exc) not in BAD_BLOCKS or blocks is None:
                    raise
                log.warning("Slack refused our blocks (%s); trying simpler ones", _error(exc))
        raise AssertionError("unreachable: the text-only attempt raises or returns")


def _error(exc: SlackApiError) -> str:
    return str(exc.response.get("error", "unknown_error"))


def _unavailable(exc: Exception) -> SlackUnavailable:
    if isinstance(exc, SlackApiError):
        return SlackUnavailable(f"Slack answered {_error(exc)}")
    return SlackUnavailable(f"could not reach Slack ({type(exc).__name__})")
