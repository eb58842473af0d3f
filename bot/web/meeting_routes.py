"""The routes Recall and people's browsers reach for the meeting's side of a recording:

    POST /recall/realtime?token=…    Recall delivers the meeting chat (stop from the chat)
    GET  /zoom/connect?token=…       the link /record connect zoom gave: on to Zoom's consent
    GET  /zoom/oauth_redirect        Zoom sends the user back with a code (state checked)
    GET  /zoom/obf?token=…           Recall asks for a Zoom on-behalf-of token, just before
                                     joining: the token as plain text, or 404

Recall's callbacks carry no authentication header; the recording's own token in the query is
the credential (bot/model/callbacks.py): a wrong or missing one, or any method but Recall's
POST to /recall/realtime, gets 404 and changes nothing.
The Zoom routes answer 404 when the app has no Zoom credentials. Handlers that may call Zoom run
on Starlette's worker threads; the chat is answered on the event loop.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import BaseRoute, Route

from bot.workflow.meeting_chat import MeetingChat
from bot.workflow.zoom_connections import ConnectProblem, ZoomConnections

_templates = Environment(
    loader=PackageLoader("bot.web", "templates"),
    autoescape=select_autoescape(("html",), default=True),
)
ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_PAGE_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}


class MeetingRoutes:
    def __init__(self, meeting_chat: MeetingChat, zoom: ZoomConnections | None):
        self._chat = meeting_chat
        self._zoom = zoom

    def routes(self) -> list[BaseRoute]:
        return [
            # Every method: anything but Recall's POST with the right token is a 404, not a 405
            # that would tell a prober the path exists.
            Route("/recall/realtime", self.realtime, methods=ANY_METHOD),
            Route("/zoom/connect", self.connect, methods=["GET"]),
            Route("/zoom/oauth_redirect", self.oauth_redirect, methods=["GET"]),
            Route("/zoom/obf", self.obf, methods=["GET"]),
        ]

    async def realtime(self, request: Request) -> Response:
        if request.method != "POST":
            return JSONResponse({"result": "not found"}, status_code=404)
        body = await request.body()
        token = request.query_params.get("token")
        # Local work only (a read by primary key; for the stop phrase, one write and a hand-off
        # to the worker pool), like a slash command's answer: done on the event loop, where a
        # lively meeting's chat costs no thread hand-offs (bench/meeting_callbacks.py).
        status, word = self._chat.receive(token, body)
        return JSONResponse({"result": word}, status_code=status)

    async def connect(self, request: Request) -> Response:
        if self._zoom is None:
            return _not_found()
        url = await run_in_threadpool(self._zoom.start, request.query_params.get("token", ""))
        if url is None:
            return _page(
                404,
                "This link has expired",
                "A link to connect Zoom works once, for 10 minutes, for the person it was "
                "given to.",
                "Type /record connect zoom in Slack for a new one.",
            )
        return RedirectResponse(url, status_code=302)

    async def oauth_redirect(self, request: Request) -> Response:
        if self._zoom is None:
            return _not_found()
        query = request.query_params
        if query.get("error"):
            # The user said no at Zoom (access_denied), or Zoom could not ask them.
            return _page(
                400,
                "Zoom was not connected",
                "Zoom did not give this app access, so nothing was connected.",
                "If that was a mistake, type /record connect zoom in Slack and try again.",
            )
        try:
            asker = await run_in_threadpool(
                self._zoom.finish, query.get("state", ""), query.get("code", "")
            )
        except ConnectProblem as problem:
            return _page(problem.status, "Zoom was not connected", str(problem), None)
        workspace = f" in {asker.team_domain}.slack.com" if asker.team_domain else ""
        return _page(
            200,
            "Zoom is connected",
            f"Your Zoom account is now connected to slack-record for the Slack user who asked "
            f"for this link{workspace}. Zoom recordings they start with /record join on their "
            "behalf: once they are in the meeting, and only until they leave.",
            "If you did not ask for this in Slack yourself, remove slack-record from your Zoom "
            "account (Zoom App Marketplace → Manage → Added Apps).",
        )

    async def obf(self, request: Request) -> Response:
        if self._zoom is None:
            return _not_found()
        token = await run_in_threadpool(
            self._zoom.on_behalf_token, request.query_params.get("token", "")
        )
        if token is None:
            return PlainTextResponse("no token", status_code=404)
        return PlainTextResponse(token)


def _not_found() -> Response:
    return JSONResponse({"error": "Not Found"}, status_code=404)


def _page(status: int, heading: str, message: str, advice: str | None) -> Response:
    body = _templates.get_template("problem.html").render(
        heading=heading, title=None, message=message, advice=advice
    )
    return HTMLResponse(body, status_code=status, headers=_PAGE_HEADERS)
