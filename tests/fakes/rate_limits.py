"""Recall-style rate limiting for FakeRecall: calls per minute per endpoint class, per workspace.

Recall limits each workspace per endpoint: Create Bot, List Bots, and the per-bot calls each
have their own allowance. ``RateLimiter`` keeps a sliding 60-second window of accepted calls per
class; a call over the limit is refused with how long until the window frees a slot. Refused
calls do not count (Django REST framework's throttles record only accepted requests). Like
``FaultPlan`` it is not locked itself: the fake calls it under its own lock.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0
CREATE_PATH = "/api/v1/bot/"


def endpoint_class(method: str, path: str) -> str | None:
    """``create`` (POST /api/v1/bot/), ``list`` (GET /api/v1/bot/), ``retrieve`` (any other
    /api/ call); None for what is not rate limited (the media downloads)."""
    if not path.startswith("/api/"):
        return None
    if path == CREATE_PATH and method.upper() == "POST":
        return "create"
    if path == CREATE_PATH and method.upper() == "GET":
        return "list"
    return "retrieve"


class RateLimiter:
    """Sliding-window limits: ``limits`` = calls per minute by endpoint class (None: no limits;
    a class it does not name is unlimited). ``throttled`` counts the refusals by class."""

    def __init__(self, limits: dict[str, int] | None, clock: Callable[[], float]) -> None:
        self.limits = limits
        self.clock = clock
        self.throttled: Counter[str] = Counter()
        self._calls: dict[str, deque[float]] = {}

    def admit(self, kind: str) -> float | None:
        """Count one call of ``kind``; None if it may go, else seconds until a slot is free."""
        limit = (self.limits or {}).get(kind)
        if limit is None:
            return None
        now = self.clock()
        calls = self._calls.setdefault(kind, deque())
        # A call leaves the window WINDOW_SECONDS after it was made. A clock that stepped back
        # keeps every call it has seen (a stricter window, never a laxer one).
        while calls and calls[0] <= now - WINDOW_SECONDS:
            calls.popleft()
        if len(calls) < limit:
            calls.append(now)
            return None
        self.throttled[kind] += 1
        if limit <= 0:
            return WINDOW_SECONDS
        return max(0.0, calls[len(calls) - limit] + WINDOW_SECONDS - now)

    def in_window(self, kind: str) -> int:
        """Calls of ``kind`` accepted within the last WINDOW_SECONDS."""
        now = self.clock()
        return sum(1 for at in self._calls.get(kind, ()) if at > now - WINDOW_SECONDS)


def retry_after_header(seconds: float) -> str:
    """Whole seconds, rounded up, at least 1 (a Retry-After of 0 invites a busy loop)."""
    return str(max(1, math.ceil(seconds - 1e-9)))
