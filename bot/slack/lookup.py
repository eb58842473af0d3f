"""Finding a recording's messages in Slack again, for a recording rebuilt without its database
row (bot/workflow/rediscovery.py): its status message and the kinds of post already in its
thread, read from the message metadata every post carries (bot/slack/posting.py).

The status message was posted in the channel where /record was typed, soon after the request,
or, when that channel would not take it, in the requester's DM with the app. So the channel's
history is read from a minute before the request, a day of it at most (`WINDOW`), newest pages
first; if the channel cannot be read, the app's DM with the requester (found with im:read) is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.errors import CANNOT_LOOK, UNREACHABLE, error_code

# How much of a channel's history after the request is read, and in how many pages at most.
WINDOW = timedelta(days=1)
MAX_PAGES = 5
PAGE_SIZE = 200
METADATA_EVENT = "slack_record"


@dataclass(frozen=True)
class FoundPosts:
    channel: str | None  # where the status message is
    ts: str | None
    direct: bool = False  # in the requester's DM instead of the channel
    kinds: frozenset[str] = frozenset()  # posts in its thread: alert:waiting_room, notice:ready

    @property
    def found(self) -> bool:
        return self.ts is not None


def find_posts(
    client: WebClient, recording_id: str, channel: str, user_id: str, requested_at: datetime
) -> FoundPosts:
    """Raises SlackApiError for anything but "this history cannot be read"."""
    try:
        ts = _status_in(client, channel, recording_id, requested_at)
        where, direct = channel, False
    except SlackApiError as exc:
        if error_code(exc) not in CANNOT_LOOK | UNREACHABLE:
            raise
        ts = None
    if ts is None:
        dm = _direct_conversation(client, user_id)
        ts = _status_in(client, dm, recording_id, requested_at) if dm else None
        where, direct = dm, True
    if ts is None or where is None:
        return FoundPosts(None, None)
    kinds = frozenset(_thread_kinds(client, where, ts, recording_id))
    return FoundPosts(where, ts, direct, kinds)


def _status_in(
    client: WebClient, channel: str, recording_id: str, requested_at: datetime
) -> str | None:
    """The newest status message of the recording in the channel's window, if any."""
    oldest = requested_at.timestamp() - 60
    cursor = None
    for _ in range(MAX_PAGES):
        answer = client.conversations_history(
            channel=channel,
            oldest=f"{oldest:.6f}",
            latest=f"{oldest + WINDOW.total_seconds():.6f}",
            include_all_metadata=True,
            limit=PAGE_SIZE,
            cursor=cursor,
        )
        for message in answer.get("messages") or []:
            post = _ours(message, recording_id)
            if post is not None and post.startswith("status"):
                return str(message["ts"])
        cursor = (answer.get("response_metadata") or {}).get("next_cursor")
        if not answer.get("has_more") or not cursor:
            return None
    return None


def _thread_kinds(client: WebClient, channel: str, ts: str, recording_id: str) -> Iterator[str]:
    cursor = None
    for _ in range(MAX_PAGES):
        answer = client.conversations_replies(
            channel=channel, ts=ts, include_all_metadata=True, limit=PAGE_SIZE, cursor=cursor
        )
        for message in answer.get("messages") or []:
            post = _ours(message, recording_id)
            if post is not None:
                yield post
        cursor = (answer.get("response_metadata") or {}).get("next_cursor")
        if not answer.get("has_more") or not cursor:
            return


def _direct_conversation(client: WebClient, user_id: str) -> str | None:
    """The app's DM with the user, if there is one."""
    cursor = None
    try:
        for _ in range(MAX_PAGES):
            answer = client.conversations_list(types="im", limit=PAGE_SIZE, cursor=cursor)
            for conversation in answer.get("channels") or []:
                if conversation.get("user") == user_id:
                    return str(conversation["id"])
            cursor = (answer.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
    except SlackApiError as exc:
        if error_code(exc) not in CANNOT_LOOK:
            raise
    return None


def _ours(message: dict[str, Any], recording_id: str) -> str | None:
    """The kind of post (`status`, `notice:ready` ...) if the message is one of ours about
    this recording."""
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    if metadata.get("event_type") != METADATA_EVENT or payload.get("recording_id") != recording_id:
        return None
    post = payload.get("post")
    return post if isinstance(post, str) else None
