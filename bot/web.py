"""The Flask routes: Recall's webhooks, watch pages, the health check, Bolt's OAuth pages.

Slack's `POST /slack/events` does not come through Flask: bot/asgi.py hands it to Bolt on the
event loop, and everything else to this app on a thread pool.
"""

from __future__ import annotations

import logging
import sqlite3

from flask import Flask, Response, jsonify, request
from slack_bolt.adapter.flask import SlackRequestHandler
from werkzeug.exceptions import HTTPException

from bot.runtime import Runtime
from bot.watch_pages import watch_blueprint

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
