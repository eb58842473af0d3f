"""CONSENT_MESSAGE, CHAT_STOP_PHRASE, RECORDING_RETENTION_HOURS and the ZOOM_* settings: read
with the rest, every problem named in the one start-up message."""

from __future__ import annotations

import pytest

from bot.app.config import ConfigError, Settings

REQUIRED = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "RECALL_API_KEY": "k"}
PUBLIC = {"PUBLIC_BASE_URL": "https://rec.example.com"}
ZOOM = {"ZOOM_CLIENT_ID": "zoom-id", "ZOOM_CLIENT_SECRET": "zoom-secret-value"}


def problems(env: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(REQUIRED | env)
    return caught.value.problems


def test_defaults() -> None:
    meeting = Settings.from_env(REQUIRED).meeting
    assert meeting.consent_on and meeting.consent_message is None
    assert meeting.chat_stop_phrase == "stop recording"
    assert meeting.retention_hours == 168
    assert not meeting.zoom_on
    assert meeting.zoom_oauth_base_url == "https://zoom.us"
    assert meeting.zoom_api_base_url == "https://api.zoom.us"


@pytest.mark.parametrize(
    ("raw", "hours"), [("24", 24), ("1", 1), ("forever", None), ("FOREVER", None)]
)
def test_retention(raw: str, hours: int | None) -> None:
    assert (
        Settings.from_env(REQUIRED | {"RECORDING_RETENTION_HOURS": raw}).meeting.retention_hours
        == hours
    )


@pytest.mark.parametrize("raw", ["0", "-3", "1.5", "a week", "inf"])
def test_retention_must_be_whole_hours_or_forever(raw: str) -> None:
    assert problems({"RECORDING_RETENTION_HOURS": raw}) == [
        "RECORDING_RETENTION_HOURS must be a whole number of hours, at least 1, or forever "
        f"(got {raw!r})"
    ]


@pytest.mark.parametrize("raw", ["87601", "100000000", "1e9"])
def test_retention_past_ten_years_is_forever_or_nothing(raw: str) -> None:
    # A moment thousands of years away cannot be held as a date: the recording would never
    # become ready.
    assert problems({"RECORDING_RETENTION_HOURS": raw}) == [
        "RECORDING_RETENTION_HOURS can be at most 87600 (ten years); for longer, write forever "
        f"(got {raw!r})"
    ]
    assert Settings.from_env(REQUIRED | {"RECORDING_RETENTION_HOURS": "87600"})


def test_off_turns_the_notice_and_the_phrase_off() -> None:
    meeting = Settings.from_env(
        REQUIRED | {"CONSENT_MESSAGE": "off", "CHAT_STOP_PHRASE": "OFF"}
    ).meeting
    assert not meeting.consent_on and meeting.chat_stop_phrase is None


def test_stop_phrase_spacing_is_tidied() -> None:
    settings = Settings.from_env(REQUIRED | {"CHAT_STOP_PHRASE": "  bot,   please  leave "})
    assert settings.meeting.chat_stop_phrase == "bot, please leave"


@pytest.mark.parametrize("raw", ["!!!", "...", '"?"'])
def test_a_stop_phrase_of_punctuation_alone_stops_start_up(raw: str) -> None:
    # Chat messages are read without their surrounding punctuation: nothing typed could match,
    # while the notice would tell everyone to type it.
    assert problems({"CHAT_STOP_PHRASE": raw}) == [
        f"CHAT_STOP_PHRASE needs a word or two (got {raw!r}), or off"
    ]


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        (
            "Recorded by {bot}",
            "CONSENT_MESSAGE uses {bot}; it may use {requester}, {workspace}, {stop_phrase}",
        ),
        (
            "Unclosed {requester",
            "CONSENT_MESSAGE has an unmatched { or } (write {{ or }} for a brace itself)",
        ),
        ("x" * 4097, "CONSENT_MESSAGE can be at most 4096 characters (Recall's limit)"),
    ],
)
def test_a_consent_message_that_cannot_be_used_stops_start_up(message: str, problem: str) -> None:
    assert problems(PUBLIC | {"CONSENT_MESSAGE": message}) == [problem]


def test_a_message_naming_a_stop_phrase_that_cannot_work_stops_start_up() -> None:
    message = {"CONSENT_MESSAGE": "Type {stop_phrase} to stop it."}
    assert problems(PUBLIC | message | {"CHAT_STOP_PHRASE": "off"}) == [
        "CONSENT_MESSAGE mentions {stop_phrase}, but CHAT_STOP_PHRASE is off: typing it in the "
        "meeting chat would do nothing"
    ]
    assert problems(message) == [
        "CONSENT_MESSAGE mentions {stop_phrase}, but PUBLIC_BASE_URL is not set: typing it in "
        "the meeting chat would do nothing"
    ]
    literal = Settings.from_env(REQUIRED | {"CONSENT_MESSAGE": "Braces {{like this}}."})
    assert literal.meeting.consent_message == "Braces {{like this}}."


def test_zoom_needs_both_credentials_and_a_public_address() -> None:
    assert problems(PUBLIC | {"ZOOM_CLIENT_ID": "zoom-id"}) == [
        "set both ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET, or neither"
    ]
    assert problems(ZOOM) == [
        "ZOOM_CLIENT_ID needs PUBLIC_BASE_URL: Zoom sends users back to it, and Recall asks it "
        "for Zoom's tokens"
    ]
    assert problems(PUBLIC | ZOOM | {"ZOOM_OAUTH_BASE_URL": "zoom.us"}) == [
        "ZOOM_OAUTH_BASE_URL must be an http(s) URL"
    ]


def test_zoom_settings_and_their_secret() -> None:
    settings = Settings.from_env(
        REQUIRED | PUBLIC | ZOOM | {"ZOOM_API_BASE_URL": "http://127.0.0.1:9/"}
    )
    assert settings.meeting.zoom_on
    assert settings.meeting.zoom_api_base_url == "http://127.0.0.1:9"
    assert "zoom-secret-value" in settings.secrets()
