"""LOG_FORMAT=json: one JSON object per line, with the same scrubbing, escaping and caps as the
text lines (tests/unit/app/test_logs.py has the full list of secret forms)."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest

from bot.app.json_logs import JsonLinesFormatter
from bot.app.logs import MAX_MESSAGE_CHARS, configure_logging
from tests.conftest import App
from tests.unit.app.test_logs import FORGED, SECRET_FORMS, SECRETS, _record


def _line(record: logging.LogRecord) -> dict:
    text = JsonLinesFormatter(secrets=SECRETS).format(record)
    assert text.splitlines() == [text]  # one object, one line
    return json.loads(text)


def test_a_record_is_one_object_with_time_level_logger_and_message() -> None:
    entry = _line(_record("recording %s: %s", "9bb3", "joining -> recording"))
    assert set(entry) == {"time", "level", "logger", "message"}
    assert entry["level"] == "INFO" and entry["logger"] == "bot.test"
    assert entry["message"] == "recording 9bb3: joining -> recording"
    assert entry["time"].endswith("Z") and entry["time"][10] == "T"


@pytest.mark.parametrize(
    ("written", "secret"),
    [(written, secret) for _, written, secret in SECRET_FORMS],
    ids=[name for name, _, _ in SECRET_FORMS],
)
def test_secrets_are_scrubbed_as_in_text_lines(written: str, secret: str) -> None:
    entry = _line(_record("got %s", written))
    assert secret not in entry["message"]
    assert "redacted" in entry["message"]


def test_control_characters_are_escaped_inside_the_message() -> None:
    entry = _line(_record("body: %s", f"a=1\r\n{FORGED}\u2028x"))
    assert entry["message"] == f"body: a=1\\r\\n{FORGED}\\u2028x"


def test_a_traceback_keeps_its_lines_scrubbed_and_escaped() -> None:
    try:
        raise ValueError(f"bad {SECRETS[0]}\r{FORGED}")
    except ValueError:
        record = _record("step failed", level=logging.ERROR)
        record.exc_info = sys.exc_info()
    entry = _line(record)
    lines = entry["exception"].split("\n")
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[-1] == f"ValueError: bad [redacted]\\r{FORGED}"
    assert SECRETS[0] not in entry["exception"]


def test_a_huge_message_is_cut_with_a_marker() -> None:
    entry = _line(_record("body: %s", "A" * 1_000_000))
    assert len(entry["message"]) < MAX_MESSAGE_CHARS + 100
    assert entry["message"].endswith("characters in all]")


@pytest.fixture
def root_log() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers, root.level = handlers, level


def test_the_whole_flow_logs_json_lines_without_secrets(app: App, root_log: None) -> None:
    configure_logging("DEBUG", app.runtime.settings.secrets(), JsonLinesFormatter)
    output = io.StringIO()
    logging.getLogger().handlers[0].setStream(output)  # type: ignore[attr-defined]
    app.command("https://zoom.us/j/81234567890?pwd=passcode99")
    app.wait_idle()
    app.recall.run_meeting(app.recording().recall.bot_id)
    app.poll()

    entries = [json.loads(line) for line in output.getvalue().splitlines()]
    assert any("ready notice delivered" in e["message"] for e in entries)
    text = output.getvalue()
    for secret in (app.slack.bot_token, app.recall.api_key, "passcode99", "X-Amz-Signature"):
        assert secret not in text
