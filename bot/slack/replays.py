"""Each Slack request is acted on once.

Slack's signature proves a request came from Slack, not that it is new: whoever captured a
signed request can send it again, and it passes the signature check for as long as its
timestamp is within Slack's 5 minutes. A replayed `/record` would then send a second bot once
the first recording ended. So every request's key is remembered (`slack_requests`, see
bot/migrations.py), and a request whose key was seen before is acknowledged and dropped.

The key is what Slack makes unique per request: a slash command's or an interaction's
`trigger_id`, an event's `event_id` (Slack's own retries of an event reuse it, and are dropped
too). Anything carrying neither is keyed by its exact signed content (timestamp and body),
which a replay must repeat to pass the signature check.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

# Slack's ids are far shorter; a longer value is stored by its digest so rows stay small.
_LONGEST_KEY = 200


def request_key(
    body: Mapping[str, Any], headers: Mapping[str, Sequence[str]], raw_body: str
) -> str:
    """The key that names this request among all Slack sends us."""
    for field, kind in (("trigger_id", "trigger"), ("event_id", "event")):
        value = body.get(field)
        if isinstance(value, str) and value:
            return f"{kind}:{_bounded(value)}"
    stamp = next(iter(headers.get("x-slack-request-timestamp", ())), "")
    content = raw_body or json.dumps(body, sort_keys=True)  # Socket Mode has no raw body
    return "content:" + hashlib.sha256(f"{stamp}\n{content}".encode()).hexdigest()


def _bounded(value: str) -> str:
    if len(value) <= _LONGEST_KEY:
        return value
    return "sha256-" + hashlib.sha256(value.encode()).hexdigest()
