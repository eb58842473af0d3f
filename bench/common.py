"""Shared by the benchmarks: the machine they ran on, and the app as a real process."""

from __future__ import annotations

import os
import platform
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SECRET = "bench-signing-secret"
# Recall's documented per-workspace rate limits, calls per minute by endpoint class, for the
# Recall fake to enforce.
RECALL_LIMITS = {"create": 60, "list": 60, "retrieve": 300}


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{platform.platform()}, {os.cpu_count()} CPUs ({cpu}){memory}, "
        f"Python {platform.python_version()}"
    )


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: the machine is shared, so say how busy it was."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def print_start() -> None:
    """What every benchmark prints first: the machine, and how busy it is."""
    print(f"machine: {machine()}")
    print(f"load average at start: {load_average()}")


def print_end() -> None:
    print(f"load average at the end: {load_average()}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


class AppProcess:
    """`python -m bot serve` (the Procfile's web command), or `command`, as a separate process
    that answers `GET /healthz` once it is up."""

    def __init__(
        self, env: dict[str, str], log_path: Path, command: list[str] | None = None
    ) -> None:
        self.command = command or [sys.executable, "-m", "bot", "serve"]
        self.env = env
        self.port = int(env["PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = open(log_path, "ab")  # noqa: SIM115
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the app did not start; see {self._log.name}")

    def kill(self) -> None:
        """SIGKILL to the whole process group: no goodbye, as when a host dies."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        self._log.close()


def app_env(
    slack_api_url: str,
    slack_token: str,
    recall_url: str,
    recall_key: str,
    database: Path,
    **extra: str,
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "RECALL_"))}
    port = free_port()
    return env | {
        "SLACK_BOT_TOKEN": slack_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack_api_url,
        "RECALL_API_KEY": recall_key,
        "RECALL_API_BASE_URL": recall_url,
        "DATABASE_PATH": str(database),
        "PORT": str(port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
