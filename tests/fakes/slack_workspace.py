"""The Slack fake's workspace: channels, users, DMs, messages and who may post where.

Not locked itself: ``FakeSlack`` (slack.py) holds its lock around every use. Errors are raised as
``SlackError`` carrying Slack's error string; shapes and rules follow Slack's: where a bot may
post, a user id as the DM with that user, the chat.* errors, and message metadata.
"""

from __future__ import annotations

import base64
import binascii
import copy
import time
from collections.abc import Callable
from typing import Any

Json = dict[str, Any]

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
APP_ID = "A0APP"
_CREATED = 1700000000  # "created" stamp of fake channels; any fixed past time will do

# tz label for the default zone; other zones show their tz name (good enough for tests).
_TZ_LABELS = {"Europe/Berlin": "Central European Time", "America/New_York": "Eastern Time"}


class SlackError(Exception):
    """An ``{"ok": false, "error": ...}`` answer; ``extra`` adds fields such as ``needed``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def dm_id_for(user_id: str) -> str:
    """The app's DM with a user: ``U0USER1`` -> ``D0USER1``."""
    return "D" + user_id[1:]


def is_user_id(value: str) -> bool:
    return value[:1] in ("U", "W")


class Workspace:
    """Channels, users and messages of the fake workspace(s)."""

    def __init__(self, team_domain: str = "acme") -> None:
        self.team_domain = team_domain
        self.messages_tab_enabled = True
        self.channels: dict[str, Json] = {}
        self.users: dict[str, Json] = {}
        self.posts: dict[str, list[Json]] = {}  # channel id -> messages, oldest first
        self._last_ts_us = 0

    # --- model --------------------------------------------------------------------------------

    def add_channel(
        self,
        channel_id: str,
        name: str = "general",
        is_private: bool = False,
        is_member: bool = True,
        is_archived: bool = False,
    ) -> Json:
        channel = {
            "id": channel_id,
            "name": name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": is_private,
            "is_archived": is_archived,
            "is_general": name == "general",
            "is_shared": False,
            "is_org_shared": False,
            "is_ext_shared": False,
            "is_member": is_member,
            "name_normalized": name,
            "created": _CREATED,
            "creator": "U0ADMIN",
        }
        self.channels[channel_id] = channel
        return channel

    def add_dm(self, user_id: str) -> str:
        """Open (or reuse) the app's DM with ``user_id``; return its ``D…`` id."""
        dm_id = dm_id_for(user_id)
        # A DM is an "im" conversation object, which has no name or is_member (Slack's im type).
        self.channels.setdefault(
            dm_id,
            {
                "id": dm_id,
                "created": _CREATED,
                "is_archived": False,
                "is_im": True,
                "is_org_shared": False,
                "user": user_id,
                "is_user_deleted": False,
                "priority": 0,
            },
        )
        return dm_id

    def add_user(
        self,
        user_id: str,
        name: str,
        tz: str = "Europe/Berlin",
        tz_offset: int = 3600,
        is_admin: bool = False,
        is_owner: bool = False,
        real_name: str | None = None,
        team_id: str = "T0001",
    ) -> Json:
        real = real_name or name.replace(".", " ").title()
        user = {
            "id": user_id,
            "team_id": team_id,
            "name": name,
            "deleted": False,
            "real_name": real,
            "tz": tz,
            "tz_label": _TZ_LABELS.get(tz, tz),
            "tz_offset": tz_offset,
            "is_admin": is_admin,
            "is_owner": is_owner,
            "is_bot": False,
            "is_app_user": False,
            "profile": {
                "display_name": name,
                "display_name_normalized": name,
                "real_name": real,
                "real_name_normalized": real,
            },
        }
        self.users[user_id] = user
        return user

    def channel(self, channel_id: str) -> Json:
        """A known channel; a never-added ``C…``/``G…`` id is a public channel the bot is in."""
        if channel_id in self.channels:
            return self.channels[channel_id]
        if channel_id[:1] in ("C", "G"):
            return self.add_channel(channel_id, name=channel_id.lower())
        raise SlackError("channel_not_found")

    # --- rules --------------------------------------------------------------------------------

    def postable(self, channel_id: str, scopes: set[str]) -> str:
        """The channel id a post really goes to (a user id means their DM), or SlackError."""
        if is_user_id(channel_id):
            if not self.messages_tab_enabled:
                raise SlackError("messages_tab_disabled")
            return self.add_dm(channel_id)
        channel = self.channel(channel_id)
        if channel["is_archived"]:
            raise SlackError("is_archived")
        if channel.get("is_im") or channel["is_member"]:
            return channel_id
        if channel["is_private"]:
            raise SlackError("channel_not_found")  # bots cannot see private channels they're not in
        if "chat:write.public" not in scopes:
            raise SlackError("not_in_channel")
        return channel_id

    def readable(self, channel_id: str) -> Json:
        """A channel whose history the bot may read."""
        channel = self.channel(channel_id)
        if channel.get("is_im") or channel["is_member"]:
            return channel
        if channel["is_private"]:
            raise SlackError("channel_not_found")
        raise SlackError("not_in_channel")

    def join(self, channel_id: str) -> tuple[Json, bool]:
        """conversations.join: (channel, was already a member)."""
        if is_user_id(channel_id):
            raise SlackError("channel_not_found")
        channel = self.channel(channel_id)
        if channel.get("is_im") or channel["is_private"]:
            raise SlackError("method_not_supported_for_channel_type")
        if channel["is_archived"]:
            raise SlackError("is_archived")
        already = channel["is_member"]
        channel["is_member"] = True
        return channel, already

    def visible(self, channel_id: str) -> Json:
        """conversations.info: private channels the bot is not in do not exist for it."""
        channel = self.channel(channel_id)
        if channel.get("is_private") and not channel["is_member"]:
            raise SlackError("channel_not_found")
        return channel

    # --- messages -----------------------------------------------------------------------------

    def next_ts(self) -> str:
        """Unique, increasing, clock-based ts (``oldest=`` filters by real unix time)."""
        micros = max(int(time.time() * 1_000_000), self._last_ts_us + 1)
        self._last_ts_us = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def post(self, channel_id: str, args: Json, team_id: str) -> Json:
        message: Json = {
            "type": "message",
            "text": args.get("text") or "",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": team_id,
            "ts": self.next_ts(),
        }
        for key in ("blocks", "attachments", "metadata"):
            if args.get(key):
                message[key] = args[key]
        thread_ts = args.get("thread_ts")
        if thread_ts:
            message["thread_ts"] = thread_ts
            message["parent_user_id"] = BOT_USER_ID
            if truthy(args.get("reply_broadcast")):  # "Also send to #channel"
                message["subtype"] = "thread_broadcast"
            parent = self.find(channel_id, thread_ts)
            if parent is not None:
                parent["thread_ts"] = thread_ts
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                parent["latest_reply"] = message["ts"]
        self.posts.setdefault(channel_id, []).append(message)
        return message

    def update(self, channel_id: str, ts: str, args: Json) -> Json:
        message = self.find(channel_id, ts)
        if message is None:
            raise SlackError("message_not_found")
        for key in ("text", "blocks", "attachments"):
            if key in args:
                message[key] = args[key]
        if "metadata" in args:  # omitted metadata is kept; {} removes it, as in chat.update
            if args["metadata"]:
                message["metadata"] = args["metadata"]
            else:
                message.pop("metadata", None)
        message["edited"] = {"user": BOT_USER_ID, "ts": self.next_ts()}
        return message

    def find(self, channel_id: str, ts: str) -> Json | None:
        return next((m for m in self.posts.get(channel_id, []) if m["ts"] == ts), None)

    def history(self, channel_id: str, args: Json) -> tuple[list[Json], str]:
        """Top-level messages (and broadcast replies) newest first, filtered like
        conversations.history; (page, next cursor or ""). A cursor is ``base64("offset:N")``."""
        in_range = _time_range(args)
        limit = int(args.get("limit") or 100)
        top_level = [
            m
            for m in self.posts.get(channel_id, [])
            if (_is_top_level(m) or m.get("subtype") == "thread_broadcast")
            and in_range(float(m["ts"]))
        ]
        newest_first = list(reversed(top_level))
        start = _cursor_offset(args.get("cursor"))
        end = start + limit
        cursor = _cursor(end) if end < len(newest_first) else ""
        return _exported(newest_first[start:end], args), cursor

    def conversations(self, args: Json) -> tuple[list[Json], str]:
        """conversations.list: the conversations of the given ``types`` the bot can see;
        (page, next cursor or "")."""
        types = set(str(args.get("types") or "public_channel").split(","))
        found = []
        for channel in self.channels.values():
            if channel.get("is_im"):
                kind = "im"
            elif channel.get("is_private"):
                kind = "private_channel"
                if not channel["is_member"]:
                    continue
            else:
                kind = "public_channel"
            if kind in types:
                found.append(copy.deepcopy(channel))
        start = _cursor_offset(args.get("cursor"))
        end = start + int(args.get("limit") or 100)
        return found[start:end], _cursor(end) if end < len(found) else ""

    def replies(self, channel_id: str, args: Json) -> tuple[list[Json], str]:
        """conversations.replies: the thread of ``ts`` (its parent or any reply), parent first,
        then replies oldest first within oldest/latest; (page, next cursor or "").

        A top-level message without replies is a thread of one. Pages are slices of that list,
        so only the first page has the parent; a cursor is ``base64("offset:N")``.
        """
        message = self.find(channel_id, str(args.get("ts") or ""))
        root = self.find(channel_id, message.get("thread_ts", message["ts"])) if message else None
        if root is None:
            raise SlackError("thread_not_found")
        in_range = _time_range(args)
        thread = [root] + [
            m
            for m in self.posts.get(channel_id, [])
            if not _is_top_level(m) and m["thread_ts"] == root["ts"] and in_range(float(m["ts"]))
        ]
        start = _cursor_offset(args.get("cursor"))
        end = start + int(args.get("limit") or 1000)
        cursor = _cursor(end) if end < len(thread) else ""
        return _exported(thread[start:end], args), cursor

    def permalink(self, channel_id: str, ts: str) -> str:
        if self.find(channel_id, ts) is None:
            raise SlackError("message_not_found")
        return f"https://{self.team_domain}.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"


def truthy(value: object) -> bool:
    """Form bodies carry booleans as "1"/"0" (slack_sdk) or "true"/"false"."""
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def _is_top_level(message: Json) -> bool:
    return message.get("thread_ts", message["ts"]) == message["ts"]


def _time_range(args: Json) -> Callable[[float], bool]:
    """``oldest``/``latest``/``inclusive`` of conversations.history and .replies as a test."""
    inclusive = truthy(args.get("inclusive"))
    oldest = float(args.get("oldest") or 0)
    latest = float(args.get("latest") or "inf")
    if inclusive:
        return lambda ts: oldest <= ts <= latest
    return lambda ts: oldest < ts < latest


def _exported(messages: list[Json], args: Json) -> list[Json]:
    """Copies as a read returns them: ``metadata`` only with ``include_all_metadata``."""
    page = [copy.deepcopy(m) for m in messages]
    if not truthy(args.get("include_all_metadata")):
        for message in page:
            message.pop("metadata", None)
    return page


def _cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _cursor_offset(cursor: object) -> int:
    if not cursor:
        return 0
    try:
        kind, _, number = base64.b64decode(str(cursor), validate=True).decode().partition(":")
        if kind == "offset" and number.isdigit():
            return int(number)
    except (binascii.Error, UnicodeDecodeError):
        pass
    raise SlackError("invalid_cursor")
