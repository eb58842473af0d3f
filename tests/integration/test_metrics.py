"""GET /metrics: Prometheus' text format, read back with prometheus-client's own parser, and
every number checked against what the Slack and Recall fakes saw; METRICS_TOKEN guards it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import httpx
import pytest
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import App
from tests.integration.test_recall_webhooks import SECRET, deliver, payload

TOKEN = "prometheus-scrapes-with-this-token"
ZOOM = "https://zoom.us/j/81234567890?pwd=abc"
CREATE = r"^/api/v1/bot/$"


@pytest.fixture
def app(make_app: Callable[..., App]) -> App:
    return make_app(metrics_token=TOKEN, recall_webhook_secret=SECRET)


def scrape(app: App) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample, by name and labels."""
    response = httpx.get(f"{app.url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def labelled(samples: dict, name: str, label: str) -> dict[str, float]:
    return {dict(labels)[label]: value for (n, labels), value in samples.items() if n == name}


def recall_calls(samples: dict) -> Counter[tuple[str, str]]:
    return Counter(
        {
            (dict(labels)["endpoint"], dict(labels)["status"]): int(value)
            for (name, labels), value in samples.items()
            if name == "slack_record_recall_calls_total"
        }
    )


def fake_saw(app: App) -> Counter[tuple[str, str]]:
    """What the Recall fake answered to the API, by our endpoint classes."""
    seen: Counter[tuple[str, str]] = Counter()
    for method, path, status in app.recall.answers:
        if not path.startswith("/api/"):
            continue
        kind = "retrieve"
        if path == "/api/v1/bot/":
            kind = "create" if method == "POST" else "list"
        seen[(kind, str(status))] += 1
    return seen


def test_metrics_tell_what_the_fakes_saw(app: App) -> None:
    app.recall.inject("POST", CREATE, 507)  # no free recorder at first
    app.command(ZOOM)
    app.wait_idle()
    samples = scrape(app)
    assert labelled(samples, "slack_record_open_recordings", "state")["requested"] == 1

    app.poll(seconds=40)  # the 507 is waited out: the bot is made
    rec = app.recording()
    assert labelled(scrape(app), "slack_record_open_recordings", "state")["joining"] == 1
    app.recall.run_meeting(rec.recall.bot_id, minutes=12)
    body = payload("bot.done", rec.recall.bot_id)
    assert deliver(app, body, msg_id="msg_1").status_code == 200
    assert deliver(app, body, msg_id="msg_1").json() == {"result": "duplicate"}
    assert deliver(app, body, secret=SECRET[:-4] + "AAA=").status_code == 401

    samples = scrape(app)

    assert recall_calls(samples) == fake_saw(app)
    assert recall_calls(samples)[("create", "507")] == 1
    open_now = labelled(samples, "slack_record_open_recordings", "state")
    assert set(open_now.values()) == {0} and "joining" in open_now
    assert labelled(samples, "slack_record_webhook_deliveries_total", "result") == {
        "accepted": 1,
        "duplicate": 1,
        "refused": 1,
    }
    posts = {
        (dict(labels)["kind"], dict(labels)["outcome"]): value
        for (name, labels), value in samples.items()
        if name == "slack_record_slack_posts_total"
    }
    assert posts[("status", "ok")] == sum(app.slack.posts_by_kind("C0CHAN1", "status").values())
    assert posts[("notice", "ok")] == 1 == len([t for t in app.thread() if "is ready" in t])
    assert posts[("edit", "ok")] == len(app.slack.calls_to("chat.update"))
    assert posts[("private", "ok")] == 1  # "waiting for a free recorder"
    assert samples[("slack_record_slash_command_ack_seconds_count", ())] == 1
    assert 0 < samples[("slack_record_slash_command_ack_seconds_sum", ())] < 3
    assert samples[("slack_record_ready_notice_delay_seconds_count", ())] == 1
    delay = samples[("slack_record_ready_notice_delay_seconds_sum", ())]
    assert 0 <= delay < 120  # Recall's `done` came moments before the webhook
    budget = labelled(samples, "slack_record_recall_budget_remaining_ratio", "endpoint")
    assert set(budget) == {"create", "list", "retrieve"}
    assert all(0 <= share <= 1 for share in budget.values())


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token-of-good-length", f"Basic {TOKEN}", f"Bearer {TOKEN[:-1]}"],
)
def test_metrics_want_the_token(app: App, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    response = httpx.get(f"{app.url}/metrics", headers=headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json() == {"error": "a bearer token is required"}


def test_without_a_token_metrics_are_open(make_app: Callable[..., App]) -> None:
    app = make_app()
    response = httpx.get(f"{app.url}/metrics")
    assert response.status_code == 200
    assert "slack_record_open_recordings" in response.text


def test_a_fresh_app_shows_each_count_a_dashboard_needs_at_zero(app: App) -> None:
    samples = scrape(app)

    assert labelled(samples, "slack_record_webhook_deliveries_total", "result") == {
        "accepted": 0,
        "duplicate": 0,
        "refused": 0,
    }
    posts = Counter(
        {
            (dict(labels)["kind"], dict(labels)["outcome"]): value
            for (name, labels), value in samples.items()
            if name == "slack_record_slack_posts_total"
        }
    )
    kinds = {"status", "alert", "notice", "edit", "private"}
    outcomes = {"ok", "rate_limited", "revoked", "gone", "error"}
    assert set(posts) == {(kind, outcome) for kind in kinds for outcome in outcomes}
    assert sum(posts.values()) == 0
    calls = recall_calls(samples)
    for endpoint, status in [
        ("create", "429"),
        ("list", "429"),
        ("retrieve", "429"),
        ("create", "507"),
    ]:
        assert (endpoint, status) in calls and calls[(endpoint, status)] == 0


def test_a_scraper_that_asks_for_openmetrics_gets_it(app: App) -> None:
    app.command(ZOOM)
    app.wait_idle()
    response = httpx.get(
        f"{app.url}/metrics",
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "Accept": "application/openmetrics-text; version=1.0.0",
        },
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n")  # OpenMetrics' required last line
    names = {family.name for family in openmetrics_families(response.text)}
    assert "slack_record_recall_calls" in names


def test_webhooks_refused_at_the_edge_count_as_refused(app: App) -> None:
    too_large = b"x" * (2 * 1024 * 1024)
    streamed = (b"x" * 65536 for _ in range(32))  # chunked: cut off at the limit

    assert httpx.post(f"{app.url}/recall/webhook", content=too_large).status_code == 413
    assert httpx.post(f"{app.url}/recall/webhook", content=streamed).status_code == 413
    assert httpx.post(f"{app.url}/slack/events", content=too_large).status_code == 413

    # The Slack route's refusal is no webhook delivery.
    assert labelled(scrape(app), "slack_record_webhook_deliveries_total", "result") == {
        "accepted": 0,
        "duplicate": 0,
        "refused": 2,
    }
