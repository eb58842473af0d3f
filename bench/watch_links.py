"""Durable recording links under a crowd of viewers: `/r/<token>` and `/r/<token>/watch`.

    python bench/watch_links.py [--recordings 20] [--viewers 200] [--rounds 5]

Starts the real app process (`python -m bot serve`) against the local Slack and Recall fakes
(Recall moving each bot on by itself, as tests/test_process.py does), records `--recordings`
meetings until each is ready, and reads their watch links from the ready messages in the Slack
fake. Each `/r/<token>` is opened once first, so the fresh Recall link is cached (what a
viewer meets while a recording is being watched); then `--viewers` GETs of `/r/<token>`,
spread over the tokens, go out at the same instant over connections opened beforehand, and
the time until the status line (the 302) is taken; `--rounds` times. The same again for
`/r/<token>/watch`, the HTML page. Target: redirect p99 < 20 ms.

Then the floor: the same bursts against bench/bare_bolt.py, whose `GET /r/{token}` answers a
302 at once from an async endpoint on the same server, so what the app adds is visible.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import httpx
from common import SECRET, AppProcess, app_env, percentile, print_end, print_start

from tests.fakes.recall import FakeRecall
from tests.fakes.slack import FakeSlack
from tests.slack_requests import signed_headers, slash_command_body

CHANNEL = "C0CHAN1"
Result = tuple[float, int]


async def burst(url: str, paths: list[str]) -> list[Result]:
    """GET every path at the same instant over connections opened beforehand; per request,
    the seconds until the status line and the status code."""
    host, port = url.removeprefix("http://").split(":")
    connections = [await asyncio.open_connection(host, int(port)) for _ in paths]
    start = asyncio.Event()

    async def one(conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], path: str) -> Result:
        reader, writer = conn
        data = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
        await start.wait()
        started = time.perf_counter()
        writer.write(data)
        await writer.drain()
        status_line = await reader.readline()
        elapsed = time.perf_counter() - started
        await reader.read()  # the rest of the answer, then the close
        writer.close()
        return elapsed, int(status_line.split()[1])

    tasks = [
        asyncio.create_task(one(conn, path)) for conn, path in zip(connections, paths, strict=True)
    ]
    await asyncio.sleep(0)  # every task waits on the event before any request goes out
    start.set()
    return await asyncio.gather(*tasks)


def ready_links(slack: FakeSlack) -> list[str]:
    """Every distinct watch link in the channel's messages so far."""
    links = []
    for message in slack.messages(CHANNEL):
        text = message.get("text") or ""
        if "Watch: " in text:
            link = text.split("Watch: ")[1].split()[0]
            if link not in links:
                links.append(link)
    return links


def make_ready(app: AppProcess, slack: FakeSlack, count: int) -> list[str]:
    """`count` recordings, from `/record` to the ready message; their `/r/<token>` paths."""
    for n in range(count):
        body = slash_command_body(
            f"https://zoom.us/j/9{n:010d}?pwd=x", response_url=slack.response_url(f"w{n}")
        )
        reply = httpx.post(
            f"{app.url}/slack/events", content=body, headers=signed_headers(SECRET, body)
        )
        reply.raise_for_status()
    deadline = time.monotonic() + 120
    while len(links := ready_links(slack)) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(links)} of {count} recordings became ready")
        time.sleep(0.5)
    return [link.removeprefix(app.url).removesuffix("/watch") for link in links]


def measure(url: str, paths: list[str], viewers: int, rounds: int) -> list[list[Result]]:
    spread = [paths[i % len(paths)] for i in range(viewers)]
    found = []
    for _ in range(rounds):
        found.append(asyncio.run(burst(url, spread)))
        time.sleep(1)
    return found


def row(server: str, what: str, label: str, results: list[Result]) -> str:
    latencies = [elapsed * 1000 for elapsed, _ in results]
    statuses = sorted({status for _, status in results})
    return (
        f"| {server} | {what} | {label} | {len(latencies)} | {percentile(latencies, 50):.1f} "
        f"| {percentile(latencies, 95):.1f} | {percentile(latencies, 99):.1f} "
        f"| {max(latencies):.1f} | {', '.join(map(str, statuses))} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=20)
    parser.add_argument("--viewers", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-floor", action="store_true", help="skip bench/bare_bolt.py")
    args = parser.parse_args()
    print_start()

    tables: list[tuple[str, str, list[list[Result]]]] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeSlack() as slack,
        FakeRecall(auto_progress=True) as recall,
    ):
        slack.add_user("U0USER1", "ada")  # the watch page names who asked
        env = app_env(
            slack.api_url,
            slack.bot_token,
            recall.base_url,
            recall.api_key,
            Path(tmp) / "w.db",
            # Only to get the recordings ready quickly: once they are, nothing is open and a
            # poll pass finds nothing due.
            POLL_INTERVAL_SECONDS="0.5",
        )
        app = AppProcess(env, Path(tmp) / "app.log")
        try:
            started = time.monotonic()
            paths = make_ready(app, slack, args.recordings)
            print(f"{len(paths)} recordings ready after {time.monotonic() - started:.0f} s")
            with httpx.Client(base_url=app.url) as client:
                for path in paths:  # each fresh Recall link is fetched once, and cached
                    assert client.get(path).status_code == 302
                    assert client.get(f"{path}/watch").status_code == 200
            calls_before = len(recall.requests_to("*", r"^/api/"))
            tables.append(("app", "/r/<token>", measure(app.url, paths, args.viewers, args.rounds)))
            tables.append(
                (
                    "app",
                    "/r/<token>/watch",
                    measure(app.url, [f"{p}/watch" for p in paths], args.viewers, args.rounds),
                )
            )
            asked = len(recall.requests_to("*", r"^/api/")) - calls_before
        finally:
            app.stop()

        if not args.no_floor:
            floor_env = app_env(slack.api_url, "", recall.base_url, "", Path(tmp) / "floor.db")
            floor_command = [sys.executable, "-m", "bench.bare_bolt"]
            bare = AppProcess(floor_env, Path(tmp) / "floor.log", command=floor_command)
            try:
                measure(bare.url, paths, 20, 1)  # warm up
                floor = measure(bare.url, paths, args.viewers, args.rounds)
                tables.append(("floor", "/r/<token>", floor))
            finally:
                bare.stop()

    print_end()
    print(
        f"{args.viewers} GETs at once over {len(paths)} recordings, {args.rounds} rounds; "
        f"calls to Recall's API during the app's bursts: {asked}"
    )
    print("| server | path | round | requests | p50 ms | p95 ms | p99 ms | max ms | statuses |")
    print("|---|---|---|---:|---:|---:|---:|---:|---|")
    for server, what, rounds in tables:
        for index, results in enumerate(rounds, 1):
            print(row(server, what, str(index), results))
        print(row(server, what, "all", [r for results in rounds for r in results]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
