"""Zoom's on-behalf-of rule, against a fake Zoom (OAuth server and API) over HTTP: connect a
Slack user's Zoom account, record a Zoom meeting that carries `zoom.obf_token_url`, Recall
fetches a fresh token just before joining, disconnect; and Zoom refusing, tokens expiring and
being refreshed, tokens and secrets never logged."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bot.app.config import Settings
from bot.app.logs import configure_logging
from bot.app.meeting_settings import MeetingSettings
from bot.app.operations import check
from bot.model.lifecycle import State
from tests.conftest import App, Clock
from tests.fakes.recall_callbacks import fetch_obf_token
from tests.fakes.zoom import CLIENT_ID, CLIENT_SECRET, FakeZoom
from tests.integration.test_record_happy_path import create_bot_validator

PUBLIC = "https://rec.example.com"
ZOOM_LINK = "https://acme.zoom.us/j/81234567890?pwd=s3cr3t"
MEET = "https://meet.google.com/abc-defg-hij"


@pytest.fixture
def zoom(clock: Clock) -> Iterator[FakeZoom]:
    with FakeZoom(clock=lambda: clock().timestamp()) as fake:
        yield fake


def zoom_settings(zoom: FakeZoom, **more: object) -> MeetingSettings:
    return MeetingSettings(
        zoom_client_id=CLIENT_ID,
        zoom_client_secret=CLIENT_SECRET,
        zoom_oauth_base_url=zoom.base_url,
        zoom_api_base_url=zoom.base_url,
        **more,  # type: ignore[arg-type]
    )


@pytest.fixture
def app(make_app: Callable[..., App], zoom: FakeZoom) -> App:
    return make_app(public_base_url=PUBLIC, meeting=zoom_settings(zoom))


def reach(app: App) -> Callable[[str], str]:
    """Our public address, as the test reaches the app (it listens on 127.0.0.1)."""
    return lambda url: url.replace(PUBLIC, app.url, 1)


def connect(app: App, user_id: str = "U0USER1", hook: str = "connect") -> httpx.Response:
    """`/record connect zoom`, then the link it answers with, through Zoom's consent, back."""
    answer = app.command("connect zoom", user_id=user_id, hook=hook).json()
    assert answer["response_type"] == "ephemeral"
    [link] = re.findall(r"<(https://[^|>]+)\|connect Zoom>", answer["text"])
    assert link.startswith(f"{PUBLIC}/zoom/connect?token=")
    to_zoom = httpx.get(reach(app)(link))
    assert to_zoom.status_code == 302
    back = httpx.get(to_zoom.headers["location"])  # Zoom asks the user, who approves
    assert back.status_code == 302
    return httpx.get(reach(app)(back.headers["location"]))


def record_zoom(app: App, link: str = ZOOM_LINK) -> str:
    app.command(link)
    app.wait_idle()
    bot_id = [r for r in app.runtime.store.recordings.all() if r.state != State.READY][-1]
    return str(bot_id.recall.bot_id)


def test_connect_record_token_disconnect(app: App, zoom: FakeZoom) -> None:
    page = connect(app)
    assert page.status_code == 200
    assert "Zoom is connected" in page.text
    assert "acme.slack.com" in page.text
    assert len(zoom.calls("/oauth/authorize")) == 1
    [exchange] = zoom.calls("/oauth/token")
    assert exchange.form["grant_type"] == "authorization_code"
    assert exchange.form["redirect_uri"] == f"{PUBLIC}/zoom/oauth_redirect"
    assert exchange.headers["authorization"].startswith("Basic ")
    assert app.runtime.store.zoom_accounts.connected("T0001", "U0USER1")

    reply = app.command(ZOOM_LINK).json()["text"]
    assert "connect zoom" not in reply  # connected: no hint
    app.wait_idle()
    bot_id = app.recording().recall.bot_id
    rec = app.recording()
    assert rec.in_meeting.zoom_on_behalf
    [create] = app.recall.requests_to("POST", r"^/api/v1/bot/$")
    # The whole body, `zoom` with the rest, as Recall's own schema takes it (the bundled schema
    # predates `obf_token_url`, which its Zoom object accepts as an extra string).
    assert [e.message for e in create_bot_validator().iter_errors(create.json)] == []
    zoom_part = app.recall.bot(bot_id)["zoom"]
    assert zoom_part == {
        "obf_token_url": f"{PUBLIC}/zoom/obf?token={rec.id}.{rec.in_meeting.callback_secret}"
    }
    assert (
        "Zoom's rule: the recorder joins on behalf of <@U0USER1>, only once they are in the "
        "meeting, and Zoom removes it when they leave." in app.status_text()
    )

    first = fetch_obf_token(app.recall, bot_id, reach(app))
    second = fetch_obf_token(app.recall, bot_id, reach(app))
    assert first.status_code == second.status_code == 200
    assert first.headers["content-type"].startswith("text/plain")
    assert [first.text, second.text] == zoom.obf_tokens  # a fresh one each time
    [mint, _] = zoom.calls("/v2/users/me/token")
    assert mint.headers["authorization"].startswith("Bearer ")

    answer = app.command("disconnect zoom", hook="bye")
    assert answer.status_code == 200
    assert "Your Zoom account is disconnected" in app.wait_for_reply("bye")
    assert not app.runtime.store.zoom_accounts.connected("T0001", "U0USER1")
    assert zoom.calls("/oauth/revoke")
    assert zoom.tokens_of("zoom-ada") == []  # revoked at Zoom too
    assert fetch_obf_token(app.recall, bot_id, reach(app)).status_code == 404


def test_zoom_links_of_users_who_have_not_connected_get_a_hint(app: App) -> None:
    reply = app.command(ZOOM_LINK).json()["text"]
    assert reply.endswith(
        "Tip: if this meeting is hosted outside your company's Zoom account, Zoom only admits "
        "the recorder on your behalf: `/record connect zoom` once, then join the meeting."
    )
    app.wait_idle()
    assert "zoom" not in app.recall.bot(app.recording().recall.bot_id) or not app.recall.bot(
        app.recording().recall.bot_id
    ).get("zoom")
    assert "connect zoom" not in app.command(MEET, hook="meet").json()["text"]


def test_without_zoom_credentials_there_is_no_hint_and_connect_says_so(
    make_app: Callable[..., App],
) -> None:
    app = make_app(public_base_url=PUBLIC)
    assert "connect zoom" not in app.command(ZOOM_LINK).json()["text"]
    assert (
        "isn't set up to connect Zoom accounts"
        in app.command("connect zoom", hook="c").json()["text"]
    )
    assert httpx.get(f"{app.url}/zoom/connect?token=x").status_code == 404
    assert httpx.get(f"{app.url}/zoom/obf?token=x").status_code == 404


def test_a_connect_link_works_once_for_its_user_and_expires(app: App, zoom: FakeZoom) -> None:
    answer = app.command("connect zoom").json()["text"]
    [link] = re.findall(r"<(https://[^|>]+)\|connect Zoom>", answer)
    assert httpx.get(reach(app)(link)).status_code == 302
    again = httpx.get(reach(app)(link))
    assert again.status_code == 404
    assert "This link has expired" in again.text

    answer = app.command("connect zoom", hook="late").json()["text"]
    [late] = re.findall(r"<(https://[^|>]+)\|connect Zoom>", answer)
    app.clock.advance(minutes=11)
    assert httpx.get(reach(app)(late)).status_code == 404


def test_a_state_zoom_did_not_get_from_us_is_refused(app: App, zoom: FakeZoom) -> None:
    answer = app.command("connect zoom").json()["text"]
    [link] = re.findall(r"<(https://[^|>]+)\|connect Zoom>", answer)
    to_zoom = httpx.get(reach(app)(link)).headers["location"]
    back = httpx.get(to_zoom).headers["location"]
    code = parse_qs(urlsplit(back).query)["code"][0]
    forged = httpx.get(f"{app.url}/zoom/oauth_redirect?code={code}&state=forged")
    assert forged.status_code == 400
    assert "expired or was already used" in forged.text
    assert not app.runtime.store.zoom_accounts.connected("T0001", "U0USER1")
    assert zoom.calls("/oauth/token") == []  # the code was never even exchanged
    used = httpx.get(reach(app)(back))
    assert used.status_code == 200
    assert httpx.get(reach(app)(back)).status_code == 400  # a state works once


def test_the_user_saying_no_at_zoom_connects_nothing(app: App, zoom: FakeZoom) -> None:
    zoom.approving_user = None
    page = connect(app)
    assert page.status_code == 400
    assert "Zoom was not connected" in page.text
    assert not app.runtime.store.zoom_accounts.connected("T0001", "U0USER1")


def test_an_expired_access_token_is_refreshed_and_the_new_refresh_token_kept(
    app: App, zoom: FakeZoom
) -> None:
    connect(app)
    before = app.runtime.store.zoom_accounts.get("T0001", "U0USER1")
    bot_id = record_zoom(app)

    app.clock.advance(hours=2)  # the access token's hour is over
    token = fetch_obf_token(app.recall, bot_id, reach(app))
    assert token.status_code == 200
    after = app.runtime.store.zoom_accounts.get("T0001", "U0USER1")
    assert after is not None and before is not None
    assert after.refresh_token != before.refresh_token  # Zoom replaced it: the new one is kept
    assert after.expires_at > app.clock.now
    [refresh] = [c for c in zoom.calls("/oauth/token") if c.form["grant_type"] == "refresh_token"]
    assert refresh.form["refresh_token"] == before.refresh_token


def test_zoom_refusing_a_token_early_gets_one_refresh(app: App, zoom: FakeZoom) -> None:
    connect(app)
    bot_id = record_zoom(app)
    zoom.expire_access_tokens()  # Zoom says expired before our clock does
    assert fetch_obf_token(app.recall, bot_id, reach(app)).status_code == 200
    assert len(zoom.calls("/v2/users/me/token")) == 2


def test_tokens_zoom_refuses_are_forgotten_and_recall_gets_404(app: App, zoom: FakeZoom) -> None:
    connect(app)
    bot_id = record_zoom(app)
    zoom.revoke_user("zoom-ada")  # the user removed the app in Zoom
    answer = fetch_obf_token(app.recall, bot_id, reach(app))
    assert answer.status_code == 404
    assert not app.runtime.store.zoom_accounts.connected("T0001", "U0USER1")


@pytest.mark.parametrize("token", ["", "x", "{id}", "{id}.nope", "{id}.{secret}extra"])
def test_obf_tokens_only_for_the_recording_named_by_its_secret(
    app: App, zoom: FakeZoom, token: str
) -> None:
    connect(app)
    record_zoom(app)
    rec = app.recording()
    value = token.format(id=rec.id, secret=rec.in_meeting.callback_secret)
    assert httpx.get(f"{app.url}/zoom/obf?token={value}").status_code == 404
    assert zoom.obf_tokens == []


def test_each_secret_works_only_for_its_own_recording(app: App, zoom: FakeZoom) -> None:
    connect(app)
    app.command(ZOOM_LINK)
    app.command("https://acme.zoom.us/j/89999999999?pwd=x", hook="second")
    app.wait_idle()
    first, second = list(app.runtime.store.recordings.all())
    swapped = f"{first.id}.{second.in_meeting.callback_secret}"
    assert httpx.get(f"{app.url}/zoom/obf?token={swapped}").status_code == 404
    mine = f"{second.id}.{second.in_meeting.callback_secret}"
    assert httpx.get(f"{app.url}/zoom/obf?token={mine}").status_code == 200


def test_a_finished_recording_gets_no_more_tokens(app: App, zoom: FakeZoom) -> None:
    connect(app)
    bot_id = record_zoom(app)
    app.recall.run_meeting(bot_id)
    app.poll()
    assert fetch_obf_token(app.recall, bot_id, reach(app)).status_code == 404


def test_recall_failing_for_want_of_obf_is_explained_with_the_fix(app: App) -> None:
    bot_id = record_zoom(app)
    app.recall.fail_bot(bot_id, "zoom_obf_user_not_in_meeting")
    app.poll()
    assert app.recording().state == State.FAILED
    text = app.status()["text"]
    assert "Zoom only admits the recorder on behalf of someone in the meeting" in text
    assert "/record connect zoom" in text


def test_check_verifies_the_zoom_credentials(
    settings: Settings, zoom: FakeZoom, slack: object
) -> None:
    good = Settings(
        **{**settings.__dict__, "public_base_url": PUBLIC, "meeting": zoom_settings(zoom)}
    )
    [line] = [f for f in check(good) if f.subject == "Zoom"]
    assert line.ok and "accepted" in line.words
    bad_meeting = MeetingSettings(
        zoom_client_id=CLIENT_ID,
        zoom_client_secret="wrong-secret-0000",
        zoom_oauth_base_url=zoom.base_url,
        zoom_api_base_url=zoom.base_url,
    )
    bad = Settings(**{**settings.__dict__, "public_base_url": PUBLIC, "meeting": bad_meeting})
    [line] = [f for f in check(bad) if f.subject == "Zoom"]
    assert not line.ok and "ZOOM_CLIENT_SECRET" in line.words
    assert [f for f in check(settings) if f.subject == "Zoom"] == []  # not configured: no line


@pytest.fixture
def app_log(app: App) -> Iterator[io.StringIO]:
    """The app's own log set-up at DEBUG, every library included, captured."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging("DEBUG", app.runtime.settings.secrets())
    for name in ("httpx", "httpcore", "urllib3", "slack_sdk", "slack_bolt"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    output = io.StringIO()
    root.handlers[0].setStream(output)  # type: ignore[attr-defined]
    yield output
    root.handlers, root.level = saved
    for name in ("httpx", "httpcore", "urllib3", "slack_sdk", "slack_bolt"):
        logging.getLogger(name).setLevel(logging.NOTSET)


def test_no_zoom_token_or_per_recording_secret_is_logged(
    app: App, zoom: FakeZoom, app_log: io.StringIO
) -> None:
    connect(app)
    bot_id = record_zoom(app)
    secrets = [*zoom.tokens_of("zoom-ada")]
    app.clock.advance(hours=2)
    fetch_obf_token(app.recall, bot_id, reach(app))
    secrets += zoom.tokens_of("zoom-ada")
    rec = app.recording()
    app.command("disconnect zoom", hook="bye")
    app.wait_for_reply("bye")

    text = app_log.getvalue()
    assert "Zoom account connected" in text and "on-behalf-of token handed" in text
    assert "HTTP Request: POST" in text  # httpx's lines were captured, at DEBUG
    assert "/zoom/oauth_redirect?code=[redacted]&state=[redacted]" in text
    for secret in [*secrets, *zoom.obf_tokens, rec.in_meeting.callback_secret, CLIENT_SECRET]:
        assert secret and secret not in text
