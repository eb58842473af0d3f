"""Controls from another workspace: a Slack user id names a person only within one workspace
(one org, on Enterprise Grid), so Stop, Cancel, `/record stop` and `/record delete` act only
for people in the recording's own workspace. Everyone else gets a clear private answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qs, urlencode

import httpx
import pytest

from bot.model.lifecycle import State
from tests.conftest import SIGNING_SECRET, App
from tests.integration.test_controls import ZOOM, leave_calls, recording_started
from tests.slack_requests import block_action_body, signed_headers

STOP_ELSEWHERE = (
    "That recording was started in another Slack workspace, so it can only be stopped from there."
)
DELETE_ELSEWHERE = (
    "That recording was started in another Slack workspace, so it can only be deleted from there."
)


def press_from(
    app: App,
    action_id: str,
    *,
    team_id: str,
    user_team_id: str | None = None,
    enterprise_id: str | None = None,
    user_id: str = "U0USER1",
    hook: str = "press",
) -> httpx.Response:
    """A signed button press on the status message, naming the workspace it came through
    (`team.id`) and the presser's own (`user.team_id`) separately."""
    rec = app.recording()
    body = block_action_body(
        action_id,
        rec.id,
        response_url=app.slack.response_url(hook),
        user_id=user_id,
        channel_id=rec.slack.status_channel or rec.request.channel_id,
        message_ts=rec.slack.status_ts or "1700000000.000100",
        team_id=team_id,
    )
    payload = json.loads(parse_qs(body)["payload"][0])
    payload["user"]["team_id"] = user_team_id or team_id
    if enterprise_id is not None:
        payload["enterprise"] = {"id": enterprise_id, "name": "Acme Grid"}
        payload["team"]["enterprise_id"] = enterprise_id
    body = urlencode({"payload": json.dumps(payload)})
    return httpx.post(
        f"{app.url}/slack/events",
        content=body,
        headers=signed_headers(SIGNING_SECRET, body),
        timeout=5,
    )


@pytest.mark.parametrize(
    ("team_id", "user_team_id"),
    [
        pytest.param("T0999", "T0999", id="another-workspace"),
        pytest.param("T0999", "T0001", id="through-another-workspace"),
        pytest.param("T0001", "T0999", id="a-person-of-another-workspace"),
    ],
)
def test_stop_from_another_workspace_with_the_requesters_id_is_refused(
    app: App, team_id: str, user_team_id: str
) -> None:
    bot_id = recording_started(app)

    response = press_from(app, "stop_recording", team_id=team_id, user_team_id=user_team_id)
    assert response.status_code == 200 and response.text == ""
    assert app.wait_for_reply("press") == STOP_ELSEWHERE
    app.wait_idle()
    assert leave_calls(app, bot_id) == 0
    rec = app.recording()
    assert (rec.state, rec.stop.requested_by) == (State.RECORDING, None)


def test_an_admins_id_from_another_workspace_is_not_looked_up_here(app: App) -> None:
    app.slack.add_user("U0ADMIN", "grace", is_admin=True)
    bot_id = recording_started(app)
    lookups = len(app.slack.calls_to("users.info"))

    press_from(app, "stop_recording", team_id="T0999", user_id="U0ADMIN")
    assert app.wait_for_reply("press") == STOP_ELSEWHERE
    app.wait_idle()
    assert len(app.slack.calls_to("users.info")) == lookups
    assert leave_calls(app, bot_id) == 0


def test_cancel_from_another_workspace_is_refused(app: App) -> None:
    app.command(f'{ZOOM} --at "in 2h"')
    app.wait_idle()
    assert app.recording().state == State.SCHEDULED

    press_from(app, "cancel_recording", team_id="T0999")
    assert app.wait_for_reply("press") == STOP_ELSEWHERE
    app.wait_idle()
    assert app.recall.requests_to("DELETE", r"^/api/v1/bot/") == []
    assert app.recording().state == State.SCHEDULED


def test_the_same_person_elsewhere_in_their_enterprise_grid_org_may_stop(app: App) -> None:
    app.command(ZOOM, enterprise_id="E0001")
    app.wait_idle()
    bot_id = app.recording().recall.bot_id
    app.recall.push_status(bot_id, "in_call_recording")
    app.poll()

    # Grid user ids are unique across the org: the requester, pressing from a sibling workspace.
    press_from(app, "stop_recording", team_id="T0002", enterprise_id="E0001")
    assert app.wait_for_reply("press").startswith("Stopping the recorder in Zoom meeting")
    app.wait_idle()
    assert leave_calls(app, bot_id) == 1


def test_another_org_is_not_the_same_grid(app: App) -> None:
    app.command(ZOOM, enterprise_id="E0001")
    app.wait_idle()
    press_from(app, "stop_recording", team_id="T0002", enterprise_id="E0002")
    assert app.wait_for_reply("press") == STOP_ELSEWHERE
    app.wait_idle()
    assert app.recording().stop.requested_by is None


def test_record_stop_only_sees_its_own_workspaces_recordings(app: App) -> None:
    bot_id = recording_started(app)
    app.command("stop", team_id="T0999", hook="here")
    assert app.wait_for_reply("here") == "Nothing is being recorded from this channel right now."
    app.command(f"stop {ZOOM}", team_id="T0999", hook="link")
    assert app.wait_for_reply("link") == (
        "Nothing is recording Zoom meeting 812 3456 7890 right now."
    )
    app.wait_idle()
    assert leave_calls(app, bot_id) == 0
    assert app.recording().stop.requested_by is None


@pytest.fixture
def public_app(make_app: Callable[..., App]) -> App:
    return make_app(public_base_url="https://rec.example.com")


def test_delete_from_another_workspace_is_refused(public_app: App) -> None:
    app = public_app
    bot_id = recording_started(app)
    app.recall.run_meeting(bot_id)
    app.poll()
    token = app.recording().sharing.token

    app.command(f"delete https://rec.example.com/r/{token}/watch", team_id="T0999", hook="d")
    assert app.wait_for_reply("d") == DELETE_ELSEWHERE
    app.wait_idle()
    assert app.recording().sharing.deleted_at is None
    assert httpx.get(f"{app.url}/r/{token}").status_code == 302  # the link still works
