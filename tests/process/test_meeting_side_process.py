"""The meeting's side as a black box: the Procfile's `web` command with the issue's environment
variables (CONSENT_MESSAGE, CHAT_STOP_PHRASE, RECORDING_RETENTION_HOURS, ZOOM_CLIENT_ID,
ZOOM_CLIENT_SECRET, ZOOM_OAUTH_BASE_URL, ZOOM_API_BASE_URL), the fakes of Slack, Recall and Zoom,
and Recall's callbacks over HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.app_process import Process, app_env, free_port, start_app
from tests.conftest import SIGNING_SECRET, wait_for
from tests.fakes.recall import FakeRecall
from tests.fakes.recall_callbacks import fetch_obf_token, send_chat_message
from tests.fakes.slack import FakeSlack
from tests.fakes.zoom import CLIENT_ID, CLIENT_SECRET, FakeZoom
from tests.slack_requests import signed_headers, slash_command_body

ZOOM_LINK = "https://acme.zoom.us/j/81234567890?pwd=abc"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, FakeSlack, FakeRecall, FakeZoom, Process]]:
    with FakeSlack() as slack, FakeRecall() as recall, FakeZoom() as zoom:
        slack.add_user("U0USER1", "ada")
        env = app_env(tmp_path, slack, recall, free_port()) | {
            "CONSENT_MESSAGE": "{requester} records this from {workspace}; type {stop_phrase} "
            "to end it.",
            "CHAT_STOP_PHRASE": "robot, leave",
            "RECORDING_RETENTION_HOURS": "48",
            "ZOOM_CLIENT_ID": CLIENT_ID,
            "ZOOM_CLIENT_SECRET": CLIENT_SECRET,
            "ZOOM_OAUTH_BASE_URL": zoom.base_url,
            "ZOOM_API_BASE_URL": zoom.base_url,
            "LOG_LEVEL": "DEBUG",
        }
        process, url = start_app(env, tmp_path, tmp_path / "app.log")
        try:
            yield url, slack, recall, zoom, process
        finally:
            if process.proc.poll() is None:
                process.stop()
            process.close()


def command(url: str, slack: FakeSlack, text: str, hook: str) -> dict[str, Any]:
    body = slash_command_body(text, response_url=slack.response_url(hook))
    reply = httpx.post(
        f"{url}/slack/events", content=body, headers=signed_headers(SIGNING_SECRET, body)
    )
    assert reply.status_code == 200
    return reply.json() if reply.content else {}


def test_connect_record_consent_token_and_stop_from_the_chat(served) -> None:
    url, slack, recall, zoom, process = served

    answer = command(url, slack, "connect zoom", "connect")
    [link] = re.findall(r"<(http://[^|>]+)\|connect Zoom>", answer["text"])
    page = httpx.get(link, follow_redirects=True)  # to Zoom, approved, and back
    assert page.status_code == 200 and "Zoom is connected" in page.text

    command(url, slack, ZOOM_LINK, "record")
    wait_for(lambda: recall.created_bot_ids(), what="the bot")
    [bot_id] = recall.created_bot_ids()
    bot = recall.bot(bot_id)
    assert bot["chat"]["on_bot_join"]["message"] == (
        "ada records this from acme.slack.com; type robot, leave to end it."
    )
    assert bot["recording_config"]["retention"] == {"type": "timed", "hours": 48}
    assert bot["zoom"]["obf_token_url"].startswith(f"{url}/zoom/obf?token=")

    token = fetch_obf_token(recall, bot_id, lambda u: u)
    assert token.status_code == 200 and token.text == zoom.obf_tokens[-1]

    recall.push_status(bot_id, "joining_call")
    recall.push_status(bot_id, "in_call_recording")
    recall.start_recording(bot_id)
    wait_for(
        lambda: "Recording" in (slack.messages("C0CHAN1") or [{"text": ""}])[0]["text"],
        what="recording",
    )
    [answer] = send_chat_message(recall, bot_id, "Robot, leave!", lambda u: u, name="Grace")
    assert answer.status_code == 200
    wait_for(
        lambda: recall.requests_to("POST", rf"^/api/v1/bot/{bot_id}/leave_call/$"),
        what="the bot to be asked to leave",
    )
    wait_for(
        lambda: any(
            "“Grace” asked the recorder to leave" in m["text"] for m in slack.messages("C0CHAN1")
        ),
        what="the thread reply",
    )

    assert process.stop() < 10
    log = process.output()
    assert "Traceback" not in log
    rec_token = bot["zoom"]["obf_token_url"].split("token=")[1]
    for secret in (
        CLIENT_SECRET,
        rec_token.split(".")[1],
        *zoom.obf_tokens,
        *zoom.tokens_of("zoom-ada"),
    ):
        assert secret not in log


def test_bad_meeting_settings_stop_start_up_with_one_message(tmp_path: Path) -> None:
    with FakeSlack() as slack, FakeRecall() as recall:
        env = app_env(tmp_path, slack, recall, free_port()) | {
            "RECORDING_RETENTION_HOURS": "a week",
            "ZOOM_CLIENT_ID": "only-the-id",
            "CONSENT_MESSAGE": "Recorded by {robot}",
        }
        process = Process(env, cwd=tmp_path)
        output = process.output()
    assert process.proc.returncode == 2
    assert "RECORDING_RETENTION_HOURS must be a whole number of hours" in output
    assert "set both ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET, or neither" in output
    assert "CONSENT_MESSAGE uses {robot}" in output
    assert "Traceback" not in output
