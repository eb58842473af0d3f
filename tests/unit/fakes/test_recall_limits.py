"""FakeRecall's optional Recall-style rate limits: per endpoint class, sliding 60 s window."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from bot.recall.client import RecallClient, make_http_client
from bot.recall.errors import RecallRateLimited
from bot.recall.rate_budget import RateBudget
from tests.fakes.rate_limits import RateLimiter, endpoint_class, retry_after_header
from tests.fakes.recall import FakeRecall

KEY = "test-recall-key"
BOTS = "/api/v1/bot/"
MEET = "https://meet.google.com/abc-defg-hij"
THROTTLED = {"detail": "Request was throttled."}


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def recall(clock: FakeClock) -> Iterator[FakeRecall]:
    limits = {"create": 2, "list": 3, "retrieve": 5}
    with FakeRecall(api_key=KEY, rate_limits=limits, clock=clock) as fake:
        yield fake


def statuses(responses: list[httpx.Response]) -> list[int]:
    return [r.status_code for r in responses]


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("POST", "/api/v1/bot/", "create"),
        ("GET", "/api/v1/bot/", "list"),
        ("GET", "/api/v1/bot/b1/", "retrieve"),
        ("DELETE", "/api/v1/bot/b1/", "retrieve"),
        ("POST", "/api/v1/bot/b1/leave_call/", "retrieve"),
        ("POST", "/api/v1/bot/b1/delete_media/", "retrieve"),
        ("PUT", "/api/v1/bot/", "retrieve"),
        ("GET", "/api/v1/bot", "retrieve"),
        ("GET", "/media/b1.mp4", None),
    ],
)
def test_endpoint_classes(method: str, path: str, kind: str | None) -> None:
    assert endpoint_class(method, path) == kind


def test_without_limits_nothing_is_throttled() -> None:
    with FakeRecall(api_key=KEY) as fake:
        assert fake.rate_limits is None
        headers = {"Authorization": f"Token {KEY}"}
        with httpx.Client(base_url=fake.base_url, headers=headers, timeout=5) as api:
            answers = [api.get(BOTS) for _ in range(80)]
        assert set(statuses(answers)) == {200}
        assert fake.throttled == Counter()


def test_list_over_the_limit_gets_429_with_retry_after(
    api: httpx.Client, recall: FakeRecall, clock: FakeClock
) -> None:
    assert statuses([api.get(BOTS) for _ in range(3)]) == [200, 200, 200]
    clock.now += 20.5
    refused = api.get(BOTS)

    assert refused.status_code == 429
    assert refused.json() == THROTTLED
    assert refused.headers["Retry-After"] == "40"  # 39.5 s until the first call leaves, rounded up
    assert recall.throttled == Counter({"list": 1})


def test_window_frees_a_slot_sixty_seconds_after_each_call(
    api: httpx.Client, recall: FakeRecall, clock: FakeClock
) -> None:
    api.get(BOTS)  # at 1000
    clock.now = 1010
    api.get(BOTS)
    api.get(BOTS)
    clock.now = 1059.75
    assert api.get(BOTS).headers["Retry-After"] == "1"  # the first leaves at 1060, 0.25 s away
    clock.now = 1060
    assert api.get(BOTS).status_code == 200  # the first call left the window
    assert api.get(BOTS).headers["Retry-After"] == "10"  # next to leave: the two made at 1010
    assert recall.calls_in_window("list") == 3
    clock.now = 1070
    assert statuses([api.get(BOTS) for _ in range(3)]) == [200, 200, 429]


def test_throttled_calls_do_not_use_up_the_allowance(
    api: httpx.Client, recall: FakeRecall, clock: FakeClock
) -> None:
    for _ in range(3):
        api.get(BOTS)
    clock.now += 30
    assert statuses([api.get(BOTS) for _ in range(10)]) == [429] * 10
    clock.now += 30
    assert statuses([api.get(BOTS) for _ in range(4)]) == [200, 200, 200, 429]
    assert recall.throttled["list"] == 11


def test_each_endpoint_class_has_its_own_allowance(
    api: httpx.Client, recall: FakeRecall, clock: FakeClock
) -> None:
    created = [api.post(BOTS, json={"meeting_url": MEET}) for _ in range(3)]
    assert statuses(created) == [201, 201, 429]
    bot_id = created[0].json()["id"]

    assert statuses([api.get(BOTS) for _ in range(3)]) == [200, 200, 200]
    per_bot = [
        api.get(f"{BOTS}{bot_id}/"),
        api.get(f"{BOTS}no-such-bot/"),  # a 404 still counts: Recall had to answer it
        api.post(f"{BOTS}{bot_id}/leave_call/"),
        api.post(f"{BOTS}{bot_id}/delete_media/"),
        api.delete(f"{BOTS}{bot_id}/"),
        api.get(f"{BOTS}{bot_id}/"),  # would be 404 (deleted), but the allowance is spent
    ]
    assert statuses(per_bot) == [200, 404, 400, 200, 204, 429]
    assert recall.throttled == Counter({"create": 1, "retrieve": 1})


def test_rejected_credentials_and_injected_answers_are_not_counted(
    recall: FakeRecall, api: httpx.Client
) -> None:
    for _ in range(5):
        assert httpx.get(recall.base_url + BOTS, headers={"Authorization": "Token no"}).is_error
    recall.inject("GET", r"^/api/v1/bot/$", 503, times=5)
    assert statuses([api.get(BOTS) for _ in range(5)]) == [503] * 5
    assert statuses([api.get(BOTS) for _ in range(4)]) == [200, 200, 200, 429]


def test_limits_and_clock_can_be_set_on_a_running_fake(clock: FakeClock) -> None:
    with FakeRecall(api_key=KEY) as fake:
        fake.rate_limits = {"list": 1}
        fake.clock = clock
        headers = {"Authorization": f"Token {KEY}"}
        with httpx.Client(base_url=fake.base_url, headers=headers, timeout=5) as api:
            assert statuses([api.get(BOTS), api.get(BOTS)]) == [200, 429]
            assert api.get(f"{BOTS}whatever/").status_code == 404  # retrieve: not limited
            clock.now += 60
            assert api.get(BOTS).status_code == 200
            fake.rate_limits = None
            assert statuses([api.get(BOTS) for _ in range(5)]) == [200] * 5
        assert fake.throttled == Counter({"list": 1})


def test_media_downloads_are_not_rate_limited(recall: FakeRecall, api: httpx.Client) -> None:
    recall.rate_limits = {"create": 60, "list": 60, "retrieve": 1}
    bot_id = recall.add_bot(MEET)
    recall.run_meeting(bot_id)
    bot = api.get(f"{BOTS}{bot_id}/").json()
    url = bot["recordings"][0]["media_shortcuts"]["video_mixed"]["data"]["download_url"]
    assert statuses([httpx.get(url, headers={"Range": "bytes=0-9"}) for _ in range(3)]) == [206] * 3
    assert recall.throttled == Counter()


def test_the_app_client_reads_the_429_and_pauses_its_budget(
    recall: FakeRecall, clock: FakeClock
) -> None:
    bot_id = recall.add_bot(MEET)
    budget = RateBudget(clock=clock)
    client = RecallClient(make_http_client(recall.base_url, KEY), budget)
    try:
        for _ in range(5):
            httpx.get(
                f"{recall.base_url}{BOTS}{bot_id}/", headers={"Authorization": f"Token {KEY}"}
            )  # someone else in the workspace used the allowance
        clock.now += 12.2
        with pytest.raises(RecallRateLimited) as raised:
            client.get_bot(bot_id)
        assert raised.value.retry_after == 48
        assert budget.buckets["retrieve"].wait_time() == 48  # no further call until then
        assert recall.throttled == Counter({"retrieve": 1})
    finally:
        client.close()


def test_limiter_on_its_own(clock: FakeClock) -> None:
    limiter = RateLimiter({"list": 2, "none": 0}, clock)
    assert limiter.admit("retrieve") is None  # a class it does not name is unlimited
    assert limiter.admit("list") is None
    clock.now += 1
    assert limiter.admit("list") is None
    assert limiter.admit("list") == 59
    assert limiter.admit("none") == 60
    clock.now -= 30  # a clock stepping back keeps the calls it saw: never laxer
    assert limiter.admit("list") == pytest.approx(89)
    assert limiter.in_window("list") == 2
    assert limiter.throttled == Counter({"list": 2, "none": 1})


@pytest.mark.parametrize(
    ("seconds", "header"), [(0.0, "1"), (0.2, "1"), (1.0, "1"), (1.01, "2"), (59.5, "60")]
)
def test_retry_after_is_whole_seconds_rounded_up(seconds: float, header: str) -> None:
    assert retry_after_header(seconds) == header
