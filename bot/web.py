"""The web process: Slack's requests, Recall's webhooks, watch pages and the health check.

Flask routes everything except `POST /slack/events`, which goes straight to Bolt (see
`SlackEventsLane`).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING

from flask import Flask, Response, jsonify, request
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from werkzeug.exceptions import HTTPException

from bot.runtime import Runtime
from bot.watch_pages import watch_blueprint

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"

# Slack's requests are a few kilobytes; refuse anything absurd before reading it.
MAX_REQUEST_BYTES = 1024 * 1024


def create_app(runtime: Runtime) -> Flask:
    # Named after this module, so templates and static files are found inside the package.
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    slack = SlackRequestHandler(runtime.slack_app)

    if runtime.settings.slack_mode == "socket":

        @app.post(SLACK_EVENTS_PATH)
        def slack_events() -> tuple[Response, int]:
            return jsonify(error="this app talks to Slack over Socket Mode"), 404

    else:
        app.wsgi_app = SlackEventsLane(runtime.slack_app, app.wsgi_app)  # type: ignore[method-assign]

    if runtime.slack_app.oauth_flow is not None:
        # Bolt's OAuth flow: the "Add to Slack" page and Slack's redirect back to us.
        @app.get("/slack/install")
        def slack_install() -> Response:
            return slack.handle(request)

        @app.get("/slack/oauth_redirect")
        def slack_oauth_redirect() -> Response:
            return slack.handle(request)

    @app.post("/recall/webhook")
    def recall_webhook() -> tuple[Response, int]:
        if runtime.webhooks is None:
            return jsonify(error="webhooks are not configured (RECALL_WEBHOOK_SECRET)"), 404
        status, word = runtime.webhooks.receive(request.get_data(), request.headers)
        return jsonify(result=word), status

    @app.get("/healthz")
    def healthz() -> tuple[Response, int]:
        try:
            open_recordings: int | None = runtime.store.count_open()
        except sqlite3.Error:
            log.exception("health check: database unavailable")
            open_recordings = None
        database_ok = open_recordings is not None
        body = {
            "status": "ok" if database_ok else "error",
            "database": "ok" if database_ok else "unavailable",
            "scheduler": "running" if runtime.poller.running else "stopped",
            "open_recordings": open_recordings,
        }
        return jsonify(body), 200 if database_ok else 503

    app.register_blueprint(watch_blueprint(runtime.media, runtime.users))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int]:
        return jsonify(error=error.name), error.code or 500

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[Response, int]:
        # The rule, not the path: paths can carry link tokens.
        rule = request.url_rule.rule if request.url_rule else "?"
        log.error("unhandled error serving %s %s", request.method, rule, exc_info=error)
        return jsonify(error="Internal Server Error"), 500

    return app


class SlackEventsLane:
    """WSGI middleware: `POST /slack/events` goes to Bolt directly, everything else to Flask.

    Why: Flask's request context and response objects cost about 0.45 ms per request, as much
    as Bolt and our `/record` listener together. In a burst of slash commands arriving at
    once, one process answers them one after another, so that cost is paid again by everyone
    further back in line (bench/ack_latency.py). Bolt's own WSGI adapter pieces do the rest.
    """

    def __init__(self, bolt: App, rest: WSGIApplication):
        self._bolt = bolt
        self.rest = rest

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != SLACK_EVENTS_PATH or environ["REQUEST_METHOD"] != "POST":
            return self.rest(environ, start_response)
        try:
            response = self._answer(environ)
        except Exception:
            log.exception("unhandled error serving POST %s", SLACK_EVENTS_PATH)
            response = _json_error(HTTPStatus.INTERNAL_SERVER_ERROR)
        start_response(response.status, response.get_headers())
        return response.get_body()

    def _answer(self, environ: WSGIEnvironment) -> WsgiHttpResponse:
        length = environ.get("CONTENT_LENGTH") or None
        if length is not None and not length.isdigit():
            return _json_error(HTTPStatus.BAD_REQUEST)
        if length is not None and int(length) > MAX_REQUEST_BYTES:
            return _json_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)  # refused before reading
        raw = environ["wsgi.input"].read(int(length) if length else MAX_REQUEST_BYTES + 1)
        if len(raw) > MAX_REQUEST_BYTES:
            return _json_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        http = WsgiHttpRequest(environ)
        answer = self._bolt.dispatch(
            BoltRequest(
                # Bad bytes cannot pass the signature check, but must not crash before it.
                body=raw.decode("utf-8", errors="replace"),
                query=http.query_string,
                headers=http.get_headers(),
            )
        )
        return WsgiHttpResponse(status=answer.status, headers=answer.headers, body=answer.body)


def _json_error(status: HTTPStatus) -> WsgiHttpResponse:
    """The same JSON error body Flask's error handler gives on every other path."""
    body = json.dumps({"error": status.phrase})
    return WsgiHttpResponse(
        status=status.value, headers={"content-type": ["application/json"]}, body=body
    )
