"""Soak test: the real app process against the local fakes, killed with SIGKILL at random
moments and restarted, must still notify every recording exactly once.

    python bench/soak.py [--recordings 40] [--kills 5] [--seed 7] [--recall-faults 0.1]
                         [--slack-faults 0.1]

Prints the machine, then `recordings N, notified N, duplicates 0, lost 0, restarts M`. Exits
non-zero if anything was lost or doubled. The fakes run in this process, so they outlive every
kill; the app keeps its SQLite file in a temporary directory.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from common import SECRET, AppProcess, free_port, print_start

from tests.fakes.recall import FakeRecall
from tests.fakes.slack import FakeSlack
from tests.slack_requests import signed_headers, slash_command_body


def record(app: AppProcess, slack: FakeSlack, n: int) -> bool:
    link = f"https://zoom.us/j/8{n:010d}?pwd=soak"
    body = slash_command_body(link, response_url=slack.response_url(f"r{n}"), channel_id="C0SOAK")
    try:
        reply = httpx.post(
            f"{app.url}/slack/events", content=body, headers=signed_headers(SECRET, body), timeout=5
        )
    except httpx.TransportError:
        return False  # the process was down: like a user seeing Slack's timeout, try again
    return reply.status_code == 200


def ready_notices(slack: FakeSlack) -> Counter[str]:
    """Ready thread replies per recording, read from the message metadata we attach."""
    counts: Counter[str] = Counter()
    for call in slack.calls_to("chat.postMessage"):
        payload = (call.args.get("metadata") or {}).get("event_payload") or {}
        if payload.get("post") == "notice:ready":
            counts[payload["recording_id"]] += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=40)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--recall-faults", type=float, default=0.0)
    parser.add_argument("--slack-faults", type=float, default=0.0)
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for the end")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print_start()

    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeSlack(fault_rate=args.slack_faults, fault_seed=args.seed) as slack,
        FakeRecall(
            auto_progress=True, fault_rate=args.recall_faults, fault_seed=args.seed
        ) as recall,
    ):
        slack.fault_errors = ("ratelimited", "internal_error", "lost_response")
        slack.add_user("U0USER1", "ada")
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "RECALL_"))},
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
            "RECALL_API_KEY": recall.api_key,
            "RECALL_API_BASE_URL": recall.base_url,
            "DATABASE_PATH": str(Path(tmp) / "soak.db"),
            "POLL_INTERVAL_SECONDS": "0.5",
            "PORT": str(port),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "LOG_LEVEL": "WARNING",
        }
        app = AppProcess(env, Path(tmp) / "soak.log")
        started = time.monotonic()
        pending = list(range(args.recordings))
        kill_at = sorted(rng.uniform(0.5, 8.0) for _ in range(args.kills))
        restarts = 0
        while pending or kill_at:
            elapsed = time.monotonic() - started
            if kill_at and elapsed >= kill_at[0]:
                kill_at.pop(0)
                app.kill()
                restarts += 1
                app.start()
            elif pending:
                n = pending[0]
                if record(app, slack, n):
                    pending.pop(0)
                time.sleep(rng.uniform(0.0, 0.15))
            else:
                time.sleep(0.05)

        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            if len(ready_notices(slack)) >= args.recordings:
                break
            time.sleep(0.5)
        time.sleep(2)  # let any (wrong) second notice show up before counting
        app.stop()

        created = len(recall.created_bot_ids())
        calls, landed = ready_notices(slack), slack.posts_by_kind("C0SOAK", "notice:ready")
        notified = len(landed)
        duplicates = sum(n - 1 for n in landed.values() if n > 1)
        lost = args.recordings - notified
        print(
            f"bots created {created} (one per recording expected), "
            f"ready-notice calls {sum(calls.values())}, elapsed {time.monotonic() - started:.0f} s"
        )
        print(
            f"recordings {args.recordings}, notified {notified}, duplicates {duplicates}, "
            f"lost {lost}, restarts {restarts}"
        )
        return 0 if duplicates == 0 and lost == 0 and created == args.recordings else 1


if __name__ == "__main__":
    sys.exit(main())
