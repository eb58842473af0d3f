"""Build signed requests INTO the app, the way Slack sends them: a form-encoded body plus the
signature headers described at https://api.slack.com/docs/verifying-requests-from-slack.

body = slash_command_body("https://zoom.us/j/123", response_url=slack.response_url())
response = app.dispatch(BoltRequest(body=body, headers=signed_headers(SECRET, body)))
"""

from __future__ import annotations

import json
import secrets
import time
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier


def signed_headers(secret: str, body: str, timestamp: int | str | None = None) -> dict[str, str]:
    """Headers of a form POST signed with ``secret``; ``timestamp`` defaults to now (pass an old
    one to test the 5-minute replay window)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }


def random_trigger_id() -> str:
    """Shaped like Slack's, e.g. ``13345224609.738474920.8088930838d88f008e0``."""
    return (
        f"{secrets.randbelow(10**11):011d}.{secrets.randbelow(10**9):09d}.{secrets.token_hex(16)}"
    )


def slash_command_body(
    text: str,
    *,
    response_url: str,
    command: str = "/record",
    user_id: str = "U0USER1",
    user_name: str = "ada",
    channel_id: str = "C0CHAN1",
    channel_name: str = "general",
    team_id: str = "T0001",
    team_domain: str = "acme",
    trigger_id: str | None = None,
    api_app_id: str = "A0APP",
    enterprise_id: str | None = None,
) -> str:
    """The urlencoded form body of a slash command, fields in the order Slack sends them."""
    fields = {
        "token": "legacy-verification-token",  # deprecated; apps must ignore it
        "team_id": team_id,
        "team_domain": team_domain,
    }
    if enterprise_id is not None:  # only inside an Enterprise Grid org
        fields |= {"enterprise_id": enterprise_id, "enterprise_name": "Acme Grid"}
    fields |= {
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or random_trigger_id(),
    }
    return urlencode(fields)


def block_action_body(
    action_id: str,
    value: str,
    *,
    response_url: str,
    user_id: str = "U0USER1",
    channel_id: str = "C0CHAN1",
    message_ts: str = "1700000000.000100",
    team_id: str = "T0001",
    team_domain: str = "acme",
) -> str:
    """The form body of a button press (`payload=<json>`), shaped like Slack's block_actions."""
    payload = {
        "type": "block_actions",
        "user": {"id": user_id, "username": "someone", "name": "someone", "team_id": team_id},
        "api_app_id": "A0APP",
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "trigger_id": random_trigger_id(),
        "team": {"id": team_id, "domain": team_domain},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": "general"},
        "message": {"type": "message", "ts": message_ts, "text": "status", "blocks": []},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "controls",
                "text": {"type": "plain_text", "text": "Stop recording", "emoji": True},
                "value": value,
                "style": "danger",
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})
