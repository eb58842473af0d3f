"""A prototype for bench/ack_latency.py: the real app (the same Runtime, Bolt app and Flask
routes) served by uvicorn instead of gunicorn. Not how the app runs; measured to show what
moving to an asyncio server would buy (docs/performance.md, section 1).

`POST /slack/events` is dispatched to the same (sync) Bolt app right on the event loop: our
listeners only parse and write SQLite before answering, well under a millisecond. Every other
path goes to Flask on a2wsgi's thread pool, so slow pages never hold the loop.

Needs the bench extra: pip install -e '.[bench]'. Run as `python bench/uvicorn_app.py` with the
app's environment (PORT and the rest).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import uvicorn
from a2wsgi import WSGIMiddleware
from slack_bolt import BoltRequest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Settings
from bot.runtime import Runtime
from bot.store import Store
from bot.web import MAX_REQUEST_BYTES, SLACK_EVENTS_PATH, SlackEventsLane, create_app

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

settings = Settings.from_env(os.environ)
store = Store(settings.database_path)
store.migrate()
store.close()
runtime = Runtime(settings)
flask_app = create_app(runtime)
if isinstance(flask_app.wsgi_app, SlackEventsLane):
    flask_app.wsgi_app = flask_app.wsgi_app.rest  # type: ignore[method-assign]
rest = WSGIMiddleware(flask_app, workers=16)  # type: ignore[arg-type]


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                runtime.start()
                await send({"type": "lifespan.startup.complete"})
            else:
                runtime.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "http" and (scope["path"], scope["method"]) == (SLACK_EVENTS_PATH, "POST"):
        body = b""
        more = True
        while more and len(body) <= MAX_REQUEST_BYTES:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        if len(body) > MAX_REQUEST_BYTES:
            await send({"type": "http.response.start", "status": 413, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        headers: dict[str, list[str]] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name.decode("latin-1"), []).append(value.decode("latin-1"))
        answer = runtime.slack_app.dispatch(
            BoltRequest(
                body=body.decode("utf-8", errors="replace"),
                query=scope.get("query_string", b"").decode("latin-1"),
                headers=headers,
            )
        )
        out = answer.body.encode()
        fields = [(n.encode(), v.encode()) for n, values in answer.headers.items() for v in values]
        fields.append((b"content-length", str(len(out)).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": fields})
        await send({"type": "http.response.body", "body": out})
        return
    await rest(scope, receive, send)  # type: ignore[arg-type]


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=settings.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
    )
