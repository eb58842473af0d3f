"""Slack's requests: `POST /slack/events` (commands, buttons, events) and Bolt's OAuth pages.

The signature is checked on the raw bytes before anything parses them: an unsigned or stale
request gets 401 and never reaches Bolt (which would parse the body first, and log it). A signed
request whose body is not what Slack sends (a `payload` that is not a JSON object, a form body
labelled as JSON) gets 400. Only then does Bolt's Starlette adapter dispatch it, on the event
loop: our listeners do only local work before answering (parse, SQLite), so a burst of slash
commands is answered without thread hand-offs.

The OAuth pages call Slack's API (`oauth.v2.access`), so they run on a worker thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import SignatureVerifier
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

log = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"

# What a body Slack signed can still throw at a parser that expects Slack's shapes.
_MALFORMED = (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError)


class SlackRoutes:
    def __init__(
        self,
        app: App,
        signing_secret: str | None,
        on_command_answered: Callable[[float], None] | None = None,
    ):
        self._app = app
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None
        # Told how long each slash command took to answer, for the app's metrics.
        self._on_command_answered = on_command_answered or (lambda _seconds: None)

    async def events(self, request: Request) -> Response:
        # From here: the body was already read whole by the edge (bot/web/limits.py).
        started = time.perf_counter()
        body = await request.body()
        if not self.signed(body, request.headers):
            return JSONResponse({"error": "invalid signature"}, status_code=401)
        try:
            bolt_request = BoltRequest(
                body=body.decode("utf-8"),
                query=request.url.query,
                headers=dict(request.headers),
            )
            if not isinstance(bolt_request.body, dict):
                raise TypeError("the payload is not an object")
        except _MALFORMED as exc:
            why = type(exc).__name__
            log.warning("refused a signed Slack request with a malformed body (%s)", why)
            return JSONResponse({"error": "malformed request"}, status_code=400)
        response = to_starlette_response(self._app.dispatch(bolt_request))
        if "command" in bolt_request.body:
            self._on_command_answered(time.perf_counter() - started)
        return response

    def signed(self, body: bytes, headers: Mapping[str, str]) -> bool:
        """Signed with our secret within Slack's five minutes; False for anything odd (a
        timestamp that is not a number, bytes that are not UTF-8, a non-ASCII signature)."""
        if self._verifier is None:
            return False
        try:
            return self._verifier.is_valid(
                body=body,
                timestamp=headers.get("x-slack-request-timestamp"),
                signature=headers.get("x-slack-signature"),
            )
        except (ValueError, TypeError, OverflowError):
            return False

    async def install(self, request: Request) -> Response:
        """ "Add to Slack" (Bolt renders it and sets the state cookie)."""
        flow = self._app.oauth_flow
        assert flow is not None
        bolt_request = to_bolt_request(request, b"")
        response = await run_in_threadpool(flow.handle_installation, bolt_request)
        return to_starlette_response(response)

    async def oauth_redirect(self, request: Request) -> Response:
        """Slack sends the installer back here; Bolt swaps the code for a bot token."""
        flow = self._app.oauth_flow
        assert flow is not None
        bolt_request = to_bolt_request(request, b"")
        response = await run_in_threadpool(flow.handle_callback, bolt_request)
        return to_starlette_response(response)


async def socket_mode_only(_request: Request) -> Response:
    return JSONResponse({"error": "this app talks to Slack over Socket Mode"}, status_code=404)
