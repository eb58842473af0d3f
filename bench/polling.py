"""Recall calls per recorded meeting, and how soon the ready notice follows the video.

    python bench/polling.py [--meetings 1,10,15,20,50] [--minutes 60]

Runs the app's real poller (`poll_once`, the Recall client, the store, the Slack side) on a
simulated clock against the local Recall fake (which enforces Recall's rate limits) and
Slack fake. Each meeting: the bot joins, waits in the lobby, records for `--minutes`, the
host ends it, and Recall finishes the video 40 s later. Three ways are measured in the same
run:
- naive:    one Retrieve per open bot every POLL_INTERVAL_SECONDS (15 s)
- survey:   what the app does: one List Bots round for all active bots, Retrieve only for
            bots whose call ended (bot/workflow/survey.py)
- webhooks: Recall webhooks (signed deliveries) with the 5-minute safety sweep
Prints calls per meeting (create / list / retrieve), the notify latency after the video is
done (simulated seconds), 429s, and for webhooks the real time from delivery to notice.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import RECALL_LIMITS, percentile, print_start
from simulated import SimClock, settings_for
from standardwebhooks.webhooks import Webhook

from bot.app.runtime import Runtime
from bot.model.meeting_links import parse_meeting_link
from bot.workflow.intake import RecordingRequest
from bot.workflow.polling import poll_once
from tests.fakes.rate_limits import endpoint_class
from tests.fakes.recall import FakeRecall
from tests.fakes.slack import FakeSlack

WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"bench webhook secret 0123456789").decode()
TICK = timedelta(seconds=15)
START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def timeline(start: datetime, minutes: int) -> list[tuple[datetime, str, str | None]]:
    """(when, what, sub_code) for one meeting."""
    recording = start + timedelta(seconds=70)
    ended = recording + timedelta(minutes=minutes)
    return [
        (start + timedelta(seconds=2), "joining_call", None),
        (start + timedelta(seconds=20), "in_waiting_room", None),
        (start + timedelta(seconds=60), "in_call_not_recording", None),
        (recording, "in_call_recording", None),
        (ended, "call_ended", "call_ended_by_host"),
        (ended + timedelta(seconds=5), "done", None),
        (ended + timedelta(seconds=45), "video_done", None),
    ]


def run(mode: str, meetings: int, minutes: int) -> dict[str, float]:
    clock = SimClock(START)
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeSlack() as slack,
        FakeRecall(rate_limits=RECALL_LIMITS, clock=lambda: clock().timestamp()) as recall,
    ):
        slack.add_user("U0USER1", "ada")
        settings = settings_for(
            slack,
            recall,
            Path(tmp) / "bench.db",
            recall_webhook_secret=WEBHOOK_SECRET if mode == "webhooks" else None,
        )
        runtime = Runtime(settings, clock=clock, sleep=clock.sleep)
        if mode == "naive":
            runtime.survey = None  # one Retrieve per bot, no List Bots survey
        runtime.store.migrate()
        # Someone types /record as their meeting starts, one meeting every 7 s; Recall's bot
        # starts joining at once (an ad-hoc bot has a status within seconds).
        events: list[tuple[datetime, str, str | None, str]] = [
            (clock.now + timedelta(seconds=n * 7), "request", None, f"8{n:010d}")
            for n in range(meetings)
        ]
        events.sort(key=lambda e: e[0])
        video_done: dict[str, datetime] = {}
        hook_latencies: list[float] = []
        next_tick = clock.now + TICK
        webhook = Webhook(WEBHOOK_SECRET)
        while events or any(r.slack.notified_at is None for r in runtime.store.recordings.all()):
            if events and events[0][0] <= next_tick:
                at, what, sub, bot_id = events.pop(0)
                clock.now = max(clock.now, at)
                if what == "request":
                    bot_id = _request(runtime, meeting=bot_id)
                    events += [(t, w, s, bot_id) for t, w, s in timeline(clock.now, minutes)]
                    events.sort(key=lambda e: e[0])
                    continue
                _apply(recall, bot_id, what, sub, minutes)
                if what == "video_done":
                    video_done[bot_id] = clock.now
                if mode == "webhooks":
                    hook_latencies += _deliver(runtime, webhook, bot_id, what, sub, clock.now)
                continue
            clock.now = next_tick
            poll_once(runtime.steps, runtime.survey, clock.now)
            next_tick += TICK
            if not events and clock.now > max(video_done.values()) + timedelta(minutes=30):
                break  # something was never notified: report it rather than loop forever
        runtime.workers.wait(30)
        latencies = [
            (r.slack.notified_at - video_done[r.recall.bot_id]).total_seconds()
            for r in runtime.store.recordings.all()
            if r.slack.notified_at and r.recall.bot_id in video_done
        ]
        calls = {kind: 0 for kind in RECALL_LIMITS}
        for request in recall.requests:
            if request.path.startswith("/api/"):
                calls[endpoint_class(request.method, request.path)] += 1
        runtime.stop()
        return {
            "create": calls["create"] / meetings,
            "list": calls["list"] / meetings,
            "retrieve": calls["retrieve"] / meetings,
            "total": sum(calls.values()) / meetings,
            "notified": len(latencies),
            "p50": percentile(latencies, 50),
            "max": max(latencies) if latencies else float("nan"),
            "throttled": sum(recall.throttled.values()),
            "hook_ms": percentile(hook_latencies, 50) if hook_latencies else float("nan"),
        }


def _request(runtime: Runtime, meeting: str) -> str:
    """`/record` for one meeting, and the step that creates its bot; the bot's id."""
    link = parse_meeting_link(f"https://zoom.us/j/{meeting}?pwd=x")
    rec, _ = runtime.intake.request(
        RecordingRequest(team_id="T0001", channel_id="C0CHAN1", user_id="U0USER1", link=link)
    )
    runtime.steps.work_on(rec.id)
    return runtime.store.recordings.get(rec.id).recall.bot_id


def _apply(recall: FakeRecall, bot_id: str, what: str, sub: str | None, minutes: int) -> None:
    if what == "video_done":
        recall.complete_recording(bot_id, video="done")
    elif what == "done":
        recall.complete_recording(bot_id, video="processing")
        recall.push_status(bot_id, "done")
    else:
        recall.push_status(bot_id, what, sub)


def _deliver(
    runtime: Runtime, webhook: Webhook, bot_id: str, what: str, sub: str | None, now: datetime
) -> list[float]:
    event = "video_mixed.done" if what == "video_done" else f"bot.{what}"
    payload = {
        "event": event,
        "data": {
            "data": {
                "code": "done" if what == "video_done" else what,
                "sub_code": sub,
                "updated_at": now.isoformat(),
            },
            "bot": {"id": bot_id, "metadata": {}},
        },
    }
    body = json.dumps(payload)
    msg_id = f"msg_{bot_id}_{what}"
    stamp = datetime.now(UTC)
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(stamp.timestamp())),
        "webhook-signature": webhook.sign(msg_id=msg_id, timestamp=stamp, data=body),
    }
    started = time.perf_counter()
    runtime.webhooks.receive(body.encode(), headers)
    runtime.workers.wait(30)
    return [(time.perf_counter() - started) * 1000] if what == "video_done" else []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", default="1,10,15,20,50")
    parser.add_argument("--minutes", type=int, default=60)
    args = parser.parse_args()
    print_start()
    print(
        f"each meeting records {args.minutes} min; POLL_INTERVAL_SECONDS 15; "
        "webhook sweep 300 s; Recall's rate limits enforced by the fake"
    )
    print(
        "| mode | meetings | Recall calls per meeting (create + list + retrieve) "
        "| notified | notify latency p50 / max (s) | 429s | webhook to notice (ms, p50) |"
    )
    print("|---|---:|---|---:|---|---:|---:|")
    ok = True
    for meetings in (int(n) for n in args.meetings.split(",")):
        for mode in ("naive", "survey", "webhooks"):
            r = run(mode, meetings, args.minutes)
            ok &= r["notified"] == meetings and r["throttled"] == 0
            hook = f"{r['hook_ms']:.0f}" if mode == "webhooks" else "-"
            print(
                f"| {mode} | {meetings} | {r['total']:.1f} ({r['create']:.1f} + {r['list']:.1f} "
                f"+ {r['retrieve']:.1f}) | {r['notified']:.0f} | {r['p50']:.0f} / {r['max']:.0f} "
                f"| {r['throttled']} | {hook} |"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
