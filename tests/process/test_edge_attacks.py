"""The web edge under attack, as an attack run against the real process found it: the Procfile's
`web` command as a real process, raw sockets, the local fakes behind it. Each attack here once
worked (memory without limit, pages down, file descriptors exhausted, 500s with tracebacks);
each test pins what the edge does now."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from bot.web.limits import BODY_DEADLINE_SECONDS
from bot.web.server import HEADER_TIMEOUT_SECONDS
from tests.app_process import Process, app_env, free_port, start_app
from tests.attacks import (
    head_of,
    rss_mib,
    slowloris,
    stalled_bodies,
    status_of,
    trailer_bomb,
)
from tests.conftest import SIGNING_SECRET, App, wait_for
from tests.fakes.recall import FakeRecall
from tests.fakes.slack import FakeSlack
from tests.integration.test_install_modes import OAUTH
from tests.slack_requests import signed_headers, slash_command_body

# Its base64 ends in `=` padding, as many real secrets do.
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"edge attack test webhook secret!").decode()


@dataclass
class Edge:
    url: str
    process: Process
    log_path: Path
    watch_link: str
    slack: FakeSlack
    recall: FakeRecall

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def log_since(self, offset: int) -> str:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Edge]:
    tmp_path = tmp_path_factory.mktemp("edge")
    with FakeSlack() as slack, FakeRecall(auto_progress=True) as recall:
        slack.add_user("U0USER1", "ada")
        env = app_env(tmp_path, slack, recall, free_port()) | {
            "RECALL_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "POLL_INTERVAL_SECONDS": "0.5",
            # The Recall fake sends no webhooks: the sweep follows the one recording here.
            "WEBHOOK_SWEEP_SECONDS": "0.5",
        }
        log_path = tmp_path / "app.log"
        process, url = start_app(env, tmp_path, log_path)
        try:
            body = slash_command_body(
                "https://zoom.us/j/81234567890?pwd=abc", response_url=slack.response_url()
            )
            httpx.post(
                f"{url}/slack/events", content=body, headers=signed_headers(SIGNING_SECRET, body)
            )
            ready = wait_for(
                lambda: [m for m in slack.messages("C0CHAN1") if "Watch: " in m["text"]],
                what="the ready message",
                timeout=30,
            )
            watch_link = ready[0]["text"].split("Watch: ")[1].split()[0]
            yield Edge(url, process, log_path, watch_link, slack, recall)
        finally:
            if process.proc.poll() is None:
                process.stop()
            process.close()


def test_trailer_bomb_keeps_memory_bounded(edge: Edge) -> None:
    before = rss_mib(edge.process.proc.pid)
    accepted: list[int] = []
    bombs = [
        threading.Thread(target=lambda: accepted.append(trailer_bomb(edge.url, megabytes=100)))
        for _ in range(2)
    ]
    for bomb in bombs:
        bomb.start()
    for bomb in bombs:
        bomb.join(timeout=60)

    assert len(accepted) == 2
    assert max(accepted) < 10 * 1024 * 1024  # the server stopped reading long before 100 MB
    assert rss_mib(edge.process.proc.pid) - before < 50
    assert httpx.get(f"{edge.url}/healthz", timeout=5).status_code == 200


def test_pages_answer_while_webhook_bodies_stall(edge: Edge) -> None:
    held = stalled_bodies(edge.url, "/recall/webhook", count=32)
    try:
        for url in (f"{edge.url}/healthz", edge.watch_link, edge.watch_link.removesuffix("/watch")):
            started = time.monotonic()
            response = httpx.get(url, timeout=5)
            assert time.monotonic() - started < 1.0, url
            assert response.status_code in (200, 302)
        # The stalled requests are answered, and closed, once their body deadline passes.
        held[0].settimeout(BODY_DEADLINE_SECONDS + 5)
        assert held[0].recv(1024).startswith(b"HTTP/1.1 408")
    finally:
        for sock in held:
            sock.close()


def test_slowloris_connections_are_closed_within_the_header_timeout(edge: Edge) -> None:
    closed = slowloris(edge.url, count=300, seconds=HEADER_TIMEOUT_SECONDS + 5)

    in_time = [t for t in closed if t is not None and t <= HEADER_TIMEOUT_SECONDS + 2]
    assert len(in_time) >= 0.9 * len(closed)
    assert httpx.get(f"{edge.url}/healthz", timeout=5).status_code == 200


@pytest.mark.parametrize("size", [65 * 1024, 100 * 1024])
def test_oversized_heads_are_refused_with_431(edge: Edge, size: int) -> None:
    assert status_of(edge.url, head_of(size)) == 431


def test_a_megabyte_of_head_is_refused(edge: Edge) -> None:
    # The server may answer 431 and close while the client is still writing: then the client
    # sees the connection reset instead of the answer. Either way nothing was served.
    assert status_of(edge.url, head_of(1024 * 1024)) in (431, None)
    assert httpx.get(f"{edge.url}/healthz", timeout=5).status_code == 200


def test_ordinary_heads_still_pass(edge: Edge) -> None:
    assert status_of(edge.url, head_of(8 * 1024)) == 200


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"payload=%7Bnot-json", {}),
        (b"payload=%7Bnot-json", {"X-Slack-Request-Timestamp": "notanumber"}),
        (b"command=%2Frecord", {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=0"}),
        (b"\xff\xfe not utf-8", {"X-Slack-Request-Timestamp": str(int(time.time()))}),
        (b"command=%2Frecord", {"X-Slack-Signature": "v0=\u00e9t\u00e9".encode()}),
    ],
)
def test_unsigned_slack_junk_gets_401_and_no_error_in_the_log(
    edge: Edge, body: bytes, headers: dict[str, str | bytes]
) -> None:
    offset = edge.log_size()
    response = httpx.post(
        f"{edge.url}/slack/events",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )
    assert response.status_code == 401
    assert response.json() == {"error": "invalid signature"}
    time.sleep(0.2)
    log = edge.log_since(offset)
    assert "ERROR" not in log and "Traceback" not in log


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"payload=%5B%5D", "application/x-www-form-urlencoded"),  # payload=[]
        (b"payload=%22text%22", "application/x-www-form-urlencoded"),
        (b"command=%2Frecord&text=hello", "application/json"),  # a form sent as JSON
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),
    ],
)
def test_signed_but_malformed_slack_bodies_get_400(
    edge: Edge, body: bytes, content_type: str
) -> None:
    offset = edge.log_size()
    headers = signed_headers(SIGNING_SECRET, body) | {"Content-Type": content_type}
    response = httpx.post(f"{edge.url}/slack/events", content=body, headers=headers)
    assert response.status_code == 400
    assert "Traceback" not in edge.log_since(offset)


def signed_webhook(body: bytes) -> dict[str, str]:
    msg_id = f"msg_{secrets.token_hex(8)}"
    stamp = int(time.time())
    when = datetime.fromtimestamp(stamp, UTC)
    signature = Webhook(WEBHOOK_SECRET).sign(msg_id, when, body.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": signature,
        "Content-Type": "application/json",
    }


def test_deeply_nested_signed_webhook_gets_400(edge: Edge) -> None:
    offset = edge.log_size()
    body = b"[" * 100_000 + b"]" * 100_000
    response = httpx.post(f"{edge.url}/recall/webhook", content=body, headers=signed_webhook(body))
    assert response.status_code == 400
    assert "Traceback" not in edge.log_since(offset)


def test_chunked_signed_webhook_is_accepted(edge: Edge) -> None:
    bot_id = edge.recall.created_bot_ids()[0]
    body = json.dumps(
        {
            "event": "bot.in_call_recording",
            "data": {
                "data": {
                    "code": "in_call_recording",
                    "sub_code": None,
                    "updated_at": datetime.now(UTC).isoformat(),
                },
                "bot": {"id": bot_id, "metadata": {}},
            },
        }
    ).encode()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 40):
            yield body[start : start + 40]

    response = httpx.post(
        f"{edge.url}/recall/webhook", content=chunks(), headers=signed_webhook(body)
    )
    assert response.status_code == 200
    assert response.json() == {"result": "ok"}


@pytest.mark.parametrize(
    "state",
    ["\u00e9t\u00e9.sign\u00e9", "nonce.sign\u00e9", "nonce.\u00e9", "\u00e9"],
)
def test_oauth_callback_with_a_strange_state_gets_400(
    make_app: Callable[..., App], state: str
) -> None:
    app = make_app(**OAUTH)
    response = httpx.get(
        f"{app.url}/slack/oauth_redirect",
        params={"code": "any", "state": state},
        # Latin-1, so that the server reads the same characters from the cookie as from the
        # query: the state then gets as far as its signature check.
        headers={"Cookie": f"slack-app-oauth-state={state}".encode("latin-1", "replace")},
    )
    assert response.status_code == 400
    assert "Traceback" not in response.text
    assert app.slack.calls_to("oauth.v2.access") == []
