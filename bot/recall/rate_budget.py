"""Staying inside Recall's rate limits, for every call the process makes.

Recall limits each workspace per endpoint (the `x-throttles` of its API description): create
60/min, list 60/min, the per-bot calls (retrieve, leave, delete) 300/min; all bots of the
workspace share them. A token bucket per endpoint class keeps us under a share of each (80% by
default), however many bots are open: a poll that finds the bucket empty defers the rest of its
checks instead of collecting 429s. A 429 that happens anyway empties that bucket for the
Retry-After it carried.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# Recall's documented base limits, calls per minute per workspace.
LIMITS_PER_MINUTE = {"create": 60, "list": 60, "retrieve": 300}


class TokenBucket:
    def __init__(self, per_minute: float, capacity: float, clock: Callable[[], float]):
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, capacity)
        self._tokens = self.capacity
        self._clock = clock
        self._updated = clock()
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def wait_time(self, keep: float = 0.0) -> float:
        """Seconds until a token is free (0 if one is free now), leaving `keep` in the bucket."""
        with self._lock:
            now = self._refill()
            if now < self._paused_until:
                return self._paused_until - now
            needed = 1 + self._keep(keep)
            return 0.0 if self._tokens >= needed else (needed - self._tokens) / self.rate

    def remaining(self) -> float:
        """The share of the bucket free now, 0 to 1 (0 while Recall's Retry-After lasts)."""
        with self._lock:
            now = self._refill()
            return 0.0 if now < self._paused_until else self._tokens / self.capacity

    def paused(self) -> bool:
        """Still inside a Retry-After that Recall gave us?"""
        with self._lock:
            return self._refill() < self._paused_until

    def try_take(self, keep: float = 0.0) -> bool:
        """Take a token if one is free beyond the `keep` that must stay for other work."""
        with self._lock:
            now = self._refill()
            if now < self._paused_until or self._tokens < 1 + self._keep(keep):
                return False
            self._tokens -= 1
            return True

    def _keep(self, keep: float) -> float:
        # Never more than the bucket can hold beside the token being taken.
        return max(0.0, min(keep, self.capacity - 1))

    def pause(self, seconds: float) -> None:
        """Recall said 429: nobody calls this endpoint class for `seconds`."""
        with self._lock:
            now = self._refill()
            self._paused_until = max(self._paused_until, now + seconds)
            self._tokens = 0.0

    def _refill(self) -> float:
        now = self._clock()
        # A clock that steps back (NTP, a test) refills nothing rather than draining the
        # bucket, and a pause keeps the time it had left. Nothing refills during a pause:
        # after Recall's 429 the bucket starts again from empty.
        if now < self._updated:
            self._paused_until -= self._updated - now
        if self._updated < self._paused_until <= now:
            self._tokens = max(self._tokens, 1.0)  # the pause is over: one call may try again
        refill_from = max(self._updated, min(now, self._paused_until))
        self._tokens = min(self.capacity, self._tokens + max(0.0, now - refill_from) * self.rate)
        self._updated = now
        return now


class RateBudget:
    """One bucket per endpoint class, at `share` of Recall's limits."""

    def __init__(
        self,
        share: float = 0.8,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.share = share
        self._sleep = sleep
        # Any 60 s window sees at most capacity + a minute of refill; with the capacity set to
        # the headroom we leave, (1 - share) * limit, that is never more than Recall's limit.
        self.buckets = {
            # `limit - limit * share`, not `limit * (1 - share)`: 60 * (1 - 0.8) is
            # 11.999999999999996 in floating point, one call short.
            kind: TokenBucket(limit * share, limit - limit * share, clock)
            for kind, limit in LIMITS_PER_MINUTE.items()
        }

    def take(self, kind: str, wait: float = 0.0, keep: float = 0.0) -> float | None:
        """Take a token, waiting up to `wait` seconds; None on success, else the seconds
        until one would be free (the caller reschedules instead of calling Recall). `keep`
        tokens stay in the bucket for other work: a long walk through many pages uses it, so
        the poller still finds a call's worth when it needs one."""
        bucket = self.buckets[kind]
        waited = 0.0
        while not bucket.try_take(keep):
            delay = bucket.wait_time(keep)
            if waited + delay > wait:
                return max(delay, 0.01)
            self._sleep(delay)
            waited += delay
        return None

    def pause(self, kind: str, seconds: float) -> None:
        self.buckets[kind].pause(seconds)

    def paused(self, kind: str) -> bool:
        return self.buckets[kind].paused()

    def remaining(self, kind: str) -> float:
        return self.buckets[kind].remaining()
