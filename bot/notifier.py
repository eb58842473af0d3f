"""Posting to Slack from the background: the channel when we can, the requester when we can't.

Only the poller and the recording workers use this (never while answering a request), so the
client may sleep through a 429 with slack-sdk's own handler: a 429 means Slack did not take the
message, so asking again is safe. Nothing else is retried here, because a post whose answer was
lost may have landed: a blind retry would post twice. Instead every post carries message
metadata naming the recording and the kind of post, so `find_post` can ask Slack afterwards
whether it landed.

Where a message goes (slack-platform reference §2.5, §5.2):
- the channel where /record was typed (a public channel we are not in: we join it once);
- if the channel cannot take it (private without us, a DM between people, archived), the
  requester's DM with the app, saying why.

    SlackUnavailable        try again later (outage, rate limit left over, lost answer)
     ├── SlackAuthRevoked   the workspace's token no longer works: stop posting there
     └── MessageGone        the status message to edit no longer exists
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookClient

from bot import messages
from bot.messages import Message
from bot.recall import retry_after_seconds
from bot.recording import Recording, from_ts

if TYPE_CHECKING:
    from bot.slack_clients import SlackClients

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
# The token is dead: uninstalled app, revoked token, deactivated workspace.
REVOKED = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "team_access_not_granted",
        "org_login_required",
    }
)
METADATA_EVENT = "slack_record"
# History we will never be allowed to read: give up checking and post again.
CANNOT_LOOK = frozenset(
    {
        "missing_scope",
        "not_in_channel",
        "channel_not_found",
        "thread_not_found",
        "not_allowed_token_type",
    }
)


class SlackUnavailable(Exception):
    """Slack could not take the message now; retry later (after `retry_after` if given)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class SlackAuthRevoked(SlackUnavailable):
    """The workspace's token no longer works (uninstalled, revoked); posting there stops."""


class MessageGone(SlackUnavailable):
    """The status message we meant to edit is gone (deleted, channel archived)."""


@dataclass(frozen=True)
class Delivery:
    channel: str
    ts: str
    direct: bool  # True when it went to the requester's DM instead of the channel


def background_client(token: str, base_url: str) -> WebClient:
    """A WebClient for background posting: 10 s timeout; waits out 429s (nothing else)."""
    client = WebClient(token=token, base_url=base_url, timeout=10)
    client.retry_handlers = [RateLimitErrorRetryHandler(max_retry_count=2)]
    return client


class SlackNotifier:
    def __init__(self, clients: SlackClients):
        self._clients = clients

    def post(self, recording: Recording, message: Message, kind: str) -> Delivery:
        """Post a new top-level message about `recording` where its requester will see it."""
        channel = recording.status_channel or recording.channel_id
        metadata = _metadata(recording, kind)
        with _translated():
            client = self._client(recording)
            try:
                return self._post_or_join(client, channel, message, metadata)
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
            direct = Message(
                text=f"{note}\n{message.text}",
                blocks=message.blocks,
                fallback_blocks=message.fallback_blocks,
            )
            return Delivery(**self._post(client, recording.user_id, direct, metadata), direct=True)

    def update(self, recording: Recording, message: Message) -> None:
        """Edit the status message (idempotent: safe to repeat); MessageGone if it is gone."""
        with _translated():
            client = self._client(recording)
            try:
                self._with_fallback(
                    message,
                    lambda blocks: client.chat_update(
                        channel=recording.status_channel,
                        ts=recording.status_ts,
                        text=message.text,
                        blocks=blocks,
                    ),
                )
            except SlackApiError as exc:
                if _error(exc) in GONE:
                    raise MessageGone(f"status message gone ({_error(exc)})") from exc
                raise

    def reply(self, recording: Recording, text: str, kind: str, *, broadcast: bool = False) -> str:
        """A thread reply under the status message (what notifies people); returns its ts."""
        with _translated():
            response = self._client(recording).chat_postMessage(
                channel=recording.status_channel,
                thread_ts=recording.status_ts,
                reply_broadcast=broadcast,
                text=text,
                metadata=_metadata(recording, kind),
                unfurl_links=False,
                unfurl_media=False,
            )
        return str(response["ts"])

    def find_post(self, recording: Recording, kind: str) -> Delivery | None:
        """Did an earlier attempt's `kind` post land after all? Looks in Slack's history.

        None when it did not, or when Slack will never let us look (no scope, no access: then
        the caller posts again). A passing failure raises SlackUnavailable: ask again later
        rather than risk a second post.
        """
        with _translated():
            client = self._client(recording)
        try:
            if kind == "status":
                channel = recording.status_channel or recording.channel_id
                found = client.conversations_history(
                    channel=channel,
                    oldest=_slack_ts(recording.created_at),
                    include_all_metadata=True,
                    limit=200,
                )
            elif recording.status_channel and recording.status_ts:
                channel = recording.status_channel
                found = client.conversations_replies(
                    channel=channel,
                    ts=recording.status_ts,
                    include_all_metadata=True,
                    limit=200,
                )
            else:
                return None
        except SlackApiError as exc:
            if _error(exc) not in CANNOT_LOOK:
                with _translated():
                    raise
            log.warning(
                "recording %s: can't check whether a %s post landed (%s); posting it again",
                recording.id,
                kind,
                _error(exc),
            )
            return None
        except (SlackClientError, OSError) as exc:
            raise SlackUnavailable(f"could not check Slack ({type(exc).__name__})") from exc
        for message in found.get("messages") or []:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("recording_id") == recording.id and payload.get("post") == kind:
                return Delivery(channel, str(message["ts"]), direct=False)
        return None

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
        with _translated():
            self._client(recording).chat_postMessage(channel=recording.user_id, text=text)

    def _client(self, recording: Recording) -> WebClient:
        return self._clients.for_team(recording.team_id, recording.enterprise_id)

    def _post_or_join(
        self, client: WebClient, channel: str, message: Message, metadata: dict[str, Any]
    ) -> Delivery:
        try:
            return Delivery(**self._post(client, channel, message, metadata), direct=False)
        except SlackApiError as exc:
            if _error(exc) != "not_in_channel":
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
                if _error(exc) not in BAD_BLOCKS or blocks is None:
                    raise
                log.warning("Slack refused our blocks (%s); trying simpler ones", _error(exc))
        raise AssertionError("unreachable: the text-only attempt returns or raises")


class _translated:
    """Turn what slack-sdk raises into our exception tree."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: object) -> bool:
        if exc is None or isinstance(exc, SlackUnavailable):
            return False
        if isinstance(exc, SlackApiError):
            error = _error(exc)
            if error in REVOKED:
                raise SlackAuthRevoked(f"Slack answered {error}") from exc
            retry_after = retry_after_seconds(exc.response.headers.get("Retry-After"))
            raise SlackUnavailable(f"Slack answered {error}", retry_after) from exc
        if isinstance(exc, SlackClientError | OSError):
            raise SlackUnavailable(f"could not reach Slack ({type(exc).__name__})") from exc
        return False


def _metadata(recording: Recording, kind: str) -> dict[str, Any]:
    # Only ids: anyone who can see the message can read its metadata.
    payload = {"recording_id": recording.id, "post": kind}
    return {"event_type": METADATA_EVENT, "event_payload": payload}


def _slack_ts(iso: str) -> str:
    """Our timestamp as Slack's `oldest` (a minute early, for clock skew)."""
    moment = from_ts(iso)
    return f"{moment.timestamp() - 60:.6f}" if moment else "0"


def _error(exc: SlackApiError) -> str:
    return str(exc.response.get("error", "unknown_error"))
