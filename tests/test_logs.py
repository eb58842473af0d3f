"""No secret reaches the logs: not tokens, keys, signing secrets, or signed media links."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.logs import QUIET_LOGGERS, RedactingFormatter, configure_logging, redact
from tests.conftest import SIGNING_SECRET, App


def test_formatter_scrubs_secrets_and_signed_links() -> None:
    formatter = RedactingFormatter(secrets=["recall-key-123456"])
    record = logging.LogRecord(
        "x",
        logging.INFO,
        __file__,
        1,
        "key=%s token=%s url=%s hook=%s",
        (
            "recall-key-123456",
            "xoxb-1-2-abc",
            "https://s3.example/v.mp4?X-Amz-Signature=f00",
            "https://hooks.slack.com/commands/T1/2/abc",
        ),
        None,
    )
    line = formatter.format(record)
    assert "recall-key-123456" not in line
    assert "xoxb-1-2-abc" not in line
    assert (
        "X-Amz-Signature" not in line and "https://s3.example/v.mp4?[signed query redacted]" in line
    )
    assert "T1/2/abc" not in line


def test_redact_leaves_ordinary_text_alone() -> None:
    assert redact("recording abc: joining -> recording") == "recording abc: joining -> recording"


@pytest.fixture
def app_log(app: App) -> Iterator[io.StringIO]:
    """The app's own log set-up, with every library turned up to DEBUG to make it hard."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging("DEBUG", app.runtime.settings.secrets())
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    output = io.StringIO()
    root.handlers[0].setStream(output)
    yield output
    root.handlers, root.level = saved
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)


def test_happy_path_logs_no_secret(app: App, app_log: io.StringIO) -> None:
    app.command("https://zoom.us/j/81234567890?pwd=passcode99")
    app.wait_idle()
    app.recall.run_meeting(app.recording().recall_bot_id)
    app.poll()
    download_url = app.status()["blocks"][0]["accessory"]["url"]
    signature = download_url.split("X-Amz-Signature=")[1]

    text = app_log.getvalue()
    assert "ready notice delivered" in text  # the log did capture the run
    assert "chat.postMessage" in text  # ...including slack_sdk's request dumps
    for secret in (
        app.slack.bot_token,
        SIGNING_SECRET,
        app.recall.api_key,
        signature,
        "passcode99",
    ):
        assert secret not in text


def test_uvicorn_lines_are_not_labelled_errors(app: App, app_log: io.StringIO) -> None:
    logging.getLogger("uvicorn.error").info("Started server process [1]")
    assert "INFO uvicorn: Started server process [1]" in app_log.getvalue()
    assert "uvicorn.error" not in app_log.getvalue()
