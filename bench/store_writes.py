"""Saving requests from many threads at once: taking turns on a lock vs SQLite's busy handler.

    python bench/store_writes.py [--threads 16] [--writes 150] [--rounds 3]

Each thread saves `--writes` new recordings through `Store.add_unless_live` (what `/record`
does before answering), all threads at once, on a real SQLite file in WAL mode. Measured twice:
as the app runs (writers of one process take turns on a lock first), and with that lock
removed, so only SQLite's busy handler (which sleeps 1, 2, 5, 10 ... 100 ms between tries)
arbitrates. Prints the per-write latency p50/p99/max and the wall time of each way.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import percentile, print_start

from bot.store import Store


def run(threads: int, writes: int, with_lock: bool) -> tuple[list[float], float]:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        store.migrate()
        if not with_lock:
            store._write_lock = contextlib.nullcontext()  # type: ignore[assignment]
        now = datetime.now(UTC)
        latencies: list[float] = []
        collected = threading.Lock()
        start = threading.Barrier(threads)

        def writer(number: int) -> None:
            mine = []
            start.wait()
            for i in range(writes):
                began = time.perf_counter()
                store.recordings.add_unless_live(
                    now,
                    timedelta(hours=6),
                    team_id="T1",
                    channel_id="C1",
                    user_id="U1",
                    meeting_key=f"zoom:{number}-{i}",
                    meeting_url=f"https://zoom.us/j/{number}{i}",
                    platform="zoom",
                )
                mine.append((time.perf_counter() - began) * 1000)
            store.close()
            with collected:
                latencies.extend(mine)

        workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
        began = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return latencies, time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--writes", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print_start()
    print(f"{args.threads} threads x {args.writes} saves, {args.rounds} rounds each way")
    print("| writers take turns | saves | p50 ms | p99 ms | max ms | wall s (mean) |")
    print("|---|---:|---:|---:|---:|---:|")
    for with_lock, label in ((True, "on a lock (the app)"), (False, "in SQLite's busy handler")):
        latencies: list[float] = []
        walls = []
        for _ in range(args.rounds):
            got, wall = run(args.threads, args.writes, with_lock)
            latencies += got
            walls.append(wall)
        print(
            f"| {label} | {len(latencies)} | {percentile(latencies, 50):.2f} "
            f"| {percentile(latencies, 99):.2f} | {max(latencies):.1f} "
            f"| {sum(walls) / len(walls):.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
