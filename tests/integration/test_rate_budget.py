"""The rate budget: token buckets per Recall endpoint class, and the whole app under Recall's
rate limits with a thousand open recordings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from bot.model.lifecycle import Cause, State
from bot.model.meeting_links import parse_meeting_link
from bot.recall.client import RecallClient, make_http_client
from bot.recall.errors import RecallRateLimited
from bot.recall.rate_budget import LIMITS_PER_MINUTE, RateBudget, TokenBucket
from bot.store.timestamps import ts
from bot.workflow.intake import RecordingRequest
from tests.conftest import App
from tests.fakes.rate_limits import endpoint_class
from tests.fakes.recall import FakeRecall

RECALL_LIMITS = {"create": 60, "list": 60, "retrieve": 300}
SHARE = 0.8
# Half of each limit: whole tokens in floating point (list: 30 at once, then one per 2 s).
HALF = 0.5


class FakeClock:
    def __init__(self, now: float = 5000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Sleeper:
    """A sleep that moves the fake clock, and remembers how long it slept."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.slept: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.now += seconds


def drain(bucket: TokenBucket) -> int:
    taken = 0
    while bucket.try_take():
        taken += 1
    return taken


# --- TokenBucket -------------------------------------------------------------------------------


def test_bucket_starts_full_and_holds_its_capacity() -> None:
    clock = FakeClock()
    bucket = TokenBucket(per_minute=48, capacity=12, clock=clock)
    assert drain(bucket) == 12
    clock.now += 3600  # a long quiet hour never stores more than the capacity
    assert drain(bucket) == 12


def test_bucket_refills_at_its_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(per_minute=48, capacity=12, clock=clock)  # one token per 1.25 s
    drain(bucket)
    assert bucket.wait_time() == pytest.approx(1.25)
    clock.now += 1.0
    assert not bucket.try_take()
    assert bucket.wait_time() == pytest.approx(0.25)
    clock.now += 0.25
    assert bucket.try_take()
    clock.now += 10
    assert drain(bucket) == 8
    clock.now += 60
    assert drain(bucket) == 12  # 48 tokens' worth of refill, capped at the capacity


def test_capacity_is_at_least_one_token() -> None:
    clock = FakeClock()
    bucket = TokenBucket(per_minute=6, capacity=0, clock=clock)
    assert drain(bucket) == 1
    assert bucket.wait_time() == pytest.approx(10)


def test_pause_empties_the_bucket_for_the_retry_after() -> None:
    clock = FakeClock()
    bucket = TokenBucket(per_minute=240, capacity=60, clock=clock)
    bucket.pause(30)
    assert not bucket.try_take()
    assert bucket.wait_time() == pytest.approx(30)
    clock.now += 29.9
    assert not bucket.try_take()  # the refill does not count while paused
    assert bucket.wait_time() == pytest.approx(0.1)
    clock.now += 0.1
    assert bucket.try_take()


def test_a_shorter_pause_never_cuts_a_longer_one() -> None:
    clock = FakeClock()
    bucket = TokenBucket(per_minute=240, capacity=60, clock=clock)
    bucket.pause(30)
    clock.now += 5
    bucket.pause(10)
    assert bucket.wait_time() == pytest.approx(25)


def test_a_clock_stepping_back_neither_drains_nor_refills() -> None:
    clock = FakeClock()
    bucket = TokenBucket(per_minute=48, capacity=12, clock=clock)
    for _ in range(5):
        bucket.try_take()
    clock.now -= 3600
    assert bucket.wait_time() == 0
    assert drain(bucket) == 7  # the 7 left, no more, no fewer
    assert bucket.wait_time() == pytest.approx(1.25)  # refill goes on from the new now
    clock.now += 1.25
    assert drain(bucket) == 1


def test_a_pause_keeps_the_time_it_had_left_when_the_clock_steps_back() -> None:
    clock = FakeClock()
    bucket = TokenBucket(per_minute=48, capacity=12, clock=clock)
    bucket.pause(30)
    clock.now += 10
    assert bucket.wait_time() == pytest.approx(20)
    clock.now -= 100
    assert bucket.wait_time() == pytest.approx(20)
    clock.now += 19.9
    assert not bucket.try_take()
    clock.now += 0.1
    assert bucket.try_take()


# --- RateBudget --------------------------------------------------------------------------------


def test_budget_is_a_share_of_each_recall_limit() -> None:
    budget = RateBudget(share=SHARE, clock=FakeClock())
    assert LIMITS_PER_MINUTE == RECALL_LIMITS
    for kind, limit in RECALL_LIMITS.items():
        bucket = budget.buckets[kind]
        assert bucket.rate * 60 == pytest.approx(limit * SHARE)
        assert bucket.capacity == pytest.approx(limit * (1 - SHARE))


def test_a_full_budget_lets_the_whole_headroom_through_at_once() -> None:
    budget = RateBudget(share=SHARE, clock=FakeClock())
    assert {k: drain(b) for k, b in budget.buckets.items()} == {
        "create": 12,
        "list": 12,
        "retrieve": 60,
    }


def test_take_returns_none_then_the_delay_when_empty() -> None:
    clock = FakeClock()
    sleep = Sleeper(clock)
    budget = RateBudget(share=HALF, clock=clock, sleep=sleep)
    assert [budget.take("list") for _ in range(30)] == [None] * 30
    assert budget.take("list") == pytest.approx(2.0)
    assert budget.take("list", wait=1.5) == pytest.approx(2.0)  # too long to wait
    assert sleep.slept == []
    assert budget.take("retrieve") is None  # another class, another bucket


def test_take_waits_when_allowed_to() -> None:
    clock = FakeClock()
    sleep = Sleeper(clock)
    budget = RateBudget(share=HALF, clock=clock, sleep=sleep)
    for _ in range(30):
        budget.take("create")
    assert budget.take("create", wait=10) is None
    assert sleep.slept == [pytest.approx(2.0)]
    assert clock.now == pytest.approx(5002.0)


def test_take_never_asks_to_come_back_in_zero_seconds() -> None:
    clock = FakeClock()
    budget = RateBudget(share=SHARE, clock=clock)
    budget.pause("retrieve", 1e-9)
    delay = budget.take("retrieve")
    assert delay is not None and delay >= 0.01


def test_pause_holds_only_its_own_class() -> None:
    clock = FakeClock()
    budget = RateBudget(share=SHARE, clock=clock)
    budget.pause("list", 30)
    assert budget.take("list") == pytest.approx(30)
    assert budget.take("retrieve") is None
    assert budget.take("create") is None


@pytest.mark.parametrize("kind", sorted(RECALL_LIMITS))
def test_a_greedy_caller_stays_under_the_limit_in_every_sixty_second_window(kind: str) -> None:
    clock = FakeClock(0.0)
    budget = RateBudget(share=SHARE, clock=clock)
    taken: list[float] = []
    for tick in range(6000):  # ten minutes, asking for all it can every 0.1 s
        clock.now = tick / 10
        while budget.take(kind) is None:
            taken.append(clock.now)
    limit = RECALL_LIMITS[kind]
    busiest = max(sum(1 for t in taken if start <= t < start + 60) for start in taken)
    assert busiest <= limit
    assert len(taken) >= limit * SHARE * 10  # and it does get its share


def test_the_client_does_not_call_recall_without_a_token(recall: FakeRecall) -> None:
    budget = RateBudget(share=SHARE, clock=FakeClock())
    client = RecallClient(make_http_client(recall.base_url, recall.api_key), budget)
    try:
        budget.pause("retrieve", 20)
        with pytest.raises(RecallRateLimited) as raised:
            client.get_bot("some-bot")
        assert raised.value.retry_after == pytest.approx(20)
        assert recall.requests == []
        assert client.list_bots(status="done")["results"] == []  # list has its own bucket
    finally:
        client.close()


# --- the whole app under Recall's limits -------------------------------------------------------

OPEN_RECORDINGS = 1000
MINUTES = 10
PASSES_PER_MINUTE = 4  # one pass every 15 s


def open_many(app: App, count: int) -> dict[str, str]:
    """`count` recordings as /record + a created bot leave them, each bot in the call and
    recording (creating them through Slack would take minutes). Returns bot id -> row id."""
    store = app.runtime.store
    policy = app.runtime.steps.ctx.policy
    now = app.clock()
    bots: dict[str, str] = {}
    for n in range(count):
        link = parse_meeting_link(f"https://us02web.zoom.us/j/{81200000000 + n}")
        rec, new = app.runtime.intake.request(
            RecordingRequest(
                team_id="T0001",
                channel_id="C0CHAN1",
                user_id="U0USER1",
                link=link,
                team_domain="acme",
            )
        )
        assert new
        bot_id = app.recall.add_bot(link.url, metadata={"app": "slack-record"})
        app.recall.push_status(bot_id, "joining_call")
        app.recall.push_status(bot_id, "in_call_recording")
        app.recall.start_recording(bot_id)
        # What creating.create_bot saves once Recall has the bot.
        saved = store.recordings.move(
            rec,
            now,
            State.JOINING,
            Cause("recall", "joining_call"),
            recall_bot_id=bot_id,
            attempts=0,
            next_poll_at=ts(now + policy.follow_interval),
        )
        assert saved is not None
        bots[bot_id] = rec.id
    return bots


class Looks:
    """Which bots the app got news of from Recall (listed or fetched), pass by pass."""

    def __init__(self, app: App) -> None:
        self.seen: set[str] = set()
        client = app.runtime.recall
        list_bots, list_page, get_bot = client.list_bots, client.list_bots_page, client.get_bot

        def listed(call: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
            def wrapper(*args: Any, **kwargs: Any) -> dict[str, Any]:
                page = call(*args, **kwargs)
                self.seen.update(bot["id"] for bot in page.get("results") or [])
                return page

            return wrapper

        def fetched(bot_id: str, wait: float = 0.0) -> dict[str, Any]:
            bot = get_bot(bot_id, wait)
            self.seen.add(bot["id"])
            return bot

        client.list_bots = listed(list_bots)  # type: ignore[method-assign]
        client.list_bots_page = listed(list_page)  # type: ignore[method-assign]
        client.get_bot = fetched  # type: ignore[method-assign]

    def take(self) -> set[str]:
        seen, self.seen = self.seen, set()
        return seen


@dataclass
class Simulation:
    """What MINUTES simulated minutes of poll passes did, under Recall's limits."""

    calls: list[Counter[str]] = field(default_factory=list)  # per minute, by endpoint class
    seen: list[set[str]] = field(default_factory=list)  # per minute, bots the app heard of
    longest_gap: dict[str, int] = field(default_factory=dict)  # passes without news, per bot
    throttled: Counter[str] = field(default_factory=Counter)  # 429s from the fake
    states: Counter[State] = field(default_factory=Counter)  # at the end


def simulate(app: App) -> Simulation:
    app.recall.rate_limits = RECALL_LIMITS
    app.recall.clock = lambda: app.clock().timestamp()  # the app's budget runs on it too
    bots = open_many(app, OPEN_RECORDINGS)
    looks = Looks(app)
    run = Simulation(longest_gap=dict.fromkeys(bots, 0))
    last_seen = dict.fromkeys(bots, 0)
    for minute in range(MINUTES):
        run.calls.append(Counter())
        run.seen.append(set())
        for tick in range(PASSES_PER_MINUTE):
            done = len(app.recall.requests)
            summary = app.poll(seconds=15)
            assert summary.errors == 0
            run.calls[-1].update(
                endpoint_class(r.method, r.path) for r in app.recall.requests[done:]
            )
            news = looks.take() & bots.keys()
            run.seen[-1] |= news
            n = minute * PASSES_PER_MINUTE + tick + 1
            for bot_id in news:
                run.longest_gap[bot_id] = max(run.longest_gap[bot_id], n - last_seen[bot_id])
                last_seen[bot_id] = n
    end = MINUTES * PASSES_PER_MINUTE + 1
    for bot_id in bots:
        run.longest_gap[bot_id] = max(run.longest_gap[bot_id], end - last_seen[bot_id])
    run.throttled = app.recall.throttled
    run.states = Counter(rec.state for rec in app.runtime.store.recordings.all())
    return run


_RUNS: dict[str, Simulation] = {}


@pytest.fixture
def simulation(make_app: Callable[..., App]) -> Simulation:
    """One simulated run shared by the tests below (it takes a while); whichever runs first
    makes it, on its own app."""
    if "run" not in _RUNS:
        _RUNS["run"] = simulate(make_app(recall_rate_share=SHARE))
    return _RUNS["run"]


def test_a_thousand_open_recordings_stay_inside_recalls_rate_limits(
    simulation: Simulation,
) -> None:
    assert simulation.throttled == Counter()
    for minute, counted in enumerate(simulation.calls):
        for kind, limit in RECALL_LIMITS.items():
            allowed = limit * SHARE + (limit * (1 - SHARE) if minute == 0 else 0)
            assert counted[kind] <= allowed, (minute, kind, counted)


def test_a_thousand_open_recordings_each_get_news_every_minute(simulation: Simulation) -> None:
    unseen = [OPEN_RECORDINGS - len(bots) for bots in simulation.seen]
    worst = max(simulation.longest_gap.values()) * timedelta(seconds=15)
    assert unseen == [0] * MINUTES, f"bots without news per minute: {unseen}; worst gap {worst}"
    assert simulation.states == {State.RECORDING: OPEN_RECORDINGS}
