"""Production web server: uvicorn, one process, the poller inside it.

One process, because the poller must run exactly once (APScheduler 3 has no cross-process
coordination) and SQLite wants one writer host. An event loop rather than request threads,
because slash commands are answered by local work alone: one loop answers a burst of them
faster than threads taking turns on the GIL (bench/ack_latency.py). Pages that may wait on
Recall or Slack run on a thread pool (bot/asgi.py). The runtime starts in the lifespan
startup, never at import.
"""

from __future__ import annotations

import signal

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from bot.asgi import WebApp
from bot.config import Settings
from bot.runtime import Runtime

# A request line plus headers larger than this is refused (431). Slack's and Recall's requests
# carry a few kilobytes of headers; gunicorn allowed 8 KB per line.
MAX_HEAD_BYTES = 64 * 1024

# Procfile hosts send SIGTERM and SIGKILL 30 s later. Requests in flight get this long, then
# the runtime's own stop (bot/runtime.py, STOP_TIMEOUT) lets running steps finish.
GRACEFUL_TIMEOUT = 5


class WebServer:
    def __init__(self, settings: Settings):
        self.settings = settings

    def run(self) -> None:
        config = uvicorn.Config(
            WebApp(Runtime(self.settings)),
            host="0.0.0.0",
            port=self.settings.port,
            http=BoundedHttpToolsProtocol,
            lifespan="on",
            ws="none",  # no WebSockets here (Socket Mode is a client connection)
            # Request paths can carry link tokens: no access log; we log what matters.
            access_log=False,
            # Our logging is already set up (bot/logs.py): uvicorn's loggers propagate to it.
            log_config=None,
            log_level=self.settings.log_level.lower(),
            timeout_graceful_shutdown=GRACEFUL_TIMEOUT,
            server_header=False,
        )
        # uvicorn stops gracefully on SIGTERM/SIGINT, then raises the same signal again for
        # whatever handler was there before it. A graceful stop is a clean exit (status 0,
        # no KeyboardInterrupt trace), so what is there before it is a handler that ignores it.
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            signal.signal(stop_signal, _stopped_already)
        uvicorn.Server(config).run()


def _stopped_already(signum: int, frame: object) -> None:
    """Runs only after uvicorn has finished stopping: nothing is left to do."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing a request whose line and headers exceed
    MAX_HEAD_BYTES. httptools sets no limit of its own: without one, a client could send one
    endless header and the process would keep it all in memory."""

    _head_bytes = 0
    _in_body = False

    def data_received(self, data: bytes) -> None:
        if not self._in_body:
            self._head_bytes += len(data)
        super().data_received(data)
        # Still reading headers after this much: refuse. (A chunk that completed the headers,
        # or a whole request, leaves `_in_body` set or the count reset, so a large body never
        # counts against the limit.)
        too_long = not self._in_body and self._head_bytes > MAX_HEAD_BYTES
        if too_long and not self.transport.is_closing():
            self.transport.write(
                b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                b"content-type: application/json\r\ncontent-length: 45\r\n"
                b"connection: close\r\n\r\n"
                b'{"error": "Request Header Fields Too Large"}\n'
            )
            self.transport.close()

    def on_headers_complete(self) -> None:
        self._in_body = True
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_body = False
        self._head_bytes = 0
        super().on_message_complete()
