"""The app served as in production (granian embedded, bot/web/server.py), on a free port of
127.0.0.1, in a thread with its own event loop."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Self

import httpx

from bot.web.limits import ASGIApp
from bot.web.server import build_server


class AsgiServer:
    """granian in a daemon thread; the test owns the runtime, so the lifespan leaves it be."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._server = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> Self:
        self._port = _free_port()
        self._server = build_server(self._app, "127.0.0.1", self._port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._answers():
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        return self

    def _run(self) -> None:
        assert self._loop is not None and self._server is not None
        self._loop.run_until_complete(self._server.serve())
        self._loop.close()

    def _answers(self) -> bool:
        try:
            httpx.get(f"{self.base_url}/static/thumbnail.png", timeout=1)
        except httpx.TransportError:
            return False
        return True

    def stop(self) -> None:
        if self._server is not None and self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._server.stop)
            self._thread.join(timeout=10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
