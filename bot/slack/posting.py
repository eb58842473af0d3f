"""Posting to Slack from the background: the channel when we can, the requester when we can't.

Only the poller and the recording workers use this (never while answering a request), so the
client may sleep through a 429 with slack-sdk's own handler: a 429 means Slack did not take the
message, so asking again is safe. Nothing else is retried here, because a post whose answer was
lost may have landed: a blind retry would post twice. Instead every post carries message
metadata naming the recording and the kind of post, so `find_post` can ask Slack afterwards
whether it landed.

Where a message goes:
- the channel where /record was typed (a public channel we are not in: we join it once);
- if the channel cannot take it (private without us, a DM between people, archived), the
  requester's DM with the app, saying why.

Failures surface as bot/slack/errors.py's exception tree.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookClient

from bot.model.recording import Recording
from bot.slack import messages
from bot.slack.errors import (
    BAD_BLOCKS,
    CANNOT_LOOK,
    GONE,
    UNREACHABLE,
    MessageGone,
    SlackAuthRevoked,
    SlackUnavailable,
    error_code,
    translated,
)
from bot.slack.lookup import METADATA_EVENT, FoundPosts, find_posts
from bot.slack.messages import Message

if TYPE_CHECKING:
    from bot.slack.clients import SlackClients

log = logging.getLogger(__name__)

__all__ = ["METADATA_EVENT", "Delivery", "SlackNotifier"]


@dataclass(frozen=True)
class Delivery:
    channel: str
    ts: str
    direct: bool  # True when it went to the requester's DM instead of the channel


class SlackNotifier:
    def __init__(
        self, clients: SlackClients, on_post: Callable[[str, str], None] | None = None
    ) -> None:
        self._clients = clients
        # Told of every post and edit: its kind (status, alert, notice, edit, private) and its
        # outcome (ok, rate_limited, revoked, gone, error), for the app's metrics.
        self._on_post = on_post or (lambda _kind, _outcome: None)

    def post(self, recording: Recording, message: Message, kind: str) -> Delivery:
        """Post a new top-level message about `recording` where its requester will see it."""
        with self._counted(kind):
            return self._post_somewhere(recording, message, kind)

    def _post_somewhere(self, recording: Recording, message: Message, kind: str) -> Delivery:
        channel = recording.slack.status_channel or recording.request.channel_id
        metadata = _metadata(recording, kind)
        with translated():
            client = self._client(recording)
            try:
                return self._post_or_join(client, channel, message, metadata)
            except SlackApiError as exc:
                if error_code(exc) not in UNREACHABLE:
                    raise
                log.info(
                    "recording %s: channel %s unreachable (%s); sending to the requester",
                    recording.id,
                    channel,
                    error_code(exc),
                )
            note = messages.channel_unreachable(recording.request.channel_id)
            direct = Message(
                text=f"{note}\n{message.text}",
                blocks=message.blocks,
                fallback_blocks=message.fallback_blocks,
            )
            return Delivery(
                **self._post(client, recording.request.user_id, direct, metadata), direct=True
            )

    def update(self, recording: Recording, message: Message) -> None:
        """Edit the status message (idempotent: safe to repeat); MessageGone if it is gone."""
        with self._counted("edit"), translated():
            client = self._client(recording)
            try:
                self._with_fallback(
                    message,
                    lambda blocks: client.chat_update(
                        channel=recording.slack.status_channel,
                        ts=recording.slack.status_ts,
                        text=message.text,
                        blocks=blocks,
                    ),
                )
            except SlackApiError as exc:
                if error_code(exc) in GONE:
                    raise MessageGone(f"status message gone ({error_code(exc)})") from exc
                raise

    def reply(self, recording: Recording, text: str, kind: str, *, broadcast: bool = False) -> str:
        """A thread reply under the status message (what notifies people); returns its ts."""
        with self._counted(kind), translated():
            response = self._client(recording).chat_postMessage(
                channel=recording.slack.status_channel,
                thread_ts=recording.slack.status_ts,
                reply_broadcast=broadcast,
                text=text,
                metadata=_metadata(recording, kind),
                unfurl_links=False,
                unfurl_media=False,
            )
        return str(response["ts"])

    def update_reply(self, recording: Recording, ts: str, text: str) -> None:
        """Edit one of our thread replies (idempotent); MessageGone if it is gone."""
        with translated():
            try:
                self._client(recording).chat_update(
                    channel=recording.slack.status_channel, ts=ts, text=text
                )
            except SlackApiError as exc:
                if error_code(exc) in GONE:
                    raise MessageGone(f"thread reply gone ({error_code(exc)})") from exc
                raise

    def find_post(self, recording: Recording, kind: str) -> Delivery | None:
        """Did an earlier attempt's `kind` post land after all? Looks in Slack's history.

        None when it did not, or when Slack will never let us look (no scope, no access: then
        the caller posts again). A passing failure raises SlackUnavailable: ask again later
        rather than risk a second post.
        """
        with translated():
            client = self._client(recording)
        try:
            if kind == "status":
                channel = recording.slack.status_channel or recording.request.channel_id
                found = client.conversations_history(
                    channel=channel,
                    oldest=_slack_ts(recording.created_at),
                    include_all_metadata=True,
                    limit=200,
                )
            elif recording.slack.status_channel and recording.slack.status_ts:
                channel = recording.slack.status_channel
                found = client.conversations_replies(
                    channel=channel,
                    ts=recording.slack.status_ts,
                    include_all_metadata=True,
                    limit=200,
                )
            else:
                return None
        except SlackApiError as exc:
            if error_code(exc) not in CANNOT_LOOK:
                with translated():
                    raise
            log.warning(
                "recording %s: can't check whether a %s post landed (%s); posting it again",
                recording.id,
                kind,
                error_code(exc),
            )
            return None
        except (SlackClientError, OSError) as exc:
            raise SlackUnavailable(f"could not check Slack ({type(exc).__name__})") from exc
        for message in found.get("messages") or []:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("recording_id") == recording.id and payload.get("post") == kind:
                return Delivery(channel, str(message["ts"]), direct=False)
        return None

    def find_posts(self, recording: Recording) -> FoundPosts:
        """A rebuilt recording's status message and the kinds of post in its thread, found
        again in Slack (bot/slack/lookup.py); SlackUnavailable when Slack can't say now."""
        with translated():
            return find_posts(
                self._client(recording),
                recording.id,
                recording.request.channel_id,
                recording.request.user_id,
                recording.created_at,
            )

    def tell_requester(self, recording: Recording, text: str) -> None:
        """A private note to whoever typed /record: their reply hook, else a DM."""
        with self._counted("private"):
            self._tell_requester(recording, text)

    def _tell_requester(self, recording: Recording, text: str) -> None:
        if recording.request.response_url:
            try:
                reply = WebhookClient(recording.request.response_url, timeout=10).send(
                    text=text, response_type="ephemeral", replace_original=False
                )
                if reply.status_code == 200:
                    return
                log.info("recording %s: reply hook answered %s", recording.id, reply.status_code)
            except (SlackClientError, OSError) as exc:
                log.info("recording %s: reply hook failed (%s)", recording.id, type(exc).__name__)
        with translated():
            self._client(recording).chat_postMessage(channel=recording.request.user_id, text=text)

    @contextmanager
    def _counted(self, kind: str) -> Iterator[None]:
        """Report the post's kind (without its detail: `notice:ready` is a notice) and how it
        went."""
        kind = kind.split(":", 1)[0]
        try:
            yield
        except MessageGone:
            self._on_post(kind, "gone")
            raise
        except SlackAuthRevoked:
            self._on_post(kind, "revoked")
            raise
        except SlackUnavailable as exc:
            self._on_post(kind, "rate_limited" if exc.retry_after else "error")
            raise
        except Exception:
            self._on_post(kind, "error")
            raise
        self._on_post(kind, "ok")

    def _client(self, recording: Recording) -> WebClient:
        return self._clients.for_team(recording.request.team_id, recording.request.enterprise_id)

    def _post_or_join(
        self, client: WebClient, channel: str, message: Message, metadata: dict[str, Any]
    ) -> Delivery:
        try:
            return Delivery(**self._post(client, channel, message, metadata), direct=False)
        except SlackApiError as exc:
            if error_code(exc) != "not_in_channel":
                raise
        # A public channel we are not in: join it (which also lets us read back what we post).
        client.conversations_join(channel=channel)
        return Delivery(**self._post(client, channel, message, metadata), direct=False)

    def _post(
        self, client: WebClient, channel: str, message: Message, metadata: dict[str, Any]
    ) -> dict[str, str]:
        response = self._with_fallback(
            message,
            lambda blocks: client.chat_postMessage(
                channel=channel,
                text=message.text,
                blocks=blocks,
                metadata=metadata,
                unfurl_links=False,
                unfurl_media=False,
            ),
        )
        return {"channel": response["channel"], "ts": response["ts"]}

    def _with_fallback(
        self, message: Message, send: Callable[[Any], SlackResponse]
    ) -> SlackResponse:
        """Send with our blocks; if Slack refuses them, with the fallback blocks, then text only.

        A refusal means nothing was posted, so trying again cannot post twice.
        """
        for blocks in (message.blocks or None, message.fallback_blocks, None):
            try:
                return send(blocks)
            except SlackApiError as exc:
                if error_code(exc) not in BAD_BLOCKS or blocks is None:
                    raise
                log.warning("Slack refused our blocks (%s); trying simpler ones", error_code(exc))
        raise AssertionError("unreachable: the text-only attempt returns or raises")


def _metadata(recording: Recording, kind: str) -> dict[str, Any]:
    # Only ids: anyone who can see the message can read its metadata.
    payload = {"recording_id": recording.id, "post": kind}
    return {"event_type": METADATA_EVENT, "event_payload": payload}


def _slack_ts(moment: datetime) -> str:
    """Our time as Slack's `oldest` (a minute early, for clock skew)."""
    return f"{moment.timestamp() - 60:.6f}"
