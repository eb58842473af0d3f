"""`LOG_FORMAT=json`: one JSON object per line, for hosts that index logs.

    {"time": "2026-12-02T07:11:47.123Z", "level": "INFO", "logger": "bot.workflow.following",
     "message": "recording 9bb3…: joining -> recording"}

Each field obeys the rules of bot/app/logs.py, by the same code: the message is cut, scrubbed of
secrets and its control characters escaped exactly as a text line's is; a traceback goes in
`exception`, scrubbed, its own lines kept and each line escaped. `ensure_ascii` keeps the object
on one line whatever the text holds.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from bot.app.logs import RedactingFormatter


class JsonLinesFormatter(RedactingFormatter):
    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception as exc:  # a bad log call must still give one safe line
            message = f"{record.msg!s} {record.args!r} (unformattable: {exc!r})"
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": self._clean(record.name, self.max_message_chars),
            "message": self._clean(message, self.max_message_chars),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        blocks = [record.exc_text, record.stack_info and self.formatStack(record.stack_info)]
        trace = "".join(
            self._clean(block, self.max_traceback_chars, indent="") for block in blocks if block
        )
        if trace:
            entry["exception"] = trace.removeprefix("\n")
        return json.dumps(entry, ensure_ascii=True)
