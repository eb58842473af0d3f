"""Capabilities in a log line are scrubbed: the tokens in the URLs Recall calls back, Zoom
connect links, OAuth codes and states, and Zoom's JSON Web Tokens."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from bot.app.redaction import redact

CALLBACK = "0123456789abcdef01234567.Q2FsbGJhY2tTZWNyZXQtMDEyMzQ1Njc4OWFi"
JWT = "eyJhbGciOiJIUzUxMiJ9.eyJzdWIiOiJ6b29tLWFkYSJ9.c2lnbmF0dXJlLXBhcnQtMTIzNDU2Nzg5"


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f"GET https://rec.example.com/zoom/obf?token={CALLBACK}", CALLBACK),
        (f"POST /recall/realtime?token={CALLBACK}&x=1", CALLBACK),
        (quote(f"https://rec.example.com/recall/realtime?token={CALLBACK}", safe=""), CALLBACK),
        ("GET /zoom/oauth_redirect?code=AuthCode123xyz&state=StateNonce456", "AuthCode123xyz"),
        ("GET /zoom/oauth_redirect?code=AuthCode123xyz&state=StateNonce456", "StateNonce456"),
        ("refresh_token=RefreshSecret789&grant_type=refresh_token", "RefreshSecret789"),
        (f"Zoom answered {{'access_token': '{JWT}'}}", JWT[20:]),
        (f"an OBF token {JWT} in a message", JWT[20:]),
    ],
)
def test_capabilities_are_scrubbed(line: str, secret: str) -> None:
    assert secret not in redact(line)


def test_ordinary_words_about_tokens_stay() -> None:
    line = "Zoom on-behalf-of token handed to Recall; refreshing a Zoom token failed"
    assert redact(line) == line
