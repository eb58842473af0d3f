"""Scrubbing text of secrets, and escaping control characters, for log lines (rules 2 and 3
of bot/app/logs.py, which says why)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable
from urllib.parse import quote, quote_plus

from bot.app.log_capabilities import CAPABILITY_PATTERNS

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
    *CAPABILITY_PATTERNS,
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
