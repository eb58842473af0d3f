"""Bad input gets a short private answer and no recorder; forged requests get nothing."""

from __future__ import annotations

import contextlib
import hmac
import socket
import time

import httpx
import pytest

from bot.slack.messages import HELP
from tests.conftest import SIGNING_SECRET, App
from tests.slack_requests import signed_headers, slash_command_body

SUPPORTED = "Zoom, Google Meet, Microsoft Teams, Webex or GoTo Meeting"


def assert_nothing_started(app: App) -> None:
    assert app.recall.requests == []
    assert list(app.runtime.store.recordings.all()) == []
    assert app.slack.calls_to("chat.postMessage") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Which meeting should I record?"),
        ("   ", "Which meeting should I record?"),
        ("https://example.com/meeting/42", SUPPORTED),
        ("hello", SUPPORTED),
        ("zoommtg://zoom.us/join?confno=123", "Usage: `/record <meeting link>`"),
        ("https://zoom.us/", "Usage: `/record <meeting link>`"),
        ("https://zoom.us.evil.example/j/123", SUPPORTED),
        ("<!channel>", "Usage: `/record <meeting link>`"),
        ("<@U0OTHER>", "Usage: `/record <meeting link>`"),
        ("https://zoom.us/j/1 https://meet.google.com/abc-defg-hij", "one meeting at a time"),
        ("x" * 10_000, "far too long"),
        ("https://zoom.us/j/" + "1" * 5000, "Usage: `/record <meeting link>`"),
    ],
)
def test_bad_input_gets_private_usage_and_no_recorder(app: App, text: str, expected: str) -> None:
    response = app.command(text)

    assert response.status_code == 200
    reply = response.json()
    assert reply["response_type"] == "ephemeral"
    assert expected in reply["text"]
    assert "Traceback" not in reply["text"]
    assert "<!channel>" not in reply["text"] and "<@U0OTHER>" not in reply["text"]
    assert_nothing_started(app)


def test_help_explains_usage(app: App) -> None:
    response = app.command("help")
    assert response.json() == {"response_type": "ephemeral", "text": HELP}
    assert "/record <meeting link>" in HELP
    assert_nothing_started(app)


def test_huddle_link_says_what_is_needed_instead(app: App) -> None:
    response = app.command("https://app.slack.com/huddle/T0001/C0CHAN1")
    text = response.json()["text"]
    assert "Slack huddles can't be joined from a link" in text
    assert "Recall dashboard" in text
    assert_nothing_started(app)


def test_forged_signature_is_refused(app: App) -> None:
    body = slash_command_body("https://zoom.us/j/123", response_url=app.slack.response_url())
    headers = signed_headers("not-the-signing-secret", body)
    response = httpx.post(f"{app.url}/slack/events", content=body, headers=headers)
    assert response.status_code == 401
    assert_nothing_started(app)


def test_stale_signature_is_refused(app: App) -> None:
    body = slash_command_body("https://zoom.us/j/123", response_url=app.slack.response_url())
    headers = signed_headers(SIGNING_SECRET, body, timestamp=int(time.time()) - 6 * 60)
    response = httpx.post(f"{app.url}/slack/events", content=body, headers=headers)
    assert response.status_code == 401
    assert_nothing_started(app)


def test_unsigned_request_is_refused(app: App) -> None:
    body = slash_command_body("https://zoom.us/j/123", response_url=app.slack.response_url())
    response = httpx.post(
        f"{app.url}/slack/events",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 401
    assert_nothing_started(app)


def test_oversized_request_body_is_refused_before_reading(app: App) -> None:
    response = httpx.post(f"{app.url}/slack/events", content=b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert "Traceback" not in response.text


def test_oversized_streamed_body_is_refused(app: App) -> None:
    # Chunked, so no Content-Length to refuse it by: it is cut off at the limit instead.
    chunks = (b"x" * 65536 for _ in range(32))
    response = httpx.post(f"{app.url}/slack/events", content=chunks)
    assert response.status_code == 413
    assert response.json() == {"error": "Request Entity Too Large"}


def test_endless_headers_are_refused_and_the_app_carries_on(app: App) -> None:
    host, port = app.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Endless: ")
        with contextlib.suppress(OSError):  # the server may hang up while we still send
            for _ in range(64):
                conn.sendall(b"a" * 4096)
        answer = conn.recv(200)
    assert answer.startswith(b"HTTP/1.1 431 ")
    response = app.command("https://zoom.us/j/123")
    assert response.status_code == 200


def test_large_body_is_not_mistaken_for_large_headers(app: App) -> None:
    response = httpx.post(f"{app.url}/slack/events", content=b"x" * (900 * 1024))
    assert response.status_code == 401  # read whole, then refused for its missing signature
    assert_nothing_started(app)


def test_body_that_is_not_utf8_is_refused_not_crashed(app: App) -> None:
    raw = b"command=%2Frecord&text=\xff\xfe&team_id=T0001"
    stamp = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + stamp.encode() + b":" + raw, "sha256")
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
    }
    response = httpx.post(f"{app.url}/slack/events", content=raw, headers=headers)
    assert response.status_code == 401
    assert "Traceback" not in response.text
    assert_nothing_started(app)


def test_slack_path_answers_other_methods_plainly(app: App) -> None:
    response = httpx.get(f"{app.url}/slack/events")
    assert response.status_code == 405
    assert response.json() == {"error": "Method Not Allowed"}


def test_unknown_paths_answer_plain_json(app: App) -> None:
    response = httpx.get(f"{app.url}/nope")
    assert response.status_code == 404
    assert response.json() == {"error": "Not Found"}
