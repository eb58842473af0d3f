"""Ways to install: Socket Mode selection, the multi-workspace OAuth flow end to end against the
Slack fake (oauth.v2.access), per-workspace tokens for background posting, and cleanup when a
workspace uninstalls the app or revokes its tokens."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bot.app.config import Settings
from bot.model.lifecycle import State
from tests.conftest import SIGNING_SECRET, App, wait_for
from tests.slack_requests import signed_headers

ZOOM = "https://zoom.us/j/81234567890?pwd=abc"
OAUTH = {
    "slack_bot_token": None,
    "slack_client_id": "fake-client-id",
    "slack_client_secret": "fake-client-secret",
    "slack_state_secret": "state-signing-secret-for-tests",
    "public_base_url": "https://rec.example.com",
}


def start_install(app: App) -> str:
    """Open "Add to Slack": returns the state Bolt put in the link and in its cookie."""
    page = httpx.get(f"{app.url}/slack/install")
    assert page.status_code == 200
    state = re.search(r"state=([^&\"']+)", page.text)[1]
    assert page.cookies["slack-app-oauth-state"] == state
    return state


def come_back(app: App, code: str, state: str, cookie: str | None = None) -> httpx.Response:
    """Slack sends the browser back with a code. (The state cookie is `Secure`: a browser
    sends it to https hosts only, so over the tests' plain http it is set by hand.)"""
    return httpx.get(
        f"{app.url}/slack/oauth_redirect",
        params={"code": code, "state": state},
        headers={"Cookie": f"slack-app-oauth-state={cookie if cookie is not None else state}"},
    )


def install(app: App, team_id: str, team_name: str) -> httpx.Response:
    """Click "Add to Slack" and come back from Slack with a code, as a browser would."""
    state = start_install(app)
    code = f"code-{team_id}-{time.time_ns()}"
    app.slack.add_oauth_code(code, team_id=team_id, team_name=team_name)
    return come_back(app, code, state)


def event(app: App, team_id: str, body: dict[str, Any]) -> httpx.Response:
    envelope = {
        "token": "legacy",
        "team_id": team_id,
        "api_app_id": "A0APP",
        "type": "event_callback",
        "event_id": f"Ev{time.time_ns()}",
        "event_time": int(time.time()),
        "event": body,
        "authorizations": [{"team_id": team_id, "is_bot": True, "user_id": "UBOT"}],
    }
    raw = json.dumps(envelope)
    headers = signed_headers(SIGNING_SECRET, raw) | {"Content-Type": "application/json"}
    return httpx.post(f"{app.url}/slack/events", content=raw, headers=headers)


# --- Socket Mode ----------------------------------------------------------------------------


def test_app_token_selects_socket_mode() -> None:
    settings = Settings.from_env(
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1-A-1-x", "RECALL_API_KEY": "k"}
    )
    assert settings.slack_mode == "socket"
    assert settings.slack_signing_secret is None  # not needed: nothing arrives over HTTP


def test_socket_mode_connects_to_slack_and_takes_no_http_requests(
    make_app: Callable[..., App],
) -> None:
    app = make_app(slack_app_token="xapp-1-A0APP-1-secret", slack_signing_secret=None)
    app.runtime.start()
    try:
        assert app.slack.calls_to("apps.connections.open")  # it asked Slack for a socket
        assert app.runtime.socket_mode is not None
        assert httpx.post(f"{app.url}/slack/events", content=b"x").status_code == 404
        assert httpx.get(f"{app.url}/healthz").json()["status"] == "ok"
    finally:
        app.runtime.stop()


def test_http_mode_does_not_open_a_socket(app: App) -> None:
    app.runtime.start()
    app.runtime.stop()
    assert app.slack.calls_to("apps.connections.open") == []


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        (
            {"SLACK_BOT_TOKEN": "xoxb", "SLACK_APP_TOKEN": "xoxb-nope", "RECALL_API_KEY": "k"},
            "SLACK_APP_TOKEN must be an app-level token (xapp-…)",
        ),
        ({"SLACK_APP_TOKEN": "xapp-1", "RECALL_API_KEY": "k"}, "missing SLACK_BOT_TOKEN"),
        (
            {"SLACK_CLIENT_ID": "1.2", "RECALL_API_KEY": "k"},
            "missing SLACK_CLIENT_SECRET, SLACK_STATE_SECRET, SLACK_SIGNING_SECRET",
        ),
        (
            {
                "SLACK_CLIENT_ID": "1",
                "SLACK_CLIENT_SECRET": "s",
                "SLACK_STATE_SECRET": "t",
                "SLACK_SIGNING_SECRET": "x",
                "SLACK_APP_TOKEN": "xapp-1",
                "RECALL_API_KEY": "k",
            },
            "not both",
        ),
    ],
)
def test_mode_settings_are_checked(env: dict[str, str], problem: str) -> None:
    from bot.app.config import ConfigError

    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert any(problem in p for p in caught.value.problems), caught.value.problems


# --- OAuth: many workspaces ------------------------------------------------------------------


@pytest.fixture
def oauth_app(make_app: Callable[..., App]) -> App:
    return make_app(**OAUTH)


def test_install_flow_end_to_end(oauth_app: App) -> None:
    done = install(oauth_app, "T0002", "Beta")
    assert done.status_code == 200
    assert "Thank you!" in done.text
    [exchange] = oauth_app.slack.calls_to("oauth.v2.access")
    assert exchange.args["code"].startswith("code-T0002")
    found = oauth_app.slack_app_installations().find_bot(enterprise_id=None, team_id="T0002")
    assert found is not None and found.bot_token.startswith("xoxb-")


def test_install_page_offers_add_to_slack_with_our_scopes(oauth_app: App) -> None:
    page = httpx.get(f"{oauth_app.url}/slack/install")
    link = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page.text)[1]
    assert "client_id=fake-client-id" in link
    assert "scope=commands%2Cchat%3Awrite" in link or "scope=commands,chat:write" in link
    assert "redirect_uri=https://rec.example.com/slack/oauth_redirect" in link.replace("&amp;", "&")


@pytest.mark.parametrize("state", ["forged.state", "", "x" * 40])
def test_callback_with_a_forged_state_installs_nothing(oauth_app: App, state: str) -> None:
    oauth_app.slack.add_oauth_code("code-x", team_id="T0009")
    real = start_install(oauth_app)  # a real state, but the request carries another
    done = come_back(oauth_app, "code-x", state, cookie=real)
    assert done.status_code >= 400
    assert oauth_app.slack.calls_to("oauth.v2.access") == []


def test_a_state_works_only_once(oauth_app: App) -> None:
    state = start_install(oauth_app)
    oauth_app.slack.add_oauth_code("code-1", team_id="T0002")
    oauth_app.slack.add_oauth_code("code-2", team_id="T0002")
    assert come_back(oauth_app, "code-1", state).status_code == 200
    assert come_back(oauth_app, "code-2", state).status_code >= 400
    assert len(oauth_app.slack.calls_to("oauth.v2.access")) == 1


def test_each_workspace_gets_posts_with_its_own_token(oauth_app: App) -> None:
    install(oauth_app, "T0002", "Beta")
    install(oauth_app, "T0003", "Gamma")
    for team, link in (("T0002", ZOOM), ("T0003", "https://meet.google.com/abc-defg-hij")):
        reply = oauth_app.command(link, team_id=team, hook=team)
        assert reply.json()["text"].startswith("Sending a recorder")
    oauth_app.wait_idle()
    for bot_id in oauth_app.recall.created_bot_ids():
        oauth_app.recall.run_meeting(bot_id)
    oauth_app.poll()

    by_team = {m["team"] for m in oauth_app.slack.messages("C0CHAN1")}
    assert by_team == {"T0002", "T0003"}  # the fake stamps each post with its token's team
    assert {r.state for r in oauth_app.runtime.store.recordings.all()} == {State.READY}
    assert {r.request.team_id for r in oauth_app.runtime.store.recordings.all()} == {
        "T0002",
        "T0003",
    }


def test_uninstall_removes_the_installation_and_stops_posting_there(oauth_app: App) -> None:
    install(oauth_app, "T0002", "Beta")
    oauth_app.command(ZOOM, team_id="T0002")
    oauth_app.wait_idle()
    assert event(oauth_app, "T0002", {"type": "app_uninstalled"}).status_code == 200

    installations = oauth_app.slack_app_installations()
    # Events are acknowledged first and handled right after.
    wait_for(
        lambda: installations.find_bot(enterprise_id=None, team_id="T0002") is None,
        what="the installation to be removed",
    )
    oauth_app.recall.run_meeting(oauth_app.recording().recall.bot_id)
    posts_before = len(oauth_app.slack.calls_to("chat.postMessage"))
    oauth_app.poll()
    rec = oauth_app.recording()
    assert rec.state == State.READY and rec.slack.notified_at is None  # kept, not posted
    assert len(oauth_app.slack.calls_to("chat.postMessage")) == posts_before

    install(oauth_app, "T0002", "Beta")  # they come back: what was waiting goes out
    oauth_app.poll(hours=1)
    assert oauth_app.recording().slack.notified_at is not None


def test_revoked_bot_token_is_forgotten(oauth_app: App) -> None:
    install(oauth_app, "T0002", "Beta")
    response = event(oauth_app, "T0002", {"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}})
    assert response.status_code == 200
    installations = oauth_app.slack_app_installations()
    wait_for(
        lambda: installations.find_bot(enterprise_id=None, team_id="T0002") is None,
        what="the bot token to be forgotten",
    )


def test_uninstall_in_a_single_workspace_pauses_posting(app: App) -> None:
    app.command(ZOOM)
    app.wait_idle()
    assert event(app, "T0001", {"type": "app_uninstalled"}).status_code == 200
    block = wait_for(
        lambda: app.runtime.store.workspaces.slack_block("T0001"), what="posting to pause"
    )
    assert block[0] == "app_uninstalled"


def test_abandoned_install_states_are_cleaned_up(oauth_app: App) -> None:
    start_install(oauth_app)  # someone opened "Add to Slack" and never came back
    store = oauth_app.runtime.store
    assert store.database.db["oauth_states"].count == 1
    oauth_app.clock.advance(minutes=11)
    # The scheduler's hourly housekeeping, as it runs it (it closes this thread's handle).
    oauth_app.housekeeping()
    assert store.database.db["oauth_states"].count == 0
