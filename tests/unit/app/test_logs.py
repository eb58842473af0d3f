"""No secret reaches the logs, in any encoding; one record is one line; no record is huge; and
libraries' request dumps stay out, whatever levels they set on their own loggers."""

from __future__ import annotations

import base64
import io
import json
import logging
import re
import sys
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import httpx
import pytest

from bot.app.logs import (
    MAX_MESSAGE_CHARS,
    MAX_TRACEBACK_CHARS,
    QUIET_LOGGERS,
    TRACEBACK_INDENT,
    LibraryFilter,
    RedactingFormatter,
    configure_logging,
)
from bot.app.redaction import redact
from tests.conftest import SIGNING_SECRET, App
from tests.slack_requests import signed_headers, slash_command_body

# Configured secrets, one with the characters that encodings change.
RECALL_KEY = "recall-key-0123456789abcdef"
STATE_SECRET = "st+te/secret=with&odd chars"
SECRETS = (RECALL_KEY, STATE_SECRET)

LINK_TOKEN = "Zq8xLinkTok3n_from-a-test"
PASSCODE = "Pc0deMeeting42"
HOOK_PATH = "commands/T0001/1234567890/HookSecret0123456789"
RESPONSE_URL = f"https://hooks.slack.com/{HOOK_PATH}"
SIGNED_URL = "https://s3.example/rec/v.mp4?X-Amz-Credential=AKIA1&X-Amz-Signature=f00ba4"
FORGED = "2026-01-01 00:00:00,000 ERROR bot: forged"

RECORD_START = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ ")


def _record(
    msg: str, *args: object, name: str = "bot.test", level: int = logging.INFO
) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args or None, None)


def _failing_record(message: str) -> logging.LogRecord:
    try:
        raise ValueError(message)
    except ValueError:
        record = _record("step failed", level=logging.ERROR)
        record.exc_info = sys.exc_info()
    return record


def _json(text: str) -> str:
    """As a JSON encoder that escapes slashes writes a string."""
    return json.dumps(text)[1:-1].replace("/", "\\/")


def _b64_inside(prefix: str, secret: str) -> str:
    """`secret` base64-encoded after `prefix`, as in a Basic authorization header."""
    return base64.b64encode(f"{prefix}{secret}".encode()).decode()


# (how the secret is written, the text that must not survive)
SECRET_FORMS = [
    ("configured, plain", RECALL_KEY, RECALL_KEY),
    ("configured, percent-encoded", quote(STATE_SECRET, safe=""), quote(STATE_SECRET, safe="")),
    ("configured, lower-case hex", quote(STATE_SECRET, safe="").lower(), "te%2fsecret"),
    (
        "configured, percent-encoded twice",
        quote(quote(STATE_SECRET, safe=""), safe=""),
        quote(quote(STATE_SECRET, safe=""), safe=""),
    ),
    ("configured, form-encoded", urlencode({"s": STATE_SECRET}), "te%2Fsecret"),
    ("configured, JSON-escaped", _json(STATE_SECRET), "te\\/secret"),
    *(
        (f"configured, base64{where}", encoded, encoded[-20:-6])
        for where, encoded in (
            ("", base64.b64encode(RECALL_KEY.encode()).decode()),
            (" at offset 1", _b64_inside("A:", RECALL_KEY)),
            (" at offset 2", _b64_inside("AB:", RECALL_KEY)),
            (" in a Basic header", "Basic " + _b64_inside("A0APP:", STATE_SECRET)),
        )
    ),
    ("Slack token", "token=xoxp-1111-2222-abcdefABCDEF", "abcdefABCDEF"),
    ("rotating Slack token", "xoxe.xoxp-1-Mi0yLTEx", "Mi0yLTEx"),
    ("webhook secret, encoded", "whsec_MfKQ9r8G%2BKYq%2FrTwj", "rTwj"),
    ("authorization header", "{'Authorization': 'Bearer sk-live-9a8b7c6d'}", "9a8b7c6d"),
    ("link token, plain", f"https://rec.example.com/r/{LINK_TOKEN}/watch", LINK_TOKEN),
    ("link token, encoded", f"https%3A%2F%2Frec.example.com%2Fr%2F{LINK_TOKEN}", LINK_TOKEN),
    ("link token, lower-case hex", f"%2fr%2f{LINK_TOKEN}", LINK_TOKEN),
    ("link token, encoded twice", f"https%253A%252F%252Fh%252Fr%252F{LINK_TOKEN}", LINK_TOKEN),
    ("link token, JSON-escaped", f'"https:\\/\\/rec.example.com\\/r\\/{LINK_TOKEN}"', LINK_TOKEN),
    ("passcode, plain", f"https://zoom.us/j/81234567890?pwd={PASSCODE}", PASSCODE),
    ("passcode, encoded", quote(f"https://zoom.us/j/8?pwd={PASSCODE}", safe=""), PASSCODE),
    ("passcode, lower-case hex", f"zoom.us%2fj%2f8%3fpwd%3d{PASSCODE}", PASSCODE),
    ("passcode, encoded twice", f"%253Fpwd%253D{PASSCODE}%2526x", PASSCODE),
    (
        "passcode, JSON-escaped",
        f'{{"url": "https:\\/\\/zoom.us\\/j\\/8?pwd={PASSCODE}"}}',
        PASSCODE,
    ),
    ("passcode, other name", f"meeting?passcode={PASSCODE}&x=1", PASSCODE),
    ("response_url, plain", RESPONSE_URL, "HookSecret0123456789"),
    ("response_url, encoded", quote(RESPONSE_URL, safe=""), "HookSecret0123456789"),
    ("response_url, encoded twice", quote(quote(RESPONSE_URL, safe="")), "HookSecret0123456789"),
    ("response_url, JSON-escaped", _json(RESPONSE_URL), "HookSecret0123456789"),
    ("response_url, in a form", urlencode({"response_url": RESPONSE_URL}), "HookSecret01234"),
    ("signed link, plain", SIGNED_URL, "f00ba4"),
    ("signed link, encoded", quote(SIGNED_URL, safe=""), "f00ba4"),
    ("signed link, encoded twice", quote(quote(SIGNED_URL, safe=""), safe=""), "f00ba4"),
    ("signed link, JSON-escaped", _json(SIGNED_URL), "f00ba4"),
    ("signed link, in a form", urlencode({"url": SIGNED_URL, "x": "1"}), "f00ba4"),
]


@pytest.mark.parametrize(
    ("written", "secret"),
    [(written, secret) for _, written, secret in SECRET_FORMS],
    ids=[name for name, _, _ in SECRET_FORMS],
)
@pytest.mark.parametrize("where", ["message", "traceback"])
def test_formatter_scrubs_every_form(written: str, secret: str, where: str) -> None:
    assert secret in written  # the case does carry what it means to
    formatter = RedactingFormatter(secrets=SECRETS)
    text = f"got {written} and more"
    record = _record("request: %s", text) if where == "message" else _failing_record(text)
    line = formatter.format(record)
    assert secret not in line
    assert "redacted" in line


def test_scrubbing_keeps_what_is_not_secret() -> None:
    assert redact(SIGNED_URL) == "https://s3.example/rec/v.mp4?[signed query redacted]"
    assert redact(RESPONSE_URL) == "https://hooks.slack.com/[redacted]"
    assert redact(f"/r/{LINK_TOKEN}/watch") == "/r/[redacted]/watch"
    assert redact(f"https://zoom.us/j/1?pwd={PASSCODE}&uname=a") == (
        "https://zoom.us/j/1?pwd=[redacted]&uname=a"
    )
    assert redact(f"text={quote('https://zoom.us/j/1?pwd=' + PASSCODE, safe='')}&user_id=U1") == (
        "text=https%3A%2F%2Fzoom.us%2Fj%2F1%3Fpwd=[redacted]&user_id=U1"
    )


@pytest.mark.parametrize(
    "message",
    [
        "recording 9bb3c0de-1111-2222-3333-444455556666: joining -> recording",
        "poll: 12 open, 3 due, 1 asked Recall",
        'HTTP Request: GET https://us-east-1.recall.ai/api/v1/bot/?status=active "HTTP/1.1 200 OK"',
        "ready notice for Ana Müller in #général \t(tab kept)",
        "/recall/webhook: delivery msg_2abc handled",
    ],
)
def test_ordinary_lines_are_unchanged(message: str) -> None:
    plain = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    record = _record("%s", message, name="bot.recorder")
    assert RedactingFormatter(secrets=SECRETS).format(record) == plain.format(record)


@pytest.mark.parametrize(
    ("control", "escaped"),
    [
        ("\n", "\\n"),
        ("\r", "\\r"),
        ("\r\n", "\\r\\n"),
        ("\x0b", "\\x0b"),
        ("\x0c", "\\x0c"),
        ("\x1b[2K\r", "\\x1b[2K\\r"),
        ("\x85", "\\x85"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
        ("\u202e", "\\u202e"),
        ("\x00", "\\x00"),
    ],
)
def test_control_characters_cannot_start_a_record(control: str, escaped: str) -> None:
    line = RedactingFormatter().format(_record("body: %s", f"a=1{control}{FORGED}"))
    assert line.splitlines() == [line]
    assert line.endswith(f"body: a=1{escaped}{FORGED}")


def test_traceback_stays_readable_but_cannot_forge_a_record() -> None:
    record = _failing_record(f"bad body\n{FORGED}\rmore")
    lines = RedactingFormatter().format(record).split("\n")
    assert RECORD_START.match(lines[0]) and lines[0].endswith("ERROR bot.test: step failed")
    assert lines[1] == TRACEBACK_INDENT + "Traceback (most recent call last):"
    assert all(line.startswith(TRACEBACK_INDENT) for line in lines[1:])
    assert f"{TRACEBACK_INDENT}{FORGED}\\rmore" in lines
    assert lines[-2:] == [
        f"{TRACEBACK_INDENT}ValueError: bad body",
        f"{TRACEBACK_INDENT}{FORGED}\\rmore",
    ]


def test_stack_info_is_indented_too() -> None:
    record = _record("where am I")
    record.stack_info = 'Stack (most recent call last):\n  File "x.py", line 1'
    lines = RedactingFormatter().format(record).split("\n")
    assert lines[1:] == [
        TRACEBACK_INDENT + "Stack (most recent call last):",
        TRACEBACK_INDENT + '  File "x.py", line 1',
    ]


def test_one_record_is_capped_with_a_marker() -> None:
    line = RedactingFormatter().format(_record("body: %s", "A" * 1_000_000))
    assert len(line) < MAX_MESSAGE_CHARS + 100
    assert line.endswith("characters in all]")
    assert "…[cut: 1000" in line


def test_control_characters_do_not_lift_the_cap() -> None:
    line = RedactingFormatter().format(_record("body: %s", "\x01" * 3000))
    assert len(line) < MAX_MESSAGE_CHARS + 100
    assert "…[cut:" in line


def test_a_traceback_is_capped_too() -> None:
    text = RedactingFormatter().format(_failing_record("B " * 500_000))
    assert len(text) < MAX_MESSAGE_CHARS + MAX_TRACEBACK_CHARS + 1000
    assert "…[cut:" in text.split("\n")[-1]


@pytest.mark.parametrize(
    ("secret_text", "secret"),
    [
        (RECALL_KEY, RECALL_KEY),
        (STATE_SECRET, STATE_SECRET),
        (quote(STATE_SECRET, safe=""), STATE_SECRET),
        (f"/r/{LINK_TOKEN}", LINK_TOKEN),
        (f"pwd={PASSCODE}", PASSCODE),
        (RESPONSE_URL, "HookSecret0123456789"),
        (SIGNED_URL, "X-Amz-Signature=f00ba4"),
        ("xoxb-1111-2222-abcdefABCDEF", "1111-2222-abcdefABCDEF"),
    ],
)
def test_the_cut_never_leaves_part_of_a_secret(secret_text: str, secret: str) -> None:
    formatter = RedactingFormatter("%(message)s", secrets=SECRETS)
    # Every place the cut can fall inside the secret's text.
    for inside in range(1, len(secret_text)):
        filler = "x" * (MAX_MESSAGE_CHARS - inside - 1) + " "
        line = formatter.format(_record("%s", f"{filler}{secret_text} tail {'y' * 10_000}"))
        assert line.startswith(filler.rstrip()) and "…[cut:" in line
        rest = line[len(filler) :].split("…[cut:")[0]
        pieces = {secret[i : i + 4] for i in range(len(secret) - 3)}
        assert not any(piece in rest for piece in pieces), (inside, rest)


def test_an_unformattable_call_still_gives_one_scrubbed_line() -> None:
    line = RedactingFormatter(secrets=SECRETS).format(_record("%s and %s", RECALL_KEY))
    assert RECALL_KEY not in line and line.splitlines() == [line]
    assert "unformattable" in line


@pytest.mark.parametrize(
    ("name", "level", "at_info", "at_debug"),
    [
        ("bot.recorder", logging.INFO, True, True),
        ("uvicorn.error", logging.INFO, True, True),
        ("slack_app.py:on_record", logging.WARNING, True, True),
        ("httpx", logging.INFO, False, True),
        ("httpcore.connection", logging.DEBUG, False, True),
        ("apscheduler.scheduler", logging.INFO, False, True),
        ("slack_bolt.RequestVerification", logging.INFO, False, False),
        ("slack_bolt.App", logging.DEBUG, False, False),
        ("slack_sdk.web.base_client", logging.DEBUG, False, False),
        ("uvicorn.access", logging.INFO, False, False),
        ("slack_bolt.App", logging.WARNING, True, True),
        ("httpx", logging.ERROR, True, True),
        ("slack_boltish", logging.INFO, True, True),
    ],
)
def test_library_filter(name: str, level: int, at_info: bool, at_debug: bool) -> None:
    record = _record("x", name=name, level=level)
    assert LibraryFilter(debug=False).filter(record) is at_info
    assert LibraryFilter(debug=True).filter(record) is at_debug


@pytest.fixture
def root_log() -> Iterator[None]:
    """Put the root logger and the libraries' loggers back as they were."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    levels = {name: logging.getLogger(name).level for name in _library_logger_names()}
    yield
    root.handlers, root.level = saved
    for name in _library_logger_names():
        logging.getLogger(name).setLevel(levels.get(name, logging.NOTSET))


def _library_logger_names() -> list[str]:
    """Every logger that exists under a library's name, child loggers included."""
    existing = list(logging.root.manager.loggerDict)
    return [
        name
        for name in {*QUIET_LOGGERS, *existing}
        if any(name == p or name.startswith(p + ".") for p in QUIET_LOGGERS)
    ]


@pytest.mark.usefixtures("root_log")
@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_library_request_dumps_are_silenced_whatever_level_their_loggers_have(level: str) -> None:
    configure_logging(level, ())
    output = io.StringIO()
    logging.getLogger().handlers[0].setStream(output)  # type: ignore[attr-defined]
    # What Bolt does to each of its loggers: a level of its own, copied from the root.
    child = logging.getLogger("slack_bolt.RequestVerification")
    child.setLevel(logging.DEBUG)
    child.info("Invalid request signature detected (body: %s)", "text=hello")
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    logging.getLogger("httpx").info("HTTP Request: GET http://x/")
    logging.getLogger("bot.test").info("ours")
    text = output.getvalue()
    assert "hello" not in text
    assert ("HTTP Request" in text) is (level == "DEBUG")
    assert "INFO bot.test: ours" in text


@pytest.fixture
def app_log(app: App, root_log: None) -> io.StringIO:
    """The app's own log set-up at DEBUG, with every library's logger (Bolt's child loggers,
    created with the app, included) turned up to DEBUG to make it hard."""
    configure_logging("DEBUG", app.runtime.settings.secrets())
    for name in _library_logger_names():
        logging.getLogger(name).setLevel(logging.DEBUG)
    output = io.StringIO()
    logging.getLogger().handlers[0].setStream(output)  # type: ignore[attr-defined]
    return output


def test_happy_path_logs_no_secret(app: App, app_log: io.StringIO) -> None:
    app.command("https://zoom.us/j/81234567890?pwd=passcode99")
    app.wait_idle()
    app.recall.run_meeting(app.recording().recall.bot_id)
    app.poll()
    download_url = app.status()["blocks"][0]["accessory"]["url"]
    signature = download_url.split("X-Amz-Signature=")[1]

    text = app_log.getvalue()
    assert "ready notice delivered" in text  # the log did capture the run
    assert "HTTP Request: POST" in text  # ...including httpx's lines, shown at DEBUG
    assert "Sending a request" not in text  # ...but not slack_sdk's request dumps
    for secret in (
        app.slack.bot_token,
        SIGNING_SECRET,
        app.recall.api_key,
        signature,
        "passcode99",
    ):
        assert secret not in text


def test_transcript_downloads_log_no_signed_link(app: App, app_log: io.StringIO) -> None:
    from tests.transcripts import record_meeting

    record_meeting(app)
    downloads = app.recall.requests_to("GET", r"^/media/docs/")
    signatures = [d.query["X-Amz-Signature"][0] for d in downloads]

    text = app_log.getvalue()
    assert "transcript stored" in text and "HTTP Request: GET" in text
    assert signatures and not any(signature in text for signature in signatures)


def test_uvicorn_lines_are_not_labelled_errors(app: App, app_log: io.StringIO) -> None:
    logging.getLogger("uvicorn.error").info("Started server process [1]")
    assert "INFO uvicorn: Started server process [1]" in app_log.getvalue()
    assert "uvicorn.error" not in app_log.getvalue()


def _hostile_body() -> str:
    """A slash command's form body carrying every kind of secret, then a forged log line."""
    text = (
        f"https://rec.example.com/r/{LINK_TOKEN}/watch "
        f"https%3A%2F%2Frec.example.com%2Fr%2F{LINK_TOKEN} "
        f"https://zoom.us/j/81234567890?pwd={PASSCODE}"
    )
    return slash_command_body(text, response_url=RESPONSE_URL) + f"\n{FORGED}\r\n{FORGED}"


def _unsigned_headers(body: str, how: str) -> dict[str, str]:
    if how == "no signature":
        return {"Content-Type": "application/x-www-form-urlencoded"}
    return signed_headers("not-the-signing-secret", body)


def _assert_every_line_is_a_record_or_indented(text: str) -> None:
    for line in text.splitlines():
        assert RECORD_START.match(line) or line.startswith(TRACEBACK_INDENT), line


def _scrubbing_alone() -> None:
    """Let every library record through, to show the formatter holds on its own."""
    handler = logging.getLogger().handlers[0]
    handler.filters = [f for f in handler.filters if not isinstance(f, LibraryFilter)]


@pytest.mark.parametrize("layers", ["all rules", "scrubbing alone"])
@pytest.mark.parametrize("how", ["no signature", "wrong signature"])
def test_unsigned_request_leaks_nothing_and_forges_no_line(
    app: App, app_log: io.StringIO, how: str, layers: str
) -> None:
    if layers == "scrubbing alone":
        _scrubbing_alone()
    body = _hostile_body()
    response = httpx.post(
        f"{app.url}/slack/events", content=body, headers=_unsigned_headers(body, how), timeout=5
    )
    assert response.status_code == 401
    logging.getLogger("bot.test").info("after the request")  # the log is being captured

    text = app_log.getvalue()
    assert "INFO bot.test: after the request" in text
    for secret in (LINK_TOKEN, PASSCODE, "HookSecret0123456789", SIGNING_SECRET):
        assert secret not in text
    assert not any(line.startswith(FORGED) for line in text.splitlines())
    _assert_every_line_is_a_record_or_indented(text)


@pytest.mark.parametrize("layers", ["all rules", "scrubbing alone"])
def test_large_unsigned_posts_barely_grow_the_log(
    app: App, app_log: io.StringIO, layers: str
) -> None:
    if layers == "scrubbing alone":
        _scrubbing_alone()
    body = urlencode({"token": "x", "text": "A" * 1_000_000}) + f"\n{FORGED}"
    before = len(app_log.getvalue())
    for _ in range(5):
        response = httpx.post(
            f"{app.url}/slack/events",
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=10,
        )
        assert response.status_code == 401
    assert len(app_log.getvalue()) - before < 64_000
