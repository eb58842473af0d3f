"""The floor for bench/ack_latency.py: the same server and Bolt, with a `/record` listener that
only acks. What the real app adds on top of this is our work (parsing, saving the request).

Served by bench/ack_latency.py as `gunicorn bare_bolt:app` with the app's own worker settings.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult


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


def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == "/healthz":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"status": "ok"}']
    return _slack(environ, start_response)
