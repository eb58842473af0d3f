"""Logging set-up: one line per record, no secret in any line, no record longer than a few KB.

We never log tokens, keys or signed links on purpose. The handler that `configure_logging`
installs on the root logger enforces four rules on every record, whoever logged it, because a
library's message or an exception's text can carry anything, including what an attacker sent:

1. **Libraries.** Records from the libraries in `QUIET_LOGGERS` (and from every child logger
   under them, whatever level a library sets on its own loggers: Bolt copies the root's level
   onto each of its loggers) are shown at WARNING and above only, unless `LOG_LEVEL` is DEBUG.
   The libraries in `BODY_LOGGERS` print the bodies of HTTP requests and answers below WARNING
   (what reached `/slack/events`, signed or not; what we sent Slack and what it answered), or
   request paths that carry link tokens. Those records are dropped at every level, DEBUG
   included: a body holds response_urls, what people typed and whatever an attacker chose, and
   the scrubbing below is a last line of defence, not a licence to log it.
2. **Secrets.** Every line is scrubbed of: the configured secrets (tokens, keys, signing
   secrets), as written, percent-encoded once or twice, JSON-escaped, and base64-encoded (also
   inside longer base64, as in a Basic authorization header); Slack tokens (`xox…-`, `xapp-`),
   Recall webhook secrets (`whsec_`), an authorization header's value, JWTs; and, written
   plainly, JSON-escaped (`\\/`) or percent-encoded: link tokens (`/r/<token>`), passcodes
   (`pwd=`, `passcode=`, `password=`), response_urls, signed links' queries, query tokens.
3. **One record, one line.** Control characters (CR, LF, the other C0 and C1 codes, DEL),
   Unicode line and paragraph separators, direction overrides and lone surrogates are written
   as escapes (`\\n`, `\\x1b`, `\\u2028`); only the tab is kept. A traceback or stack keeps its
   lines, but each is indented, so a line that starts with a timestamp is always a new record.
4. **Length.** The record's line is cut after `MAX_MESSAGE_CHARS` characters and a traceback
   after `MAX_TRACEBACK_CHARS`, with a marker giving the full length. The cut is made before
   scrubbing, and drops the unfinished word it lands in, so it never leaves half a secret for
   the scrubber to miss.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from bot.app.redaction import Redactor, escape_controls

DEFAULT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Libraries that would otherwise log request URLs/bodies or a line per poll at INFO.
QUIET_LOGGERS = (
    "httpx",
    "httpcore",
    "slack_sdk",
    "slack_bolt",
    "apscheduler",
    "urllib3",
    "uvicorn.access",
)
# Of those, the ones whose records below WARNING print HTTP bodies or link-token paths.
BODY_LOGGERS = ("slack_sdk", "slack_bolt", "uvicorn.access")

MAX_MESSAGE_CHARS = 4000
MAX_TRACEBACK_CHARS = 16000
TRACEBACK_INDENT = "    "


class RedactingFormatter(logging.Formatter):
    """The usual `time LEVEL logger: message` line, made safe by rules 2 to 4 of this module."""

    def __init__(
        self,
        fmt: str | None = None,
        secrets: Iterable[str] = (),
        *,
        max_message_chars: int = MAX_MESSAGE_CHARS,
        max_traceback_chars: int = MAX_TRACEBACK_CHARS,
    ) -> None:
        super().__init__(fmt or DEFAULT_FORMAT)
        self.redactor = Redactor(secrets)
        self.max_message_chars = max_message_chars
        self.max_traceback_chars = max_traceback_chars

    def format(self, record: logging.LogRecord) -> str:
        try:
            record.message = record.getMessage()
        except Exception as exc:  # a bad log call must still give one safe line
            # logging's own report of this would print the arguments unscrubbed.
            record.message = f"{record.msg!s} {record.args!r} (unformattable: {exc!r})"
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        line = self._clean(self.formatMessage(record), self.max_message_chars)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        for block in (record.exc_text, record.stack_info and self.formatStack(record.stack_info)):
            if block:
                line += self._clean(block, self.max_traceback_chars, indent=TRACEBACK_INDENT)
        return line

    def _clean(self, text: str, limit: int, *, indent: str | None = None) -> str:
        """`text` cut, scrubbed and escaped; with `indent`, as lines that each start with it."""
        total = len(text)
        cut = total > limit
        if cut:
            text = self.redactor.cut(text, limit)
        text = self.redactor(text)
        if indent is None:
            text = escape_controls(text)
        else:
            text = "".join(f"\n{indent}{escape_controls(part)}" for part in text.split("\n"))
        if len(text) > limit:  # escapes and indents are longer than what they stand for
            text, cut = text[:limit], True
        if cut:
            text += f" …[cut: {total} characters in all]"
        return text


class LibraryFilter(logging.Filter):
    """Rule 1 of this module: what libraries may show below WARNING, decided on the handler
    because the levels libraries set on their own loggers cannot be relied on."""

    def __init__(self, debug: bool) -> None:
        super().__init__()
        self.debug = debug
        self._verdicts: dict[str, bool] = {}  # logger name -> may show records below WARNING

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        verdict = self._verdicts.get(record.name)
        if verdict is None:
            verdict = self._verdicts[record.name] = self._may_show_detail(record.name)
        return verdict

    def _may_show_detail(self, name: str) -> bool:
        def under(prefixes: tuple[str, ...]) -> bool:
            return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)

        if under(BODY_LOGGERS):
            return False
        return self.debug or not under(QUIET_LOGGERS)


def _uvicorn_name(record: logging.LogRecord) -> bool:
    """uvicorn names its general log "uvicorn.error"; shown as "uvicorn", so that "Started
    server process" does not read as an error."""
    if record.name == "uvicorn.error":
        record.name = "uvicorn"
    return True


def configure_logging(
    level: str, secrets: Iterable[str], formatter_class: type[RedactingFormatter] | None = None
) -> RedactingFormatter:
    """Send every record to stderr through the rules of this module; `level` is LOG_LEVEL."""
    formatter = (formatter_class or RedactingFormatter)(secrets=secrets)
    root = logging.getLogger()
    root.setLevel(level)
    debug = root.getEffectiveLevel() <= logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(LibraryFilter(debug))
    handler.addFilter(_uvicorn_name)
    root.handlers = [handler]
    for name in QUIET_LOGGERS:
        # Saves building records the filter would drop; the filter is what guarantees it.
        shown = debug and name not in BODY_LOGGERS
        logging.getLogger(name).setLevel(logging.NOTSET if shown else logging.WARNING)
    return formatter
