"""Slash-command ack latency under a burst, while Recall is slow.

    python bench/ack_latency.py [--sizes 10,25,50,100] [--recall-delay 2.0] [--rounds 3]

Starts the real app process (`python -m bot serve`) against the local Slack and Recall fakes,
with every Recall call taking `--recall-delay` seconds. For each burst size, fires that many
signed `/record` commands at the same instant (distinct meetings, connections opened
beforehand), `--rounds` times; then the same number spread evenly over one second. Prints
p50/p95/p99/max of the time until Slack would have its answer. Target: p99 < 100 ms, nothing
near Slack's 3 s.

Then the floor: the same bursts at once against bench/bare_bolt.py, the same server (granian
embedded, built by bot/web/server.py) with Bolt's Starlette adapter and a `/record` listener
that only acks, so what the app itself adds is visible.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from common import SECRET, AppProcess, app_env, percentile, print_end, print_start

from tests.fakes.recall import FakeRecall
from tests.fakes.slack import FakeSlack
from tests.slack_requests import signed_headers, slash_command_body

Row = tuple[int, str, list[tuple[float, int]]]


async def burst(url: str, bodies: list[str], spread: float = 0.0) -> list[tuple[float, int]]:
    """Send every request at once over connections opened beforehand, as Slack's servers
    would (the load generator stays light, so what is timed is the app)."""
    host, port = url.removeprefix("http://").split(":")
    connections = [await asyncio.open_connection(host, int(port)) for _ in bodies]
    raw = [
        (
            f"POST /slack/events HTTP/1.1\r\nHost: {host}\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in signed_headers(SECRET, body).items())
            + f"Content-Length: {len(body.encode())}\r\nConnection: close\r\n\r\n{body}"
        ).encode()
        for body in bodies
    ]

    async def one(conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], data: bytes, at: float):
        reader, writer = conn
        await asyncio.sleep(at)
        started = time.perf_counter()
        writer.write(data)
        await writer.drain()
        status_line = await reader.readline()
        elapsed = time.perf_counter() - started
        await reader.read()
        writer.close()
        return elapsed, int(status_line.split()[1])

    step = spread / max(1, len(raw))
    return await asyncio.gather(
        *(one(c, d, i * step) for i, (c, d) in enumerate(zip(connections, raw, strict=True)))
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,25,50,100")
    parser.add_argument("--recall-delay", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    print_start()

    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as slack, FakeRecall() as recall:
        recall.delay_next("*", r"^/api/", seconds=args.recall_delay, times=10**9)
        env = app_env(
            slack.api_url, slack.bot_token, recall.base_url, recall.api_key, Path(tmp) / "b.db"
        )
        app = AppProcess(env, Path(tmp) / "app.log")
        counter = iter(range(10**9))

        def bodies(count: int) -> list[str]:
            return [
                slash_command_body(
                    f"https://zoom.us/j/8{n:010d}?pwd=x", response_url=slack.response_url(f"r{n}")
                )
                for n in (next(counter) for _ in range(count))
            ]

        def measure(url: str, spreads: tuple[tuple[float, str], ...]) -> list[Row]:
            asyncio.run(burst(url, bodies(20)))  # warm up: imports, first queries
            time.sleep(args.recall_delay + 1)
            rows = []
            for size in sizes:
                for spread, label in spreads:
                    results: list[tuple[float, int]] = []
                    for _ in range(args.rounds):
                        results += asyncio.run(burst(url, bodies(size), spread))
                        time.sleep(args.recall_delay + 1)  # let the background work settle
                    rows.append((size, label, results))
            return rows

        try:
            rows = measure(app.url, ((0.0, "at once"), (1.0, "over 1 s")))
        finally:
            app.stop()
        floor_env = app_env(slack.api_url, "", recall.base_url, "", Path(tmp) / "floor.db")
        bare = AppProcess(
            floor_env,
            Path(tmp) / "floor.log",
            command=[sys.executable, "-m", "bench.bare_bolt"],
        )
        try:
            floor = measure(bare.url, ((0.0, "at once"),))
        finally:
            bare.stop()

    print_end()
    print(
        f"/record acks, {args.rounds} rounds each; Recall taking {args.recall_delay:g} s per call"
    )
    print("| server | commands | sent | requests | p50 ms | p95 ms | p99 ms | max ms | non-200 |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    worst = 0.0
    failures = 0
    for server, (size, label, results) in [("app", row) for row in rows] + [
        ("floor", row) for row in floor
    ]:
        latencies = [elapsed * 1000 for elapsed, _ in results]
        bad = sum(status != 200 for _, status in results)
        failures += bad
        worst = max(worst, max(latencies))
        print(
            f"| {server} | {size} | {label} | {len(latencies)} | {percentile(latencies, 50):.1f} "
            f"| {percentile(latencies, 95):.1f} | {percentile(latencies, 99):.1f} "
            f"| {max(latencies):.1f} | {bad} |"
        )
    return 0 if failures == 0 and worst < 3000 else 1


if __name__ == "__main__":
    sys.exit(main())
