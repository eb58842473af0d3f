"""A second floor for bench/ack_latency.py: Bolt's AsyncApp under uvicorn (httptools, uvloop),
with a `/record` listener that only acks. Not what the app runs; measured to show what an
asyncio server would leave for the listener's own work (docs/performance.md, section 1).

Needs the bench extra: pip install -e '.[bench]'. Served as `uvicorn bench.bare_async_bolt:app`.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.adapter.asgi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.authorization import AuthorizeResult


async def _authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
    return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token="xoxb-bench")


bolt = AsyncApp(
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    authorize=_authorize,
    process_before_response=True,
)


@bolt.command("/record")
async def record(ack: AsyncAck) -> None:
    await ack(response_type="ephemeral", text="Got it.")


_slack = AsyncSlackRequestHandler(bolt)

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    if scope["type"] == "http" and scope["path"] == "/healthz":
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"status": "ok"}'})
        return
    await _slack(scope, receive, send)
