"""Crash safety of the real process: kill -9 and restart, two processes by mistake, and SIGTERM
in the middle of a busy poll. Nothing is lost and nothing is posted twice."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.app_process import Process, app_env, free_port, start_app
from tests.conftest import SIGNING_SECRET, wait_for
from tests.fakes.recall import FakeRecall
from tests.fakes.slack import FakeSlack
from tests.slack_requests import signed_headers, slash_command_body


@pytest.fixture
def fakes() -> Iterator[tuple[FakeSlack, FakeRecall]]:
    with FakeSlack() as slack, FakeRecall() as recall:
        slack.add_user("U0USER1", "ada")
        yield slack, recall


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in started:
        if process.proc.poll() is None:
            os.killpg(process.proc.pid, signal.SIGKILL)
            process.proc.wait()
        process.close()


def record(url: str, slack: FakeSlack, link: str, hook: str = "r") -> None:
    body = slash_command_body(link, response_url=slack.response_url(hook))
    reply = httpx.post(
        f"{url}/slack/events", content=body, headers=signed_headers(SIGNING_SECRET, body)
    )
    assert reply.status_code == 200


def posts(slack: FakeSlack, kind: str) -> Counter[str]:
    return slack.posts_by_kind("C0CHAN1", kind)


def test_kill_minus_nine_then_restart_loses_nothing_and_posts_once(
    tmp_path: Path, fakes: tuple[FakeSlack, FakeRecall], processes: list[Process]
) -> None:
    slack, recall = fakes
    env = app_env(tmp_path, slack, recall, free_port())
    first, url = start_app(env, tmp_path)
    processes.append(first)
    record(url, slack, "https://zoom.us/j/81234567890?pwd=abc")
    wait_for(lambda: posts(slack, "status"), what="the status message")

    os.killpg(first.proc.pid, signal.SIGKILL)  # no warning, no cleanup
    first.proc.wait()
    [bot_id] = recall.created_bot_ids()
    recall.run_meeting(bot_id, minutes=20)  # the meeting ends while we are down

    second, _ = start_app(env, tmp_path)
    processes.append(second)
    # A recording it held when killed is free again once its 30 s lease runs out.
    wait_for(lambda: posts(slack, "notice:ready"), what="the ready notice", timeout=60)
    time.sleep(1.5)  # a few more polls: nothing more may appear

    assert list(posts(slack, "notice:ready").values()) == [1]
    assert list(posts(slack, "status").values()) == [1]
    assert recall.created_bot_ids() == [bot_id]


def test_two_processes_on_one_database_never_double_post(
    tmp_path: Path, fakes: tuple[FakeSlack, FakeRecall], processes: list[Process]
) -> None:
    slack, recall = fakes
    env = app_env(tmp_path, slack, recall, free_port())
    first, url = start_app(env, tmp_path)
    second, _ = start_app(env | {"PORT": str(free_port())}, tmp_path)
    processes += [first, second]

    for n in range(6):
        record(url, slack, f"https://zoom.us/j/8123456789{n}?pwd=abc", hook=f"h{n}")
    wait_for(lambda: len(recall.created_bot_ids()) == 6, what="six bots")
    for bot_id in recall.created_bot_ids():
        recall.run_meeting(bot_id)
    wait_for(lambda: len(posts(slack, "notice:ready")) == 6, what="six notices", timeout=30)
    time.sleep(1.5)

    assert sorted(posts(slack, "notice:ready").values()) == [1] * 6
    assert sorted(posts(slack, "status").values()) == [1] * 6


def test_sigterm_during_a_busy_poll_exits_fast_and_the_next_start_resumes(
    tmp_path: Path, fakes: tuple[FakeSlack, FakeRecall], processes: list[Process]
) -> None:
    slack, recall = fakes
    env = app_env(tmp_path, slack, recall, free_port())
    first, url = start_app(env, tmp_path)
    processes.append(first)
    for n in range(20):
        record(url, slack, f"https://zoom.us/j/8{n:010d}?pwd=abc", hook=f"h{n}")
    # Creating 20 bots at once goes at the pace our share of Recall's limit allows.
    wait_for(lambda: len(posts(slack, "status")) == 20, what="twenty status messages", timeout=60)
    for bot_id in recall.created_bot_ids():
        recall.run_meeting(bot_id)
    recall.delay_next("GET", r"^/api/v1/bot/", seconds=0.5, times=1000)  # a slow, busy pass
    time.sleep(1.0)

    assert first.stop() < 10
    assert first.proc.returncode == 0
    recall.clear_faults()
    second, _ = start_app(env, tmp_path)
    processes.append(second)
    wait_for(lambda: len(posts(slack, "notice:ready")) == 20, what="every notice", timeout=60)
    time.sleep(1.0)
    assert sorted(posts(slack, "notice:ready").values()) == [1] * 20
