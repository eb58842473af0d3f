"""The rate budget's reserve: a long walk through List Bots pages leaves calls for the poller,
and the share left is what /metrics shows."""

from __future__ import annotations

from bot.recall.rate_budget import RateBudget


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_walk_that_keeps_a_reserve_leaves_it_for_others() -> None:
    clock = Clock()
    budget = RateBudget(0.8, clock=clock)  # list: 48 a minute, a burst of 12
    taken = 0
    while budget.take("list", keep=4) is None:
        taken += 1
    assert taken == 8
    assert budget.take("list") is None  # the poller still gets its calls
    assert round(budget.remaining("list"), 2) == round(3 / 12, 2)
    delay = budget.take("list", keep=4)
    assert delay is not None and round(delay, 2) == round(2 / 0.8, 2)  # until 5 are free


def test_remaining_is_nothing_while_recall_asks_us_to_wait() -> None:
    clock = Clock()
    budget = RateBudget(0.8, clock=clock)
    assert budget.remaining("retrieve") == 1.0
    budget.pause("retrieve", 30)
    assert budget.remaining("retrieve") == 0.0
    clock.now += 31
    assert 0 < budget.remaining("retrieve") < 1


def test_a_reserve_larger_than_the_bucket_still_lets_one_call_through() -> None:
    budget = RateBudget(1.0, clock=Clock())  # no headroom at all: a bucket of one
    assert budget.take("list", keep=4) is None
