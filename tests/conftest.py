"""Shared fixtures: the local Slack and Recall fakes (real HTTP on 127.0.0.1), a real SQLite
file, the app served over real HTTP, and a clock tests move by hand."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app.config import Settings
from bot.app.runtime import Runtime
from bot.app.scheduler import HOUSEKEEPING_JOB
from bot.web.app import create_app
from bot.workflow.polling import PollSummary, poll_once
from tests.asgi_server import AsgiServer
from tests.fakes.recall import FakeRecall
from tests.fakes.slack import FakeSlack
from tests.slack_requests import block_action_body, signed_headers, slash_command_body

SIGNING_SECRET = "test-signing-secret-0123456789"


@pytest.fixture(autouse=True)
def _no_slack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # Bolt and slack_sdk read SLACK_* variables on their own: App() takes its token and signing
    # secret from them, and switches to OAuth when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set.
    for name in list(os.environ):
        if name.startswith(("SLACK_", "RECALL_", "ZOOM_", "CONSENT_", "CHAT_STOP_")):
            monkeypatch.delenv(name)


class Clock:
    """The app's notion of now; tests move it instead of sleeping."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def recall() -> Iterator[FakeRecall]:
    with FakeRecall() as fake:
        yield fake


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_user("U0USER1", "ada")
        yield fake


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "slack-record.db"


@pytest.fixture
def settings(recall: FakeRecall, slack: FakeSlack, db_path: Path) -> Settings:
    return Settings(
        slack_bot_token=slack.bot_token,
        slack_signing_secret=SIGNING_SECRET,
        recall_api_key=recall.api_key,
        recall_api_base_url=recall.base_url,
        slack_api_url=slack.api_url,
        database_path=db_path,
        poll_interval_seconds=15,
    )


@dataclass
class App:
    """The app under test: its runtime, its HTTP address, and the fakes it talks to."""

    runtime: Runtime
    url: str
    clock: Clock
    recall: FakeRecall
    slack: FakeSlack
    sleeps: list[float] = field(default_factory=list)

    def command(self, text: str, **form: Any) -> httpx.Response:
        """Type `/record <text>` in Slack: a signed request over HTTP, as Slack sends it."""
        hook = form.pop("hook", "cmd")
        body = slash_command_body(text, response_url=self.slack.response_url(hook), **form)
        return httpx.post(
            f"{self.url}/slack/events",
            content=body,
            headers=signed_headers(SIGNING_SECRET, body),
            timeout=5,
        )

    def press(
        self, action_id: str, user_id: str = "U0USER1", hook: str = "press"
    ) -> httpx.Response:
        """Press a button on the recording's status message, as `user_id`."""
        rec = self.recording()
        body = block_action_body(
            action_id,
            rec.id,
            response_url=self.slack.response_url(hook),
            user_id=user_id,
            channel_id=rec.slack.status_channel or rec.request.channel_id,
            message_ts=rec.slack.status_ts or "1700000000.000100",
        )
        return httpx.post(
            f"{self.url}/slack/events",
            content=body,
            headers=signed_headers(SIGNING_SECRET, body),
            timeout=5,
        )

    def poll(self, **advance: float) -> PollSummary:
        """Let time pass (default: one poll interval) and run one poller pass."""
        self.clock.advance(**(advance or {"seconds": 15}))
        return poll_once(self.runtime.steps, self.runtime.survey, self.clock())

    def housekeeping(self) -> None:
        """The scheduler's hourly housekeeping job, run now, as the scheduler runs it."""
        self.runtime.scheduler.scheduler.get_job(HOUSEKEEPING_JOB).func()

    @property
    def lease(self) -> timedelta:
        return self.runtime.steps.ctx.policy.lease

    def wait_idle(self) -> None:
        """Wait for the work /record started in the background to finish.

        Slack gets its answer at `ack()`, a moment before the handler hands the work to the
        pool; a claimed row proves the hand-off happened.
        """
        wait_for(
            lambda: all(r.claim.token for r in self.runtime.store.recordings.all()),
            what="work to start",
        )
        assert self.runtime.workers.wait(timeout=10), "background work hung"

    def replies(self, hook: str = "cmd") -> list[str]:
        """What the requester saw through the command's reply hook (ephemeral)."""
        return [body.get("text", "") for body in self.slack.responses.get(hook, [])]

    def posts(self, channel: str = "C0CHAN1") -> list[dict[str, Any]]:
        return [
            call.args
            for call in self.slack.calls_to("chat.postMessage")
            if call.args.get("channel") == channel
        ]

    def status(self, channel: str = "C0CHAN1") -> dict[str, Any]:
        """The recording's one status message in the channel, as it reads now."""
        top = [m for m in self.slack.messages(channel) if m.get("thread_ts", m["ts"]) == m["ts"]]
        assert len(top) == 1, [m["text"] for m in top]
        return top[0]

    def status_text(self, channel: str = "C0CHAN1") -> str:
        """Everything the status message shows, blocks included, as one string."""
        return json.dumps(self.status(channel)["blocks"], ensure_ascii=False)

    def thread(self, channel: str = "C0CHAN1") -> list[str]:
        """Thread replies under status messages: the notifications people get."""
        return [
            m["text"]
            for m in self.slack.messages(channel)
            if m.get("thread_ts", m["ts"]) != m["ts"]
        ]

    def recording(self) -> Any:
        rows = list(self.runtime.store.recordings.all())
        assert len(rows) == 1, rows
        return rows[0]

    def slack_app_installations(self) -> Any:
        """The OAuth installation store (multi-workspace mode)."""
        return self.runtime.slack_app.installation_store

    def wait_for_reply(self, hook: str) -> str:
        """The private answer sent through a reply hook after the ack."""
        return wait_for(lambda: self.replies(hook), what=f"a reply on {hook}")[-1]


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def make_app(
    settings: Settings, clock: Clock, recall: FakeRecall, slack: FakeSlack
) -> Iterator[Callable[..., App]]:
    started: list[tuple[Runtime, AsgiServer]] = []

    def start(**overrides: Any) -> App:
        sleeps: list[float] = []

        def sleep(seconds: float) -> None:
            # The app's waits (retry back-off, Recall's Retry-After) pass on its own clock.
            sleeps.append(seconds)
            clock.advance(seconds=seconds)

        runtime = Runtime(
            Settings(**{**settings.__dict__, **overrides}),
            clock=clock,
            sleep=sleep,
            recall_timeout=httpx.Timeout(1.0),
        )
        runtime.store.migrate()
        server = AsgiServer(create_app(runtime, manage_runtime=False)).start()
        started.append((runtime, server))
        return App(runtime, server.base_url, clock, recall, slack, sleeps)

    yield start
    for runtime, server in started:
        server.stop()
        runtime.stop()


@pytest.fixture
def app(make_app: Callable[..., App]) -> App:
    return make_app()
