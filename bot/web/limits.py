"""Request bodies are read here, whole, within a size and a time limit, before any route,
thread or parser sees them.

A client that declares a large body and then sends it a byte at a time must not hold a worker
thread or a parser: the body is read on the event loop, where waiting costs nothing, and the
read has a deadline. Only a complete body within `max_bytes` reaches the app, which then reads
it from memory (Starlette's `await request.body()` returns at once). A request that announces
no body (no Content-Length, or 0, and no Transfer-Encoding: a GET, most often) has none to
read, and goes straight to the app.

    413  the declared or received body is larger than `max_bytes`
    408  the body did not arrive within `deadline` seconds
    400  a Content-Length that is not a number
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Slack's requests are a few kilobytes and Recall's webhooks smaller still; 1 MB is generous.
MAX_BODY_BYTES = 1024 * 1024
# Slack and Recall send a whole request in well under a second. A body still arriving after this
# long comes from a client that is holding the connection open on purpose.
BODY_DEADLINE_SECONDS = 10.0


class _TooLarge(Exception):
    pass


class _ClientGone(Exception):
    pass


class BoundedBodies:
    """ASGI middleware: read each HTTP request's body in full (bounded), then call the app."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = MAX_BODY_BYTES,
        deadline: float = BODY_DEADLINE_SECONDS,
        on_refused: Callable[[str, int], None] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.deadline = deadline
        # Told (path, status) of each request refused here, which its route never sees.
        self._on_refused = on_refused or (lambda _path, _status: None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, chunked = _announced_body(scope)
        if declared is None:
            await self._refuse(scope, send, 400, "Bad Request")
            return
        if declared == 0 and not chunked:
            # No body was announced, so none follows (a GET, most often): nothing to wait for.
            await self.app(scope, receive, send)
            return
        if declared > self.max_bytes:  # refused before reading a byte
            await self._refuse(scope, send, 413, "Request Entity Too Large")
            return
        try:
            # A deadline on the read, without a task of its own (as wait_for would start).
            async with asyncio.timeout(self.deadline):
                body = await self._read(receive)
        except TimeoutError:
            await self._refuse(scope, send, 408, "Request Timeout")
            return
        except _TooLarge:
            await self._refuse(scope, send, 413, "Request Entity Too Large")
            return
        except _ClientGone:
            return  # nobody is left to answer
        await self.app(scope, _replay(body, receive), send)

    async def _refuse(self, scope: Scope, send: Send, status: int, name: str) -> None:
        self._on_refused(scope.get("path", ""), status)
        await error(send, status, name)

    async def _read(self, receive: Receive) -> bytes:
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                raise _ClientGone
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                raise _TooLarge
            if not message.get("more_body", False):
                return bytes(body)


def _announced_body(scope: Scope) -> tuple[int | None, bool]:
    """The declared length (0 when absent; None if it is not a number), and whether a body
    follows without one (Transfer-Encoding)."""
    declared: int | None = 0
    chunked = False
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            declared = int(value) if value.isdigit() and len(value) < 16 else None
        elif name == b"transfer-encoding":
            chunked = True
    return declared, chunked


def _replay(body: bytes, receive: Receive) -> Receive:
    """The app's `receive`: the whole body once, then whatever the client does next
    (a disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def error(send: Send, status: int, name: str, close: bool = True) -> None:
    """A short JSON error (`{"error": "..."}`), the same shape every route uses."""
    body = json.dumps({"error": name}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-content-type-options", b"nosniff"),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
