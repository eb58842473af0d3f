"""Helpers for the transcript tests: a meeting recorded to the end with a transcript in Recall's
download format, and sample transcripts (hostile, non-ASCII, overlapping, three hours long)."""

from __future__ import annotations

import random
from typing import Any

from bot.model.lifecycle import State
from tests.conftest import App
from tests.fakes.recall_transcripts import segment, span

ZOOM = "https://zoom.us/j/81234567890?pwd=abc"
PUBLIC = "https://rec.example.com"

HOSTILE = (
    "<script>window.pwned=1</script> <!channel> *bold* _it_ ~x~ `code` "
    "<https://evil.example|click> & co --> done."
)

MEETING = [
    segment(None, "so we can start.", start=0.0),
    segment("Ada Lovelace", "Welcome everyone to the budget review.", start=1.0),
    segment("Ada Lovelace", "The hiring plan comes next.", start=4.0),
    segment("Bob <b>", "Thanks Ada. The budget looks fine to me.", start=8.0),
    segment("Zoë Ñandú-Łukasz", "Można zacząć? Ça va, naïve café.", start=12.0),
    segment("Bob <b>", HOSTILE, start=16.0, seconds_per_word=0.3),
]
TIMELINE = [
    span("Ada Lovelace", 0.0, 8.0),
    span("Bob <b>", 8.0, 12.0),
    span("Zoë Ñandú-Łukasz", 12.0, 16.0),
    span("Bob <b>", 16.0, None),
]


def record_meeting(
    app: App,
    transcript: list[dict[str, Any]] | None = MEETING,
    *,
    link: str = ZOOM,
    channel: str = "C0CHAN1",
    hook: str = "cmd",
    timeline: list[dict[str, Any]] | None = TIMELINE,
    status: str = "done",
    minutes: float = 1,
    poll_after: float = 15,
) -> Any:
    """`/record` a meeting to the end, with `transcript` ready at Recall when the video is
    (None: no transcript at all); the recording once its transcript work has settled."""
    app.command(link, channel_id=channel, hook=hook)
    app.wait_idle()
    rec = [r for r in app.runtime.store.recordings.all() if r.state != State.READY][-1]
    app.recall.run_meeting(rec.recall.bot_id, minutes=minutes)
    if transcript is not None or status != "done":
        app.recall.set_transcript(
            rec.recall.bot_id, transcript, status=status, speaker_timeline=timeline
        )
    app.poll(seconds=poll_after)  # with webhooks on, polling is a slower sweep
    settle(app)
    return app.runtime.store.recordings.get(rec.id)


def settle(app: App) -> None:
    """Let the worker pool finish: the transcript's fetch, then the Slack update it asks for."""
    for _ in range(3):
        assert app.runtime.workers.wait(timeout=20), "background work hung"


def long_meeting(hours: float = 3.0, seed: int = 7) -> list[dict[str, Any]]:
    """`hours` of a meeting in Recall's format: four people taking turns, about 150 words a
    minute, with a pause now and then."""
    rng = random.Random(seed)
    words = [
        *("budget", "hiring", "roadmap", "customer", "launch", "review", "quarter", "design"),
        *("metrics", "onboarding", "latency", "release", "feedback", "pricing", "contract"),
        *("partner", "support", "incident", "retro", "goal"),
    ]
    people = ["Ada Lovelace", "Bob Smith", "Chloé Durand", "Dmitri Иванов"]
    segments, at = [], 0.0
    while at < hours * 3600:
        count = rng.randint(8, 60)
        text = " ".join(rng.choice(words) for _ in range(count)) + "."
        segments.append(segment(rng.choice(people), text, start=at, seconds_per_word=0.4))
        at += count * 0.4 + rng.uniform(0.2, 2.0)
    return segments
