"""The app's memory while its web edge is attacked: the attacks of tests/attacks.py, one after
another, against the real process.

    python bench/edge_attacks.py [--bombs 2] [--bomb-mib 100] [--stalled 32] [--slowloris 300]

Starts the real app process (`python -m bot serve`) against the local Slack and Recall fakes,
makes one recording ready and opens its watch page (so the process has done its ordinary
work once), and samples the process's resident memory (VmRSS in /proc) every 100 ms from then
on. Then, in turn:

- trailer bombs: `--bombs` at once, each a chunked `GET /healthz` followed by an endless
  trailer section, up to `--bomb-mib` MiB each;
- stalled bodies: `--stalled` webhook POSTs that promise 100,000 bytes, send one and wait, with
  `/healthz`, the watch page and the redirect fetched meanwhile; then what the stalled clients
  got once their body deadline passed;
- slowloris: `--slowloris` connections each adding a header line every second for the header
  timeout plus 5 s, with `/healthz` fetched every second meanwhile; how many were closed
  within the header timeout;
- oversized heads: 65 KiB, 100 KiB and 1 MiB heads in one write (10 of each), and an 8 KiB one
  that must pass.

Prints the RSS at rest before and after, the peak during each attack and over the whole suite.
Target: RSS < 150 MB throughout.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from common import SECRET, AppProcess, app_env, percentile, print_end, print_start

from bot.web.limits import BODY_DEADLINE_SECONDS
from bot.web.server import HEADER_TIMEOUT_SECONDS
from tests.attacks import head_of, rss_mib, slowloris, stalled_bodies, status_of, trailer_bomb
from tests.fakes.recall import FakeRecall
from tests.fakes.slack import FakeSlack
from tests.slack_requests import signed_headers, slash_command_body

CHANNEL = "C0CHAN1"
# Recall's webhook secrets are base64 with padding; any such secret turns /recall/webhook on.
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"edge attack bench webhook secret").decode()
SAMPLE_SECONDS = 0.1
MIB_PER_MB = 1_000_000 / 1024 / 1024


class RssSampler(threading.Thread):
    """VmRSS of one process every SAMPLE_SECONDS, labelled with the attack running then."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.phase = "rest"
        self.samples: list[tuple[str, float]] = []
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set() and self.sample():
            self._done.wait(SAMPLE_SECONDS)

    def sample(self) -> bool:
        """One sample now (also taken as each attack starts and ends: some last less than
        SAMPLE_SECONDS); False once the process is gone."""
        try:
            self.samples.append((self.phase, rss_mib(self.pid)))
        except (OSError, AssertionError):
            return False
        return True

    def stop(self) -> None:
        self._done.set()
        if self.ident is not None:
            self.join()

    def peak(self, phase: str | None = None) -> float:
        return max(rss for name, rss in self.samples if phase is None or name == phase)


# A new connection for every request (the slowloris lockout was new connections left waiting),
# but one client: building a client per request costs tens of ms, which would be timed too.
_PROBE = httpx.Client(limits=httpx.Limits(max_keepalive_connections=0))


def timed_get(url: str, timeout: float = 5.0) -> tuple[str, float]:
    started = time.perf_counter()
    try:
        status = str(_PROBE.get(url, timeout=timeout).status_code)
    except httpx.TimeoutException:
        status = "timeout"
    except httpx.TransportError as exc:
        status = type(exc).__name__
    return status, (time.perf_counter() - started) * 1000


def summary(seen: list[tuple[str, float]]) -> str:
    counts = Counter(status for status, _ in seen)
    text = ", ".join(f"{status} x{n}" for status, n in sorted(counts.items()))
    answered = [ms for status, ms in seen if status in ("200", "302")]
    if answered:
        text += (
            f"; p50 {statistics.median(answered):.1f} ms, p99 {percentile(answered, 99):.1f} ms, "
            f"max {max(answered):.1f} ms"
        )
    return text


def make_ready(url: str, slack: FakeSlack) -> str:
    body = slash_command_body(
        "https://zoom.us/j/81234567890?pwd=abc", response_url=slack.response_url()
    )
    httpx.post(f"{url}/slack/events", content=body, headers=signed_headers(SECRET, body))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for message in slack.messages(CHANNEL):
            if "Watch: " in (message.get("text") or ""):
                return message["text"].split("Watch: ")[1].split()[0]
        time.sleep(0.5)
    raise RuntimeError("the recording did not become ready")


def attack_trailer_bombs(url: str, bombs: int, megabytes: int) -> str:
    accepted: list[int] = []
    threads = [
        threading.Thread(target=lambda: accepted.append(trailer_bomb(url, megabytes=megabytes)))
        for _ in range(bombs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    sent = ", ".join(f"{n / 1024 / 1024:.1f} MiB" for n in sorted(accepted))
    return f"{bombs} bombs of up to {megabytes} MiB: the server stopped taking them after {sent}"


def attack_stalled_bodies(url: str, watch_link: str, count: int) -> str:
    held = stalled_bodies(url, "/recall/webhook", count)
    opened = time.monotonic()
    seen: list[tuple[str, float]] = []
    try:
        for _ in range(5):
            for page in (f"{url}/healthz", watch_link, watch_link.removesuffix("/watch")):
                seen.append(timed_get(page))
            time.sleep(0.5)
        answers: Counter[str] = Counter()
        ended: list[float] = []
        for sock in held:
            sock.settimeout(max(0.1, BODY_DEADLINE_SECONDS + 5 - (time.monotonic() - opened)))
            try:
                answer = sock.recv(1024)
                answers[answer.split(b" ", 2)[1].decode() if answer else "closed"] += 1
            except TimeoutError:
                answers["still open"] += 1
            except OSError:
                answers["reset"] += 1
            ended.append(time.monotonic() - opened)
    finally:
        for sock in held:
            sock.close()
    got = ", ".join(f"{status} x{n}" for status, n in sorted(answers.items()))
    return (
        f"{count} stalled: /healthz, watch page and redirect meanwhile: {summary(seen)}; "
        f"the stalled clients got {got} by {max(ended):.1f} s"
    )


def attack_slowloris(url: str, count: int) -> str:
    seconds = HEADER_TIMEOUT_SECONDS + 5
    seen: list[tuple[str, float]] = []
    done = threading.Event()

    def watch_healthz() -> None:
        time.sleep(1)
        while not done.is_set():
            seen.append(timed_get(f"{url}/healthz"))
            done.wait(1.0)

    watcher = threading.Thread(target=watch_healthz)
    watcher.start()
    try:
        closed = slowloris(url, count=count, seconds=seconds)
    finally:
        done.set()
        watcher.join()
    times = [t for t in closed if t is not None]
    # tests/attacks.py looks at each connection once a second, so a close is seen up to a second
    # (plus one pass over all the connections) after it happened; the attack test allows 2 s.
    in_time = [t for t in times if t <= HEADER_TIMEOUT_SECONDS + 2]
    seen_at = f", seen {min(times):.1f}-{max(times):.1f} s after the trickle began" if times else ""
    return (
        f"{count} connections: closed {len(times)}/{count}{seen_at}; {len(in_time)} within the "
        f"{HEADER_TIMEOUT_SECONDS} s header timeout (+2 s); /healthz meanwhile: {summary(seen)}"
    )


def attack_heads(url: str) -> str:
    results = []
    for size, label in ((65 * 1024, "65 KiB"), (100 * 1024, "100 KiB"), (1024 * 1024, "1 MiB")):
        statuses = Counter(str(status_of(url, head_of(size))) for _ in range(10))
        results.append(f"{label}: " + ", ".join(f"{s} x{n}" for s, n in sorted(statuses.items())))
    results.append(f"8 KiB: {status_of(url, head_of(8 * 1024))}")
    return "; ".join(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bombs", type=int, default=2)
    parser.add_argument("--bomb-mib", type=int, default=100)
    parser.add_argument("--stalled", type=int, default=32)
    parser.add_argument("--slowloris", type=int, default=300)
    parser.add_argument("--rest-seconds", type=float, default=5)
    args = parser.parse_args()
    print_start()

    rows: list[tuple[str, str, float]] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeSlack() as slack,
        FakeRecall(auto_progress=True) as recall,
    ):
        slack.add_user("U0USER1", "ada")
        env = app_env(
            slack.api_url,
            slack.bot_token,
            recall.base_url,
            recall.api_key,
            Path(tmp) / "e.db",
            RECALL_WEBHOOK_SECRET=WEBHOOK_SECRET,
            POLL_INTERVAL_SECONDS="0.5",
            WEBHOOK_SWEEP_SECONDS="0.5",  # the Recall fake sends no webhooks
        )
        app = AppProcess(env, Path(tmp) / "app.log")
        sampler = RssSampler(app.proc.pid)
        try:
            watch_link = make_ready(app.url, slack)
            assert httpx.get(watch_link).status_code == 200
            assert httpx.get(watch_link.removesuffix("/watch")).status_code == 302
            time.sleep(args.rest_seconds)
            before = rss_mib(app.proc.pid)
            sampler.start()
            attacks = [
                ("trailer bombs", lambda: attack_trailer_bombs(app.url, args.bombs, args.bomb_mib)),
                (
                    "stalled bodies",
                    lambda: attack_stalled_bodies(app.url, watch_link, args.stalled),
                ),
                ("slowloris", lambda: attack_slowloris(app.url, args.slowloris)),
                ("oversized heads", lambda: attack_heads(app.url)),
            ]
            for name, attack in attacks:
                sampler.phase = name
                sampler.sample()
                started = time.monotonic()
                outcome = attack()
                rows.append((name, outcome, time.monotonic() - started))
                sampler.sample()
            sampler.phase = "rest"
            time.sleep(args.rest_seconds)
            after = rss_mib(app.proc.pid)
            healthy = httpx.get(f"{app.url}/healthz", timeout=5).status_code
        finally:
            sampler.stop()
            app.stop()

    print_end()
    print("| attack | seconds | peak RSS MiB | what happened |")
    print("|---|---:|---:|---|")
    for name, outcome, took in rows:
        print(f"| {name} | {took:.1f} | {sampler.peak(name):.1f} | {outcome} |")
    peak = sampler.peak()
    print(
        f"\nRSS at rest before: {before:.1f} MiB; peak during the suite: {peak:.1f} MiB "
        f"({peak / MIB_PER_MB:.0f} MB; {len(sampler.samples)} samples); at rest "
        f"{args.rest_seconds:g} s after: {after:.1f} MiB; /healthz after: {healthy}"
    )
    return 0 if peak / MIB_PER_MB < 150 and healthy == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
