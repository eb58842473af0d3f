"""The floor for bench/ack_latency.py: the same server as the app (granian embedded, built by
bot/web/server.py with the app's limits, on uvloop) and Bolt's Starlette adapter, with a
`/record` listener that only acks. What the real app adds on top of this is our work (the
edge's middleware, the signature check before Bolt, parsing, saving the request).

Also the floor for bench/watch_links.py: `GET /r/{token}` answers a 302 at once, from an async
endpoint (no worker thread, no lookup).

Started by bench/ack_latency.py and bench/watch_links.py as `python -m bench.bare_bolt` (from
the repository root), on $PORT, with $SLACK_SIGNING_SECRET.
"""

from __future__ import annotations

import os

from slack_bolt import Ack, App
from slack_bolt.adapter.starlette import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.web.server import serve


def _authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
    return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token="xoxb-bench")


bolt = App(
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    authorize=_authorize,
    process_before_response=True,
)


@bolt.command("/record")
def record(ack: Ack) -> None:
    ack(response_type="ephemeral", text="Got it.")


_slack = SlackRequestHandler(bolt)


async def events(request: Request) -> Response:
    return await _slack.handle(request)


async def healthz(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def video(request: Request) -> Response:
    token = request.path_params["token"]
    return RedirectResponse(f"http://127.0.0.1:9/media/{token}.mp4", status_code=302)


app = Starlette(
    routes=[
        Route("/slack/events", events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/r/{token}", video, methods=["GET"]),
    ]
)


if __name__ == "__main__":
    serve(app, int(os.environ["PORT"]), "WARNING")
