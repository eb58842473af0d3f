"""The numbers `GET /metrics` shows, in Prometheus' text format (prometheus-client), on a registry
of the app's own (not the library's global one, so a test process can hold several apps).

Numbers are born where the work happens; those packages know nothing of Prometheus and only
call a hook this module hands them (bot/app/runtime.py wires it):
- the Recall client reports each call's endpoint class and HTTP status;
- the Slack notifier each post or edit, by kind and outcome;
- the webhook intake each delivery: accepted, duplicate or refused;
- the Slack route how long a slash command took to answer;
- Slack sync each ready notice, and with it how long after Recall had the video it came.
What the database and the rate budget hold (open recordings by state, the budget's share left)
is read when Prometheus scrapes. docs/operations.md lists every metric.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from bot.model.lifecycle import FINAL, State
from bot.model.recording import Recording
from bot.recall.rate_budget import LIMITS_PER_MINUTE, RateBudget
from bot.store import Store

# A `_created` series beside each counter doubles the output for nothing a dashboard uses.
disable_created_metrics()

PREFIX = "slack_record_"
OPEN_STATES = [state for state in State if state not in FINAL]
# Slack wants an answer within 3 s; ours come in milliseconds.
ACK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
# About a second with webhooks, up to a poll interval without, hours after an outage.
NOTICE_BUCKETS = (1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 6 * 3600)
# Label values shown at 0 from the start: a series that appears only at its first event makes
# a dashboard say "no data" instead of 0, and hides that first event from rate() and
# increase(), which need two samples (Prometheus' "Instrumentation" guide: avoid missing
# metrics). Recall's statuses are open-ended; the two that mean trouble are named up front.
WEBHOOK_RESULTS = ("accepted", "duplicate", "refused")
POST_KINDS = ("status", "alert", "notice", "edit", "private")
POST_OUTCOMES = ("ok", "rate_limited", "revoked", "gone", "error")
RECALL_TROUBLE = [(kind, "429") for kind in LIMITS_PER_MINUTE] + [("create", "507")]


class Metrics:
    def __init__(self, store: Store, budget: RateBudget):
        self.registry = CollectorRegistry()
        self._recall_calls = Counter(
            PREFIX + "recall_calls",
            "Calls to Recall's API by endpoint class (create, list, retrieve) and HTTP status "
            "(timeout or network when no answer came).",
            ["endpoint", "status"],
            registry=self.registry,
        )
        self._webhooks = Counter(
            PREFIX + "webhook_deliveries",
            "Recall webhook deliveries: accepted, duplicate (seen before) or refused (bad "
            "signature, not JSON, too large, too slow).",
            ["result"],
            registry=self.registry,
        )
        self._slack_posts = Counter(
            PREFIX + "slack_posts",
            "Messages posted or edited in Slack by kind (status, alert, notice, edit, private) "
            "and outcome (ok, rate_limited, revoked, gone, error).",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self._rebuilt = Counter(
            PREFIX + "recordings_rebuilt",
            "Recordings rebuilt from Recall and Slack after the database was lost.",
            registry=self.registry,
        )
        self._ack = Histogram(
            PREFIX + "slash_command_ack_seconds",
            "How long a /record command took to answer, from its arrival at the Slack route.",
            buckets=ACK_BUCKETS,
            registry=self.registry,
        )
        self._notice_delay = Histogram(
            PREFIX + "ready_notice_delay_seconds",
            "From Recall having the video (its bot's `done`) to the ready notice in Slack.",
            buckets=NOTICE_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(_ReadAtScrape(store, budget))
        for endpoint, status in RECALL_TROUBLE:
            self._recall_calls.labels(endpoint, status)
        for result in WEBHOOK_RESULTS:
            self._webhooks.labels(result)
        for kind in POST_KINDS:
            for outcome in POST_OUTCOMES:
                self._slack_posts.labels(kind, outcome)

    def recall_call(self, endpoint: str, status: str) -> None:
        self._recall_calls.labels(endpoint, status).inc()

    def webhook_delivery(self, result: str) -> None:
        self._webhooks.labels(result).inc()

    def slack_post(self, kind: str, outcome: str) -> None:
        self._slack_posts.labels(kind, outcome).inc()

    def command_answered(self, seconds: float) -> None:
        self._ack.observe(seconds)

    def recordings_rebuilt(self, count: int) -> None:
        self._rebuilt.inc(count)

    def ready_notice(self, recording: Recording, now: datetime) -> None:
        ready_at = video_ready_at(recording)
        if ready_at is not None:
            self._notice_delay.observe(max(0.0, (now - ready_at).total_seconds()))

    def exposition(self, accept: str = "") -> tuple[bytes, str]:
        """The text Prometheus scrapes, and its content type: OpenMetrics when the scraper's
        Accept header asks for it, else Prometheus' classic text format."""
        encode, content_type = choose_encoder(accept)
        return encode(self.registry), content_type


def video_ready_at(recording: Recording) -> datetime | None:
    """When Recall had the video: the time of its bot's `done` (the status that comes with the
    finished media), else when we saw it ready."""
    if recording.recall.status == "done" and recording.recall.status_at is not None:
        return recording.recall.status_at
    return recording.finished_at


class _ReadAtScrape(Collector):
    """Gauges read when Prometheus asks, not kept up to date as things change."""

    def __init__(self, store: Store, budget: RateBudget):
        self._store = store
        self._budget = budget

    def collect(self) -> Iterator[Metric]:
        counts = self._store.recordings.count_open_by_state()
        open_now = GaugeMetricFamily(
            PREFIX + "open_recordings",
            "Recordings not finished yet, by state.",
            labels=["state"],
        )
        for state in OPEN_STATES:
            open_now.add_metric([state.value], counts.get(state.value, 0))
        yield open_now
        budget = GaugeMetricFamily(
            PREFIX + "recall_budget_remaining_ratio",
            "Share of the rate budget's burst left now, per Recall endpoint class (0 while "
            "Recall's Retry-After lasts).",
            labels=["endpoint"],
        )
        for kind in LIMITS_PER_MINUTE:
            budget.add_metric([kind], self._budget.remaining(kind))
        yield budget
