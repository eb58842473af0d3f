"""Start-up settings at their edges: Recall's automatic_leave values must be whole numbers at
or above Recall's minimums, the other durations may be fractions, and a webhook secret is
valid exactly when the library that verifies deliveries can use it, base64 padding included."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from bot.app.config import ConfigError, Settings
from bot.model.lifecycle import State
from tests.conftest import App
from tests.integration.test_recall_webhooks import ZOOM, deliver, payload

REQUIRED = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "RECALL_API_KEY": "k"}
# 32 random-looking bytes, like the secrets Recall issues: their base64 ends in "=".
PADDED_SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


def problems(env: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(REQUIRED | env)
    return caught.value.problems


@pytest.mark.parametrize(
    ("name", "value", "minimum"),
    [
        ("EVERYONE_LEFT_TIMEOUT_SECONDS", "0.5", 1),
        ("EVERYONE_LEFT_TIMEOUT_SECONDS", "1.5", 1),
        ("EVERYONE_LEFT_TIMEOUT_SECONDS", "0", 1),
        ("MAX_RECORDING_MINUTES", "0.5", 1),
        ("MAX_RECORDING_MINUTES", "90.25", 1),
        ("WAITING_ROOM_TIMEOUT_SECONDS", "29", 30),
        ("WAITING_ROOM_TIMEOUT_SECONDS", "30.5", 30),
        ("NOONE_JOINED_TIMEOUT_SECONDS", "29.9", 30),
        ("NOONE_JOINED_TIMEOUT_SECONDS", "soon", 30),
        ("NOONE_JOINED_TIMEOUT_SECONDS", "inf", 30),
    ],
)
def test_automatic_leave_values_are_whole_and_at_least_recalls_minimum(
    name: str, value: str, minimum: int
) -> None:
    assert problems({name: value}) == [
        f"{name} must be a whole number, at least {minimum} (got {value!r})"
    ]


def test_every_bad_automatic_leave_value_is_named_at_once() -> None:
    found = problems({"EVERYONE_LEFT_TIMEOUT_SECONDS": "0.5", "MAX_RECORDING_MINUTES": "0.5"})
    assert [p.split()[0] for p in found] == [
        "EVERYONE_LEFT_TIMEOUT_SECONDS",
        "MAX_RECORDING_MINUTES",
    ]


def test_whole_automatic_leave_values_at_the_minimums_are_taken() -> None:
    settings = Settings.from_env(
        REQUIRED
        | {
            "WAITING_ROOM_TIMEOUT_SECONDS": "30",
            "NOONE_JOINED_TIMEOUT_SECONDS": "30.0",
            "EVERYONE_LEFT_TIMEOUT_SECONDS": "1",
            "MAX_RECORDING_MINUTES": "1",
        }
    )
    assert (
        settings.waiting_room_timeout_seconds,
        settings.noone_joined_timeout_seconds,
        settings.everyone_left_timeout_seconds,
        settings.max_recording_minutes,
    ) == (30, 30, 1, 1)
    assert isinstance(settings.noone_joined_timeout_seconds, int)


def test_other_durations_may_be_fractions() -> None:
    settings = Settings.from_env(
        REQUIRED
        | {
            "POLL_INTERVAL_SECONDS": "0.5",
            "WEBHOOK_SWEEP_SECONDS": "2.5",
            "RECORDING_DEADLINE_HOURS": "1.5",
            "RECALL_RATE_SHARE": "0.25",
        }
    )
    assert settings.poll_interval_seconds == 0.5
    assert settings.webhook_sweep_seconds == 2.5
    assert settings.recording_deadline_hours == 1.5
    assert settings.recall_rate_share == 0.25


@pytest.mark.parametrize(
    "secret",
    [
        PADDED_SECRET,
        "whsec_" + base64.b64encode(b"0123456789abcdef01234567890").decode(),  # no padding
        PADDED_SECRET.rstrip("="),  # padding left off
    ],
)
def test_webhook_secrets_are_accepted_padded_or_not(secret: str) -> None:
    assert Settings.from_env(REQUIRED | {"RECALL_WEBHOOK_SECRET": secret}).recall_webhook_secret


@pytest.mark.parametrize(
    "secret",
    [
        "whsec_",
        "whsec_" + "A" * 17,  # base64 cannot have 4n + 1 characters
        "whsec_0123456789abcdef!!",  # not base64 at all
        "whsec_MDEyMzQ1Njc4OWFi-2NkZWY",  # URL-safe alphabet: the library would drop "-"
        base64.b64encode(b"0123456789abcdef0123456789abcdef").decode(),  # no whsec_
    ],
)
def test_webhook_secrets_the_library_cannot_use_are_refused(secret: str) -> None:
    assert problems({"RECALL_WEBHOOK_SECRET": secret}) == [
        "RECALL_WEBHOOK_SECRET must be the whsec_… secret from Recall's dashboard"
    ]


def test_a_padded_webhook_secret_starts_the_app_and_verifies_deliveries(
    make_app: Callable[..., App],
) -> None:
    assert PADDED_SECRET.endswith("=")
    configured = Settings.from_env(REQUIRED | {"RECALL_WEBHOOK_SECRET": PADDED_SECRET})
    app = make_app(recall_webhook_secret=configured.recall_webhook_secret)
    app.command(ZOOM)
    app.wait_idle()
    bot_id = app.recording().recall.bot_id

    response = deliver(app, payload("bot.in_call_recording", bot_id), secret=PADDED_SECRET)
    assert response.status_code == 200 and response.json() == {"result": "ok"}
    assert app.recording().state == State.RECORDING

    forged = "whsec_" + base64.b64encode(b"another secret, 32 bytes long!!!").decode()
    assert deliver(app, payload("bot.in_waiting_room", bot_id), secret=forged).status_code == 401
    assert app.recording().state == State.RECORDING
