"""The app's ASGI side served by uvicorn, as in production, on a free port of 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from typing import Self

import uvicorn

from bot.asgi import WebApp
from bot.server import BoundedHttpToolsProtocol


class AsgiServer:
    """uvicorn in a daemon thread; the test owns the runtime, so the lifespan leaves it be."""

    def __init__(self, app: WebApp) -> None:
        self._app = app
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> Self:
        listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(("127.0.0.1", 0))
        self._port = listening.getsockname()[1]
        config = uvicorn.Config(
            self._app,
            http=BoundedHttpToolsProtocol,  # as bot/server.py serves it
            lifespan="on",
            ws="none",
            access_log=False,
            log_config=None,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [listening]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
