"""Scripted and random faults shared by the local fakes.

A ``FaultPlan`` holds one-shot rules ("the next 2 POSTs to /api/v1/bot/ answer 507") and an
optional random fault rate for soak/fault-injection suites. It is not locked itself: each fake
calls it while holding its own lock.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class CannedResponse:
    """A complete HTTP answer given instead of the fake's normal handling."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Rule:
    """Applies to the next ``times`` requests whose method and target match.

    ``method`` is an HTTP method (or a Slack method name's HTTP-agnostic ``"*"``); ``pattern`` is
    searched in the target (a URL path for Recall, an API method name for Slack). With
    ``response`` None the rule only delays, then the request is handled normally.

    ``after`` (a "lost response"; only FakeSlack honours it) handles the request normally first,
    so its effects happen, then sleeps ``delay`` and answers ``response`` instead of the real
    answer, as if that was lost on the way back.
    """

    method: str
    pattern: re.Pattern[str]
    times: int
    delay: float = 0.0
    response: CannedResponse | None = None
    after: bool = False

    def matches(self, method: str, target: str) -> bool:
        method_ok = self.method == "*" or self.method.upper() == method.upper()
        return method_ok and self.pattern.search(target) is not None


class FaultPlan:
    """Ordered one-shot rules plus a random fault rate (``rate`` in [0, 1])."""

    def __init__(self, rate: float = 0.0, seed: int | None = None) -> None:
        self.rate = rate
        self.rules: list[Rule] = []
        # A seeded generator makes a fault-injection run reproducible.
        self._random = random.Random(seed)

    def add(self, rule: Rule) -> None:
        if rule.times < 1:
            raise ValueError("times must be >= 1")
        if rule.after and rule.response is None:
            raise ValueError("an after rule needs a response to answer")
        self.rules.append(rule)

    def take(self, method: str, target: str) -> Rule | None:
        """Consume one use of the first matching rule (first added wins)."""
        for rule in self.rules:
            if rule.matches(method, target):
                rule.times -= 1
                if rule.times == 0:
                    self.rules.remove(rule)
                return rule
        return None

    def reseed(self, seed: int) -> None:
        """Restart the random sequence, so a fault-injection run can be replayed."""
        self._random.seed(seed)

    def roll(self) -> bool:
        """True when a random fault should hit this request."""
        return self.rate > 0 and self._random.random() < self.rate

    def choose(self, options: list[T]) -> T:
        return self._random.choice(options)

    def clear(self) -> None:
        self.rules.clear()
