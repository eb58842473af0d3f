"""The Recall client against the local fake over real HTTP: headers, error classes, retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from bot.model.times import retry_after_seconds
from bot.recall.client import RecallClient, create_bot_with_retries, make_http_client
from bot.recall.errors import (
    RecallAuthError,
    RecallNoCapacity,
    RecallNotFound,
    RecallRateLimited,
    RecallRejected,
    RecallUnavailable,
)
from tests.fakes.recall import FakeRecall

MEETING = {"meeting_url": "https://zoom.us/j/81234567890?pwd=x"}


@pytest.fixture
def client(recall: FakeRecall):
    http = make_http_client(recall.base_url, recall.api_key, timeout=httpx.Timeout(1.0))
    yield RecallClient(http)
    http.close()


def test_requests_carry_token_json_and_no_body_on_get(
    client: RecallClient, recall: FakeRecall
) -> None:
    bot = client.create_bot(MEETING, idempotency_key="k1")
    client.get_bot(bot["id"])
    create, get = recall.requests
    assert create.headers["authorization"] == f"Token {recall.api_key}"
    assert create.headers["idempotency-key"] == "k1"
    assert create.headers["content-type"] == "application/json"
    assert get.json is None and "content-length" not in get.headers
    assert bot["meeting_url"] == {
        "meeting_id": "81234567890",
        "meeting_password": "x",
        "platform": "zoom",
    }


@pytest.mark.parametrize(
    ("status", "body", "headers", "error"),
    [
        (
            400,
            {"code": "teams_blacklisted_tenant", "detail": "Tenant blocks bots."},
            {},
            RecallRejected,
        ),
        (401, {"detail": "Invalid token."}, {}, RecallAuthError),
        (402, {"detail": "Out of credit."}, {}, RecallAuthError),
        (403, None, {}, RecallRejected),
        (404, {"detail": "Not found."}, {}, RecallNotFound),
        (409, {"detail": "In progress."}, {}, RecallUnavailable),
        (429, {"detail": "Slow down."}, {"Retry-After": "7"}, RecallRateLimited),
        (500, None, {}, RecallUnavailable),
        (503, {"detail": "Busy."}, {}, RecallUnavailable),
        (507, {"detail": "No bots."}, {"Retry-After": "12"}, RecallNoCapacity),
    ],
)
def test_each_status_becomes_its_error(client, recall, status, body, headers, error) -> None:
    recall.inject(
        "POST",
        r"^/api/v1/bot/$",
        status,
        json=body,
        headers=headers,
        body=None if body else "<html>blocked</html>",
    )
    with pytest.raises(error) as caught:
        client.create_bot(MEETING, idempotency_key="k")
    if status == 400:
        assert (
            caught.value.detail == "Tenant blocks bots."
            and caught.value.code == "teams_blacklisted_tenant"
        )
    if status == 429:
        assert caught.value.retry_after == 7
    if status == 507:
        assert caught.value.retry_after == 12


def test_507_without_retry_after_waits_thirty_seconds(client, recall) -> None:
    recall.inject("POST", r"^/api/v1/bot/$", 507)
    with pytest.raises(RecallNoCapacity) as caught:
        client.create_bot(MEETING, idempotency_key="k")
    assert caught.value.retry_after == 30


def test_field_error_body_is_explained(client, recall) -> None:
    with pytest.raises(RecallRejected) as caught:
        client.create_bot({"meeting_url": "https://example.com/x"}, idempotency_key="k")
    assert (
        caught.value.detail
        == "meeting_url: The meeting_url is malformed, or for an unsupported platform."
    )


def test_unreachable_recall_is_unavailable() -> None:
    http = make_http_client("http://127.0.0.1:9", "k", transport=httpx.HTTPTransport(retries=0))
    with pytest.raises(RecallUnavailable):
        RecallClient(http).get_bot("b")


def test_slow_recall_is_a_timeout(client, recall) -> None:
    recall.delay_next("GET", r"/api/v1/bot/", seconds=1.5)
    with pytest.raises(RecallUnavailable, match="did not answer in time"):
        client.get_bot("nope")


def test_create_retries_transient_errors_then_succeeds(client, recall) -> None:
    recall.inject("POST", r"^/api/v1/bot/$", 429, headers={"Retry-After": "3"})
    recall.inject("POST", r"^/api/v1/bot/$", 503)
    sleeps: list[float] = []
    bot = create_bot_with_retries(client, MEETING, "same-key", sleep=sleeps.append)
    assert bot["id"] in recall.created_bot_ids()
    assert sleeps[0] == 3 and 0 < sleeps[1] <= 8
    assert {r.headers["idempotency-key"] for r in recall.requests} == {"same-key"}


def test_create_gives_up_after_three_attempts(client, recall) -> None:
    recall.inject("POST", r"^/api/v1/bot/$", 502, times=5)
    with pytest.raises(RecallUnavailable):
        create_bot_with_retries(client, MEETING, "k", sleep=lambda s: None)
    assert len(recall.requests) == 3


@pytest.mark.parametrize("error_status", [400, 401, 507])
def test_create_does_not_retry_what_waiting_cannot_fix(client, recall, error_status) -> None:
    recall.inject("POST", r"^/api/v1/bot/$", error_status)
    with pytest.raises((RecallRejected, RecallAuthError, RecallNoCapacity)):
        create_bot_with_retries(client, MEETING, "k", sleep=lambda s: None)
    assert len(recall.requests) == 1


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert retry_after_seconds("5") == 5
    assert retry_after_seconds(None, 9) == 9
    assert retry_after_seconds("soon", 4) == 4
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 55 <= retry_after_seconds(later) <= 60
