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
   inside a longer base64 text, as in a Basic authorization header); Slack tokens (`xox…-`,
   `xapp-`), Recall webhook secrets (`whsec_`), the value of an authorization header; and,
   written plainly, JSON-escaped (`\\/`) or percent-encoded once or twice: recording link
   tokens (`/r/<token>`), meeting passcodes (`pwd=`, `passcode=`, `password=`), Slack
   response_urls (`hooks.slack.com/…`), and the query of pre-signed media links.
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

import base64
import json
import logging
import re
import sys
from collections.abc import Callable, Iterable
from urllib.parse import quote, quote_plus

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

REDACTED = "[redacted]"

# A slash and an equals sign as they are written plainly, JSON-escaped (`\/`, at any depth) or
# percent-encoded once or more (`%2F`, `%252F`, ...).
_SLASH = r"(?:\\*/|%(?:25)*2[Ff])"
_EQUALS = r"(?:=|%(?:25)*3[Dd])"

# Each entry: substrings one of which a line must hold for the pattern to be worth running
# (an `in` test is far cheaper than a regex pass, and almost every line holds none); whether
# it must run anyway on a line holding `%` or `\` (its anchor may be encoded); the pattern;
# and its replacement.
_Replacement = str | Callable[[re.Match[str]], str]
_PATTERNS: tuple[tuple[tuple[str, ...], bool, re.Pattern[str], _Replacement], ...]

_SIGNED_MARK = re.compile(r"(?i)x-amz-|x-goog-|signature|expires|key-pair-id")


def _signed_query(match: re.Match[str]) -> str:
    """A query is dropped whole when it signs the link: the link is a bearer credential."""
    query = match.group()
    return "?[signed query redacted]" if _SIGNED_MARK.search(query) else query


_PATTERNS = (
    (("xox",), False, re.compile(r"xox[a-z]-[A-Za-z0-9-]+"), "xox…[redacted]"),
    (("xapp-",), False, re.compile(r"xapp-[A-Za-z0-9-]+"), "xapp-[redacted]"),
    (("whsec_",), False, re.compile(r"whsec_[A-Za-z0-9+/=%\\]+"), "whsec_[redacted]"),
    (
        ("uthorization", "UTHORIZATION"),
        False,
        re.compile(
            r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?(?:bearer|token|basic)\s+)[^\s\"',}]+"
        ),
        r"\1[redacted]",
    ),
    # A response_url lets whoever holds it post into the channel for 30 minutes.
    (
        ("hooks.slack",),
        False,
        re.compile(r"(hooks\.slack(?:-gov)?\.com)" + _SLASH + r"[^\s\"'<>&|]*"),
        r"\1/[redacted]",
    ),
    # A recording's link token is all it takes to watch the recording.
    (
        ("r/",),
        True,
        re.compile(_SLASH + "r" + _SLASH + r"[A-Za-z0-9_-]+"),
        "/r/[redacted]",
    ),
    # A meeting link's passcode lets anyone with the link into the meeting.
    (
        ("pwd", "pass"),
        False,
        re.compile(r"(pwd|passcode|password)" + _EQUALS + r"[^\s&\"'<>#\\]+"),
        r"\1=[redacted]",
    ),
    # Pre-signed media links: keep where they point, drop the query. A percent-encoded query
    # ends at a plain `&`, the next field of the form it was encoded into.
    (
        ("?",),
        True,
        re.compile(r"\?[^\s\"'<>]*|%(?:25)*3[Ff][^\s\"'<>&]*"),
        _signed_query,
    ),
)

# Where a secret cannot continue: a cut made inside a run of anything else may have split one.
_UNFINISHED_WORD = re.compile(r"[^\s\"'<>]*")
_BOUNDARY = re.compile(r"[\s\"'<>]")
_ENCODED = re.compile(r"[%\\]")


def _escape(code: int) -> str:
    return {0x0A: "\\n", 0x0D: "\\r"}.get(code) or (
        f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    )


# Every character that could end a line, or fake one on a terminal: C0 controls but the tab,
# DEL and C1 controls, the line and paragraph separators, direction marks and overrides, the
# byte-order mark, and lone surrogates.
_ESCAPES = {
    code: _escape(code)
    for code in (
        *range(0x00, 0x09),
        *range(0x0A, 0x20),
        *range(0x7F, 0xA0),
        0x200E,
        0x200F,
        0x2028,
        0x2029,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0xFEFF,
        *range(0xD800, 0xE000),
    )
}


def escape_controls(text: str) -> str:
    """`text` with every character that could end a line, or fake one on a terminal, escaped."""
    if text.isprintable():  # none of them is printable: the common case costs one scan
        return text
    return text.translate(_ESCAPES)


def secret_forms(secret: str) -> set[str]:
    """The ways `secret` can be written into a log line: as is, percent-encoded (once or twice,
    either hex case, with or without `/` kept), JSON-escaped, and base64-encoded at each of the
    three byte offsets it may have inside a longer base64 text."""
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    forms |= {form.replace("/", "\\/") for form in forms}
    for upper in (quote(secret, safe=""), quote(secret, safe="/"), quote_plus(secret)):
        for once in (upper, _lower_hex(upper)):
            forms |= {once, quote(once, safe="")}
    raw = secret.encode()
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + raw).decode()
        # Only the characters that depend on the secret's bytes alone: the first ones mix in
        # what came before it, the last ones what comes after.
        core = encoded[-(-8 * offset // 6) : 8 * (offset + len(raw)) // 6]
        if len(core) >= 6:
            forms |= {core, core.replace("+", "-").replace("/", "_")}
    return forms


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), text)


class Redactor:
    """Scrubs secrets from text: the configured ones in all their forms, and the patterns above.

    Build one per set of secrets and reuse it: working out the forms costs more than a line.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if len(secret) >= 6:  # shorter would match ordinary words
                forms |= secret_forms(secret)
        # Longest first, so a form that contains another is replaced whole. Encoded forms can
        # only be in a line that holds `%` or `\`, which few do.
        ordered = sorted(forms, key=len, reverse=True)
        self._encoded_forms = [form for form in ordered if _ENCODED.search(form)]
        self._plain_forms = [form for form in ordered if not _ENCODED.search(form)]
        # Forms a cut could split without landing in an unfinished word (they hold a space or a
        # quote); almost never any.
        self._spaced_forms = [form for form in ordered if _BOUNDARY.search(form)]

    def __call__(self, text: str) -> str:
        encoded = "%" in text or "\\" in text
        if encoded:
            for form in self._encoded_forms:
                if form in text:
                    text = text.replace(form, REDACTED)
        for form in self._plain_forms:
            if form in text:
                text = text.replace(form, REDACTED)
        for triggers, run_if_encoded, pattern, replacement in _PATTERNS:
            if encoded and run_if_encoded:
                text = pattern.sub(replacement, text)
                continue
            for trigger in triggers:
                if trigger in text:
                    text = pattern.sub(replacement, text)
                    break
        return text

    def cut(self, text: str, limit: int) -> str:
        """The first `limit` characters of `text`, less any unfinished word at the end, so that no
        part of a secret is left behind where the scrubber would no longer recognise it."""
        head = text[:limit]
        unfinished = _UNFINISHED_WORD.match(head[::-1])
        head = head[: len(head) - (unfinished.end() if unfinished else 0)]
        for form in self._spaced_forms:
            for length in range(len(form) - 1, 0, -1):
                if head.endswith(form[:length]):
                    head = head[:-length]
                    break
        return head


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` scrubbed of `secrets` (in all their forms) and of every pattern in the rules."""
    return Redactor(secrets)(text)


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
