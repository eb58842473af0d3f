"""Capabilities that can appear in a log line and must not survive in it (bot/app/logs.py runs
these with its own patterns): whoever holds one can act with it.

- a query value named `token`, `*_token`, `code` or `state` (plainly or with a percent-encoded
  `=`): a recording's callback token (Recall's calls to /recall/realtime and /zoom/obf), a Zoom
  connect link's token, an OAuth authorization code or state, an access or refresh token;
- a JSON Web Token anywhere, as Zoom's access, refresh and on-behalf-of tokens are.

Each entry has logs.py's shape: trigger substrings, whether to run on any encoded line, the
pattern, and the replacement.
"""

from __future__ import annotations

import re

_EQUALS = r"(?:=|%(?:25)*3[Dd])"

CAPABILITY_PATTERNS: tuple[tuple[tuple[str, ...], bool, re.Pattern[str], str], ...] = (
    (
        ("token", "code", "state", "TOKEN", "CODE", "STATE"),
        False,
        re.compile(r"(?i)([a-z_]*token|code|state)" + _EQUALS + r"[^\s&\"'<>#\\]+"),
        r"\1=[redacted]",
    ),
    (
        ("eyJ",),
        False,
        re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
        "eyJ…[redacted]",
    ),
)
