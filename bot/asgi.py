"""The web process as one ASGI app (served by uvicorn, bot/server.py).

- `POST /slack/events` goes to Bolt's ASGI adapter, which dispatches on the event loop itself.
  That is safe because our listeners do only local work before answering (parse, SQLite:
  well under a millisecond); whatever needs Slack or Recall runs afterwards on the recorder's
  threads. It is also what makes a burst fast: no thread hand-offs and no GIL contention
  between request threads (bench/ack_latency.py, docs/performance.md).
- Every other path (watch pages and links, Recall's webhooks, the health check, Bolt's OAuth
  pages, which call Slack) goes to the Flask app on a2wsgi's thread pool, so a slow page never
  holds the event loop.
- The lifespan starts the runtime (poller, heartbeat, Socket Mode) once and stops it on
  shutdown, when asked to (`manage_runtime`; the tests manage their own).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from a2wsgi import WSGIMiddleware
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.asgi import SlackRequestHandler
from slack_bolt.adapter.asgi.http_request import AsgiHttpRequest

from bot.runtime import Runtime
from bot.web import MAX_REQUEST_BYTES, SLACK_EVENTS_PATH, create_app

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

# Threads for the Flask side. A watch link may wait on Recall for a fresh URL; 16 keep a few
# slow ones from queueing the rest. Slash commands never use them.
PAGE_THREADS = 16


class WebApp:
    def __init__(self, runtime: Runtime, *, manage_runtime: bool = True):
        self._runtime = runtime
        self._manage_runtime = manage_runtime
        self._slack = (
            None if runtime.settings.slack_mode == "socket" else SlackEvents(runtime.slack_app)
        )
        self._pages = WSGIMiddleware(create_app(runtime), workers=PAGE_THREADS)  # type: ignore[arg-type]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif (
            self._slack is not None
            and scope["type"] == "http"
            and scope["path"] == SLACK_EVENTS_PATH
            and scope["method"] == "POST"
        ):
            await self._slack(scope, receive, send)  # type: ignore[arg-type]
        else:
            await self._pages(scope, receive, send)  # type: ignore[arg-type]

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    if self._manage_runtime:
                        await asyncio.to_thread(self._runtime.start)
                except Exception as exc:
                    log.exception("could not start")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._manage_runtime:
                    await asyncio.to_thread(self._runtime.stop)
                await send({"type": "lifespan.shutdown.complete"})
                return


class SlackEvents(SlackRequestHandler):
    """Bolt's ASGI adapter (for a sync App), reading the body with a size limit and without
    crashing on bytes that are not UTF-8 (they then simply fail the signature check)."""

    def __init__(self, app: App):
        super().__init__(app, path=SLACK_EVENTS_PATH)

    async def dispatch(self, request: AsgiHttpRequest) -> BoltResponse:
        declared = dict(request.raw_headers).get(b"content-length")
        if declared is not None and not declared.isdigit():
            return _error(400, "Bad Request")
        if declared is not None and int(declared) > MAX_REQUEST_BYTES:
            return _too_large()  # refused before reading a byte
        body = bytearray()
        while True:
            message = await request.receive()
            if message["type"] != "http.request":
                return _error(400, "Bad Request")  # the client went away
            body += message.get("body", b"")
            if len(body) > MAX_REQUEST_BYTES:
                return _too_large()
            if not message.get("more_body", False):
                break
        try:
            return self.app.dispatch(
                BoltRequest(
                    body=body.decode("utf-8", errors="replace"),
                    query=request.query_string,
                    headers=request.get_headers(),
                )
            )
        except Exception:
            log.exception("unhandled error serving POST %s", SLACK_EVENTS_PATH)
            return _error(500, "Internal Server Error")


def _too_large() -> BoltResponse:
    return _error(413, "Request Entity Too Large")


def _error(status: int, name: str) -> BoltResponse:
    """The same JSON error body the Flask side gives on every other path."""
    return BoltResponse(
        status=status,
        body=json.dumps({"error": name}),
        headers={"content-type": "application/json"},
    )
