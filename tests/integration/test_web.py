"""The web process's own surface: health check, poller registration, and failure handling."""

from __future__ import annotations

from datetime import timedelta

import httpx

from bot.app.scheduler import (
    EXPIRY_JOB,
    HEARTBEAT_JOB,
    HOUSEKEEPING_JOB,
    POLL_JOB,
    TRANSCRIPTS_JOB,
)
from tests.conftest import App


def test_health_reports_database_scheduler_and_open_recordings(app: App) -> None:
    app.command("https://zoom.us/j/81234567890?pwd=abc")
    app.wait_idle()
    response = httpx.get(f"{app.url}/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "scheduler": "stopped",  # tests drive the poller by hand
        "open_recordings": 1,
    }


def test_health_fails_when_the_database_is_broken(app: App) -> None:
    app.runtime.store.database.db.execute("DROP TABLE recordings")
    response = httpx.get(f"{app.url}/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_unexpected_failure_gets_a_friendly_reply_not_a_stack_trace(app: App) -> None:
    # A database that can no longer take writes: the request cannot be saved.
    app.runtime.store.database.db.execute("DROP TABLE recordings")
    app.runtime.store.database.db.execute("CREATE VIEW recordings AS SELECT 1 AS id")
    response = app.command("https://zoom.us/j/81234567890?pwd=abc")
    assert response.status_code == 200
    assert response.text == (
        "Something went wrong on our side and nothing was started. Please try again in a minute."
    )
    assert app.recall.requests == []


def test_every_periodic_job_is_registered_once_with_safe_settings(app: App) -> None:
    scheduler = app.runtime.scheduler.scheduler
    intervals = {
        POLL_JOB: timedelta(seconds=15),
        HEARTBEAT_JOB: timedelta(seconds=10),  # a third of the 30-second lease
        HOUSEKEEPING_JOB: timedelta(hours=1),
        EXPIRY_JOB: timedelta(minutes=1),
        TRANSCRIPTS_JOB: timedelta(seconds=15),  # the poll interval
    }
    for job_id, interval in intervals.items():
        job = scheduler.get_job(job_id)
        assert job.trigger.interval == interval
        assert job.max_instances == 1
        assert job.coalesce is True
        assert job.misfire_grace_time == 60
    assert len(scheduler.get_jobs()) == len(intervals)


def test_poller_starts_and_stops_with_the_runtime(app: App) -> None:
    app.runtime.start()
    assert httpx.get(f"{app.url}/healthz").json()["scheduler"] == "running"
    app.runtime.stop()
    assert httpx.get(f"{app.url}/healthz").json()["scheduler"] == "stopped"
