"""The app as a black box: the Procfile's `web` command, real environment variables, the local
Slack and Recall fakes, and signed requests over HTTP, as a Procfile host would run it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.app_process import Process, app_env, base_env, free_port, start_app
from tests.conftest import SIGNING_SECRET, wait_for
from tests.fakes.recall import FakeRecall
from tests.fakes.slack import FakeSlack
from tests.slack_requests import signed_headers, slash_command_body


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, FakeSlack, FakeRecall, Process]]:
    with FakeSlack() as slack, FakeRecall(auto_progress=True) as recall:
        env = app_env(tmp_path, slack, recall, free_port()) | {"POLL_INTERVAL_SECONDS": "0.5"}
        process, url = start_app(env, tmp_path)
        try:
            yield url, slack, recall, process
        finally:
            if process.proc.poll() is None:
                process.stop()
            process.close()


def test_procfile_web_process_records_a_meeting_end_to_end(served) -> None:
    url, slack, recall, process = served
    health = httpx.get(f"{url}/healthz").json()
    assert health == {
        "status": "ok",
        "database": "ok",
        "scheduler": "running",
        "open_recordings": 0,
    }

    body = slash_command_body(
        "https://us02web.zoom.us/j/81234567890?pwd=abc", response_url=slack.response_url()
    )
    started = time.monotonic()
    reply = httpx.post(
        f"{url}/slack/events", content=body, headers=signed_headers(SIGNING_SECRET, body)
    )
    assert time.monotonic() - started < 3
    assert reply.status_code == 200
    assert reply.json()["text"].startswith("Sending a recorder to your Zoom meeting.")

    def ready_reply():
        return [m for m in slack.messages("C0CHAN1") if "is ready" in m["text"]]

    wait_for(ready_reply, what="the ready notice", timeout=30)
    status = slack.messages("C0CHAN1")[0]
    assert status["text"].startswith("Recording ready: Zoom meeting 812 3456 7890")
    watch = status["text"].split("Watch: ")[1]
    assert watch.startswith(f"{url}/r/") and watch.endswith("/watch")
    assert httpx.get(watch).status_code == 200
    video = httpx.get(watch.removesuffix("/watch"))
    assert video.status_code == 302
    assert video.headers["location"].startswith(f"{recall.base_url}/media/")
    first_post = slack.calls_to("chat.postMessage")[0].args["text"]
    assert first_post.startswith("<@U0USER1> asked to record a Zoom meeting.")
    assert len(recall.created_bot_ids()) == 1

    assert process.stop() < 10  # SIGTERM: stops the poller and exits promptly
    assert process.proc.returncode == 0
    log = process.output()
    assert "Traceback" not in log
    for secret in (slack.bot_token, SIGNING_SECRET, recall.api_key, "X-Amz-Signature"):
        assert secret not in log


def test_missing_configuration_stops_start_up_with_one_clear_message(tmp_path: Path) -> None:
    env = base_env(tmp_path) | {"RECALL_REGION": "mars-1", "POLL_INTERVAL_SECONDS": "soon"}
    process = Process(env, cwd=tmp_path)
    output = process.output()

    assert process.proc.returncode == 2
    assert "missing SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, RECALL_API_KEY" in output
    assert (
        "RECALL_REGION must be one of us-east-1, us-west-2, eu-central-1, ap-northeast-1" in output
    )
    assert "POLL_INTERVAL_SECONDS must be a number" in output
    assert "Traceback" not in output


def test_dotenv_file_is_read_for_local_runs(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "SLACK_BOT_TOKEN=xoxb-from-dotenv\nSLACK_SIGNING_SECRET=s\nRECALL_API_KEY=k\n"
        "RECALL_REGION=mars-1\n"
    )
    process = Process(base_env(tmp_path), cwd=tmp_path)
    output = process.output()

    # Everything required came from .env; only the bad region is left to complain about.
    assert "missing" not in output
    assert "RECALL_REGION must be one of" in output


def test_json_logs_are_one_object_per_line_with_nothing_secret(tmp_path: Path) -> None:
    with FakeSlack() as slack, FakeRecall(auto_progress=True) as recall:
        env = app_env(tmp_path, slack, recall, free_port()) | {
            "LOG_FORMAT": "json",
            "METRICS_TOKEN": "metrics-token-0123456789",
        }
        process, url = start_app(env, tmp_path)
        try:
            body = slash_command_body(
                "https://us02web.zoom.us/j/81234567890?pwd=abc", response_url=slack.response_url()
            )
            httpx.post(
                f"{url}/slack/events", content=body, headers=signed_headers(SIGNING_SECRET, body)
            )
            wait_for(
                lambda: [m for m in slack.messages("C0CHAN1") if "is ready" in m["text"]],
                what="the ready notice",
                timeout=30,
            )
            metrics = httpx.get(
                f"{url}/metrics", headers={"Authorization": "Bearer metrics-token-0123456789"}
            )
            assert "slack_record_ready_notice_delay_seconds_count 1.0" in metrics.text
        finally:
            process.stop()
            log = process.output()
            process.close()
    entries = [json.loads(line) for line in log.splitlines()]
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    messages = [e["message"] for e in entries]
    assert any("ready notice delivered" in m for m in messages)
    assert any("the database is new or was lost" in m for m in messages)
    for secret in (slack.bot_token, SIGNING_SECRET, recall.api_key, "metrics-token-0123456789"):
        assert secret not in log
