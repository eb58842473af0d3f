"""Production web server: gunicorn, one worker process with threads, the poller inside it.

One worker, because the poller must run exactly once (APScheduler 3 has no cross-process
coordination) and SQLite wants one writer host. Threads, because Bolt holds a request thread
until `ack()`. The runtime is built in the worker (no preload) and its background work starts
in `post_worker_init`, never at import.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger

from bot.config import Settings
from bot.logs import RedactingFormatter
from bot.runtime import Runtime
from bot.web import create_app

# Request threads. A slash command holds one for a few milliseconds; 16 absorb a burst of
# 100 at once without queueing far behind each other (bench/ack_latency.py).
THREADS = 16
# Procfile hosts send SIGTERM and SIGKILL 30 s later; finish or let go well within that.
GRACEFUL_TIMEOUT = 10


class WebServer(BaseApplication):
    def __init__(self, settings: Settings, formatter: RedactingFormatter):
        self.settings = settings
        self.formatter = formatter
        self.runtime: Runtime | None = None
        super().__init__()

    def load_config(self) -> None:
        options: dict[str, Any] = {
            "bind": f"0.0.0.0:{self.settings.port}",
            "workers": 1,
            "threads": THREADS,
            "worker_class": "gthread",
            "graceful_timeout": GRACEFUL_TIMEOUT,
            "timeout": 60,
            "accesslog": None,  # request paths can carry link tokens; we log what matters
            "errorlog": "-",
            "loglevel": self.settings.log_level.lower(),
            "logger_class": _logger_class(self.formatter),
            "control_socket_disable": True,  # no runtime admin socket on a shared host
            "proc_name": "slack-record",
            "post_worker_init": self._post_worker_init,
            "worker_exit": self._worker_exit,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        self.runtime = Runtime(self.settings)
        return create_app(self.runtime)

    def _post_worker_init(self, worker: Any) -> None:
        if self.runtime is not None:
            self.runtime.start()

    def _worker_exit(self, server: Any, worker: Any) -> None:
        if self.runtime is not None:
            self.runtime.stop()


def _logger_class(formatter: RedactingFormatter) -> type[GunicornLogger]:
    """gunicorn's logger, writing our one log format with secrets scrubbed."""

    class Logger(GunicornLogger):
        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            for handler in self.error_log.handlers:
                handler.setFormatter(formatter)

    return Logger
