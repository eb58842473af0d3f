"""Scale: Recall calls per minute with 1,000 open bots, poll tick time as history grows, and the
memory of the real process holding 1,000 open recordings.

    python bench/scale.py [--open 1000] [--minutes 10] [--history 1000,100000]

1. Rate budget: the app's poller on a simulated clock, 1,000 bots recording, against the Recall
   fake enforcing Recall's limits (create 60, list 60, retrieve 300 per minute). Prints calls
   per minute by class, 429s, and the longest any recording went without news.
2. Tick time: 100 open recordings plus N finished ones in the database; median wall time of a
   poll pass (real SQLite, real HTTP to the fake). Target: 100k vs 1k history < 1.5x.
3. Memory: `python -m bot serve` (the Procfile command) with 1,000 open recordings, polling for
   a minute; resident memory of the process. Target: < 150 MB.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import RECALL_LIMITS, AppProcess, app_env, print_start
from simulated import SimClock, settings_for

from bot.app.runtime import Runtime
from bot.model.lifecycle import State
from bot.store import Store
from bot.store.timestamps import ts
from bot.workflow.polling import poll_once
from tests.fakes.rate_limits import endpoint_class
from tests.fakes.recall import FakeRecall
from tests.fakes.slack import FakeSlack

TICK = timedelta(seconds=15)
START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def open_recordings(store: Store, recall: FakeRecall, count: int, now: datetime) -> None:
    """`count` recordings whose bots are recording now (rows as /record would leave them)."""
    rows = []
    for n in range(count):
        bot_id = recall.add_bot(meeting_url=f"https://zoom.us/j/9{n:010d}?pwd=x")
        recall.push_status(bot_id, "in_call_recording")
        rows.append(_row(n, now, state=State.RECORDING, bot_id=bot_id, next_poll_at=ts(now)))
    _insert(store, rows)


def finished_recordings(store: Store, count: int, now: datetime) -> None:
    old = now - timedelta(days=30)
    _insert(
        store,
        [
            _row(10**7 + n, old, state=State.READY, bot_id=None, next_poll_at=None, done=True)
            for n in range(count)
        ],
    )


def _row(
    n: int,
    now: datetime,
    *,
    state: State,
    bot_id: str | None,
    next_poll_at: str | None,
    done: bool = False,
) -> dict[str, object]:
    return {
        "id": secrets.token_hex(12),
        "team_id": "T0001",
        "channel_id": "C0CHAN1",
        "user_id": "U0USER1",
        "meeting_url": f"https://zoom.us/j/9{n:010d}?pwd=x",
        "platform": "zoom",
        "meeting_key": f"zoom:9{n:010d}",
        "state": state.value,
        "recall_bot_id": bot_id,
        "created_at": ts(now),
        "updated_at": ts(now),
        "deadline_at": ts(now + timedelta(hours=6)),
        "next_poll_at": next_poll_at,
        "attempts": 0,
        "capacity_waits": 0,
        "share_token": secrets.token_urlsafe(16),
        "status_channel": "C0CHAN1",
        "status_ts": f"1700000000.{n:06d}",
        "status_key": "recording|||",
        "finished_at": ts(now) if done else None,
        "notified_at": ts(now) if done else None,
        "looked_at": ts(now),
        "recall_status": "in_call_recording",
        "recording_started_at": ts(now),
    }


def _insert(store: Store, rows: list[dict[str, object]]) -> None:
    columns = list(rows[0])
    sql = f"INSERT INTO recordings ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    with store.database.db.conn:
        store.database.db.conn.executemany(sql, [[row[c] for c in columns] for row in rows])


def rate_budget(open_count: int, minutes: int) -> None:
    clock = SimClock(START)
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeSlack() as slack,
        FakeRecall(rate_limits=RECALL_LIMITS, clock=lambda: clock().timestamp()) as recall,
    ):
        runtime = Runtime(
            settings_for(slack, recall, Path(tmp) / "scale.db"),
            clock=clock,
            sleep=clock.sleep,
        )
        runtime.store.migrate()
        open_recordings(runtime.store, recall, open_count, clock.now)
        start, before = clock.now, len(recall.requests)
        worst_gap = timedelta()
        passes = 0
        last_news = {r.id: r.recall.looked_at for r in runtime.store.recordings.all()}
        wall = time.perf_counter()
        while clock.now < start + timedelta(minutes=minutes):
            clock.now += TICK
            poll_once(runtime.steps, runtime.survey, clock.now)
            passes += 1
            # The time between two pieces of news about the same recording.
            for r in runtime.store.recordings.all():
                news = r.recall.looked_at
                if news and news != last_news[r.id]:
                    worst_gap = max(worst_gap, news - last_news[r.id])
                    last_news[r.id] = news
        wall = time.perf_counter() - wall
        counts = {kind: 0 for kind in RECALL_LIMITS}
        for request in recall.requests[before:]:
            if request.path.startswith("/api/"):
                counts[endpoint_class(request.method, request.path)] += 1
        runtime.stop()
    print(
        f"\n1. {open_count} open bots recording, {minutes} simulated minutes ({passes} passes, "
        f"{wall:.0f} s of wall time)"
    )
    print("| class | calls per minute | Recall's limit | our 80% budget |")
    print("|---|---:|---:|---:|")
    for kind, limit in RECALL_LIMITS.items():
        print(f"| {kind} | {counts[kind] / minutes:.1f} | {limit} | {limit * 0.8:.0f} |")
    print(
        f"429s from the fake: {sum(recall.throttled.values())}; longest any recording went "
        f"without news: {worst_gap.total_seconds():.0f} s"
    )


def tick_time(history: list[int]) -> None:
    print("\n2. Poll pass time with 100 open recordings and growing history")
    print("| finished recordings stored | median pass (ms) | p90 pass (ms) |")
    print("|---:|---:|---:|")
    medians = []
    for finished in history:
        clock = SimClock(START)
        with tempfile.TemporaryDirectory() as tmp, FakeSlack() as slack, FakeRecall() as recall:
            runtime = Runtime(settings_for(slack, recall, Path(tmp) / "tick.db"), clock=clock)
            runtime.store.migrate()
            finished_recordings(runtime.store, finished, clock.now)
            open_recordings(runtime.store, recall, 100, clock.now)
            runtime.store.database.db.execute("ANALYZE")
            times = []
            for _ in range(25):
                clock.now += TICK
                started = time.perf_counter()
                poll_once(runtime.steps, runtime.survey, clock.now)
                times.append((time.perf_counter() - started) * 1000)
            runtime.stop()
        times = times[5:]  # warm-up passes out
        medians.append(statistics.median(times))
        print(
            f"| {finished:,} | {statistics.median(times):.1f} | "
            f"{statistics.quantiles(times, n=10)[-1]:.1f} |"
        )
    print(f"ratio {history[-1]:,} vs {history[0]:,}: {medians[-1] / medians[0]:.2f}x")


def memory(open_count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as slack, FakeRecall() as recall:
        database = Path(tmp) / "memory.db"
        store = Store(database)
        store.migrate()
        open_recordings(store, recall, open_count, datetime.now(UTC))
        store.close()
        env = app_env(
            slack.api_url,
            slack.bot_token,
            recall.base_url,
            recall.api_key,
            database,
            POLL_INTERVAL_SECONDS="15",
        )
        app = AppProcess(env, Path(tmp) / "app.log")
        try:
            samples = []
            for _ in range(8):  # about two minutes: several full poll passes
                time.sleep(15)
                samples.append(_rss_mb(app.proc.pid))
        finally:
            app.stop()
    print(f"\n3. `python -m bot serve` with {open_count} open recordings, polling every 15 s")
    print(f"resident memory of the process: peak {max(samples):.0f} MB, last {samples[-1]:.0f} MB")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=1000)
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--history", default="1000,100000")
    parser.add_argument("--skip", default="", help="comma list of parts to skip: rate,tick,memory")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    print_start()
    if "rate" not in skip:
        rate_budget(args.open, args.minutes)
    if "tick" not in skip:
        tick_time([int(n) for n in args.history.split(",")])
    if "memory" not in skip:
        memory(args.open)
    return 0


if __name__ == "__main__":
    sys.exit(main())
