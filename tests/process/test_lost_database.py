"""A Procfile host that loses its disk: the real process restarted with its database file
deleted, then replaced by an empty one, while recordings are open, scheduled and finished.
After each restart every open recording is followed to its one ready notice, every finished
one's old link still plays, nothing is posted twice, another app's bots are never asked about,
and the rebuild's List Bots pages stay within Recall's rate limits."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.app_process import Process, app_env, free_port, start_app
from tests.conftest import SIGNING_SECRET, wait_for
from tests.fakes.recall import FakeRecall
from tests.fakes.recall_shapes import iso, now
from tests.fakes.slack import FakeSlack
from tests.slack_requests import signed_headers, slash_command_body

MEETINGS = [f"https://us02web.zoom.us/j/8123456789{n}?pwd=abc" for n in range(3)]
LIST = r"^/api/v1/bot/$"


@pytest.fixture
def fakes() -> Iterator[tuple[FakeSlack, FakeRecall]]:
    with FakeSlack() as slack, FakeRecall() as recall:
        slack.add_user("U0USER1", "ada")
        recall.rate_limits = {"create": 60, "list": 60, "retrieve": 300}
        recall.page_size = 2  # a rebuild reads many pages: more than the budget's burst
        yield slack, recall


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in started:
        if process.proc.poll() is None:
            process.stop()
        process.close()


def record(url: str, slack: FakeSlack, text: str, hook: str) -> None:
    body = slash_command_body(text, response_url=slack.response_url(hook))
    reply = httpx.post(
        f"{url}/slack/events", content=body, headers=signed_headers(SIGNING_SECRET, body)
    )
    assert reply.status_code == 200


def rows(db: Path) -> dict[str, tuple[str, str, str, str]]:
    """recording id -> (state, bot id, link token, meeting link), read beside the running
    process."""
    with sqlite3.connect(db) as conn:
        found = conn.execute(
            "SELECT id, state, recall_bot_id, share_token, meeting_url FROM recordings"
        )
        return {row[0]: row[1:] for row in found}


def posts(slack: FakeSlack, kind: str) -> Counter[str]:
    return slack.posts_by_kind("C0CHAN1", kind)


def lose(db: Path, how: str) -> None:
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    if how == "deleted":
        db.unlink()
    else:
        empty = db.with_name("empty.db")
        empty.write_bytes(b"")
        empty.replace(db)


def plays(url: str, token: str) -> bool:
    return httpx.get(f"{url}/r/{token}", timeout=10).status_code == 302


def test_losing_the_database_twice_loses_no_recording_and_posts_nothing_twice(
    tmp_path: Path, fakes: tuple[FakeSlack, FakeRecall], processes: list[Process]
) -> None:
    slack, recall = fakes
    others = []
    for n in range(17):  # another app's bots, in the same Recall workspace
        _, bot = recall.create(
            {"meeting_url": MEETINGS[0], "join_at": iso(now()), "metadata": {"app": f"x{n}"}}
        )
        others.append(bot["id"])
    env = app_env(tmp_path, slack, recall, free_port())
    db = Path(env["DATABASE_PATH"])
    first, url = start_app(env, tmp_path, tmp_path / "first.log")
    processes.append(first)

    record(url, slack, MEETINGS[0], "finished")
    record(url, slack, MEETINGS[1], "open")
    record(url, slack, f'{MEETINGS[2]} --at "in 2h"', "scheduled")
    wait_for(lambda: len(posts(slack, "status")) == 3, what="three status messages", timeout=30)
    wait_for(lambda: all(row[1] for row in rows(db).values()), what="three bots")
    by_meeting = {row[3].split(" ")[0]: (rid, row[1]) for rid, row in rows(db).items()}
    (finished, _), (still_open, _), (scheduled, _) = (by_meeting[m] for m in MEETINGS)
    bots = [by_meeting[m][1] for m in MEETINGS]
    recall.run_meeting(bots[0], minutes=20)
    recall.push_status(bots[1], "in_call_recording")
    wait_for(lambda: rows(db)[finished][0] == "ready", what="the first video", timeout=30)
    wait_for(lambda: rows(db)[still_open][0] == "recording", what="recording", timeout=30)
    tokens = {rid: row[2] for rid, row in rows(db).items()}
    assert rows(db)[scheduled][0] == "scheduled"
    assert first.stop() < 15

    lose(db, "deleted")
    recall.run_meeting(bots[1], minutes=30)  # the open one ends while the app is down
    second, url = start_app(env, tmp_path, tmp_path / "second.log")
    processes.append(second)
    wait_for(lambda: posts(slack, "notice:ready")[still_open], what="its notice", timeout=60)
    assert plays(url, tokens[finished]) and plays(url, tokens[still_open])
    assert rows(db)[scheduled][0] == "scheduled"
    assert second.stop() < 15

    lose(db, "emptied")
    third, url = start_app(env, tmp_path, tmp_path / "third.log")
    processes.append(third)
    wait_for(lambda: len(rows(db)) == 3, what="the second rebuild", timeout=60)
    assert plays(url, tokens[finished])
    recall.run_meeting(bots[2], minutes=15)  # the scheduled meeting happens
    wait_for(lambda: posts(slack, "notice:ready")[scheduled], what="its notice", timeout=60)
    assert plays(url, tokens[scheduled])
    assert third.stop() < 15

    assert posts(slack, "status") == Counter({finished: 1, still_open: 1, scheduled: 1})
    assert posts(slack, "notice:ready") == Counter({finished: 1, still_open: 1, scheduled: 1})
    assert len(recall.created_bot_ids()) == 3 + len(others)
    for bot_id in others:  # seen in the list, never asked about, never touched
        assert recall.requests_to("*", rf"^/api/v1/bot/{bot_id}/") == []
    assert recall.throttled == Counter()  # three rebuilds, no 429
    pages = -(-(3 + len(others)) // recall.page_size)
    assert len(recall.requests_to("GET", LIST)) >= 3 * pages - 1  # each start read them all
    log = "".join(p.output() for p in (first, second, third))
    assert "Traceback" not in log
    assert "rebuild from Recall: looked at 20 bot(s)" in log
    for secret in (slack.bot_token, SIGNING_SECRET, recall.api_key, *tokens.values()):
        assert secret not in log
