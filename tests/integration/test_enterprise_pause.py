"""Enterprise Grid: an org-wide uninstall (`app_uninstalled` naming only the org) pauses posting
to every workspace of that org, and to no other; a reinstall, or a post that works again after
the pause, lifts it. Signed events over HTTP, as Slack sends them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bot.model.lifecycle import State
from tests.conftest import SIGNING_SECRET, App, wait_for
from tests.integration.test_install_modes import OAUTH, come_back, start_install
from tests.slack_requests import signed_headers

ZOOM = "https://zoom.us/j/81234567890?pwd=abc"
MEET = "https://meet.google.com/abc-defg-hij"


def org_event(app: App, enterprise_id: str, body: dict[str, Any]) -> httpx.Response:
    """An event for an org-wide installation: it names the org, and no workspace."""
    envelope = {
        "token": "legacy",
        "enterprise_id": enterprise_id,
        "api_app_id": "A0APP",
        "type": "event_callback",
        "event_id": f"Ev{time.time_ns()}",
        "event_time": int(time.time()),
        "event": body,
        "authorizations": [
            {
                "enterprise_id": enterprise_id,
                "team_id": None,
                "user_id": "UBOT",
                "is_bot": True,
                "is_enterprise_install": True,
            }
        ],
        "is_ext_shared_channel": False,
    }
    raw = json.dumps(envelope)
    headers = signed_headers(SIGNING_SECRET, raw) | {"Content-Type": "application/json"}
    return httpx.post(f"{app.url}/slack/events", content=raw, headers=headers, timeout=5)


def recording(app: App, team_id: str) -> Any:
    [found] = [r for r in app.runtime.store.recordings.all() if r.request.team_id == team_id]
    return found


def posts_for(app: App, rec: Any) -> int:
    """Messages posted or edited for one recording (they carry its id in their metadata)."""
    return sum(
        1
        for method in ("chat.postMessage", "chat.update")
        for call in app.slack.calls_to(method)
        if rec.id in json.dumps(call.args)
    )


def test_an_org_wide_uninstall_pauses_its_workspaces_and_no_other(app: App) -> None:
    app.command(ZOOM, team_id="T0001", enterprise_id="E0001", hook="grid")
    app.command(MEET, team_id="T0005", hook="other")  # a workspace outside that org
    app.wait_idle()
    in_org, outside = recording(app, "T0001"), recording(app, "T0005")
    assert in_org.request.enterprise_id == "E0001" and in_org.slack.status_ts

    assert org_event(app, "E0001", {"type": "app_uninstalled"}).status_code == 200
    block = wait_for(
        lambda: app.runtime.store.workspaces.slack_block("E0001"), what="the org's pause"
    )
    assert block[0] == "app_uninstalled"
    assert app.runtime.store.workspaces.slack_block("T0005") is None

    before = posts_for(app, in_org)
    for rec in (in_org, outside):
        app.recall.run_meeting(rec.recall.bot_id)
    app.poll()
    in_org, outside = recording(app, "T0001"), recording(app, "T0005")
    assert in_org.state == State.READY and in_org.slack.notified_at is None  # kept, not posted
    assert posts_for(app, in_org) == before
    assert outside.slack.notified_at is not None  # the other workspace is not affected

    # An hour on, one attempt shows posting works again (one workspace: the token is the
    # environment's); the org's pause is lifted and what waited goes out.
    app.poll(hours=1)
    assert recording(app, "T0001").slack.notified_at is not None
    assert app.runtime.store.workspaces.slack_block("E0001") is None


@pytest.fixture
def oauth_app(make_app: Callable[..., App]) -> App:
    return make_app(**OAUTH)


def install_in_org(app: App, team_id: str, enterprise_id: str) -> None:
    state = start_install(app)
    code = f"code-{team_id}-{time.time_ns()}"
    app.slack.add_oauth_code(code, team_id=team_id, team_name="Beta", enterprise_id=enterprise_id)
    assert come_back(app, code, state).status_code == 200


def test_a_reinstall_lifts_the_orgs_pause(oauth_app: App) -> None:
    app = oauth_app
    install_in_org(app, "T0002", "E0002")
    app.command(ZOOM, team_id="T0002", enterprise_id="E0002")
    app.wait_idle()
    assert app.recording().slack.status_ts  # posted with the workspace's own token

    assert org_event(app, "E0002", {"type": "app_uninstalled"}).status_code == 200
    wait_for(lambda: app.runtime.store.workspaces.slack_block("E0002"), what="the org's pause")
    app.recall.run_meeting(app.recording().recall.bot_id)
    app.poll()
    assert app.recording().slack.notified_at is None

    install_in_org(app, "T0002", "E0002")  # they come back
    assert app.runtime.store.workspaces.slack_block("E0002") is None
    app.poll()  # one poll interval, well within the hour the pause would have lasted
    assert app.recording().slack.notified_at is not None
