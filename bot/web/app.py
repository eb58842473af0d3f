"""The web app: every route in one Starlette app, wrapped in the limits the edge needs.

    POST /slack/events          Slack: commands, buttons, events (bot/web/slack_routes.py)
    GET  /slack/install         Bolt's OAuth pages (multi-workspace mode only)
    GET  /slack/oauth_redirect
    POST /recall/webhook        Recall's webhooks (verified on the raw bytes, then handled)
    GET  /healthz               database, scheduler, open recordings
    GET  /metrics               Prometheus' text format (a bearer token when METRICS_TOKEN is set)
    GET  /r/{token}[/watch|/embed]  durable recording links (bot/web/watch.py)
    GET  /r/{token}/captions.vtt, /r/{token}/transcript.txt  (bot/web/transcript_pages.py)
    GET  /static/...            the player's poster image, the watch page's script
    POST /recall/realtime       the meeting chat, from Recall (bot/web/meeting_routes.py)
    GET  /zoom/connect, /zoom/oauth_redirect, /zoom/obf   connecting Zoom, Zoom's tokens

From the outside in: `_Guard` turns any unexpected error into one log line and a JSON 500;
`BoundedBodies` reads each body whole, within a size and a time limit, before a route sees it
(bot/web/limits.py); `_BaselineHeaders` adds nosniff, no-referrer and no-store to every
response. The lifespan starts the runtime (poller, heartbeat, Socket Mode) once and stops it
at shutdown, when asked to (`manage_runtime`; tests manage their own).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

from slack_bolt import App
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.slack.directory import SlackDirectory
from bot.store.recording_events import RecordingEvents
from bot.store.transcripts import Transcripts
from bot.web.limits import ASGIApp, BoundedBodies, Message, Receive, Scope, Send, error
from bot.web.meeting_routes import MeetingRoutes
from bot.web.slack_routes import SLACK_EVENTS_PATH, SlackRoutes, socket_mode_only
from bot.web.transcript_pages import TranscriptPages
from bot.web.watch import WatchPages
from bot.workflow.media_links import MediaLinks
from bot.workflow.meeting_chat import MeetingChat
from bot.workflow.webhook_intake import WebhookIntake
from bot.workflow.zoom_connections import ZoomConnections

log = logging.getLogger(__name__)

STATIC_DIRECTORY = Path(__file__).parent / "static"
WEBHOOK_PATH = "/recall/webhook"


class Backend(Protocol):
    """What the web side needs from the running app (bot/app/runtime.py builds it)."""

    slack_app: App
    webhooks: WebhookIntake | None
    media: MediaLinks
    users: SlackDirectory
    events: RecordingEvents
    meeting_chat: MeetingChat
    zoom: ZoomConnections | None
    transcripts: Transcripts

    @property
    def slack_over_http(self) -> bool:
        """False in Socket Mode: Slack's requests then come over the app's own WebSocket."""
        ...

    @property
    def signing_secret(self) -> str | None: ...

    def health(self) -> tuple[dict[str, Any], bool]: ...

    @property
    def metrics_token(self) -> str | None:
        """When set, `GET /metrics` wants it as a bearer token."""
        ...

    def metrics_text(self, accept: str = "") -> tuple[bytes, str]:
        """What `GET /metrics` shows, in the format the Accept header asks for, and its
        content type."""
        ...

    def command_answered(self, seconds: float) -> None:
        """A slash command was answered this long after it arrived."""
        ...

    def webhook_refused(self) -> None:
        """A Recall webhook delivery was refused before its route saw it (size, time)."""
        ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


def create_app(backend: Backend, *, manage_runtime: bool = True) -> ASGIApp:
    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if manage_runtime:
            await asyncio.to_thread(backend.start)
        try:
            yield
        finally:
            if manage_runtime:
                await asyncio.to_thread(backend.stop)

    app = Starlette(
        routes=_routes(backend),
        lifespan=lifespan,
        exception_handlers={
            HTTPException: _http_error,
            # Answered here; `_Guard` logs it once (Starlette re-raises after answering).
            Exception: _server_error,
        },  # type: ignore[dict-item]
    )

    def refused_at_the_edge(path: str, _status: int) -> None:
        # A webhook too large, too slow or with a broken length never reaches the intake, but
        # it is still a delivery refused.
        if path == WEBHOOK_PATH and backend.webhooks is not None:
            backend.webhook_refused()

    return _Guard(BoundedBodies(_BaselineHeaders(app), on_refused=refused_at_the_edge))


def _routes(backend: Backend) -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    if not backend.slack_over_http:
        routes.append(Route(SLACK_EVENTS_PATH, socket_mode_only, methods=["POST"]))
    else:
        slack = SlackRoutes(backend.slack_app, backend.signing_secret, backend.command_answered)
        routes.append(Route(SLACK_EVENTS_PATH, slack.events, methods=["POST"]))
        if backend.slack_app.oauth_flow is not None:
            routes.append(Route("/slack/install", slack.install, methods=["GET"]))
            routes.append(Route("/slack/oauth_redirect", slack.oauth_redirect, methods=["GET"]))

    async def recall_webhook(request: Request) -> Response:
        if backend.webhooks is None:
            return JSONResponse(
                {"error": "webhooks are not configured (RECALL_WEBHOOK_SECRET)"}, status_code=404
            )
        body = await request.body()
        status, word = await run_in_threadpool(backend.webhooks.receive, body, request.headers)
        return JSONResponse({"result": word}, status_code=status)

    async def healthz(_request: Request) -> Response:
        body, ok = await run_in_threadpool(backend.health)
        return JSONResponse(body, status_code=200 if ok else 503)

    async def metrics(request: Request) -> Response:
        if not _bearer_matches(request.headers.get("authorization"), backend.metrics_token):
            return JSONResponse(
                {"error": "a bearer token is required"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        body, content_type = await run_in_threadpool(
            backend.metrics_text, request.headers.get("accept", "")
        )
        return Response(body, media_type=content_type)

    pages = WatchPages(backend.media, backend.users, backend.events, backend.transcripts)
    routes += [
        Route(WEBHOOK_PATH, recall_webhook, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/r/{token}", pages.video, methods=["GET"]),
        Route("/r/{token}/watch", pages.watch, methods=["GET"]),
        Route("/r/{token}/embed", pages.embed, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC_DIRECTORY), name="static"),
    ]
    routes += MeetingRoutes(backend.meeting_chat, backend.zoom).routes()
    text = TranscriptPages(backend.media, backend.transcripts)
    routes += [
        Route("/r/{token}/captions.vtt", text.captions, methods=["GET"]),
        Route("/r/{token}/transcript.txt", text.text, methods=["GET"]),
    ]
    return routes


def _bearer_matches(header: str | None, token: str | None) -> bool:
    """No token configured, or `Authorization: Bearer <token>` (compared in constant time)."""
    if not token:
        return True
    scheme, _, given = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


async def _http_error(_request: Request, exc: HTTPException) -> Response:
    """404, 405 and the like: the same short JSON every other error has."""
    return JSONResponse(
        {"error": _REASONS.get(exc.status_code, "Error")},
        status_code=exc.status_code,
        headers=exc.headers,
    )


async def _server_error(_request: Request, _exc: Exception) -> Response:
    return JSONResponse({"error": "Internal Server Error"}, status_code=500)


_REASONS = {404: "Not Found", 405: "Method Not Allowed", 400: "Bad Request"}


class _BaselineHeaders:
    """Headers no response should lack: paths carry link tokens, so never leak them in a
    Referer, never let a browser guess a content type, never let a cache keep a page."""

    BASELINE = (
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"cache-control", b"no-store"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in self.BASELINE if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class _Guard:
    """The last line of defence: an unexpected error is logged once, with the route's name
    (never the path: paths carry link tokens), and the client gets a short JSON 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:
            endpoint = getattr(scope.get("endpoint"), "__name__", "?")
            log.exception("unhandled error serving %s %s", scope.get("method"), endpoint)
            if not started:
                await error(send, 500, "Internal Server Error")
