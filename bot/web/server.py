"""Production web server: granian, embedded in this process, the poller inside it.

One process, because the poller must run exactly once (APScheduler 3 has no cross-process
coordination) and SQLite wants one writer host: granian's embedded server runs on our own event
loop instead of forking workers. Its HTTP/1 engine (Rust's hyper) enforces the limits an
internet-facing edge needs, without any subclass of server internals:

- a request's line and headers must arrive within HEADER_TIMEOUT (slowloris), and an idle
  keep-alive connection is closed after the same time;
- heads (and chunked trailers) are bounded by HEAD_BUFFER_BYTES: a head over about 48 KB is
  refused with 431, and a trailer section cannot grow memory;
- at most `connection_cap()` connections are served at once; further connections wait in the
  listen backlog (back-pressure) instead of using up file descriptors;
- bodies are read by the app itself with a size cap and a deadline (bot/web/limits.py).

docs/performance.md ("Choosing the web server") compares it with uvicorn and hypercorn.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server.embed import Server

from bot.web.limits import ASGIApp

log = logging.getLogger(__name__)

# Slack and Recall send their whole head at once; a browser too. Ten seconds is ample.
HEADER_TIMEOUT_SECONDS = 10
# hyper's read buffer: heads up to this size always pass; it grows its buffer in steps, so the
# effective refusal point is somewhat above (about 48 KB here). Slack's heads are ~2 KB.
HEAD_BUFFER_BYTES = 32 * 1024
# Connections served at once; more wait in the listen backlog. granian counts connections, not
# requests, so a slow client holds a place until HEADER_TIMEOUT frees it: the cap must sit far
# above real traffic (Slack and a few viewers), yet leave half the open-file limit to SQLite
# and the outbound clients. On a host that allows only 1,024 open files that is 512.
MAX_CONCURRENT = 2048
RESERVED_FILES = 256
LISTEN_BACKLOG = 1024

# Granian's own loggers propagate to ours (bot/logs.py), so its lines are formatted and
# scrubbed like every other; it has no access log (request paths carry link tokens).
_GRANIAN_LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {},
    "handlers": {},
    "loggers": {
        "_granian": {"handlers": [], "propagate": True},
        "granian.access": {"handlers": [], "propagate": False, "level": "CRITICAL"},
    },
}


def connection_cap() -> int:
    """How many connections to serve at once: MAX_CONCURRENT, or fewer if the process may not
    open that many files. Raises the soft open-file limit to the hard one first (a host's
    default soft limit is often 1,024 while it allows far more)."""
    try:
        import resource
    except ImportError:  # not on Unix: the platform decides
        return MAX_CONCURRENT
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        wanted = 2 * MAX_CONCURRENT + RESERVED_FILES
        target = wanted if hard == resource.RLIM_INFINITY else min(hard, wanted)
        if target > soft:
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
                soft = target
            except (ValueError, OSError):
                pass
    return max(64, min(MAX_CONCURRENT, (soft - RESERVED_FILES) // 2))


def build_server(app: ASGIApp, host: str, port: int, log_level: str = "INFO") -> Server:
    """The granian server for `app`, with the edge's limits (tests serve through it too)."""
    return Server(
        app,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        http=HTTPModes.http1,
        websockets=False,  # Socket Mode is a client connection; nothing here speaks WebSocket
        backlog=LISTEN_BACKLOG,
        backpressure=connection_cap(),
        http1_settings=HTTP1Settings(
            header_read_timeout=HEADER_TIMEOUT_SECONDS * 1000,
            keep_alive=True,
            max_buffer_size=HEAD_BUFFER_BYTES,
        ),
        log_enabled=True,
        log_level=LogLevels(log_level.lower()),
        log_dictconfig=_GRANIAN_LOGGING,
        log_access=False,
    )


def serve(app: ASGIApp, port: int, log_level: str = "INFO") -> None:
    """Serve on 0.0.0.0:`port` until SIGTERM or SIGINT; then stop cleanly (status 0)."""
    _run(_serve_until_stopped(build_server(app, "0.0.0.0", port, log_level)))


async def _serve_until_stopped(server: Server) -> None:
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop_signal, server.stop)
    await server.serve()


def _run(main: Any) -> None:
    try:
        import uvloop  # a faster event loop where it exists (not on Windows)
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)
