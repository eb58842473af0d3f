"""Serve a Flask app on 127.0.0.1 in a background thread, for fakes reached over real HTTP.

The fakes are real HTTP servers (not mocks) because slack_sdk talks through stdlib urllib and our
Recall client through httpx: only a socket sees both.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Self

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

# How often serve_forever checks for shutdown; werkzeug's 0.5 s default makes every fake's
# teardown half a second slower.
_POLL_INTERVAL_S = 0.01


class _QuietHandler(WSGIRequestHandler):
    """Request handler that does not print one access-log line per request (benchmarks make
    thousands); errors are still logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class _Started:
    """A `with` block starts it and stops it."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class LocalServer(_Started):
    """A Flask app listening on a free port of 127.0.0.1, served by a daemon thread.

    Usable as a context manager; ``base_url`` is only valid while started.
    """

    def __init__(self, app: Flask, host: str = "127.0.0.1") -> None:
        self._app = app
        self._host = host
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, without a trailing slash."""
        if self._server is None:
            raise RuntimeError("server is not running; call start() first")
        return f"http://{self._host}:{self._server.server_port}"

    def start(self) -> Self:
        if self._server is not None:
            return self
        # threaded=True: a client that retries while an earlier request is still delayed (or a
        # poller and a handler calling at once) must not queue behind it.
        self._server = make_server(
            self._host, 0, self._app, threaded=True, request_handler=_QuietHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL_S},
            name=f"fake-server-{self._app.name}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()  # serve_forever closes the listening socket on its way out
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None


class ServedFake(_Started):
    """A fake service (Slack, Recall, Zoom) on its own LocalServer: `base_url`, start and stop,
    and usable as a context manager. Subclasses set `_server` and may add to `_started`."""

    _server: LocalServer

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash)."""
        return self._server.base_url

    def start(self) -> Self:
        self._server.start()
        self._started()
        return self

    def _started(self) -> None:
        """Called once the server listens (its base_url is known)."""

    def stop(self) -> None:
        self._server.stop()
