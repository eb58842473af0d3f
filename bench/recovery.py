"""Rebuilding a lost database from Recall, and scraping /metrics on a big one.

    python bench/recovery.py [--ours 200,1000] [--others 4000] [--page-size 50]

1. Rebuild: the app's real Runtime (Recall client, rate budget, store) on a simulated clock,
   against the local Recall fake enforcing Recall's rate limits, holding `--ours` bots of ours
   (half finished with a video, half still recording) among `--others` bots of other apps.
   `Runtime.recover()` pages through them all. Prints List Bots pages and calls, the simulated
   time the budget made it take (target: pages at most 48 a minute after the burst, no 429),
   the real time the process spent, and how much its peak memory grew (target: the rebuild
   reads page by page, so memory does not grow with the number of bots).
2. Scrape: `GET /metrics`'s text (open recordings by state are counted at scrape time) on a
   database of 100,000 finished and 1,000 open recordings, 200 times. Target: p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import RECALL_LIMITS, percentile, print_end, print_start
from simulated import SimClock, settings_for

from bot.app.runtime import Runtime
from bot.model.lifecycle import State
from bot.model.recording import MeetingRequest, Recording, Sharing
from bot.recall.payload import BotDefaults, bot_payload
from bot.store.timestamps import ts
from tests.fakes.recall import FakeRecall
from tests.fakes.recall_shapes import iso
from tests.fakes.slack import FakeSlack


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _our_bot(recall: FakeRecall, n: int, asked: datetime) -> None:
    request = MeetingRequest(
        team_id="T0001",
        channel_id="C0CHAN1",
        user_id="U0USER1",
        meeting_url=f"https://zoom.us/j/8{n:010d}?pwd=x",
        platform="zoom",
        meeting_key=f"zoom:8{n:010d}",
    )
    rec = Recording(
        id=f"{n:024x}",
        state=State.REQUESTED,
        request=request,
        created_at=asked,
        updated_at=asked,
        deadline_at=asked + timedelta(hours=6),
        sharing=Sharing(token=f"benchLinkToken{n:012d}"),
    )
    _, bot = recall.create(bot_payload(rec, BotDefaults()))
    if n % 2:
        recall.push_status(bot["id"], "in_call_recording")
        recall.start_recording(bot["id"])
    else:
        recall.run_meeting(bot["id"], minutes=30)


def rebuild(ours: int, others: int, page_size: int) -> dict[str, float]:
    clock = SimClock()
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeSlack() as slack,
        FakeRecall(rate_limits=RECALL_LIMITS, clock=lambda: clock().timestamp()) as recall,
    ):
        recall.page_size = page_size
        asked = clock.now - timedelta(days=2)
        for _ in range(others):
            recall.create({"meeting_url": "https://zoom.us/j/81234567890", "join_at": iso(asked)})
        for n in range(ours):
            _our_bot(recall, n, asked)
        runtime = Runtime(
            settings_for(slack, recall, Path(tmp) / "bench.db"), clock=clock, sleep=clock.sleep
        )
        runtime.store.migrate()
        rss_before = _peak_rss_mib()
        started, real = clock.now, time.perf_counter()
        report = runtime.recover()
        real = time.perf_counter() - real
        listed = len(recall.requests_to("GET", r"^/api/v1/bot/$"))
        runtime.stop()
        return {
            "pages": report.pages,
            "list_calls": listed,
            "rebuilt": len(report.rebuilt),
            "left_alone": report.others,
            "simulated_s": (clock.now - started).total_seconds(),
            "real_s": real,
            "throttled": sum(recall.throttled.values()),
            "rss_growth_mib": _peak_rss_mib() - rss_before,
        }


def scrape(finished: int = 100_000, open_now: int = 1_000, runs: int = 200) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as slack, FakeRecall() as recall:
        runtime = Runtime(settings_for(slack, recall, Path(tmp) / "bench.db"))
        runtime.store.migrate()
        now = ts(datetime.now(UTC))
        states = ["joining", "recording", "processing", "scheduled"]
        with runtime.store.database.transaction() as db:
            db.conn.executemany(
                "INSERT INTO recordings (id, team_id, channel_id, user_id, meeting_url, platform,"
                " state, created_at, updated_at, deadline_at, finished_at, share_token) "
                "VALUES (?, 'T0001', 'C0CHAN1', 'U0USER1', 'https://zoom.us/j/1', 'zoom', ?, ?,"
                " ?, ?, ?, ?)",
                (
                    (
                        f"{n:024x}",
                        "ready" if n < finished else states[n % 4],
                        now,
                        now,
                        now,
                        now if n < finished else None,
                        f"t{n:023d}",
                    )
                    for n in range(finished + open_now)
                ),
            )
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            body, _ = runtime.metrics_text()
            times.append((time.perf_counter() - started) * 1000)
        runtime.stop()
        assert b'slack_record_open_recordings{state="recording"} 250.0' in body
        return {"p50": percentile(times, 50), "p99": percentile(times, 99), "bytes": len(body)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ours", default="200,1000")
    parser.add_argument("--others", type=int, default=4000)
    parser.add_argument("--page-size", type=int, default=50)
    args = parser.parse_args()
    print_start()
    print(
        f"List Bots page size {args.page_size}; Recall's rate limits enforced by the fake; "
        "RECALL_RATE_SHARE 0.8 (48 list calls a minute, a burst of 12, 4 kept for the poller)"
    )
    print(
        "| bots of ours | other apps' bots | pages | List Bots calls | rebuilt | left alone "
        "| simulated time (s) | real time (s) | 429s | peak memory growth (MiB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    ok = True
    for ours in (int(n) for n in args.ours.split(",")):
        r = rebuild(ours, args.others, args.page_size)
        ok &= r["rebuilt"] == ours and r["throttled"] == 0
        print(
            f"| {ours} | {args.others} | {r['pages']:.0f} | {r['list_calls']:.0f} "
            f"| {r['rebuilt']:.0f} | {r['left_alone']:.0f} | {r['simulated_s']:.0f} "
            f"| {r['real_s']:.1f} | {r['throttled']:.0f} | {r['rss_growth_mib']:.0f} |"
        )
    s = scrape()
    ok &= s["p99"] < 50
    print()
    print("| GET /metrics text on 100,000 finished + 1,000 open recordings | p50 (ms) | p99 (ms) |")
    print("|---|---:|---:|")
    print(f"| {s['bytes']:.0f} bytes | {s['p50']:.1f} | {s['p99']:.1f} |")
    print_end()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
