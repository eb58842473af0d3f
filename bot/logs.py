"""Logging set-up, with secrets scrubbed from every line as a last line of defence.

We never log tokens, keys or signed links on purpose; the formatter also redacts them in case
a library's message or an exception's text carries one.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

_PATTERNS = (
    (re.compile(r"xox[a-z]-[A-Za-z0-9-]+"), "xox…[redacted]"),
    (re.compile(r"xapp-[A-Za-z0-9-]+"), "xapp-[redacted]"),
    (re.compile(r"whsec_[A-Za-z0-9+/=]+"), "whsec_[redacted]"),
    # Pre-signed media links: keep where they point, drop the signature.
    (
        re.compile(r"(https?://[^\s?\"']+)\?[^\s\"']*(?:X-Amz-|Signature=|Expires=)[^\s\"']*"),
        r"\1?[signed query redacted]",
    ),
    (re.compile(r"https://hooks\.slack\.com/\S+"), "https://hooks.slack.com/[redacted]"),
)

# Libraries that would otherwise log request URLs/bodies or a line per poll at INFO.
QUIET_LOGGERS = ("httpx", "httpcore", "slack_sdk", "slack_bolt", "apscheduler", "urllib3")


def _uvicorn_name(record: logging.LogRecord) -> bool:
    """uvicorn names its general log "uvicorn.error"; shown as "uvicorn", so that "Started
    server process" does not read as an error."""
    if record.name == "uvicorn.error":
        record.name = "uvicorn"
    return True


class RedactingFormatter(logging.Formatter):
    def __init__(self, fmt: str | None = None, secrets: Iterable[str] = ()):
        super().__init__(fmt or "%(asctime)s %(levelname)s %(name)s: %(message)s")
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        text = text.replace(secret, "[redacted]")
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def configure_logging(level: str, secrets: Iterable[str]) -> RedactingFormatter:
    formatter = RedactingFormatter(secrets=secrets)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(_uvicorn_name)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return formatter
