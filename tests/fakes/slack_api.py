"""The Slack fake's tables and HTTP helpers: scopes, fault sets, request decoding, JSON answers.

Kept apart from ``FakeSlack`` (slack.py) so that file holds only the fake's behaviour.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any

from flask import Response, request

from tests.fakes.slack_workspace import Json, SlackError

DEFAULT_BOT_TOKEN = "xoxb-test-token"
# The bot scopes the app is installed with. Not chat:write.public: posting to a public channel
# the bot is not in fails with not_in_channel (a test may add the scope).
DEFAULT_SCOPES = frozenset(
    {
        "chat:write",
        "commands",
        "links.embed:write",
        "channels:join",
        "channels:read",
        "groups:read",
        "im:read",
        "mpim:read",
        "users:read",
        "channels:history",
        "groups:history",
        "im:history",
        "mpim:history",
    }
)
# Slack allows 5 posts per response_url, within 30 minutes of the command.
RESPONSE_URL_LIMIT = 5
# The random fault (FakeSlack's fault_errors) that performs the call, then loses its answer.
LOST_RESPONSE = "lost_response"
# Calls without side effects: a lost answer there is just an error, so lost_response spares them.
READ_METHODS = frozenset(
    {
        "auth.test",
        "chat.getPermalink",
        "conversations.history",
        "conversations.replies",
        "conversations.info",
        "conversations.list",
        "users.info",
    }
)
# Fields slack_sdk sends JSON-encoded inside form bodies.
_JSON_FIELDS = ("blocks", "attachments", "metadata")
# Methods whose scope depends on the channel type: public / private / DM.
TYPED_SCOPES = {
    "conversations.info": ("channels:read", "groups:read", "im:read"),
    "conversations.history": ("channels:history", "groups:history", "im:history"),
    "conversations.replies": ("channels:history", "groups:history", "im:history"),
}
# conversations.list needs the read scope of each type of conversation it is asked for.
LIST_SCOPES = {
    "public_channel": "channels:read",
    "private_channel": "groups:read",
    "im": "im:read",
    "mpim": "mpim:read",
}
SCOPES = {
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",
    "conversations.join": "channels:join",
    "users.info": "users:read",
}


@dataclass(frozen=True)
class SlackCall:
    """One Web API call: decoded arguments without the token; ``at`` is ``time.time()``."""

    method: str
    args: dict[str, Any]
    at: float


def decode_args() -> tuple[Json, str | None]:
    """Query + form or JSON body, JSON-in-form fields decoded; the token taken out."""
    args: Json = request.args.to_dict()
    body = request.get_json(silent=True) if request.is_json else None
    args.update(body if isinstance(body, dict) else request.form.to_dict())
    for key in _JSON_FIELDS:
        if isinstance(args.get(key), str):
            # Not JSON: leave it as sent, as Slack would then reject it.
            with contextlib.suppress(ValueError):
                args[key] = json.loads(args[key])
    token = args.pop("token", None)
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = header.removeprefix("Bearer ")
    return args, token


def client_credentials(args: Json) -> tuple[str | None, str | None]:
    """oauth.v2.access takes client id/secret as HTTP Basic auth (slack_sdk) or as arguments."""
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        return auth.username, auth.password
    return args.get("client_id"), args.get("client_secret")


def required(args: Json, key: str, error: str = "channel_not_found") -> str:
    value = args.get(key)
    if not value:
        raise SlackError(error)
    return str(value)


def ok(payload: Json) -> Response:
    return json_response({"ok": True, **payload})


def json_response(
    payload: Json, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(json.dumps(payload), status, headers, mimetype="application/json")
