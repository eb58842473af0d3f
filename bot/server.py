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

from bot.asgi import WebApp
from bot.config import Settings
from bot.runtime import Runtime

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
