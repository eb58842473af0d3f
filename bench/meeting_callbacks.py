"""Recall's calls back into the app: the meeting chat of lively meetings, and Zoom tokens.

    python bench/meeting_callbacks.py [--meetings 10] [--messages 10] [--tokens 50]

Starts the real app process (`python -m bot serve`) against the local Slack, Recall and Zoom
fakes, connects a Zoom account (`/record connect zoom`, through the fake's consent page), and
records `--meetings` Zoom meetings, each carrying a chat endpoint and a Zoom token URL. Then:

- chat: every meeting's chat gets `--messages` ordinary messages at the same instant (all
  meetings at once: `meetings * messages` deliveries in flight, over connections opened
  beforehand), as Recall posts them to `/recall/realtime?token=…`; the time until each status
  line. Target: p99 < 100 ms for 100 at once, as for slash commands (Recall expects a prompt
  2xx; nothing slow happens for a message that is not the stop phrase).
- tokens: `--tokens` GETs of `/zoom/obf?token=…` one after another, as Recall asks just before
  a bot joins; each mints a fresh token at the Zoom fake. Target: p99 < 1 s (Recall waits for
  the answer before the bot joins; most of it is Zoom's own answer). The floor: the same number
  of token calls straight to the Zoom fake.
- stop: the stop phrase in every meeting's chat at once; the time until each answer, and until
  Recall was asked to make every bot leave.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import httpx
from common import SECRET, AppProcess, app_env, percentile, print_end, print_start

from tests.fakes.recall import FakeRecall
from tests.fakes.recall_callbacks import chat_endpoints, chat_message_payload
from tests.fakes.slack import FakeSlack
from tests.fakes.zoom import CLIENT_ID, CLIENT_SECRET, FakeZoom
from tests.slack_requests import signed_headers, slash_command_body


def command(app: AppProcess, slack: FakeSlack, text: str) -> dict[str, object]:
    body = slash_command_body(text, response_url=slack.response_url("bench"))
    reply = httpx.post(
        f"{app.url}/slack/events", content=body, headers=signed_headers(SECRET, body)
    )
    return reply.json() if reply.content else {}


async def deliver(urls_and_payloads: list[tuple[str, dict[str, object]]]) -> list[float]:
    """POST every payload at the same instant over connections opened beforehand (as Recall's
    many senders would); per request, the seconds until the status line, which must be 200."""
    connections = []
    for url, _ in urls_and_payloads:
        parts = httpx.URL(url)
        connections.append(await asyncio.open_connection(parts.host, parts.port))
    start = asyncio.Event()

    async def one(
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], url: str, body: bytes
    ) -> float:
        reader, writer = conn
        parts = httpx.URL(url)
        head = (
            f"POST {parts.raw_path.decode()} HTTP/1.1\r\nHost: {parts.host}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        await start.wait()
        began = time.perf_counter()
        writer.write(head.encode() + body)
        await writer.drain()
        status_line = await reader.readline()
        elapsed = time.perf_counter() - began
        await reader.read()
        writer.close()
        assert status_line.split()[1] == b"200", status_line
        return elapsed

    tasks = [
        asyncio.create_task(one(conn, url, json.dumps(payload).encode()))
        for conn, (url, payload) in zip(connections, urls_and_payloads, strict=True)
    ]
    await asyncio.sleep(0.05)
    start.set()
    return list(await asyncio.gather(*tasks))


def figures(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"{name}: n={len(ms)} p50 {percentile(ms, 50):.1f} ms, p99 {percentile(ms, 99):.1f} ms, "
        f"max {max(ms):.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=10)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--tokens", type=int, default=50)
    args = parser.parse_args()
    print_start()
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeSlack() as slack,
        FakeRecall() as recall,
        FakeZoom() as zoom,
    ):
        slack.add_user("U0USER1", "ada")
        env = app_env(
            slack.api_url,
            slack.bot_token,
            recall.base_url,
            recall.api_key,
            Path(tmp) / "bench.db",
            ZOOM_CLIENT_ID=CLIENT_ID,
            ZOOM_CLIENT_SECRET=CLIENT_SECRET,
            ZOOM_OAUTH_BASE_URL=zoom.base_url,
            ZOOM_API_BASE_URL=zoom.base_url,
        )
        app = AppProcess(env, Path(tmp) / "app.log")
        try:
            answer = str(command(app, slack, "connect zoom").get("text", ""))
            [link] = re.findall(r"<(http://[^|>]+)\|connect Zoom>", answer)
            assert httpx.get(link, follow_redirects=True).status_code == 200
            for number in range(args.meetings):
                command(app, slack, f"https://acme.zoom.us/j/8{number:010d}?pwd=x")
            deadline = time.monotonic() + 60
            while len(recall.created_bot_ids()) < args.meetings and time.monotonic() < deadline:
                time.sleep(0.05)
            bots = recall.created_bot_ids()
            for bot_id in bots:
                recall.push_status(bot_id, "joining_call")
                recall.push_status(bot_id, "in_call_recording")
                recall.start_recording(bot_id)
            chats = {bot_id: chat_endpoints(recall, bot_id)[0] for bot_id in bots}

            chatter = [
                (url, chat_message_payload(bot_id, f"message {n} about the agenda"))
                for bot_id, url in chats.items()
                for n in range(args.messages)
            ]
            print(figures("chat deliveries, all at once", asyncio.run(deliver(chatter))))

            tokens = []
            for n in range(args.tokens):
                url = recall.bot(bots[n % len(bots)])["zoom"]["obf_token_url"]
                began = time.perf_counter()
                assert httpx.get(url).status_code == 200
                tokens.append(time.perf_counter() - began)
            print(figures("Zoom on-behalf-of tokens, one after another", tokens))
            access = zoom.tokens_of("zoom-ada")[0]
            floor = []
            for _ in range(args.tokens):
                began = time.perf_counter()
                httpx.get(
                    f"{zoom.base_url}/v2/users/me/token?type=onbehalf",
                    headers={"Authorization": f"Bearer {access}"},
                )
                floor.append(time.perf_counter() - began)
            print(figures("floor: the same calls straight to the Zoom fake", floor))

            began = time.perf_counter()
            stops = [(url, chat_message_payload(b, "stop recording")) for b, url in chats.items()]
            print(figures("stop phrase in every meeting at once", asyncio.run(deliver(stops))))
            while time.monotonic() < deadline + 60:
                left = [
                    b
                    for b in bots
                    if not recall.requests_to("POST", rf"^/api/v1/bot/{b}/leave_call/$")
                ]
                if not left:
                    break
                time.sleep(0.01)
            print(f"every bot asked to leave {time.perf_counter() - began:.2f} s after the stops")
        finally:
            app.stop()
    print_end()
    return 0


if __name__ == "__main__":
    sys.exit(main())
