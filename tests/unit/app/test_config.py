"""Configuration is read in one place and every problem is named at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app.config import ConfigError, Settings

REQUIRED = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "RECALL_API_KEY": "k"}


def test_defaults() -> None:
    settings = Settings.from_env(REQUIRED)
    assert settings.recall_region == "us-east-1"
    assert settings.recall_api_base_url == "https://us-east-1.recall.ai"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_path == Path("./data/slack-record.db")
    assert settings.poll_interval_seconds == 15
    assert settings.port == 3000
    assert settings.recording_deadline_hours == 6
    assert settings.public_base_url is None


@pytest.mark.parametrize("region", ["us-west-2", "eu-central-1", "ap-northeast-1", "US-EAST-1"])
def test_region_picks_the_recall_host(region: str) -> None:
    settings = Settings.from_env(REQUIRED | {"RECALL_REGION": region})
    assert settings.recall_api_base_url == f"https://{region.lower()}.recall.ai"


@pytest.mark.parametrize(
    "base", ["http://127.0.0.1:9000", "http://127.0.0.1:9000/", "http://127.0.0.1:9000/api/v1/"]
)
def test_recall_base_url_overrides_region(base: str) -> None:
    settings = Settings.from_env(
        REQUIRED | {"RECALL_API_BASE_URL": base, "RECALL_REGION": "eu-central-1"}
    )
    assert settings.recall_api_base_url == "http://127.0.0.1:9000"


def test_slack_api_url_always_ends_with_a_slash() -> None:
    settings = Settings.from_env(REQUIRED | {"SLACK_API_URL": "http://127.0.0.1:9001/api"})
    assert settings.slack_api_url == "http://127.0.0.1:9001/api/"


def test_every_problem_is_reported_together() -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(
            {
                "SLACK_BOT_TOKEN": " ",
                "RECALL_REGION": "mars-1",
                "POLL_INTERVAL_SECONDS": "-5",
                "PORT": "http",
                "PUBLIC_BASE_URL": "record.example.com",
            }
        )
    assert caught.value.problems == [
        "missing SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, RECALL_API_KEY",
        "RECALL_REGION must be one of us-east-1, us-west-2, eu-central-1, ap-northeast-1 "
        "(got 'mars-1')",
        "PUBLIC_BASE_URL must be an http(s) URL like https://record.example.com",
        "POLL_INTERVAL_SECONDS must be greater than zero (got '-5')",
        "PORT must be a number (got 'http')",
    ]
    assert "README.md" in str(caught.value)


def test_secrets_lists_what_logs_must_never_show() -> None:
    assert set(Settings.from_env(REQUIRED).secrets()) == {"xoxb-1", "s", "k"}


def test_metrics_token_and_log_format() -> None:
    token = "m3trics-token-for-prometheus"
    settings = Settings.from_env(REQUIRED | {"METRICS_TOKEN": token, "LOG_FORMAT": "JSON"})
    assert (settings.metrics_token, settings.log_format) == (token, "json")
    assert token in settings.secrets()
    assert Settings.from_env(REQUIRED).log_format == "text"
    assert Settings.from_env(REQUIRED).metrics_token is None


def test_a_metrics_token_with_spaces_and_an_unknown_log_format_are_named() -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(REQUIRED | {"METRICS_TOKEN": "two words", "LOG_FORMAT": "xml"})
    assert caught.value.problems == [
        "METRICS_TOKEN must be one word, without spaces",
        "LOG_FORMAT must be text or json (got 'xml')",
    ]


def test_a_short_metrics_token_is_used_as_set_and_called_weak() -> None:
    short = Settings.from_env(REQUIRED | {"METRICS_TOKEN": "scrape"})
    assert short.metrics_token == "scrape" and short.metrics_token_weak
    assert not Settings.from_env(REQUIRED | {"METRICS_TOKEN": "x" * 16}).metrics_token_weak
    assert not Settings.from_env(REQUIRED).metrics_token_weak


def test_transcripts_come_from_the_meetings_own_captions_by_default() -> None:
    assert Settings.from_env(REQUIRED).transcript_provider == "meeting_captions"
    assert Settings(None, None, "k").transcript_provider == "meeting_captions"


@pytest.mark.parametrize(
    ("given", "read"),
    [
        ("recallai_streaming", "recallai_streaming"),
        (" RECALLAI_ASYNC ", "recallai_async"),
        ("none", "none"),
    ],
)
def test_transcript_provider_is_read(given: str, read: str) -> None:
    assert Settings.from_env(REQUIRED | {"TRANSCRIPT_PROVIDER": given}).transcript_provider == read


def test_an_unknown_transcript_provider_is_named_with_the_choices() -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(REQUIRED | {"TRANSCRIPT_PROVIDER": "whisper"})
    assert caught.value.problems == [
        "TRANSCRIPT_PROVIDER must be one of meeting_captions, recallai_streaming, "
        "recallai_async, none (got 'whisper')"
    ]
