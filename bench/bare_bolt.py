"""The floor for bench/ack_latency.py: the same server (uvicorn) and the same Bolt adapter as the
app, with a `/record` listener that only acks. What the real app adds on top of this is our
work (parsing, saving the request).

Served by bench/ack_latency.py as `uvicorn bench.bare_bolt:app`.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.asgi import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult


def _authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
    return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token="xoxb-bench")


bolt = App(
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    authorize=_authorize,
    process_before_response=True,
)


@bolt.command("/record")
def record(ack: Ack) -> None:
    ack(response_type="ephemeral", text="Got it.")


_slack = SlackRequestHandler(bolt)

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    if scope["type"] == "http" and scope["path"] == "/healthz":
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"status": "ok"}'})
        return
    await _slack(scope, receive, send)  # type: ignore[arg-type]
