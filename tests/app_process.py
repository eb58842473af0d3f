"""Running the app the way a Procfile host does: the `web` command as a real process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import SIGNING_SECRET, wait_for
from tests.fakes.recall import FakeRecall
from tests.fakes.slack import FakeSlack

ROOT = Path(__file__).resolve().parent.parent
# The app's own settings: a developer's shell must not leak any into a test's process.
APP_PREFIXES = ("SLACK_", "RECALL_", "ZOOM_", "CONSENT_", "CHAT_STOP_")


def procfile_web_command() -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.removeprefix("web:").strip()
    raise AssertionError("Procfile has no web process")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(APP_PREFIXES)}
    # The Procfile says `python`; make that this interpreter, as the host's buildpack would.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("PORT", None)
    return env


class Process:
    def __init__(self, env: dict[str, str], cwd: Path, log_path: Path | None = None) -> None:
        # A long run logs to a file: a pipe nobody reads would fill and stall the app.
        self.log_path = log_path
        self._log = open(log_path, "ab") if log_path else None  # noqa: SIM115
        self.proc = subprocess.Popen(
            # `exec` so the signal and exit status are the app's own, not an interim shell's.
            f"exec {procfile_web_command()}",
            shell=True,
            cwd=cwd,
            env=env,
            stdout=self._log or subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def output(self) -> str:
        out, _ = self.proc.communicate(timeout=15)
        if self.log_path is not None:
            return self.log_path.read_text(errors="replace")
        return out

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
        if self.proc.stdout and not self.proc.stdout.closed:
            self.proc.stdout.close()

    def stop(self) -> float:
        """SIGTERM, as a host sends on deploy; returns the seconds it took to exit."""
        started = time.monotonic()
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)
        return time.monotonic() - started


def app_env(tmp_path: Path, slack: FakeSlack, recall: FakeRecall, port: int) -> dict[str, str]:
    """The environment a host would give the app, pointed at the local fakes."""
    return base_env(tmp_path) | {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "RECALL_API_KEY": recall.api_key,
        "RECALL_API_BASE_URL": recall.base_url,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_PATH": str(tmp_path / "db" / "slack-record.db"),
        "POLL_INTERVAL_SECONDS": "0.3",
        "PORT": str(port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }


def start_app(env: dict[str, str], cwd: Path, log_path: Path | None = None) -> tuple[Process, str]:
    process = Process(env, cwd, log_path)
    url = f"http://127.0.0.1:{env['PORT']}"
    wait_for(lambda: healthy(url), what="the web process to answer", timeout=30)
    return process, url


def healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False
