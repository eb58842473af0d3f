"""bot/zoom against the fake Zoom over HTTP: what each of Zoom's answers becomes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.zoom.api import ZoomApi
from bot.zoom.errors import ZoomCredentialsRefused, ZoomRefused, ZoomRejected, ZoomUnavailable
from bot.zoom.http import make_http_client
from bot.zoom.oauth import ZoomOAuth
from tests.fakes.zoom import CLIENT_ID, CLIENT_SECRET, FakeZoom

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
REDIRECT = "https://rec.example.com/zoom/oauth_redirect"


@pytest.fixture
def zoom() -> Iterator[FakeZoom]:
    with FakeZoom(clock=NOW.timestamp) as fake:
        yield fake


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with make_http_client(timeout=httpx.Timeout(2.0)) as client:
        yield client


def oauth(http: httpx.Client, zoom: FakeZoom, secret: str = CLIENT_SECRET) -> ZoomOAuth:
    return ZoomOAuth(
        http, client_id=CLIENT_ID, client_secret=secret, base_url=zoom.base_url, clock=lambda: NOW
    )


def code_for(client: ZoomOAuth) -> str:
    approved = httpx.get(client.authorize_url(REDIRECT, "state-1"))
    assert approved.status_code == 302
    location = httpx.URL(approved.headers["location"])
    assert str(location).startswith(REDIRECT)
    assert location.params["state"] == "state-1"
    return location.params["code"]


def test_the_authorization_code_flow_and_a_token(http: httpx.Client, zoom: FakeZoom) -> None:
    client = oauth(http, zoom)
    assert client.authorize_url(REDIRECT, "s").startswith(
        f"{zoom.base_url}/oauth/authorize?response_type=code&client_id={CLIENT_ID}&redirect_uri="
    )
    tokens = client.exchange(code_for(client), REDIRECT)
    assert tokens.expires_at == NOW + timedelta(seconds=3599)
    assert tokens.scope == "user:read:token"
    assert tokens.access_token not in repr(tokens) and tokens.refresh_token not in repr(tokens)
    obf = ZoomApi(http, zoom.base_url).on_behalf_token(tokens.access_token)
    assert obf == zoom.obf_tokens[-1]


def test_a_code_works_once(http: httpx.Client, zoom: FakeZoom) -> None:
    client = oauth(http, zoom)
    code = code_for(client)
    client.exchange(code, REDIRECT)
    with pytest.raises(ZoomRefused):
        client.exchange(code, REDIRECT)


def test_refresh_replaces_the_refresh_token(http: httpx.Client, zoom: FakeZoom) -> None:
    client = oauth(http, zoom)
    first = client.exchange(code_for(client), REDIRECT)
    second = client.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token
    with pytest.raises(ZoomRefused):
        client.refresh(first.refresh_token)  # the old one is spent


def test_an_expired_access_token_is_refused(http: httpx.Client, zoom: FakeZoom) -> None:
    client = oauth(http, zoom)
    tokens = client.exchange(code_for(client), REDIRECT)
    zoom.expire_access_tokens()
    with pytest.raises(ZoomRefused):
        ZoomApi(http, zoom.base_url).on_behalf_token(tokens.access_token)


def test_wrong_client_credentials(http: httpx.Client, zoom: FakeZoom) -> None:
    oauth(http, zoom).check_credentials()  # accepted: no exception
    with pytest.raises(ZoomCredentialsRefused):
        oauth(http, zoom, secret="wrong").check_credentials()


def test_zoom_out_of_reach_or_failing(http: httpx.Client, zoom: FakeZoom) -> None:
    base = zoom.base_url
    zoom.stop()
    with pytest.raises(ZoomUnavailable):
        ZoomOAuth(
            http, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, base_url=base, clock=lambda: NOW
        ).refresh("x")
    with pytest.raises(ZoomUnavailable):
        ZoomApi(http, base).on_behalf_token("x")


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (503, b"<html>down</html>", ZoomUnavailable),
        (429, b'{"code": 429, "message": "Too many requests"}', ZoomUnavailable),
        (
            403,
            b'{"code": 4711, "message": "Invalid access token, does not contain scopes"}',
            ZoomRejected,
        ),
        (200, b'{"nothing": true}', ZoomUnavailable),
    ],
)
def test_api_answers(status: int, body: bytes, error: type[Exception]) -> None:
    transport = httpx.MockTransport(lambda _request: httpx.Response(status, content=body))
    with httpx.Client(transport=transport) as http, pytest.raises(error):
        ZoomApi(http, "http://zoom.test").on_behalf_token("token")
